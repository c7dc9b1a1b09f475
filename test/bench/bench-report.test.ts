import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringifyJson } from "./bench.js";
import { renderChart } from "./chart.js";
import { fmt, renderMarkdown } from "./markdown.js";
import { backlogPerQueue, parseBenchArgs } from "./options.js";
import { type CpuProfile, shortUrl, summarizeProfile } from "./profile.js";
import { ProgressReporter } from "./progress.js";
import { countRecords } from "./raw-pull.js";
import { buildReport } from "./report.js";
import { findPidByCmdline, parseProcStatCpuS, parseProcStatus } from "./rss.js";
import type { BenchRun } from "./run.js";
import type { SessionRecord } from "./session.js";
import { summarizeRss } from "./session.js";
import { median, spread } from "./stats.js";
import type { SystemName } from "./systems.js";
import { refusedTieringReason, tieringStatus } from "./tiered.js";

function session(
  system: SystemName,
  round: number,
  flush: string,
  results: SessionRecord["results"],
): SessionRecord {
  return {
    round,
    system,
    flushDiskType: flush,
    startupMs: 1000,
    results,
    rss: {
      samples: 10,
      peakVmRssMiB: system === "stratus" ? 100 : 400,
      peakRssAnonMiB: 80,
      peakRssFileMiB: 20,
      sendStartMiB: 90,
      sendEndMiB: 95,
    },
    loadAverage1m: 0.5,
    windows: {},
    error: undefined,
  };
}

/** Workload 4's session: round 1 fills the backlog (RSS sampled while it grows), later rounds only read. */
function backlogSession(system: SystemName, round: number, rate: number): SessionRecord {
  const catchup = {
    mbPerSec: rate / 100,
    msgsPerSec: rate,
    messages: 2048,
    complete: true,
    toppedUp: round === 1 ? 2048 : 0,
  };
  const s = session(system, round, "ASYNC_FLUSH", { catchup });
  if (round !== 1 || s.rss === undefined) return s;
  const fillStartMiB = system === "stratus" ? 150 : 420;
  return { ...s, rss: { ...s.rss, fillStartMiB, fillQuartersMiB: [155, 158, 159], fillEndMiB: 160 } };
}

const send = (msgsPerSec: number) => ({
  msgsPerSec,
  mbPerSec: msgsPerSec / 1024,
  messages: msgsPerSec * 10,
  sendLatency: { p50Ms: 1, p99Ms: 4, p999Ms: 9 },
});

function fakeRun(systems: SystemName[], stratusRates: number[], apacheRates: number[]): BenchRun {
  const sessions: SessionRecord[] = [];
  const rates: Record<SystemName, number[]> = { stratus: stratusRates, apache: apacheRates };
  for (const system of systems) {
    rates[system].forEach((r, i) => {
      sessions.push(
        session(system, i + 1, "ASYNC_FLUSH", {
          async: send(r),
          latency: {
            achievedRate: 900,
            sent: 9000,
            received: 9000,
            e2eLatency: { p50Ms: 2, p99Ms: system === "stratus" ? 6 : 8, p999Ms: 12 },
          },
        }),
      );
      sessions.push(session(system, i + 1, "SYNC_FLUSH", { sync: send(r / 2) }));
      sessions.push(backlogSession(system, i + 1, r));
    });
  }
  const options = { ...parseBenchArgs([]), systems, rounds: stratusRates.length, latencyRate: 1000 };
  return {
    options,
    roundsRequested: options.rounds,
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 600,
    environment: { cpus: 2, apache: "5.3.3" },
    loadAverage: { start: [0.5, 0.5, 0.5], end: [0.6, 0.6, 0.6] },
    machine: {
      echoThreads: 16,
      echoRoundTripsPerSec: 40_000,
      echoP50Ms: 0.3,
      echoP99Ms: 2,
      loopbackStreamMbPerSec: 500,
      fsync: { syncsPerSec: 500, syncP50Ms: 2, syncedMbPerSec: 60 },
      error: undefined,
    },
    sessions,
    tiered: { available: false, reason: "tiering not implemented", session: undefined },
    profile: undefined,
    settings: { mappedFileSizeCommitLog: 1 },
  };
}

describe("bench statistics", () => {
  it("takes the median of odd and even counts and skips missing values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([undefined, Number.NaN, 5, null])).toBe(5);
    expect(median([])).toBeUndefined();
  });

  it("measures spread as (max - min) / median", () => {
    expect(spread([90, 100, 110])).toBeCloseTo(0.2);
    expect(spread([7])).toBe(0);
  });
});

describe("bench report", () => {
  it("reports medians per system and ratio = Stratus throughput / Apache throughput", () => {
    const report = buildReport(fakeRun(["stratus", "apache"], [100, 300, 200], [400, 100, 200]));
    const w1 = report.workloads.find((w) => w.id === 1);
    expect(w1?.stratus.msgsPerSec).toBe(200);
    expect(w1?.apache?.msgsPerSec).toBe(200);
    expect(w1?.ratio).toBe(1);
    expect(w1?.stratus.perRound).toEqual([100, 300, 200]);
    expect(w1?.stratus.fractionOfLoopbackEcho).toBeCloseTo(200 / 40_000);
    const w2 = report.workloads.find((w) => w.id === 2);
    expect(w2?.stratus.fractionOfFsyncRate).toBeCloseTo(100 / 500);
    const w3 = report.workloads.find((w) => w.id === 3);
    expect(w3?.p99Ratio).toBeCloseTo(6 / 8);
    expect(report.workloads.find((w) => w.id === 6)?.rssRatio).toBeCloseTo(0.25);
  });

  it("marks workload 5 not available with the reason and gives it no Apache side and no ratio", () => {
    const report = buildReport(fakeRun(["stratus", "apache"], [1], [1]));
    const w5 = report.workloads.find((w) => w.id === 5);
    expect(w5?.stratus).toEqual({ available: false, reason: "not available: tiering not implemented" });
    expect(w5 && "apache" in w5).toBe(false);
    expect(w5 && "ratio" in w5).toBe(false);
  });

  it("omits the Apache side and the ratio when only Stratus ran", () => {
    const report = buildReport(fakeRun(["stratus"], [100], []));
    const w1 = report.workloads.find((w) => w.id === 1);
    expect(w1?.stratus.available).toBe(true);
    expect(w1 && "apache" in w1).toBe(false);
    expect(w1 && "ratio" in w1).toBe(false);
  });

  it("calls a run noisy when repeats disagree or the load average exceeds the CPUs", () => {
    expect(buildReport(fakeRun(["stratus", "apache"], [100, 101, 99], [50, 50, 51])).noisy).toBe(false);
    const spreadRun = buildReport(fakeRun(["stratus", "apache"], [100, 200, 150], [50, 50, 51]));
    expect(spreadRun.noisy).toBe(true);
    expect(spreadRun.noiseNotes.join("\n")).toMatch(/workload 1 stratus/);
    const loaded = fakeRun(["stratus"], [100], []);
    const busy = buildReport({ ...loaded, loadAverage: { start: [9, 9, 9], end: [1, 1, 1] } });
    expect(busy.noiseNotes.join("\n")).toMatch(/load average reached 9.0 on 2 CPUs/);
  });

  it("reports a failed round instead of a number when no round produced the phase", () => {
    const run = fakeRun(["stratus", "apache"], [100], [100]);
    const sessions = run.sessions.map((s) =>
      s.system === "apache" && s.flushDiskType === "SYNC_FLUSH"
        ? { ...s, results: {}, error: "apache did not start" }
        : s,
    );
    const w2 = buildReport({ ...run, sessions }).workloads.find((w) => w.id === 2);
    expect(w2?.apache).toMatchObject({ available: false, reason: "round 1: apache did not start" });
    expect(w2 && "ratio" in w2).toBe(false);
  });

  it("renders a markdown table with both systems, the ratio and the unavailable workload", () => {
    const md = renderMarkdown(buildReport(fakeRun(["stratus", "apache"], [300], [200])));
    expect(md).toMatch(
      /\| 1\. max-rate sync send, ASYNC_FLUSH \| throughput \| 300 msg\/s \(0\.293 MB\/s\) \| 200 msg\/s \(0\.195 MB\/s\) \| 1\.50× \|/,
    );
    expect(md).toContain("not available: tiering not implemented");
    expect(md).toContain("a 2,048 MiB backlog (the issue's 2 GiB), written once per system");
    expect(md).toMatch(
      /backlog fill: start, ¼, ½, ¾, end, MiB \(messages written\) \| 150 → 155 → 158 → 159 → 160 \(2,048\) \| 420 → 155 → 158 → 159 → 160 \(2,048\) \|/,
    );
    const scaled = renderMarkdown(
      buildReport({ ...fakeRun(["stratus"], [300], []), options: { ...parseBenchArgs([]), backlogMiB: 64 } }),
    );
    expect(scaled).toContain("scaled down from the issue's 2048 MiB");
    expect(md).toContain("40,000 round trips/s at 16 connections");
  });

  it("draws one bar per system scaled to the larger value", () => {
    const svg = renderChart(buildReport(fakeRun(["stratus", "apache"], [300], [150])));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('width="470.0"');
    expect(svg).toContain('width="235.0"');
    expect(svg).toContain("Stratus/Apache 2.00×");
    expect(svg).toContain("not available: tiering not implemented");
  });

  it("formats numbers by magnitude", () => {
    expect(fmt(12345.6)).toBe("12,346");
    expect(fmt(12.345)).toBe("12.3");
    expect(fmt(0.1234)).toBe("0.123");
    expect(fmt(undefined)).toBe("—");
  });
});

describe("bench JSON output", () => {
  it("keeps short arrays of primitives on one line, longer ones and arrays of objects expanded", () => {
    const value = { a: [1, 2.5, null], b: [{ c: 1 }], d: ["x".repeat(60), "y".repeat(60)], e: [] };
    const text = stringifyJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('  "a": [1, 2.5, null],\n');
    expect(text).toContain('  "b": [\n    {\n      "c": 1\n    }\n  ],\n');
    expect(text).toContain(`  "d": [\n    "${"x".repeat(60)}",\n`);
    expect(text).toContain('  "e": []\n');
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("bench options", () => {
  it("uses the full defaults, the smoke defaults, and rejects unknown flags", () => {
    const full = parseBenchArgs([]);
    expect(full.systems).toEqual(["stratus", "apache"]);
    expect(full.rounds).toBe(3);
    const smoke = parseBenchArgs(["--smoke", "--json", "x.json"]);
    expect(smoke.systems).toEqual(["stratus"]);
    expect(smoke.jsonFile).toBe("x.json");
    expect(parseBenchArgs(["--systems", "apache", "--rounds", "2"]).systems).toEqual(["apache"]);
    expect(() => parseBenchArgs(["--rounds", "0"])).toThrow(/positive/);
    expect(() => parseBenchArgs(["--json"])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(["--frobnicate"])).toThrow(/unknown option/);
  });

  it("selects workloads and the profiled workload", () => {
    expect(parseBenchArgs([]).workloads).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseBenchArgs(["--workloads", "5,1,5"]).workloads).toEqual([1, 5]);
    expect(() => parseBenchArgs(["--workloads", "7"])).toThrow(/1 to 6/);
    const p = parseBenchArgs(["--profile-workload", "5"]);
    expect([p.profile, p.profileWorkload]).toEqual([true, 5]);
    expect(parseBenchArgs(["--profile"]).profileWorkload).toBe(1);
    expect(() => parseBenchArgs(["--profile-workload", "3"])).toThrow(/1 or 5/);
  });

  it("splits the backlog evenly over the queues in 1 KiB messages", () => {
    expect(backlogPerQueue({ ...parseBenchArgs([]), backlogMiB: 16 })).toBe(1024);
  });
});

describe("bench RSS and profile readers", () => {
  it("counts the records of a pulled body by their size fields", () => {
    const rec = (n: number) => {
      const b = Buffer.alloc(n, 0x5a);
      b.writeInt32BE(n, 0);
      return b;
    };
    expect(countRecords(Buffer.concat([rec(120), rec(1200), rec(64)]))).toBe(3);
    expect(countRecords(Buffer.alloc(0))).toBe(0);
    expect(() => countRecords(Buffer.alloc(8))).toThrow(/size 0/);
  });

  it("reads a process's CPU seconds from /proc/<pid>/stat, spaces in the name included", () => {
    const stat = "4242 (node (a b)) S 1 4242 4242 0 -1 4194560 9 0 0 0 250 75 0 0 20 0 11 0 100 1 2";
    expect(parseProcStatCpuS(stat)).toBeCloseTo(3.25);
    expect(parseProcStatCpuS("4242 (x) S 1")).toBeUndefined();
  });

  it("parses VmRSS, RssAnon and RssFile from /proc/<pid>/status", () => {
    const text = "Name:\tnode\nVmRSS:\t  204800 kB\nRssAnon:\t  150000 kB\nRssFile:\t   54800 kB\n";
    expect(parseProcStatus(text)).toEqual({ vmRssKiB: 204800, rssAnonKiB: 150000, rssFileKiB: 54800 });
    expect(parseProcStatus("Name:\tkthread\n")).toBeUndefined();
  });

  it("summarises RSS samples: session peak, and start and end of the measured send phase", () => {
    const s = (phase: string, state: string, vm: number) => ({
      vmRssKiB: vm * 1024,
      rssAnonKiB: 1024,
      rssFileKiB: 0,
      phase,
      state,
      atMs: 0,
    });
    const summary = summarizeRss(
      [
        s("async", "warm", 50),
        s("async", "measure", 60),
        s("async", "measure", 70),
        s("latency", "measure", 90),
      ],
      "async",
    );
    expect(summary).toMatchObject({ peakVmRssMiB: 90, sendStartMiB: 60, sendEndMiB: 70, samples: 4 });
    expect(summary?.fillStartMiB).toBeUndefined();
    const fill = summarizeRss(
      [s("catchup-fill", "measure", 100), s("catchup-fill", "measure", 120), s("catchup", "measure", 130)],
      "async",
    );
    expect(fill).toMatchObject({ fillStartMiB: 100, fillEndMiB: 120, peakVmRssMiB: 130 });
    const quarters = summarizeRss(
      [10, 20, 30, 40, 50, 60, 70, 80, 90].map((mib) => s("catchup-fill", "measure", mib)),
      "async",
    );
    expect(quarters?.fillQuartersMiB).toEqual([30, 50, 70]);
  });

  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => child?.kill("SIGKILL"));

  it("finds a process by the words on its command line", async () => {
    const marker = `bench-marker-${process.pid}-${Date.now()}`;
    child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)", marker], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 200));
    expect(findPidByCmdline([marker, "setTimeout"])).toBe(child.pid);
    expect(findPidByCmdline([`${marker}-absent`])).toBeUndefined();
  });

  it("ranks self time by function and by file, leaving idle out of the busy share", () => {
    const frame = (functionName: string, url: string) => ({
      functionName,
      url,
      lineNumber: 9,
      columnNumber: 0,
    });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(idle)", "") },
        { id: 2, callFrame: frame("encode", "file:///w/dist/lib/protocol/frame.js") },
        { id: 3, callFrame: frame("append", "file:///w/dist/lib/store/commit-log.js") },
      ],
      samples: [1, 2, 2, 3, 2],
      timeDeltas: [1000, 300, 300, 100, 300],
    };
    const s = summarizeProfile(profile, "p.cpuprofile");
    expect(s.idlePercent).toBeCloseTo(50);
    expect(s.topFunctions[0]).toEqual({ frame: "encode lib/protocol/frame.js:10", percent: 90 });
    expect(s.topFiles.map((f) => f.frame)).toEqual(["lib/protocol/frame.js", "lib/store/commit-log.js"]);
    expect(shortUrl("node:internal/streams/writable")).toBe("node:internal/streams/writable");
    expect(shortUrl("file:///w/node_modules/better-sqlite3/lib/methods/transaction.js")).toBe(
      "node_modules/better-sqlite3/lib/methods/transaction.js",
    );
    const windowed = summarizeProfile(profile, "p.cpuprofile", 5, [1.2, 1.75]);
    expect(windowed.busyMs).toBeCloseTo(0.7);
    expect(windowed.idlePercent).toBe(0);
    expect(windowed.topFunctions.map((f) => f.frame)).toEqual([
      "encode lib/protocol/frame.js:10",
      "append lib/store/commit-log.js:10",
    ]);
  });
});

describe("bench workload 5 and progress", () => {
  it("says tiering is not implemented until lib/tier has sources", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-tier-"));
    try {
      expect(tieringStatus(path.join(dir, "absent"))).toEqual({
        available: false,
        reason: "tiering not implemented",
      });
      expect(tieringStatus(dir).available).toBe(false);
      fs.writeFileSync(path.join(dir, "uploader.ts"), "export {};\n");
      expect(tieringStatus(dir)).toEqual({ available: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a refused broker.conf key as tiering not implemented, and any other start failure as itself", () => {
    const refused =
      "stratus did not start: ...\nstratus: /tmp/x/broker.conf: unknown key 'tieredStoreEnable'";
    expect(refusedTieringReason(refused)).toMatch(
      /^tiering not implemented \(stratus refuses broker.conf key 'tieredStoreEnable'/,
    );
    expect(refusedTieringReason("stratus did not start: port in use\nmore")).toBe(
      "stratus did not start with the tiering settings: stratus did not start: port in use",
    );
  });

  it("prints lasting lines always and transient status at most every few seconds off a terminal", () => {
    const out: string[] = [];
    const p = new ProgressReporter((t) => out.push(t), false);
    p.log("round 1 starting");
    p.status("12 msgs");
    p.status("13 msgs");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\[00:00\] round 1 starting\n$/);
    expect(out[1]).toContain("12 msgs");
  });
});
