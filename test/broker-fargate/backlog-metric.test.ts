import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startBacklogMetric } from "../../broker-fargate/backlog-metric.js";
import { readFargateSettings } from "../../broker-fargate/fargate-settings.js";
import { ManualClock } from "../../lib/common/clock.js";
import { METRIC_INTERVAL_MS, uploadBacklogEmfLine } from "../../lib/ports/aws/metrics.js";

describe("uploadBacklogEmfLine", () => {
  it("is one CloudWatch EMF document declaring Stratus/TierUploadBacklogBytes by ClusterName and BrokerName", () => {
    const line = uploadBacklogEmfLine({
      clusterName: "prod",
      brokerName: "broker-b",
      backlogBytes: 123_456_789,
      timestampMs: 1_700_000_000_123,
    });
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_123,
        CloudWatchMetrics: [
          {
            Namespace: "Stratus",
            Dimensions: [["ClusterName", "BrokerName"]],
            Metrics: [{ Name: "TierUploadBacklogBytes", Unit: "Bytes" }],
          },
        ],
      },
      ClusterName: "prod",
      BrokerName: "broker-b",
      TierUploadBacklogBytes: 123_456_789,
    });
  });

  it("escapes names as JSON (a quote in a broker name cannot break the document)", () => {
    const line = uploadBacklogEmfLine({
      clusterName: 'a"b',
      brokerName: "c\\d",
      backlogBytes: 0,
      timestampMs: 0,
    });
    expect(JSON.parse(line)).toMatchObject({
      ClusterName: 'a"b',
      BrokerName: "c\\d",
      TierUploadBacklogBytes: 0,
    });
  });

  it("refuses a negative or fractional backlog (a bug in the caller)", () => {
    const sample = { clusterName: "c", brokerName: "b", timestampMs: 0 };
    expect(() => uploadBacklogEmfLine({ ...sample, backlogBytes: -1 })).toThrow(/non-negative integer/);
    expect(() => uploadBacklogEmfLine({ ...sample, backlogBytes: 1.5 })).toThrow(/non-negative integer/);
  });
});

describe("startBacklogMetric", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes the current backlog at start and once per interval until stopped", () => {
    const clock = new ManualClock(1_000);
    const lines: string[] = [];
    let backlog = 10;
    const stop = startBacklogMetric({
      clusterName: "prod",
      brokerName: "broker-a",
      backlogBytes: () => backlog,
      intervalMs: 60_000,
      write: (l) => lines.push(l),
      clock,
    });
    expect(lines).toHaveLength(1);
    backlog = 2048;
    clock.advance(60_000);
    vi.advanceTimersByTime(60_000);
    stop();
    vi.advanceTimersByTime(600_000);
    expect(lines.every((l) => l.endsWith("}\n"))).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { TierUploadBacklogBytes: 10, BrokerName: "broker-a", _aws: { Timestamp: 1_000 } },
      { TierUploadBacklogBytes: 2048, BrokerName: "broker-a", _aws: { Timestamp: 61_000 } },
    ]);
  });

  it("writes nothing for a broker that does not tier, or with interval 0", () => {
    const lines: string[] = [];
    const base = { clusterName: "c", brokerName: "b", write: (l: string) => lines.push(l) };
    startBacklogMetric({ ...base, backlogBytes: () => undefined, intervalMs: 1000 });
    startBacklogMetric({ ...base, backlogBytes: () => 5, intervalMs: 0 });
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([]);
  });
});

describe("STRATUS_METRICS_INTERVAL_MS", () => {
  const broker = (env: Record<string, string>) => {
    const s = readFargateSettings({ STRATUS_ROLE: "broker", ...env });
    if (s.role !== "broker") throw new Error("not a broker");
    return s;
  };

  it("defaults to one line a minute and accepts 0 (off)", () => {
    expect(broker({}).metricsIntervalMs).toBe(METRIC_INTERVAL_MS);
    expect(broker({ STRATUS_METRICS_INTERVAL_MS: "0" }).metricsIntervalMs).toBe(0);
  });

  it("refuses a value that is not a whole number of milliseconds up to an hour", () => {
    expect(() => broker({ STRATUS_METRICS_INTERVAL_MS: "1m" })).toThrow(/STRATUS_METRICS_INTERVAL_MS/);
    expect(() => broker({ STRATUS_METRICS_INTERVAL_MS: "3600001" })).toThrow(/STRATUS_METRICS_INTERVAL_MS/);
  });
});
