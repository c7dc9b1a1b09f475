/**
 * The MetadataStore's DynamoDB table, built from the same definition the local setup uses
 * (lib/ports/aws/definitions.ts): pk/sk string keys, on-demand capacity, the TTL attribute. In AWS it also gets
 * point-in-time recovery and deletion protection (both on unless turned off) and is retained when its stack goes.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { tableDefinitions } from "../../lib/ports/aws/definitions.js";

export interface MetadataTableProps {
  /** Physical name (default: definitions.ts DEFAULT_METADATA_TABLE_NAME). Clusters share one table by name. */
  readonly tableName?: string;
  /** Default true. */
  readonly pointInTimeRecovery?: boolean;
  /** Default true: a `cdk destroy` or a replacement cannot delete the cluster's state by accident. */
  readonly deletionProtection?: boolean;
}

export class MetadataTable extends Construct {
  readonly table: dynamodb.TableV2;
  /** The physical name as a plain string (no token): other stacks find the table by it. */
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: MetadataTableProps = {}) {
    super(scope, id);
    const [def] = tableDefinitions({ metadataTableName: props.tableName, production: true });
    if (def === undefined) throw new Error("definitions.ts defines no metadata table");
    this.tableName = def.tableName;
    this.table = new dynamodb.TableV2(this, "Table", {
      tableName: def.tableName,
      partitionKey: { name: def.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: def.sortKey.name, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: def.timeToLiveAttribute,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? def.pointInTimeRecovery,
      },
      deletionProtection: props.deletionProtection ?? def.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
