/**
 * One session: start a system with one flush mode, run a list of load-generator phases against it while
 * sampling the broker's RSS, stop it. Every failure is recorded in the session, never thrown, so one bad
 * round cannot lose the others.
 */
import os from "node:os";
import path from "node:path";
import { type LoadGenEvent, runLoadGen } from "./loadgen.js";
import type { ProgressReporter } from "./progress.js";
import { type RssSample, RssSampler, readCpuS } from "./rss.js";
import {
  type BenchSystem,
  type DurabilitySettings,
  type StartOptions,
  type SystemName,
  startSystem,
} from "./systems.js";

const RSS_SAMPLE_MS = 250;
const KIB_PER_MIB = 1024;

export interface RssSummary {
  readonly samples: number;
  /** Highest VmRSS over the whole session (all phases). */
  readonly peakVmRssMiB: number;
  readonly peakRssAnonMiB: number;
  readonly peakRssFileMiB: number;
  /** VmRSS at the start and at the end of the first measured send phase (is memory flat as messages grow?). */
  readonly sendStartMiB: number | undefined;
  readonly sendEndMiB: number | undefined;
  /** VmRSS at the start and at the end of workload 4's backlog fill (millions of messages written). */
  readonly fillStartMiB?: number;
  readonly fillEndMiB?: number;
  /** VmRSS a quarter, half and three quarters of the way through the fill (by time): flat or still rising? */
  readonly fillQuartersMiB?: readonly number[];
}

/** The load generator's phase while it writes workload 4's backlog (CatchupPhase.topUp). */
export const FILL_PHASE = "catchup-fill";

export interface SessionRecord {
  readonly round: number;
  readonly system: SystemName;
  readonly flushDiskType: string;
  readonly startupMs: number | undefined;
  /** Load-generator results by phase label. */
  readonly results: Record<string, Record<string, unknown>>;
  readonly rss: RssSummary | undefined;
  readonly loadAverage1m: number;
  /** Per phase, [measured window start, result] in ms since the system was asked to start. */
  readonly windows: Record<string, [number, number]>;
  readonly error: string | undefined;
}

export function summarizeRss(samples: readonly RssSample[], sendPhase: string): RssSummary | undefined {
  if (samples.length === 0) return undefined;
  const mib = (kib: number) => kib / KIB_PER_MIB;
  const send = samples.filter((s) => s.phase === sendPhase && s.state === "measure");
  const fill = samples.filter((s) => s.phase === FILL_PHASE);
  const first = fill[0];
  const last = fill.at(-1);
  return {
    samples: samples.length,
    peakVmRssMiB: mib(Math.max(...samples.map((s) => s.vmRssKiB))),
    peakRssAnonMiB: mib(Math.max(...samples.map((s) => s.rssAnonKiB))),
    peakRssFileMiB: mib(Math.max(...samples.map((s) => s.rssFileKiB))),
    sendStartMiB: send[0] === undefined ? undefined : mib(send[0].vmRssKiB),
    sendEndMiB: send.at(-1) === undefined ? undefined : mib(send.at(-1)?.vmRssKiB ?? 0),
    ...(first === undefined || last === undefined
      ? {}
      : {
          fillStartMiB: mib(first.vmRssKiB),
          fillEndMiB: mib(last.vmRssKiB),
          fillQuartersMiB: [1, 2, 3].map((q) =>
            mib(fill[Math.floor((q * (fill.length - 1)) / 4)]?.vmRssKiB ?? 0),
          ),
        }),
  };
}

export interface SessionSpec {
  readonly round: number;
  readonly rounds: number;
  readonly system: SystemName;
  readonly settings: DurabilitySettings;
  readonly phases: readonly string[];
  readonly loadgenArgs: readonly string[];
  readonly classpath: string;
  readonly timeoutMs: number;
  readonly scratchDir: string;
  readonly startOptions?: StartOptions;
  /** Shown in progress lines instead of "round r/R · system FLUSH". */
  readonly label?: string;
  /** The load generator's run id (names its topics and groups); unique per session unless given. */
  readonly runId?: string;
}

function describeEvent(e: LoadGenEvent): string | undefined {
  if (e.event !== "progress") return undefined;
  const count = Number(e.count ?? 0).toLocaleString("en-US");
  const rate = Number(e.rate ?? 0).toLocaleString("en-US");
  const target = Number(e.target ?? 0);
  const total = Number(e.totalS ?? 0);
  const along =
    target > 0
      ? ` of ${target.toLocaleString("en-US")}`
      : total > 0
        ? ` · ${Number(e.elapsedS ?? 0).toFixed(0)}/${total} s`
        : "";
  return `${e.phase}: ${count} msgs${along} · ${rate} msg/s`;
}

export async function runSession(spec: SessionSpec, progress: ProgressReporter): Promise<SessionRecord> {
  const label =
    spec.label ?? `round ${spec.round}/${spec.rounds} · ${spec.system} ${spec.settings.flushDiskType}`;
  const base = { round: spec.round, system: spec.system, flushDiskType: spec.settings.flushDiskType };
  progress.log(`${label}: starting ${spec.system}`);
  const startedAt = Date.now();
  let system: BenchSystem;
  try {
    system = await startSystem(spec.system, spec.settings, spec.startOptions);
  } catch (err) {
    const error = `${spec.system} did not start: ${(err as Error).message}`;
    progress.log(`${label}: ${error.split("\n")[0]}`);
    return {
      ...base,
      startupMs: undefined,
      results: {},
      rss: undefined,
      loadAverage1m: load1(),
      windows: {},
      error,
    };
  }
  const startupMs = Date.now() - startedAt;
  progress.log(`${label}: up in ${(startupMs / 1000).toFixed(1)} s; phases ${spec.phases.join(", ")}`);
  const windows: Record<string, [number, number]> = {};
  // The broker's CPU seconds over each measured window: a cost per message that a busy machine bends less
  // than it bends throughput (brokerCpuS in the phase's result).
  const cpuAtMeasure: Record<string, number | undefined> = {};
  const brokerCpuS: Record<string, number> = {};
  const pid = system.brokerPid;
  const sampler =
    system.brokerPid === undefined ? undefined : new RssSampler(system.brokerPid, RSS_SAMPLE_MS);
  const loadAverage1m = load1();
  const outcome = await runLoadGen({
    classpath: spec.classpath,
    args: [
      "run",
      `namesrv=${system.cluster.namesrvAddr}`,
      `broker=${system.cluster.brokerAddr}`,
      `runId=${spec.runId ?? `${spec.system}${spec.round}${spec.settings.flushDiskType.slice(0, 1)}${Date.now() % 100_000}`}`,
      ...spec.loadgenArgs,
      `phases=${spec.phases.join(",")}`,
    ],
    logDir: path.join(spec.scratchDir, `${spec.system}-r${spec.round}-${spec.settings.flushDiskType}`),
    timeoutMs: spec.timeoutMs,
    onEvent: (e) => {
      if (e.event === "phase" && e.phase) sampler?.setPhase(e.phase, e.state ?? "");
      if (e.event === "phase" && e.phase && e.state === "measure") {
        windows[e.phase] = [Date.now() - startedAt, 0];
        cpuAtMeasure[e.phase] = pid === undefined ? undefined : readCpuS(pid);
      }
      const w = e.event === "result" && e.phase ? windows[e.phase] : undefined;
      if (w) w[1] = Date.now() - startedAt;
      const cpu0 = e.event === "result" && e.phase ? cpuAtMeasure[e.phase] : undefined;
      const cpu1 = cpu0 !== undefined && pid !== undefined ? readCpuS(pid) : undefined;
      if (e.phase && cpu0 !== undefined && cpu1 !== undefined) brokerCpuS[e.phase] = cpu1 - cpu0;
      const line = describeEvent(e);
      if (line) progress.status(`${label} · ${line}`);
      if (e.event === "result") progress.log(`${label}: ${e.phase} done`);
    },
  });
  const samples = sampler?.stop() ?? [];
  const error = outcome.error;
  await system.stop();
  if (error) progress.log(`${label}: FAILED ${error.split("\n")[0]}`);
  const results = Object.fromEntries(
    [...outcome.results].map(([phase, r]) => [
      phase,
      brokerCpuS[phase] === undefined ? r : { ...r, brokerCpuS: brokerCpuS[phase] },
    ]),
  );
  const rss = summarizeRss(samples, "async");
  return { ...base, startupMs, results, rss, loadAverage1m, windows, error };
}

export function load1(): number {
  return os.loadavg()[0] ?? 0;
}
