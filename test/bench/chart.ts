/** A hand-written SVG chart of the medians: one panel per workload, a bar per system. */
import { fmt } from "./markdown.js";
import type { BenchReport, Cell, WorkloadReport } from "./report.js";

const WIDTH = 760;
const PANEL_HEIGHT = 74;
const TOP = 58;
const LABEL_X = 16;
const BAR_X = 110;
const BAR_MAX = 470;
const BAR_HEIGHT = 16;
const COLORS = { stratus: "#1f77b4", apache: "#d62728" } as const;

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly key: string;
  readonly lowerIsBetter: boolean;
  readonly workload: WorkloadReport | undefined;
}

function escapeXml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function value(c: Cell | undefined, key: string): number | undefined {
  const v = c?.available ? c[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function panels(report: BenchReport): Panel[] {
  const w = (id: number) => report.workloads.find((x) => x.id === id);
  return [
    {
      title: "1. sync send, ASYNC_FLUSH",
      unit: "msg/s",
      key: "msgsPerSec",
      lowerIsBetter: false,
      workload: w(1),
    },
    {
      title: "2. sync send, SYNC_FLUSH",
      unit: "msg/s",
      key: "msgsPerSec",
      lowerIsBetter: false,
      workload: w(2),
    },
    {
      title: "3. end-to-end p99 at fixed rate",
      unit: "ms",
      key: "p99Ms",
      lowerIsBetter: true,
      workload: w(3),
    },
    {
      title: "4. catch-up from offset 0",
      unit: "MB/s",
      key: "mbPerSec",
      lowerIsBetter: false,
      workload: w(4),
    },
    {
      title: "5. catch-up from the object store",
      unit: "MB/s",
      key: "mbPerSec",
      lowerIsBetter: false,
      workload: w(5),
    },
    { title: "6. broker peak VmRSS", unit: "MiB", key: "peakVmRssMiB", lowerIsBetter: true, workload: w(6) },
  ];
}

function bar(
  y: number,
  name: "stratus" | "apache",
  c: Cell | undefined,
  key: string,
  max: number,
  unit: string,
  missing: string,
): string {
  const v = value(c, key);
  const label = `<text x="${LABEL_X + 8}" y="${y + 12}" font-size="12">${name === "stratus" ? "Stratus" : "Apache"}</text>`;
  if (v === undefined) {
    const why = c === undefined ? missing : c.available ? "no figure" : String(c.reason ?? "not available");
    return `${label}<text x="${BAR_X}" y="${y + 12}" font-size="12" fill="#777">${escapeXml(why)}</text>`;
  }
  const width = max > 0 ? Math.max(1, (v / max) * BAR_MAX) : 1;
  return (
    `${label}<rect x="${BAR_X}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLORS[name]}"/>` +
    `<text x="${(BAR_X + width + 6).toFixed(1)}" y="${y + 12}" font-size="12">${escapeXml(`${fmt(v)} ${unit}`)}</text>`
  );
}

export function renderChart(report: BenchReport): string {
  const ps = panels(report);
  const height = TOP + ps.length * PANEL_HEIGHT + 24;
  const body = ps.map((p, i) => {
    const y = TOP + i * PANEL_HEIGHT;
    const s = p.workload?.stratus;
    const a = p.workload?.apache;
    const max = Math.max(value(s, p.key) ?? 0, value(a, p.key) ?? 0);
    const hint = p.lowerIsBetter ? " (lower is better)" : "";
    const sv = value(s, p.key);
    const av = value(a, p.key);
    const r =
      sv !== undefined && av !== undefined && av > 0 ? ` — Stratus/Apache ${(sv / av).toFixed(2)}×` : "";
    const stratusOnly = p.workload !== undefined && p.workload.apache === undefined && p.workload.id === 5;
    return [
      `<text x="${LABEL_X}" y="${y + 14}" font-size="13" font-weight="bold">${escapeXml(p.title + hint + r)}</text>`,
      bar(y + 22, "stratus", s, p.key, max, p.unit, "not run"),
      bar(
        y + 44,
        "apache",
        a,
        p.key,
        max,
        p.unit,
        stratusOnly ? "Stratus only (Apache has no object-store tier)" : "not run",
      ),
    ].join("\n");
  });
  const load = report.loadAverage.start.map((l) => l.toFixed(1)).join(" ");
  const subtitle = `medians of ${report.rounds} round(s), ${report.startedAt.slice(0, 16).replace("T", " ")} UTC; load average at start ${load}${report.noisy ? " — noisy run" : ""}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<title>Stratus vs Apache RocketMQ: bench medians per workload</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${LABEL_X}" y="24" font-size="16" font-weight="bold">Stratus vs Apache RocketMQ ${escapeXml(String(report.environment.apache ?? ""))}</text>`,
    `<text x="${LABEL_X}" y="42" font-size="11" fill="#555">${escapeXml(subtitle)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
