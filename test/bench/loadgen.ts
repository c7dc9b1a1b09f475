/**
 * The Java load generator (test/bench/java, on Apache RocketMQ's 5.x client): compiled once against the
 * `client-5.3.3` artifact set that test/setup/java-deps.mjs fetches from Maven Central, then run as a child
 * JVM whose stdout is one JSON event per line (see LoadGen.java).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { ensureArtifactSet, ROOT } from "../setup/java-deps.mjs";
import { javaCommand } from "../support/java.js";

/** The Apache client the load generator is built on (a 5.x remoting client, as the issue asks). */
export const LOADGEN_CLIENT_VERSION = "5.3.3";
const SOURCE_DIR = path.join(ROOT, "test", "bench", "java");
export const BENCH_CACHE_DIR = path.join(ROOT, ".cache", "bench");
const JAVAC_TIMEOUT_MS = 5 * 60_000;
const MAIN_CLASS = "stratus.bench.LoadGen";
const LOADGEN_HEAP = "-Xmx768m";
const STDERR_TAIL_LINES = 40;

export type Log = (line: string) => void;

function javaSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...javaSources(full));
    else if (entry.name.endsWith(".java")) out.push(full);
  }
  return out.sort();
}

/** Compiles the load generator unless the same sources were compiled against the same jars; returns its classpath. */
export function ensureLoadGenClasspath(log: Log): string {
  const libClasspath = ensureArtifactSet(`client-${LOADGEN_CLIENT_VERSION}`, log);
  const sources = javaSources(SOURCE_DIR);
  const hash = createHash("sha256")
    .update([libClasspath, ...sources.map((f) => `${f}\n${fs.readFileSync(f, "utf8")}`)].join("\n"))
    .digest("hex");
  const classes = path.join(BENCH_CACHE_DIR, "classes");
  const stamp = path.join(BENCH_CACHE_DIR, "classes.stamp");
  const classpath = [classes, libClasspath].join(path.delimiter);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === hash) return classpath;
  log(`bench: compiling the load generator against rocketmq-client ${LOADGEN_CLIENT_VERSION}`);
  fs.rmSync(stamp, { force: true });
  fs.rmSync(classes, { recursive: true, force: true });
  fs.mkdirSync(classes, { recursive: true });
  const args = ["-nowarn", "-Xlint:none", "--release", "11", "-encoding", "UTF-8", "-d", classes];
  const r = spawnSync("javac", [...args, "-cp", libClasspath, ...sources], {
    encoding: "utf8",
    timeout: JAVAC_TIMEOUT_MS,
  });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
    throw new Error(`javac failed for the bench load generator:\n${why}`);
  }
  fs.writeFileSync(stamp, hash);
  return classpath;
}

/** One stdout line of the load generator. */
export interface LoadGenEvent {
  readonly event: "phase" | "progress" | "result" | "error" | "done";
  readonly phase?: string;
  readonly state?: string;
  readonly message?: string;
  readonly [key: string]: unknown;
}

export interface LoadGenOutcome {
  /** Result objects by phase label ("async", "sync", "latency", "catchup", "echo"). */
  readonly results: Map<string, Record<string, unknown>>;
  /** Set when the JVM failed, timed out or reported an error. */
  readonly error: string | undefined;
}

export interface LoadGenRun {
  classpath: string;
  /** "echo" or "run", then key=value arguments. */
  args: readonly string[];
  /** Where the client's own log files go. */
  logDir: string;
  timeoutMs: number;
  onEvent: (e: LoadGenEvent) => void;
}

/** Runs the load generator to completion, streaming its events; never rejects. */
export function runLoadGen(run: LoadGenRun): Promise<LoadGenOutcome> {
  fs.mkdirSync(run.logDir, { recursive: true });
  const jvmArgs = [
    LOADGEN_HEAP,
    `-Drocketmq.client.logRoot=${run.logDir}`,
    `-Drocketmq.log.root=${run.logDir}`,
    `-Drocketmq.client.localOffsetStoreDir=${path.join(run.logDir, "offsets")}`,
    `-Duser.home=${run.logDir}`,
  ];
  const child = spawn(javaCommand(), [...jvmArgs, "-cp", run.classpath, MAIN_CLASS, ...run.args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const results = new Map<string, Record<string, unknown>>();
  const errors: string[] = [];
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    let e: LoadGenEvent;
    try {
      e = JSON.parse(line) as LoadGenEvent;
    } catch {
      stderrTail.push(line);
      return;
    }
    if (e.event === "result" && e.phase) results.set(e.phase, e);
    if (e.event === "error") errors.push(`${e.message ?? "error"}${e.stack ? `\n${String(e.stack)}` : ""}`);
    run.onEvent(e);
  });
  readline.createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, run.timeoutMs);
    child.once("error", (err) => errors.push(`spawn failed: ${err.message}`));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) errors.push(`load generator killed after ${run.timeoutMs} ms`);
      else if (code !== 0 && errors.length === 0) errors.push(`load generator exited ${code ?? signal}`);
      const error =
        errors.length === 0
          ? undefined
          : `${errors.join("\n")}\n--- stderr tail ---\n${stderrTail.join("\n")}`;
      resolve({ results, error });
    });
  });
}
