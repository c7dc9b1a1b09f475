/**
 * `npm run bench -- --smoke` end to end, so that `npm test` keeps the harness working: Stratus only (two
 * Apache JVMs take ~30 s to start on this machine, more under load), tiny counts, real processes — the
 * Java load generator on Apache's client against `stratus dev` from dist/, plus the --cpu-prof run. No
 * speed is asserted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchMain } from "./bench.js";
import { parseBenchArgs } from "./options.js";
import { ProgressReporter } from "./progress.js";

const SMOKE_TIMEOUT_MS = 10 * 60_000;

describe("bench --smoke", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(
    "runs every workload against Stratus and writes the JSON, markdown and chart",
    async () => {
      const json = path.join(dir, "out.json");
      const chart = path.join(dir, "chart.svg");
      const markdownFile = path.join(dir, "RESULTS.md");
      const options = parseBenchArgs([
        "--smoke",
        "--profile",
        "--json",
        json,
        "--chart",
        chart,
        "--markdown",
        markdownFile,
      ]);
      const lines: string[] = [];
      const out = await benchMain(options, new ProgressReporter((t) => lines.push(t), false));
      expect(out.failures).toEqual([]);

      const report = JSON.parse(fs.readFileSync(json, "utf8"));
      const byId = (id: number) => report.workloads.find((w: { id: number }) => w.id === id);
      expect(report.workloads.map((w: { id: number }) => w.id)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const w of report.workloads) {
        expect(typeof w.name).toBe("string");
        expect(w.apache).toBeUndefined();
        expect(w.ratio).toBeUndefined();
      }
      expect(byId(1).stratus.msgsPerSec).toBeGreaterThan(0);
      expect(byId(1).stratus.p99Ms).toBeGreaterThan(0);
      expect(byId(1).stratus.errors).toBe(0);
      expect(byId(2).stratus.msgsPerSec).toBeGreaterThan(0);
      expect(byId(3).stratus.achievedRate).toBeGreaterThan(0);
      expect(byId(3).stratus.lost).toBe(0);
      expect(byId(3).stratus.p50Ms).toBeGreaterThan(0);
      expect(byId(4).stratus.complete).toBe(1);
      expect(byId(4).stratus.messages).toBe(2 * 1024);
      // Workload 5 runs when Stratus accepts the tiering settings; otherwise it says why, never a number.
      const w5 = byId(5).stratus;
      if (w5.available) {
        expect(w5).toMatchObject({ complete: 1, messages: 2 * 1024 });
        expect(w5.firstMessageS).toBeGreaterThan(0);
        // the raw Node puller read the same backlog back from the object store
        expect(byId(5).rawPull).toMatchObject({ complete: true, messages: 2 * 1024 });
        expect(byId(5).rawPull.brokerCpuUsPerMsg).toBeGreaterThan(0);
      } else expect(w5.reason).toMatch(/^not available: tiering not implemented/);
      expect(byId(6).stratus.peakVmRssMiB).toBeGreaterThan(10);
      expect(report.machine.echoRoundTripsPerSec).toBeGreaterThan(0);
      expect(report.machine.fsync.syncsPerSec).toBeGreaterThan(0);

      // --profile: workload 1 once more under node --cpu-prof, ranked by self time.
      expect(report.profile.busyMs).toBeGreaterThan(0);
      expect(report.profile.topFunctions.length).toBeGreaterThan(0);
      expect(report.profile.topFiles.map((f: { frame: string }) => f.frame).join(" ")).toMatch(/lib\//);

      expect(fs.readFileSync(markdownFile, "utf8")).toContain(
        "| 1. max-rate sync send, ASYNC_FLUSH | throughput |",
      );
      expect(fs.readFileSync(chart, "utf8")).toMatch(/^<svg[\s\S]*Stratus[\s\S]*<\/svg>\n$/);
      const progress = lines.join("");
      expect(progress).toMatch(/round 1\/1 · stratus ASYNC_FLUSH: async done/);
      expect(progress).toMatch(/round 1\/1 · stratus SYNC_FLUSH: sync done/);
    },
    SMOKE_TIMEOUT_MS,
  );
});
