/**
 * How one cluster's share of the metadata table and of the tier bucket is named. IAM scopes a broker to it:
 * DynamoDB items whose partition key starts with `metadataKeyPrefix(cluster)` (the dynamodb:LeadingKeys
 * condition) and S3 objects under `objectKeyPrefix(cluster)`.
 *
 * PROVISIONAL CONTRACT with lib/ports: the record helpers in lib/ports/records/ do not yet put the cluster first
 * in their partition keys (e.g. "topic-config/<brokerName>"), and S3ObjectStore has no key prefix option. Until
 * lib/ports/aws/definitions.ts exports these two functions (and the records use them), a broker that wires the
 * AWS ports under these policies would get AccessDenied. The broker does not use the AWS ports yet, so nothing
 * running depends on it today; this file is the one place to switch to definitions.ts when it lands.
 */

/** Cluster names become key prefixes, log group names and a DNS label: keep them to what all three accept. */
export const CLUSTER_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export function validateClusterName(name: string): string {
  if (!CLUSTER_NAME_PATTERN.test(name)) {
    throw new Error(
      `cluster name '${name}' must be 1-32 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** Partition keys of a cluster's items start with this (metadataKeyPart(cluster) + "/"). */
export function metadataKeyPrefix(clusterName: string): string {
  return `${validateClusterName(clusterName)}/`;
}

/** Object keys of a cluster's tiered data start with this. */
export function objectKeyPrefix(clusterName: string): string {
  return `${validateClusterName(clusterName)}/`;
}
