/** The markdown the bench prints (and writes with --markdown): results table, limits, settings, profile. */
import { ISSUE_BACKLOG_MIB } from "./options.js";
import type { BenchReport, Cell, WorkloadReport } from "./report.js";

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** 12345.6 → "12,346"; 12.345 → "12.3"; 0.1234 → "0.123"; missing → "—". */
export function fmt(v: unknown): string {
  const n = num(v);
  if (n === undefined) return "—";
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString("en-US");
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function pct(v: unknown): string {
  const n = num(v);
  return n === undefined ? "—" : `${(n * 100).toFixed(n < 0.1 ? 1 : 0)}%`;
}

function x(v: unknown): string {
  const n = num(v);
  return n === undefined ? "—" : `${n.toFixed(2)}×`;
}

function side(c: Cell | undefined, show: (c: Cell) => string): string {
  if (c === undefined) return "not run";
  if (!c.available) return String(c.reason ?? "not available");
  return show(c);
}

const rate = (c: Cell) => `${fmt(c.msgsPerSec)} msg/s (${fmt(c.mbPerSec)} MB/s)`;
const lat = (c: Cell) => `${fmt(c.p50Ms)} / ${fmt(c.p99Ms)} / ${fmt(c.p999Ms)}`;

/** Workload 5's broker-side ceiling (raw-pull.ts), when it ran. */
function rawPullRows(w: WorkloadReport): string[][] {
  const raw = w.rawPull as Record<string, unknown> | undefined;
  if (raw === undefined) return [];
  const what = "same catch-up, raw Node puller (broker's ceiling)";
  const text =
    typeof raw.error === "string"
      ? `failed: ${raw.error.split("\n")[0]}`
      : `${fmt(raw.mbPerSec)} MB/s (${fmt(raw.msgsPerSec)} msg/s), broker ${fmt(raw.brokerCpuUsPerMsg)} µs CPU/msg${raw.complete ? "" : ", incomplete"}`;
  return [[`${w.id}. ${w.name}`, what, text, "not run", ""]];
}

function rows(w: WorkloadReport): string[][] {
  const s = w.stratus;
  const a = w.apache;
  const r = (metric: string, show: (c: Cell) => string, ratioText: string) => [
    `${w.id}. ${w.name}`,
    metric,
    side(s, show),
    side(a, show),
    ratioText,
  ];
  switch (w.id) {
    case 1:
    case 2:
      return [
        r("throughput", rate, x(w.ratio)),
        r("send latency p50 / p99 / p999 ms", lat, `p99 ${x(ratioOf(s.p99Ms, a?.p99Ms))}`),
      ];
    case 3:
      return [
        r("achieved rate", (c) => `${fmt(c.achievedRate)} msg/s`, x(w.ratio)),
        r("end-to-end p50 / p99 / p999 ms", lat, `p99 ${x(w.p99Ratio)}`),
      ];
    case 4:
    case 5:
      return [
        r("consume rate", (c) => `${fmt(c.mbPerSec)} MB/s (${fmt(c.msgsPerSec)} msg/s)`, x(w.ratio)),
        r(
          "first message after s; rate from then on",
          (c) =>
            typeof c.streamMbPerSec === "number"
              ? `${fmt(c.firstMessageS)} s; ${fmt(c.streamMbPerSec)} MB/s`
              : "—",
          "",
        ),
        ...rawPullRows(w),
      ];
    default:
      return [
        r(
          "peak VmRSS (RssAnon) MiB",
          (c) => `${fmt(c.peakVmRssMiB)} (${fmt(c.peakRssAnonMiB)})`,
          x(w.rssRatio),
        ),
        r("VmRSS start → end of workload 1, MiB", (c) => `${fmt(c.sendStartMiB)} → ${fmt(c.sendEndMiB)}`, ""),
        r("VmRSS over workload 4's backlog fill: start, ¼, ½, ¾, end, MiB (messages written)", fillRss, ""),
      ];
  }
}

function backlogNote(mib: number): string {
  const size = `Workloads 4 and 5 read a ${fmt(mib)} MiB backlog`;
  if (mib === ISSUE_BACKLOG_MIB)
    return `${size} (the issue's 2 GiB), written once per system and read in every round.`;
  return `${size}, scaled down from the issue's ${ISSUE_BACKLOG_MIB} MiB (--backlog-mib).`;
}

/** Workload 6's backlogFill cell (report.ts): RSS while workload 4's backlog was written. */
function fillRss(c: Cell): string {
  const f = c.backlogFill as Cell | undefined;
  if (!f?.available) return "—";
  const points = [f.fillStartMiB, f.fillQ1MiB, f.fillQ2MiB, f.fillQ3MiB, f.fillEndMiB];
  return `${points.map(fmt).join(" → ")} (${fmt(f.messagesWritten)})`;
}

function ratioOf(a: unknown, b: unknown): number | undefined {
  const x1 = num(a);
  const y = num(b);
  return x1 === undefined || y === undefined || y === 0 ? undefined : x1 / y;
}

function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}

function limitRows(report: BenchReport): string[][] {
  const out: string[][] = [];
  const add = (w: WorkloadReport | undefined, key: string, limit: string) => {
    if (!w) return;
    out.push([`${w.id}`, limit, pct(w.stratus[key]), w.apache ? pct(w.apache[key]) : "not run"]);
  };
  const byId = (id: number) => report.workloads.find((w) => w.id === id);
  add(byId(1), "fractionOfLoopbackEcho", "loopback 1 KiB echo round trips/s");
  add(byId(2), "fractionOfLoopbackEcho", "loopback 1 KiB echo round trips/s");
  add(byId(2), "fractionOfFsyncRate", "1 KiB write + fdatasync/s (group commit can exceed 100%)");
  add(byId(3), "fractionOfTargetRate", "the fixed target rate");
  add(byId(4), "fractionOfLoopbackStream", "loopback one-way stream MB/s");
  return out;
}

function perRoundRows(report: BenchReport): string[][] {
  const keys: Record<number, string> = {
    1: "msgsPerSec",
    2: "msgsPerSec",
    3: "p99Ms",
    4: "mbPerSec",
    6: "peakVmRssMiB",
  };
  return report.workloads
    .filter((w) => keys[w.id] !== undefined)
    .map((w) => {
      const show = (c: Cell | undefined) =>
        Array.isArray(c?.perRound) ? (c.perRound as unknown[]).map(fmt).join(", ") : "—";
      return [`${w.id}`, keys[w.id] ?? "", show(w.stratus), w.apache ? show(w.apache) : "not run"];
    });
}

function rounds(report: BenchReport): string {
  if (report.rounds >= report.roundsRequested) return `${report.rounds} round(s)`;
  return `${report.rounds} of ${report.roundsRequested} rounds (the time budget stopped the rest)`;
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const e = report.environment;
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(" / ");
  const parts = [
    `# Stratus vs Apache RocketMQ ${e.apache} — bench results${report.smoke ? " (smoke run)" : ""}`,
    "",
    `Run ${report.startedAt}, ${Math.round(report.durationS)} s, ${rounds(report)}, systems alternating; medians shown.`,
    `Machine: ${e.cpus} × ${e.cpuModel}, ${e.memoryGiB} GiB, Linux ${e.kernel}; ${e.node}; ${e.java}; load generator on rocketmq-client ${e.loadgenClient}.`,
    `Load average (1/5/15 min) at start: ${load(report.loadAverage.start)}; at end: ${load(report.loadAverage.end)}.`,
    "",
    report.noisy
      ? `**Noisy run** — read the figures as rough:\n${report.noiseNotes.map((n) => `- ${n}`).join("\n")}`
      : "Repeats agreed within 25% and the machine was not overloaded.",
    "",
    "## Results",
    "",
    table(["workload", "metric", "Stratus", "Apache", "Stratus/Apache"], report.workloads.flatMap(rows)),
    "",
    backlogNote(report.backlogMiB),
    "",
    "## As a fraction of the machine's own limits",
    "",
    table(["workload", "limit", "Stratus", "Apache"], limitRows(report)),
    "",
    `Machine limits measured in this run: loopback 1 KiB echo ${fmt(m.echoRoundTripsPerSec)} round trips/s at ${m.echoThreads} connections (p50 ${fmt(m.echoP50Ms)} ms, p99 ${fmt(m.echoP99Ms)} ms); loopback stream ${fmt(m.loopbackStreamMbPerSec)} MB/s; 1 KiB write + fdatasync ${fmt(m.fsync.syncsPerSec)}/s (p50 ${fmt(m.fsync.syncP50Ms)} ms); 1 MiB write + fdatasync ${fmt(m.fsync.syncedMbPerSec)} MB/s.${m.error ? ` Echo error: ${m.error.split("\n")[0]}` : ""}`,
    "",
    "## Per round",
    "",
    table(["workload", "metric", "Stratus", "Apache"], perRoundRows(report)),
    "",
    "## Settings",
    "",
    Object.entries(report.settings)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join("\n"),
  ];
  if (report.profile) parts.push("", renderProfile(report.profile));
  return `${parts.join("\n")}\n`;
}

export function renderProfile(p: NonNullable<BenchReport["profile"]>): string {
  return [
    `## Where Stratus spends workload ${p.workload ?? 1} (node --cpu-prof, self time)`,
    "",
    `${p.windowMs ? `Samples from the measured window only (${fmt(p.windowMs[0] / 1000)}–${fmt(p.windowMs[1] / 1000)} s after start); ` : ""}${fmt(p.busyMs / 1000)} s busy, ${fmt(p.idlePercent)}% idle. Native frames without a file (writev, writeBuffer, ...) are time in C++ bindings, mostly system calls.`,
    "",
    table(
      ["function", "% of busy"],
      p.topFunctions.map((f) => [f.frame, fmt(f.percent)]),
    ),
    "",
    table(
      ["file", "% of busy"],
      p.topFiles.map((f) => [f.frame, fmt(f.percent)]),
    ),
  ].join("\n");
}
