/**
 * Alarms of one cluster, all sending to one SNS topic:
 * - a broker is down: its service reported no CPU sample for 3 minutes (no running task; missing data breaches);
 * - NameServers degraded: fewer healthy load-balancer targets than desired for 3 minutes;
 * - upload backlog: a broker's Stratus/TierUploadBacklogBytes above the threshold for 15 minutes. Each broker task
 *   writes the metric as a CloudWatch EMF line on stdout every minute (broker-fargate/backlog-metric.ts); names and
 *   dimensions come from lib/ports/aws/metrics.ts, which the emitter uses too. Missing data is not breaching: a
 *   task that is down already raises the broker-down alarm.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import {
  BROKER_METRIC_DIMENSIONS,
  METRIC_NAMESPACE,
  UPLOAD_BACKLOG_METRIC,
} from "../../lib/ports/aws/metrics.js";
import type { NamesrvFleet } from "./namesrv-fleet.js";
export const DEFAULT_UPLOAD_BACKLOG_ALARM_BYTES = 1024 ** 3;

export interface ClusterAlarmsProps {
  readonly clusterName: string;
  readonly brokers: ReadonlyMap<string, ecs.FargateService>;
  readonly namesrv: NamesrvFleet;
  readonly namesrvCount: number;
  readonly uploadBacklogAlarmBytes: number;
  readonly alarmEmail?: string | undefined;
}

export class ClusterAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ClusterAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, "Topic", { displayName: `Stratus ${props.clusterName} alarms` });
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    for (const [brokerName, service] of props.brokers) {
      this.add(`${brokerName}Down`, {
        alarmDescription: `Stratus ${props.clusterName}: broker ${brokerName} has no running task`,
        metric: service.metricCpuUtilization({ statistic: "SampleCount", period: Duration.minutes(1) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      this.add(`${brokerName}UploadBacklog`, {
        alarmDescription: `Stratus ${props.clusterName}: broker ${brokerName} has more than ${props.uploadBacklogAlarmBytes} bytes waiting for upload`,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: UPLOAD_BACKLOG_METRIC,
          dimensionsMap: {
            [BROKER_METRIC_DIMENSIONS.cluster]: props.clusterName,
            [BROKER_METRIC_DIMENSIONS.broker]: brokerName,
          },
          statistic: "Maximum",
          period: Duration.minutes(5),
        }),
        threshold: props.uploadBacklogAlarmBytes,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.add("NamesrvDegraded", {
      alarmDescription: `Stratus ${props.clusterName}: fewer than ${props.namesrvCount} healthy NameServers`,
      metric: props.namesrv.targetGroup.metrics.healthyHostCount({
        period: Duration.minutes(1),
        statistic: "Minimum",
      }),
      threshold: props.namesrvCount,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  private add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
