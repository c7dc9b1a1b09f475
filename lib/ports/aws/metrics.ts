/**
 * The CloudWatch metrics a broker publishes, as plain data plus the one line that carries them: the broker's
 * container entry writes the line, the CDK alarm reads the metric, and both take the names from here.
 *
 * Transport: CloudWatch Embedded Metric Format (EMF). The line is a JSON log event on stdout; the awslogs driver
 * ships it to CloudWatch Logs, which extracts the metric (the `x-amzn-logs-format: json/emf` header is optional,
 * per the CloudWatch "PutLogEvents with EMF" page). Extraction needs logs:PutLogEvents on the log stream (the
 * task's execution role has it for awslogs), not cloudwatch:PutMetricData, and no SDK in the broker.
 *
 * Line layout (one JSON object, no newline inside):
 *   {"_aws":{"Timestamp":<epoch ms>,"CloudWatchMetrics":[{"Namespace":"Stratus",
 *     "Dimensions":[["ClusterName","BrokerName"]],"Metrics":[{"Name":"TierUploadBacklogBytes","Unit":"Bytes"}]}]},
 *    "ClusterName":<brokerClusterName>,"BrokerName":<brokerName>,"TierUploadBacklogBytes":<bytes>}
 */
import { assert } from "../../common/assert.js";

export const METRIC_NAMESPACE = "Stratus";
/** Bytes of CommitLog written but not yet committed to the object store (TierService pendingBytes). */
export const UPLOAD_BACKLOG_METRIC = "TierUploadBacklogBytes";
/** The dimension names, in the order of the one dimension set (the alarm's dimensionsMap uses the same keys). */
export const BROKER_METRIC_DIMENSIONS = { cluster: "ClusterName", broker: "BrokerName" } as const;
/** How often the container entry writes the line (the alarm's period is a multiple of it). */
export const METRIC_INTERVAL_MS = 60_000;

export interface UploadBacklogSample {
  /** brokerClusterName: the CDK stack's clusterName. */
  readonly clusterName: string;
  readonly brokerName: string;
  readonly backlogBytes: number;
  readonly timestampMs: number;
}

/** The EMF line for one sample (no trailing newline). */
export function uploadBacklogEmfLine(sample: UploadBacklogSample): string {
  assert(
    Number.isSafeInteger(sample.backlogBytes) && sample.backlogBytes >= 0,
    `backlogBytes must be a non-negative integer, got ${sample.backlogBytes}`,
  );
  const { cluster, broker } = BROKER_METRIC_DIMENSIONS;
  return JSON.stringify({
    _aws: {
      Timestamp: sample.timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [[cluster, broker]],
          Metrics: [{ Name: UPLOAD_BACKLOG_METRIC, Unit: "Bytes" }],
        },
      ],
    },
    [cluster]: sample.clusterName,
    [broker]: sample.brokerName,
    [UPLOAD_BACKLOG_METRIC]: sample.backlogBytes,
  });
}
