/**
 * What each role may touch, derived from the stored layouts themselves (docs/adr/0004, 0005; lib/tier/object-keys.ts):
 *
 * - Isolation between clusters is by table: each cluster has its own metadata table. The layout keys items by
 *   record kind and broker or topic name ("topic-config/broker-a", "broker-lease", "topic-route/<topic>"), not by
 *   cluster, so two clusters sharing a table would share partitions (and brokers of the same name would collide).
 * - Within its cluster's table, a broker reaches only its own partitions and a NameServer only the route, lease
 *   and KV partitions, through the dynamodb:LeadingKeys condition.
 * - In the shared tier bucket, a broker reaches only its own chunks: tier/<4 hex>/<cluster>/<brokerName>/...
 */
import {
  BROKER_TOPICS_PREFIX,
  KV_NAMESPACES_PARTITION,
  KV_PREFIX,
} from "../../lib/namesrv/namesrv-records.js";
import { metadataKeyPart } from "../../lib/ports/metadata-store.js";
import {
  SUBSCRIPTION_GROUP_PREFIX,
  TOPIC_CONFIG_PREFIX,
  TOPIC_ROUTE_PREFIX,
} from "../../lib/ports/records/broker-configs.js";
import { BROKER_LEASE_PARTITION } from "../../lib/ports/records/broker-leases.js";
import { CONSUMER_OFFSET_PREFIX } from "../../lib/ports/records/consumer-offsets.js";
import { TIER_MANIFEST_PREFIX } from "../../lib/ports/records/tier-manifest.js";
import { TIER_KEY_PREFIX } from "../../lib/tier/object-keys.js";

/** Cluster names become table names, log group names and a DNS label: keep them to what all of them accept. */
export const CLUSTER_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export function validateClusterName(name: string): string {
  if (!CLUSTER_NAME_PATTERN.test(name)) {
    throw new Error(
      `cluster name '${name}' must be 1-32 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** The cluster's own metadata table: "<base>-<cluster>". */
export function clusterTableName(baseName: string, clusterName: string): string {
  return `${baseName}-${validateClusterName(clusterName)}`;
}

/** Partition keys a broker reads and writes: its topic and group configs, consumer offsets, tier manifest. */
export function brokerPartitionKeys(brokerName: string): string[] {
  const b = metadataKeyPart(brokerName);
  return [TOPIC_CONFIG_PREFIX, SUBSCRIPTION_GROUP_PREFIX, CONSUMER_OFFSET_PREFIX, TIER_MANIFEST_PREFIX].map(
    (prefix) => `${prefix}${b}`,
  );
}

/** Partition-key patterns (IAM StringLike) of a stateless NameServer: leases, routes, its topic index, KV. */
export function namesrvPartitionKeyPatterns(): string[] {
  return [
    BROKER_LEASE_PARTITION,
    `${TOPIC_ROUTE_PREFIX}*`,
    `${BROKER_TOPICS_PREFIX}*`,
    `${KV_PREFIX}*`,
    KV_NAMESPACES_PARTITION,
  ];
}

/** The broker's tier chunks (IAM pattern): the spreading hash is 4 hex digits, matched by "????". */
export function brokerObjectPattern(clusterName: string, brokerName: string): string {
  return `${TIER_KEY_PREFIX}????/${validateClusterName(clusterName)}/${brokerName}/*`;
}
