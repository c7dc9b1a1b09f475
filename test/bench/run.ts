/**
 * The bench itself: machine limits, then `rounds` rounds in which each system (order alternating by
 * round) runs an ASYNC_FLUSH session (workloads 1 and 3, with RSS sampled for 6), a SYNC_FLUSH session
 * (workload 2) and a backlog session (workload 4); then workload 5 when tiering exists, and optionally a
 * profiled run of Stratus.
 *
 * Workload 4's backlog (2 GiB by default) is written once per system: each system keeps one data directory
 * across the rounds, the first round's session fills it (set-up, not measured; RSS is sampled while it
 * grows), and every round restarts the system on it and reads it from offset 0 with a new consumer group.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_CACHE_DIR, ensureLoadGenClasspath, LOADGEN_CLIENT_VERSION } from "./loadgen.js";
import { type MachineLimits, measureMachine } from "./machine.js";
import { type BenchOptions, backlogPerQueue } from "./options.js";
import { type ProfileSummary, readProfileDir } from "./profile.js";
import { ProgressReporter } from "./progress.js";
import { type RawPullResult, rawCatchup } from "./raw-pull.js";
import { readCpuS } from "./rss.js";
import { FILL_PHASE, runSession, type SessionRecord, type SessionSpec } from "./session.js";
import {
  APACHE_BENCH_VERSION,
  type DurabilitySettings,
  type FlushDiskType,
  type StartOptions,
  type SystemName,
  startSystem,
} from "./systems.js";
import { refusedTieringReason, TIERED_BROKER_CONF, tieringStatus } from "./tiered.js";

export interface TieredRecord {
  readonly available: boolean;
  readonly reason: string | undefined;
  readonly session: SessionRecord | undefined;
  /** The same catch-up read by raw-pull.ts's Node puller (the broker's ceiling), with the broker's CPU. */
  readonly raw?: (RawPullResult & { brokerCpuUsPerMsg: number | undefined }) | { error: string };
}

export interface BenchRun {
  readonly options: BenchOptions;
  /** options.rounds is the number of rounds that ran; fewer than requested when the time budget ran out. */
  readonly roundsRequested: number;
  readonly startedAt: string;
  readonly durationS: number;
  readonly environment: Record<string, string | number>;
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly machine: MachineLimits;
  readonly sessions: readonly SessionRecord[];
  readonly tiered: TieredRecord;
  readonly profile: ProfileSummary | undefined;
  readonly settings: Record<string, string | number>;
}

/** How long the load generator may take beyond its phases' own durations (JVM start, rebalance, drains). */
const LOADGEN_SLACK_MS = 150_000;
const REBALANCE_AND_DRAIN_S = 50;
/** Time kept for what follows the rounds: workload 5 (or its probe), and the profile run when asked. */
const TAIL_RESERVE_MS = 15_000;
/** Workload 5 writing its own backlog, and reading workload 4's (a restart and two reads, ~75 s here). */
const TIERED_RESERVE_MS = 150_000;
const TIERED_REUSE_RESERVE_MS = 100_000;
const PROFILE_RESERVE_MS = 60_000;
const PROFILE_TOP_FRAMES = 20;
/** Messages per pull of the raw puller: the Java load generator's pullBatchSize (CatchupPhase.PULL_BATCH). */
const RAW_PULL_BATCH = 32;
/** Slowest top-up rate assumed when sizing the session timeout. */
const SLOWEST_FILL_MSGS_PER_S = 1000;

function settingsFor(o: BenchOptions, flushDiskType: FlushDiskType): DurabilitySettings {
  return {
    flushDiskType,
    mappedFileSizeCommitLog: o.mappedFileSizeCommitLog,
    flushIntervalCommitLog: 500,
    syncFlushTimeout: 5000,
  };
}

/** The ASYNC_FLUSH session's phases: workloads 1 and 6 (one send phase) and 3, those selected. */
function asyncPhases(o: BenchOptions): string[] {
  const latencyWarm = Math.min(2, o.warmS);
  const on = (n: number) => o.workloads.includes(n);
  return [
    ...(on(1) || on(6) ? [`send:async:${o.warmS}:${o.sendS}`] : []),
    ...(on(3) ? [`latency:${o.latencyRate}:${latencyWarm}:${o.latencyS}`] : []),
  ];
}

/** Workload 4's topic: the same in every round, so the backlog written in round 1 is read in each. */
export const BACKLOG_TOPIC = "bench_backlog";

/** Workload 4's read of the backlog from offset 0 (workload 5 reads the same one from the object store). */
function backlogCatchupPhase(o: BenchOptions): string {
  return `catchup:${backlogPerQueue(o)}:${o.catchupTimeoutS}:${BACKLOG_TOPIC}`;
}

/** Whether workload 5 reads workload 4's Stratus backlog instead of writing its own. */
function reusesBacklog(o: BenchOptions): boolean {
  return o.workloads.includes(4) && o.systems.includes("stratus");
}

/** Each system's workload-4 data directory, kept across rounds (under the run's scratch directory). */
type BacklogDirs = Readonly<Record<SystemName, string>>;

function backlogDirs(o: BenchOptions, scratchDir: string): BacklogDirs {
  const dir = (name: SystemName) => {
    const d = path.join(scratchDir, `backlog-${name}`);
    if (o.systems.includes(name)) fs.mkdirSync(d, { recursive: true });
    return d;
  };
  return { stratus: dir("stratus"), apache: dir("apache") };
}

function sessionTimeoutMs(o: BenchOptions): number {
  const fillS = (backlogPerQueue(o) * o.queues) / SLOWEST_FILL_MSGS_PER_S;
  const phasesS = o.warmS + o.sendS + o.latencyS + REBALANCE_AND_DRAIN_S + o.catchupTimeoutS + fillS;
  return LOADGEN_SLACK_MS + phasesS * 1000;
}

function javaVersion(): string {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  return (r.stderr ?? "").split("\n")[0]?.trim() ?? "unknown";
}

function environment(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    java: javaVersion(),
    apache: APACHE_BENCH_VERSION,
    loadgenClient: LOADGEN_CLIENT_VERSION,
  };
}

function roundOrder(o: BenchOptions, round: number): SystemName[] {
  return round % 2 === 1 ? [...o.systems] : [...o.systems].reverse();
}

/**
 * Workload 5. Its backlog is workload 4's Stratus store when that ran (Stratus tiers to its embedded object
 * store by default, and SIGTERM uploads the rest), so the 2 GiB is written once for both; otherwise a fill
 * session writes it with TIERED_BROKER_CONF. Then the local CommitLog is deleted and every byte of the
 * catch-up comes from the object store.
 */
async function runTiered(
  o: BenchOptions,
  base: Omit<SessionSpec, "system" | "settings" | "phases">,
  progress: ProgressReporter,
  profileDir: string | undefined,
  backlogDir: string | undefined,
): Promise<TieredRecord> {
  const status = tieringStatus();
  if (!status.available) return { available: false, reason: status.reason, session: undefined };
  const reuse = backlogDir !== undefined && fs.existsSync(path.join(backlogDir, "data", "broker"));
  const dataDir = reuse ? backlogDir : fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-tiered-"));
  const startOptions = { stratusExtraConf: TIERED_BROKER_CONF, dataDir, keepDataDir: true };
  const settings = settingsFor(o, "ASYNC_FLUSH");
  const label = "workload 5 (tiered)";
  const spec = { ...base, label, system: "stratus" as const, settings, startOptions };
  try {
    if (reuse) progress.log(`${label}: reading workload 4's backlog, already in the object store`);
    else {
      const fill = await runSession(
        { ...spec, phases: [`fill:${backlogPerQueue(o)}:${BACKLOG_TOPIC}`] },
        progress,
      );
      if (fill.startupMs === undefined) {
        return { available: false, reason: refusedTieringReason(fill.error ?? ""), session: undefined };
      }
      if (fill.error !== undefined) return { available: true, reason: undefined, session: fill };
    }
    // The lost-disk case: everything the catch-up reads must come from the object store.
    fs.rmSync(path.join(dataDir, "data", "broker"), { recursive: true, force: true });
    const phases = [backlogCatchupPhase(o)];
    const catchupStart =
      profileDir === undefined
        ? startOptions
        : { ...startOptions, stratusNodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] };
    const session = await runSession({ ...spec, phases, startOptions: catchupStart }, progress);
    if (session.startupMs === undefined) {
      return { available: false, reason: refusedTieringReason(session.error ?? ""), session: undefined };
    }
    if (session.error !== undefined) return { available: true, reason: undefined, session };
    progress.log(`${label}: the same catch-up by a raw Node puller (the broker's ceiling)`);
    const raw = await rawTieredCatchup(o, settings, startOptions, BACKLOG_TOPIC);
    return { available: true, reason: undefined, session, raw };
  } finally {
    if (!reuse) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Restarts the tiered broker (its disk still holds nothing the tier has) and reads the backlog raw. */
async function rawTieredCatchup(
  o: BenchOptions,
  settings: DurabilitySettings,
  startOptions: StartOptions,
  topic: string,
): Promise<TieredRecord["raw"]> {
  let system: Awaited<ReturnType<typeof startSystem>>;
  try {
    system = await startSystem("stratus", settings, startOptions);
  } catch (e) {
    return { error: `stratus did not start: ${(e as Error).message}` };
  }
  try {
    const pid = system.brokerPid;
    const cpu0 = pid === undefined ? undefined : readCpuS(pid);
    const r = await rawCatchup({
      brokerAddr: system.cluster.brokerAddr,
      topic,
      queues: o.queues,
      perQueue: backlogPerQueue(o),
      bodyBytes: o.bodyBytes,
      batch: RAW_PULL_BATCH,
      timeoutS: o.catchupTimeoutS,
    });
    const cpu1 = pid === undefined ? undefined : readCpuS(pid);
    const cpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return {
      ...r,
      brokerCpuUsPerMsg: cpu === undefined || r.messages === 0 ? undefined : (cpu * 1e6) / r.messages,
    };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    await system.stop();
  }
}

async function runProfile(
  o: BenchOptions,
  base: Omit<SessionSpec, "system" | "settings" | "phases">,
  progress: ProgressReporter,
): Promise<ProfileSummary | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-prof-"));
  const session = await runSession(
    {
      ...base,
      round: 0,
      label: "profile (workload 1 under --cpu-prof)",
      system: "stratus",
      settings: settingsFor(o, "ASYNC_FLUSH"),
      phases: [`send:async:${o.warmS}:${o.sendS}`],
      startOptions: { stratusNodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] },
    },
    progress,
  );
  if (session.error) progress.log(`profile run: ${session.error.split("\n")[0]}`);
  // Only the measured window of workload 1: not the boot, the warm-up or the shutdown.
  return keepProfile(dir, 1, session.windows.async);
}

/** Summarises the profile written into `dir` (then removed) over `window`, keeping the file under .cache. */
function keepProfile(
  dir: string,
  workload: 1 | 5,
  window: readonly [number, number] | undefined,
): ProfileSummary | undefined {
  const summary = readProfileDir(dir, PROFILE_TOP_FRAMES, window);
  const keep = path.join(BENCH_CACHE_DIR, `stratus-w${workload}.cpuprofile`);
  if (summary) {
    fs.mkdirSync(path.dirname(keep), { recursive: true });
    fs.copyFileSync(summary.file, keep);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return summary ? { ...summary, file: keep, workload } : undefined;
}

function describeSettings(o: BenchOptions): Record<string, string | number> {
  const d = settingsFor(o, "ASYNC_FLUSH");
  return {
    flushDiskType: "ASYNC_FLUSH for workloads 1, 3, 4, 6; SYNC_FLUSH for 2 (both systems)",
    mappedFileSizeCommitLog: d.mappedFileSizeCommitLog,
    flushIntervalCommitLog: d.flushIntervalCommitLog,
    syncFlushTimeout: d.syncFlushTimeout,
    messageBytes: o.bodyBytes,
    queues: o.queues,
    producerThreads: o.threads,
    warmupSeconds: o.warmS,
    measuredSecondsW1W2: o.sendS,
    latencyRate: o.latencyRate,
    measuredSecondsW3: o.latencyS,
    backlogMiB: o.backlogMiB,
    apache: `${APACHE_BENCH_VERSION} from Maven Central; NameServer -Xmx256m, broker -Xms512m -Xmx512m -XX:+UseSerialGC (test/support/apache-cluster.ts)`,
    stratus: "one node process, `stratus dev` (NameServer + broker), from dist/",
    loadGenerator: `one JVM on rocketmq-client ${LOADGEN_CLIENT_VERSION}: a shared DefaultMQProducer, a push consumer (4 threads) for workload 3, a lite-pull consumer for workload 4`,
    rss: "VmRSS of the broker process from /proc/<pid>/status every 250 ms (Stratus: the node process; Apache: the broker JVM)",
  };
}

/** Time kept after the rounds for workload 5 (less when it reads workload 4's backlog). */
function tailReserveMs(o: BenchOptions): number {
  if (!o.workloads.includes(5) || !tieringStatus().available) return TAIL_RESERVE_MS;
  return reusesBacklog(o) ? TIERED_REUSE_RESERVE_MS : TIERED_RESERVE_MS;
}

/** Time the sessions spent filling workload 4's backlog: from the fill's start to the catch-up's. */
function fillMs(sessions: readonly SessionRecord[]): number {
  let ms = 0;
  for (const s of sessions) {
    const fill = s.windows[FILL_PHASE]?.[0];
    const read = s.windows.catchup?.[0];
    if (fill !== undefined && read !== undefined && read > fill) ms += read - fill;
  }
  return ms;
}

type BaseSpec = Omit<SessionSpec, "round" | "system" | "settings" | "phases">;

/**
 * One round: the ASYNC_FLUSH sessions of every system, then the SYNC_FLUSH ones, then the backlog ones,
 * each in the round's order.
 */
async function runRound(
  o: BenchOptions,
  round: number,
  base: BaseSpec,
  progress: ProgressReporter,
  dirs: BacklogDirs,
): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  const phases = asyncPhases(o);
  for (const system of phases.length > 0 ? roundOrder(o, round) : []) {
    const settings = settingsFor(o, "ASYNC_FLUSH");
    out.push(await runSession({ ...base, round, system, settings, phases }, progress));
  }
  for (const system of o.workloads.includes(2) ? roundOrder(o, round) : []) {
    const settings = settingsFor(o, "SYNC_FLUSH");
    const phases = [`send:sync:${o.warmS}:${o.sendS}`];
    out.push(await runSession({ ...base, round, system, settings, phases }, progress));
  }
  for (const system of o.workloads.includes(4) ? roundOrder(o, round) : []) {
    const settings = settingsFor(o, "ASYNC_FLUSH");
    const phases = [backlogCatchupPhase(o)];
    const label = `round ${round}/${o.rounds} · ${system} backlog`;
    const startOptions = { dataDir: dirs[system], keepDataDir: true };
    out.push(await runSession({ ...base, round, system, settings, phases, label, startOptions }, progress));
  }
  return out;
}

export async function runBench(o: BenchOptions, progress = new ProgressReporter()): Promise<BenchRun> {
  const started = Date.now();
  const loadStart = os.loadavg();
  progress.log(
    `bench ${o.smoke ? "(smoke) " : ""}systems ${o.systems.join(", ")}, ${o.rounds} round(s); load average ${loadStart.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const log = (line: string) => progress.log(line);
  const classpath = ensureLoadGenClasspath(log);
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-"));
  try {
    progress.log("machine limits: loopback echo, then write + fdatasync");
    const machine = await measureMachine({
      classpath,
      threads: o.threads,
      bodyBytes: o.bodyBytes,
      seconds: o.machineS,
      scratchDir,
      onEvent: () => undefined,
    });
    const loadgenArgs = [`threads=${o.threads}`, `size=${o.bodyBytes}`, `queues=${o.queues}`];
    const base = { rounds: o.rounds, loadgenArgs, classpath, timeoutMs: sessionTimeoutMs(o), scratchDir };
    const sessions: SessionRecord[] = [];
    const dirs = backlogDirs(o, scratchDir);
    let roundsRun = 0;
    for (let round = 1; round <= o.rounds; round++) {
      const roundStarted = Date.now();
      sessions.push(...(await runRound(o, round, base, progress, dirs)));
      roundsRun = round;
      // the backlog is filled once, in round 1: later rounds skip that time
      const roundMs = Date.now() - roundStarted - fillMs(sessions.filter((s) => s.round === round));
      const tailMs = tailReserveMs(o) + (o.profile ? PROFILE_RESERVE_MS : 0);
      if (round < o.rounds && Date.now() + roundMs + tailMs - started > o.budgetMinutes * 60_000) {
        progress.log(
          `stopping after ${round} round(s): another would pass the ${o.budgetMinutes}-minute budget (last round took ${Math.round(roundMs / 1000)} s)`,
        );
        break;
      }
    }
    const profileW5 = o.profile && o.profileWorkload === 5 && o.workloads.includes(5);
    const w5ProfileDir = profileW5
      ? fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-prof-"))
      : undefined;
    const tiered: TieredRecord = o.workloads.includes(5)
      ? await runTiered(
          o,
          { ...base, round: 1 },
          progress,
          w5ProfileDir,
          reusesBacklog(o) ? dirs.stratus : undefined,
        )
      : { available: false, reason: "not selected (--workloads)", session: undefined };
    if (!tiered.available) progress.log(`workload 5: not available: ${tiered.reason}`);
    const profile =
      w5ProfileDir !== undefined
        ? keepProfile(w5ProfileDir, 5, tiered.session?.windows.catchup)
        : o.profile && o.profileWorkload === 1
          ? await runProfile(o, { ...base, round: 0 }, progress)
          : undefined;
    return {
      options: { ...o, rounds: roundsRun },
      roundsRequested: o.rounds,
      startedAt: new Date(started).toISOString(),
      durationS: (Date.now() - started) / 1000,
      environment: environment(),
      loadAverage: { start: loadStart, end: os.loadavg() },
      machine,
      sessions,
      tiered,
      profile,
      settings: describeSettings(o),
    };
  } finally {
    fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}
