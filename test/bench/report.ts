/**
 * Turns the sessions of a run into the JSON shape — {"workloads":[{name, stratus, apache, ratio}]}
 * with medians over rounds — where `ratio` is Stratus's throughput over Apache's (omitted when either
 * side has no figure, and for Stratus-only workloads).
 */
import type { MachineLimits } from "./machine.js";
import type { BenchRun } from "./run.js";
import type { SessionRecord } from "./session.js";
import { median, ratio, spread } from "./stats.js";
import type { SystemName } from "./systems.js";

export type Cell = Record<string, unknown> & { readonly available: boolean };

export interface WorkloadReport {
  readonly id: number;
  readonly name: string;
  readonly stratus: Cell;
  readonly apache?: Cell;
  readonly ratio?: number;
  readonly [key: string]: unknown;
}

export interface BenchReport {
  readonly workloads: readonly WorkloadReport[];
  readonly machine: MachineLimits;
  readonly environment: Record<string, string | number>;
  readonly loadAverage: BenchRun["loadAverage"];
  readonly noisy: boolean;
  readonly noiseNotes: readonly string[];
  readonly startedAt: string;
  readonly durationS: number;
  readonly rounds: number;
  readonly roundsRequested: number;
  readonly backlogMiB: number;
  readonly settings: Record<string, string | number>;
  readonly profile: BenchRun["profile"];
  readonly smoke: boolean;
}

/** Repeats disagreeing by more than this (max − min over median) make a figure "noisy". */
export const NOISY_SPREAD = 0.25;

type Getter = (result: Record<string, unknown>, s: SessionRecord) => unknown;

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function get(obj: unknown, ...keys: string[]): unknown {
  let v = obj;
  for (const k of keys)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function sessionsFor(run: BenchRun, system: SystemName, flush: string): SessionRecord[] {
  return run.sessions.filter((s) => s.system === system && s.flushDiskType === flush);
}

/** Medians of the named metrics over the sessions that produced `phase`, with per-round values and failures. */
function cell(
  sessions: readonly SessionRecord[],
  phase: string,
  metrics: Record<string, Getter>,
  primary: string,
): Cell {
  if (sessions.length === 0) return { available: false, reason: "not run" };
  const ok = sessions.filter((s) => s.results[phase] !== undefined);
  const failures = sessions
    .filter((s) => s.error !== undefined)
    .map((s) => `round ${s.round}: ${s.error?.split("\n")[0]}`);
  if (ok.length === 0) return { available: false, reason: failures[0] ?? `no ${phase} result`, failures };
  const out: Record<string, unknown> = { available: true, rounds: ok.length };
  for (const [name, getter] of Object.entries(metrics)) {
    const values = ok.map((s) => num(getter(s.results[phase] ?? {}, s)));
    out[name] = median(values);
    if (name === primary) {
      out.perRound = values;
      out.spread = spread(values);
    }
  }
  if (failures.length > 0) out.failures = failures;
  return out as Cell;
}

const sendMetrics: Record<string, Getter> = {
  msgsPerSec: (r) => r.msgsPerSec,
  mbPerSec: (r) => r.mbPerSec,
  p50Ms: (r) => get(r, "sendLatency", "p50Ms"),
  p99Ms: (r) => get(r, "sendLatency", "p99Ms"),
  p999Ms: (r) => get(r, "sendLatency", "p999Ms"),
  errors: (r) => num(r.errors) ?? 0,
  notOk: (r) => num(r.notOk) ?? 0,
  brokerCpuUsPerMsg: (r) => cpuPerMessage(r),
};

/** The broker's CPU microseconds per message over the measured window (session.ts measures brokerCpuS). */
function cpuPerMessage(r: Record<string, unknown>): number | undefined {
  const cpu = num(r.brokerCpuS);
  const n = num(r.messages);
  return cpu === undefined || n === undefined || n <= 0 ? undefined : (cpu * 1e6) / n;
}

const latencyMetrics: Record<string, Getter> = {
  achievedRate: (r) => r.achievedRate,
  p50Ms: (r) => get(r, "e2eLatency", "p50Ms"),
  p99Ms: (r) => get(r, "e2eLatency", "p99Ms"),
  p999Ms: (r) => get(r, "e2eLatency", "p999Ms"),
  lost: (r) => (num(r.sent) ?? 0) - (num(r.received) ?? 0),
  errors: (r) => num(r.errors) ?? 0,
};

const catchupMetrics: Record<string, Getter> = {
  mbPerSec: (r) => r.mbPerSec,
  msgsPerSec: (r) => r.msgsPerSec,
  messages: (r) => r.messages,
  complete: (r) => (r.complete === true ? 1 : 0),
  firstMessageS: (r) => r.firstMessageS,
  streamMbPerSec: (r) => r.streamMbPerSec,
  brokerCpuUsPerMsg: (r) => cpuPerMessage(r),
};

const rssMetrics: Record<string, Getter> = {
  peakVmRssMiB: (_r, s) => s.rss?.peakVmRssMiB,
  peakRssAnonMiB: (_r, s) => s.rss?.peakRssAnonMiB,
  peakRssFileMiB: (_r, s) => s.rss?.peakRssFileMiB,
  sendStartMiB: (_r, s) => s.rss?.sendStartMiB,
  sendEndMiB: (_r, s) => s.rss?.sendEndMiB,
  messagesSent: (r) => r.messages,
};

/** Workload 4's fill: RSS as the backlog grows from what the earlier phases left to `backlogMiB`. */
const fillRssMetrics: Record<string, Getter> = {
  fillStartMiB: (_r, s) => s.rss?.fillStartMiB,
  fillEndMiB: (_r, s) => s.rss?.fillEndMiB,
  fillQ1MiB: (_r, s) => s.rss?.fillQuartersMiB?.[0],
  fillQ2MiB: (_r, s) => s.rss?.fillQuartersMiB?.[1],
  fillQ3MiB: (_r, s) => s.rss?.fillQuartersMiB?.[2],
  messagesWritten: (r) => r.toppedUp,
};

function withFraction(c: Cell, key: string, value: unknown, limit: number | undefined): Cell {
  if (!c.available) return c;
  const f = ratio(num(value), limit);
  return f === undefined ? c : { ...c, [key]: f };
}

function pair(
  run: BenchRun,
  flush: string,
  phase: string,
  metrics: Record<string, Getter>,
  primary: string,
): { stratus: Cell; apache: Cell | undefined } {
  const has = (s: SystemName) => run.options.systems.includes(s);
  return {
    stratus: cell(sessionsFor(run, "stratus", flush), phase, metrics, primary),
    apache: has("apache") ? cell(sessionsFor(run, "apache", flush), phase, metrics, primary) : undefined,
  };
}

function twoSided(
  id: number,
  name: string,
  p: { stratus: Cell; apache: Cell | undefined },
  key: string,
  extra: (c: Cell) => Cell = (c) => c,
): WorkloadReport {
  const stratus = extra(p.stratus);
  const apache = p.apache === undefined ? undefined : extra(p.apache);
  const r = ratio(num(stratus[key]), num(apache?.[key]));
  return {
    id,
    name,
    stratus,
    ...(apache === undefined ? {} : { apache }),
    ...(r === undefined ? {} : { ratio: r }),
  };
}

function workloads(run: BenchRun): WorkloadReport[] {
  const m = run.machine;
  const echo = m.echoRoundTripsPerSec;
  const w1 = twoSided(
    1,
    "max-rate sync send, ASYNC_FLUSH",
    pair(run, "ASYNC_FLUSH", "async", sendMetrics, "msgsPerSec"),
    "msgsPerSec",
    (c) => withFraction(c, "fractionOfLoopbackEcho", c.msgsPerSec, echo),
  );
  const w2 = twoSided(
    2,
    "max-rate sync send, SYNC_FLUSH",
    pair(run, "SYNC_FLUSH", "sync", sendMetrics, "msgsPerSec"),
    "msgsPerSec",
    (c) =>
      withFraction(
        withFraction(c, "fractionOfLoopbackEcho", c.msgsPerSec, echo),
        "fractionOfFsyncRate",
        c.msgsPerSec,
        m.fsync.syncsPerSec,
      ),
  );
  const w3 = twoSided(
    3,
    `fixed ${run.options.latencyRate} msg/s, end-to-end latency`,
    pair(run, "ASYNC_FLUSH", "latency", latencyMetrics, "p99Ms"),
    "achievedRate",
    (c) => withFraction(c, "fractionOfTargetRate", c.achievedRate, run.options.latencyRate),
  );
  const p99 = ratio(num(w3.stratus.p99Ms), num(w3.apache?.p99Ms));
  const w4 = twoSided(
    4,
    `catch-up from offset 0 (${run.options.backlogMiB} MiB backlog)`,
    pair(run, "ASYNC_FLUSH", "catchup", catchupMetrics, "mbPerSec"),
    "mbPerSec",
    (c) => withFraction(c, "fractionOfLoopbackStream", c.mbPerSec, m.loopbackStreamMbPerSec),
  );
  const tiered = run.tiered;
  const w5Cell: Cell = tiered.available
    ? cell(tiered.session ? [tiered.session] : [], "catchup", catchupMetrics, "mbPerSec")
    : { available: false, reason: `not available: ${tiered.reason}` };
  const w5: WorkloadReport = {
    id: 5,
    name: "catch-up served from the object store (Stratus only)",
    stratus: w5Cell,
    ...(tiered.raw === undefined ? {} : { rawPull: tiered.raw }),
  };
  const rss = pair(run, "ASYNC_FLUSH", "async", rssMetrics, "peakVmRssMiB");
  const rssRatio = ratio(num(rss.stratus.peakVmRssMiB), num(rss.apache?.peakVmRssMiB));
  const filled = (system: SystemName) =>
    sessionsFor(run, system, "ASYNC_FLUSH").filter((s) => s.rss?.fillEndMiB !== undefined);
  const fillCell = (system: SystemName) => cell(filled(system), "catchup", fillRssMetrics, "fillEndMiB");
  const w6: WorkloadReport = {
    id: 6,
    name: "broker resident memory under load",
    stratus: { ...rss.stratus, backlogFill: fillCell("stratus") },
    ...(rss.apache === undefined ? {} : { apache: { ...rss.apache, backlogFill: fillCell("apache") } }),
    ...(rssRatio === undefined ? {} : { rssRatio }),
  };
  return [w1, w2, p99 === undefined ? w3 : { ...w3, p99Ratio: p99 }, w4, w5, w6];
}

function noiseNotes(run: BenchRun, ws: readonly WorkloadReport[]): string[] {
  const notes: string[] = [];
  const cpus = Number(run.environment.cpus ?? 0);
  const loads = [
    ...run.loadAverage.start,
    ...run.loadAverage.end,
    ...run.sessions.map((s) => s.loadAverage1m),
  ];
  const maxLoad = Math.max(...loads);
  if (cpus > 0 && maxLoad > cpus) {
    notes.push(`load average reached ${maxLoad.toFixed(1)} on ${cpus} CPUs: other work shared the machine`);
  }
  for (const w of ws) {
    for (const [side, c] of [
      ["stratus", w.stratus],
      ["apache", w.apache],
    ] as const) {
      const s = num(c?.spread);
      if (s !== undefined && s > NOISY_SPREAD) {
        notes.push(`workload ${w.id} ${side}: repeats spread ${(s * 100).toFixed(0)}% of the median`);
      }
    }
  }
  return notes;
}

export function buildReport(run: BenchRun): BenchReport {
  const ws = workloads(run);
  const notes = noiseNotes(run, ws);
  return {
    workloads: ws,
    machine: run.machine,
    environment: run.environment,
    loadAverage: run.loadAverage,
    noisy: notes.length > 0,
    noiseNotes: notes,
    startedAt: run.startedAt,
    durationS: run.durationS,
    rounds: run.options.rounds,
    roundsRequested: run.roundsRequested,
    backlogMiB: run.options.backlogMiB,
    settings: run.settings,
    profile: run.profile,
    smoke: run.options.smoke,
  };
}
