/**
 * Runs the Java scenario program (test/compat/java) and Apache's mqadmin against a running cluster.
 * Classpaths come from test/setup/java-deps.mjs (fetched/compiled by the vitest globalSetup).
 */
import fs from "node:fs";
import path from "node:path";
import { ensureArtifactSet, ensureScenarioClasses, ROOT } from "../setup/java-deps.mjs";
import type { RunningCluster } from "../support/cluster.js";
import { type JavaRunResult, runJava } from "../support/java.js";

const ROCKETMQ_HOME = path.join(ROOT, "test", "support", "rocketmq-home");
/** Default scenario budget handed to the Java side (`timeoutMs=`); the JVM is killed 60 s later. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 150_000;
const KILL_GRACE_MS = 60_000;
export const MQADMIN_TIMEOUT_MS = 90_000;
const CLIENT_JVM = ["-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Classpaths resolved once per test process, so a source edited mid-run cannot recompile under a test. */
const classpaths = new Map<string, string>();
function classpathFor(name: string, resolve: () => string): string {
  const known = classpaths.get(name);
  if (known !== undefined) return known;
  const cp = resolve();
  classpaths.set(name, cp);
  return cp;
}

/** What every scenario prints (scenario-specific measurements are the other keys). */
export interface ScenarioResult {
  scenario: string;
  clientVersion: string;
  ok: boolean;
  failures: string[];
  elapsedMs: number;
  [key: string]: unknown;
}

export interface ScenarioRun {
  result: ScenarioResult;
  run: JavaRunResult;
  /** The same run as a test/compat/run-scenario.sh line, to repeat it by hand. */
  rerun: string;
}

function javaLogDir(cluster: RunningCluster): string {
  const dir = path.join(cluster.dataDir, "java-logs");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function lastJsonLine(stdout: string): ScenarioResult | undefined {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  return line === undefined ? undefined : (JSON.parse(line) as ScenarioResult);
}

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

export async function runScenario(
  clientVersion: string,
  scenario: string,
  cluster: RunningCluster,
  params: Record<string, string | number> = {},
): Promise<ScenarioRun> {
  const classpath = classpathFor(`scenarios-${clientVersion}`, () =>
    ensureScenarioClasses(clientVersion, log),
  );
  const timeoutMs = Number(params.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS);
  const args = [
    scenario,
    `namesrv=${cluster.namesrvAddr}`,
    `broker=${cluster.brokerAddr}`,
    ...Object.entries({ timeoutMs, ...params }).map(([k, v]) => `${k}=${v}`),
  ];
  const logs = javaLogDir(cluster);
  const run = await runJava({
    classpath,
    mainClass: "stratus.compat.Scenarios",
    args,
    jvmArgs: [
      ...CLIENT_JVM,
      `-Drocketmq.client.logRoot=${logs}`,
      `-Drocketmq.log.root=${logs}`,
      `-Drocketmq.client.localOffsetStoreDir=${path.join(logs, "offsets")}`,
    ],
    timeoutMs: timeoutMs + KILL_GRACE_MS,
  });
  const rerun = `test/compat/run-scenario.sh ${clientVersion} ${args.join(" ")}`;
  const result = lastJsonLine(run.stdout);
  if (!result) {
    throw new Error(
      `scenario ${scenario} (client ${clientVersion}) printed no JSON result ` +
        `(exit ${run.exitCode ?? run.signal}${run.timedOut ? ", killed after timeout" : ""}).\n` +
        `rerun: ${rerun}\n--- stderr ---\n${tail(run.stderr)}\n--- servers ---\n${cluster.recentOutput()}`,
    );
  }
  return { result, run, rerun };
}

/** A failure message that carries the whole result line and how to rerun it. */
export function explain(run: ScenarioRun): string {
  return `scenario result: ${JSON.stringify(run.result)}\nrerun: ${run.rerun}`;
}

export interface MqadminRun {
  stdout: string;
  stderr: string;
  /** stdout + stderr, for searching. */
  output: string;
  commandLine: string;
}

/**
 * `mqadmin <command> -n <namesrv> ...` from the rocketmq-tools jars. mqadmin exits 0 even when a command
 * fails (it prints the exception), so callers judge the output.
 */
export async function runMqadmin(
  toolsVersion: string,
  cluster: RunningCluster,
  command: string,
  args: readonly string[],
): Promise<MqadminRun> {
  const classpath = classpathFor(`tools-${toolsVersion}`, () =>
    ensureArtifactSet(`tools-${toolsVersion}`, log),
  );
  const home = path.join(cluster.dataDir, "mqadmin-home");
  fs.mkdirSync(path.join(home, "tmp"), { recursive: true });
  const run = await runJava({
    classpath,
    mainClass: "org.apache.rocketmq.tools.command.MQAdminStartup",
    args: [command, "-n", cluster.namesrvAddr, ...args],
    jvmArgs: [
      ...CLIENT_JVM,
      `-Drocketmq.home.dir=${ROCKETMQ_HOME}`,
      `-Duser.home=${home}`,
      `-Djava.io.tmpdir=${path.join(home, "tmp")}`,
      `-Drocketmq.client.logRoot=${javaLogDir(cluster)}`,
      `-Drocketmq.log.root=${javaLogDir(cluster)}`,
    ],
    env: { ...process.env, ROCKETMQ_HOME },
    timeoutMs: MQADMIN_TIMEOUT_MS,
  });
  const commandLine = `test/compat/mqadmin.sh ${toolsVersion} ${command} -n ${cluster.namesrvAddr} ${args.join(" ")}`;
  if (run.timedOut)
    throw new Error(`mqadmin ${command} timed out after ${MQADMIN_TIMEOUT_MS} ms: ${commandLine}`);
  return { stdout: run.stdout, stderr: run.stderr, output: `${run.stdout}\n${run.stderr}`, commandLine };
}

/** A Java stack trace in mqadmin's output means the command failed, whatever it printed around it. */
export const STACK_TRACE = /(Exception|Error)\b[^\n]*\n\s+at [\w$.]+\(/;
