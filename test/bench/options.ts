/** Command-line options of `npm run bench`, with the full and the `--smoke` defaults. */
import path from "node:path";
import { BENCH_CACHE_DIR } from "./loadgen.js";
import type { SystemName } from "./systems.js";

export interface BenchOptions {
  readonly smoke: boolean;
  readonly systems: readonly SystemName[];
  readonly rounds: number;
  /** Producer threads, and the concurrency of the loopback echo. */
  readonly threads: number;
  readonly bodyBytes: number;
  readonly queues: number;
  readonly warmS: number;
  /** Measured seconds of workloads 1 (ASYNC_FLUSH) and 2 (SYNC_FLUSH). */
  readonly sendS: number;
  readonly latencyRate: number;
  readonly latencyS: number;
  /** Workloads 4 and 5's backlog: 2 GiB (the issue's figure) in a full run, 2 MiB under --smoke. */
  readonly backlogMiB: number;
  readonly catchupTimeoutS: number;
  readonly machineS: number;
  readonly mappedFileSizeCommitLog: number;
  readonly profile: boolean;
  /** Which workload the --profile run profiles: 1 (max-rate send) or 5 (catch-up from the object store). */
  readonly profileWorkload: 1 | 5;
  /** The workloads to run (1–6; default all): a focused before/after measurement runs a few of them. */
  readonly workloads: readonly number[];
  /** No new round starts when the last round's duration says it would end past this. */
  readonly budgetMinutes: number;
  readonly jsonFile: string | undefined;
  readonly markdownFile: string | undefined;
  readonly chartFile: string;
}

export const ISSUE_BACKLOG_MIB = 2048;

const FULL: BenchOptions = {
  smoke: false,
  systems: ["stratus", "apache"],
  rounds: 3,
  threads: 16,
  bodyBytes: 1024,
  queues: 16,
  warmS: 3,
  sendS: 8,
  latencyRate: 10_000,
  latencyS: 6,
  backlogMiB: ISSUE_BACKLOG_MIB,
  catchupTimeoutS: 240,
  machineS: 3,
  mappedFileSizeCommitLog: 128 * 1024 * 1024,
  profile: false,
  profileWorkload: 1,
  workloads: [1, 2, 3, 4, 5, 6],
  budgetMinutes: 14,
  jsonFile: undefined,
  markdownFile: undefined,
  chartFile: path.join(BENCH_CACHE_DIR, "chart.svg"),
};

/** Seconds long: tiny counts, Stratus only (Apache's JVMs alone take ~30 s to start on this machine). */
const SMOKE: BenchOptions = {
  ...FULL,
  smoke: true,
  systems: ["stratus"],
  rounds: 1,
  warmS: 0.5,
  sendS: 1.5,
  latencyRate: 500,
  latencyS: 1.5,
  backlogMiB: 2,
  catchupTimeoutS: 30,
  machineS: 0.5,
  mappedFileSizeCommitLog: 16 * 1024 * 1024,
};

export const USAGE = `usage: npm run bench -- [options]
  --smoke                 seconds-long run (Stratus only, tiny counts) — what npm test runs
  --systems LIST          stratus,apache (default both; smoke: stratus)
  --rounds N              repeats of every workload, systems alternating (default 3)
  --threads N             producer threads and echo concurrency (default 16)
  --send-seconds S        measured seconds of workloads 1 and 2 (default 8)
  --warm-seconds S        warm-up before each measured window (default 3)
  --latency-rate R        workload 3's fixed rate, msgs/s (default 10000)
  --latency-seconds S     workload 3's measured seconds (default 6)
  --backlog-mib M         workloads 4 and 5's backlog in MiB (default 2048, the issue's 2 GiB)
  --budget-minutes M      start no round that would end past M minutes (default 14; the run stops by 15)
  --profile               also run workload 1 once on Stratus under node --cpu-prof and print the top frames
  --profile-workload N    1 (default) or 5: with 5, workload 5's catch-up itself runs under --cpu-prof
  --workloads LIST        run only these workloads, e.g. 1,5 (default 1,2,3,4,5,6; 1 and 6 share a phase)
  --json FILE             write {"workloads":[{name, stratus, apache, ratio}], ...}
  --markdown FILE         write the results markdown
  --chart FILE            where the SVG chart goes (default .cache/bench/chart.svg)`;

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0)
    throw new Error(`${flag} needs a positive number`);
  return n;
}

function text(flag: string, value: string | undefined): string {
  if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value`);
  return value;
}

function systemsList(value: string | undefined): SystemName[] {
  const names = (value ?? "").split(",").filter(Boolean);
  if (names.length === 0 || names.some((n) => n !== "stratus" && n !== "apache")) {
    throw new Error("--systems takes stratus, apache or stratus,apache");
  }
  return names as SystemName[];
}

function workloadList(value: string | undefined): number[] {
  const ids = (value ?? "").split(",").filter(Boolean).map(Number);
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 1 || n > 6)) {
    throw new Error("--workloads takes a comma-separated list of 1 to 6");
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let o: BenchOptions = argv.includes("--smoke") ? SMOKE : FULL;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case "--smoke":
        break;
      case "--profile":
        o = { ...o, profile: true };
        break;
      case "--profile-workload": {
        const n = positive(flag, value());
        if (n !== 1 && n !== 5) throw new Error("--profile-workload takes 1 or 5");
        o = { ...o, profile: true, profileWorkload: n };
        break;
      }
      case "--workloads":
        o = { ...o, workloads: workloadList(value()) };
        break;
      case "--systems":
        o = { ...o, systems: systemsList(value()) };
        break;
      case "--budget-minutes":
        o = { ...o, budgetMinutes: positive(flag, value()) };
        break;
      case "--rounds":
        o = { ...o, rounds: Math.round(positive(flag, value())) };
        break;
      case "--threads":
        o = { ...o, threads: Math.round(positive(flag, value())) };
        break;
      case "--send-seconds":
        o = { ...o, sendS: positive(flag, value()) };
        break;
      case "--warm-seconds":
        o = { ...o, warmS: positive(flag, value()) };
        break;
      case "--latency-rate":
        o = { ...o, latencyRate: positive(flag, value()) };
        break;
      case "--latency-seconds":
        o = { ...o, latencyS: positive(flag, value()) };
        break;
      case "--backlog-mib":
        o = { ...o, backlogMiB: positive(flag, value()) };
        break;
      case "--json":
        o = { ...o, jsonFile: text(flag, value()) };
        break;
      case "--markdown":
        o = { ...o, markdownFile: text(flag, value()) };
        break;
      case "--chart":
        o = { ...o, chartFile: text(flag, value()) };
        break;
      default:
        throw new Error(`unknown option '${flag}'\n${USAGE}`);
    }
  }
  return o;
}

/** Messages per queue that make up the workload-4 backlog. */
export function backlogPerQueue(o: BenchOptions): number {
  return Math.ceil((o.backlogMiB * 1024 * 1024) / o.bodyBytes / o.queues);
}
