/**
 * The broker task's upload-backlog metric: one CloudWatch EMF line (lib/ports/aws/metrics.ts) on stdout at start
 * and every interval after, which the awslogs driver ships and CloudWatch Logs turns into
 * Stratus/TierUploadBacklogBytes{ClusterName, BrokerName}, the metric the cluster's backlog alarm watches.
 * A broker that does not tier (no table and bucket) writes nothing: it has no backlog to report.
 */
import { type Clock, systemClock } from "../lib/common/clock.js";
import { uploadBacklogEmfLine } from "../lib/ports/aws/metrics.js";

export interface BacklogMetricOptions {
  readonly clusterName: string;
  readonly brokerName: string;
  /** The current backlog in bytes; undefined when the broker does not tier. */
  readonly backlogBytes: () => number | undefined;
  /** 0: never. */
  readonly intervalMs: number;
  /** Receives each line (with its newline); default process.stdout. */
  readonly write?: (line: string) => void;
  readonly clock?: Clock;
}

/** Writes the line now and every intervalMs; returns a function that stops it. */
export function startBacklogMetric(options: BacklogMetricOptions): () => void {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const clock = options.clock ?? systemClock;
  const emit = () => {
    const backlogBytes = options.backlogBytes();
    if (backlogBytes === undefined) return;
    const line = uploadBacklogEmfLine({
      clusterName: options.clusterName,
      brokerName: options.brokerName,
      backlogBytes,
      timestampMs: clock.nowMs(),
    });
    write(`${line}\n`);
  };
  if (options.intervalMs === 0 || options.backlogBytes() === undefined) return () => {};
  emit();
  const timer = setInterval(emit, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
