/**
 * The Apache RocketMQ Go client (github.com/apache/rocketmq-client-go/v2 v2.1.2) against a real
 * `stratus dev` process. test/compat/go is a small Go module (produce and consume modes, one JSON report
 * each) built here with `go build`; its dependencies come from the Go module proxy into .cache/gomod,
 * checked against the committed go.sum. The Go client reads extFields as map[string]string and parses
 * route JSON with a naive splitter, so it judges the broker's and NameServer's JSON strictly.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { createTopicRequest } from "../integration/raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "../integration/stratus-process.js";

const GO_MODULE_DIR = resolve(import.meta.dirname, "go");
const CACHE_DIR = resolve(import.meta.dirname, "../../.cache");
const GO_BINARY = join(CACHE_DIR, "gobin", "stratus-goclient");
/** A cold build downloads the client and its dependencies and compiles them on 2 cores. */
const BUILD_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 120_000;
const QUEUES = 4;
const ROUND_TRIP_COUNT = 1000;

const GO_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GOMODCACHE: join(CACHE_DIR, "gomod"),
  GOPATH: join(CACHE_DIR, "gopath"),
  GOCACHE: join(CACHE_DIR, "gocache"),
  GOFLAGS: "-mod=mod -buildvcs=false",
  GOTOOLCHAIN: "local",
  ROCKETMQ_GO_LOG_LEVEL: "error",
};

interface ProduceReport {
  sent: number;
  sendOk: number;
  distinctMsgIds: number;
  perQueue: Record<string, number>;
  failures: string[];
}

interface ConsumeReport {
  expected: number;
  received: number;
  deliveries: number;
  duplicates: number;
  unexpected: number;
  mismatched: number;
  tagCounts: Record<string, number>;
  missing: number[];
  samples: string[];
  timedOut: boolean;
  elapsedMs: number;
  startFailure?: string;
}

interface GoRun<T> {
  report: T;
  /** The command line and the client's stderr, for failure messages. */
  why: string;
}

/** Runs the Go client once; rejects (with its output) if it exits non-zero or prints no JSON report. */
function runGoClient<T>(args: string[]): Promise<GoRun<T>> {
  return new Promise((res, rej) => {
    const child = spawn(GO_BINARY, args, { env: GO_ENV, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const why = `goclient ${args.join(" ")}\nexit ${code ?? signal}\nstdout: ${stdout}\nstderr (tail): ${stderr.slice(-3000)}`;
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        rej(new Error(why));
        return;
      }
      res({ report: JSON.parse(line) as T, why });
    });
  });
}

describe("rocketmq-client-go v2.1.2 against stratus dev", () => {
  let dev: StratusDev;
  const admin = new RemotingClient();

  function produce(topic: string, prefix: string, count: number, tags = ""): Promise<GoRun<ProduceReport>> {
    const args = ["produce", "-namesrv", dev.namesrvAddr, "-topic", topic, "-prefix", prefix];
    return runGoClient(args.concat(["-count", String(count), ...(tags ? ["-tags", tags] : [])]));
  }

  function consume(
    topic: string,
    group: string,
    prefix: string,
    opts: { count: number; expect: number; tags?: string; expression?: string },
  ): Promise<GoRun<ConsumeReport>> {
    const args = [
      "consume",
      "-namesrv",
      dev.namesrvAddr,
      "-topic",
      topic,
      "-group",
      group,
      "-prefix",
      prefix,
    ];
    args.push("-count", String(opts.count), "-expect", String(opts.expect), "-timeout", "60s");
    if (opts.tags) args.push("-tags", opts.tags);
    if (opts.expression) args.push("-expression", opts.expression);
    return runGoClient(args);
  }

  function expectCleanConsume(run: GoRun<ConsumeReport>, expected: number): void {
    const r = run.report;
    const why = `${run.why}\nstratus output (tail): ${dev.output().slice(-2000)}`;
    expect(r.startFailure, why).toBeUndefined();
    expect(r.timedOut, why).toBe(false);
    expect(r.expected, why).toBe(expected);
    expect(r.received, why).toBe(expected);
    expect(r.missing, why).toEqual([]);
    expect(r.duplicates, why).toBe(0);
    expect(r.unexpected, why).toBe(0);
    expect(r.mismatched, why).toBe(0);
    expect(r.deliveries, why).toBe(expected);
  }

  beforeAll(async () => {
    mkdirSync(join(CACHE_DIR, "gobin"), { recursive: true });
    await promisify(execFile)("go", ["build", "-o", GO_BINARY, "."], {
      cwd: GO_MODULE_DIR,
      env: GO_ENV,
      timeout: BUILD_TIMEOUT_MS,
    });
    dev = await startStratusDev();
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    admin.close();
    if (dev) {
      await dev.stop();
      removeDir(dev.dataDir);
    }
  });

  it(
    `round-trips ${ROUND_TRIP_COUNT} sync sends to an auto-created topic through a clustering push consumer, then resumes from the committed offsets`,
    async () => {
      const topic = "GoRoundTrip";
      const tags = "TagA,TagB,TagC";
      const sent = await produce(topic, "first", ROUND_TRIP_COUNT, tags);
      expect(sent.report.failures, sent.why).toEqual([]);
      expect(sent.report.sendOk, sent.why).toBe(ROUND_TRIP_COUNT);
      expect(sent.report.distinctMsgIds, sent.why).toBe(ROUND_TRIP_COUNT);
      // TBW102's route gives the producer 4 queues and the broker creates the topic with them.
      expect(Object.keys(sent.report.perQueue).sort(), sent.why).toEqual(["0", "1", "2", "3"]);

      const first = await consume(topic, "go_compat_group", "first", {
        count: ROUND_TRIP_COUNT,
        expect: ROUND_TRIP_COUNT,
        tags,
      });
      expectCleanConsume(first, ROUND_TRIP_COUNT);
      expect(first.report.tagCounts, first.why).toEqual({ TagA: 334, TagB: 333, TagC: 333 });

      // A new consumer process in the same group starts where the last one committed: only the new
      // messages come (an old "first-*" message would count as unexpected).
      const more = await produce(topic, "second", 100, tags);
      expect(more.report.sendOk, more.why).toBe(100);
      const second = await consume(topic, "go_compat_group", "second", { count: 100, expect: 100, tags });
      expectCleanConsume(second, 100);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "gives a `TagA || TagB` consumer that is already waiting exactly the TagA and TagB messages",
    async () => {
      const topic = "GoTags";
      const created = await admin.invoke(dev.brokerAddr, createTopicRequest(topic, 6, QUEUES), 5000);
      expect(created.code, created.remark).toBe(ResponseCode.SUCCESS);
      // The last tag is empty: every fourth message has no tag at all and must not match either.
      const tags = "TagA,TagB,TagC,";
      const count = 400;
      const consuming = consume(topic, "go_compat_tags", "t", {
        count,
        expect: 200,
        tags,
        expression: "TagA || TagB",
      });
      // Give the consumer a moment to park its long polls, so the sends below have to wake them.
      await new Promise((r) => setTimeout(r, 3000));
      const sent = await produce(topic, "t", count, tags);
      expect(sent.report.sendOk, sent.why).toBe(count);
      const run = await consuming;
      expectCleanConsume(run, 200);
      expect(run.report.tagCounts, run.why).toEqual({ TagA: 100, TagB: 100 });
    },
    TEST_TIMEOUT_MS,
  );
});
