/**
 * Consumer offsets of one broker (by brokerName), written in batches: the broker caches commits and
 * flushes them at a bounded interval and on shutdown. Offsets are last-writer-wins (an admin reset may
 * move one backwards), so the writes are blind batch writes, not conditional ones.
 *
 *   pk "consumer-offset/<brokerName>"   sk "<group>/<topic>/<queueId, 20 digits>"   {"offset": n}
 *
 * One partition per broker: a starting broker reads all its offsets with one paged query; one group's
 * offsets are a prefix query.
 */
import { StratusError } from "../../common/errors.js";
import { type ItemKey, type MetadataStore, metadataKeyPart, sortableNumber } from "../metadata-store.js";
import { corrupt, numberField, objectValue, queryAll } from "./record-codec.js";

export const CONSUMER_OFFSET_PREFIX = "consumer-offset/";

export interface ConsumerOffset {
  group: string;
  topic: string;
  queueId: number;
  offset: number;
}

function partitionOf(brokerName: string): string {
  return CONSUMER_OFFSET_PREFIX + metadataKeyPart(brokerName);
}

export function consumerOffsetKey(
  brokerName: string,
  group: string,
  topic: string,
  queueId: number,
): ItemKey {
  return {
    pk: partitionOf(brokerName),
    sk: `${metadataKeyPart(group)}/${metadataKeyPart(topic)}/${sortableNumber(queueId)}`,
  };
}

/** Writes the offsets (last entry wins for a repeated queue), DynamoDB-batched. */
export function writeConsumerOffsets(
  store: MetadataStore,
  brokerName: string,
  offsets: readonly ConsumerOffset[],
): Promise<void> {
  for (const o of offsets) {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new StratusError("ILLEGAL_ARGUMENT", `offset ${o.offset} of ${o.group}/${o.topic}/${o.queueId}`);
    }
  }
  return store.batchWrite(
    offsets.map((o) => ({
      op: "put" as const,
      key: consumerOffsetKey(brokerName, o.group, o.topic, o.queueId),
      value: { offset: o.offset },
    })),
  );
}

/** The broker's stored offsets, or one group's; ordered by group, topic, queueId. */
export async function listConsumerOffsets(
  store: MetadataStore,
  brokerName: string,
  group?: string,
): Promise<ConsumerOffset[]> {
  const prefix = group === undefined ? undefined : `${metadataKeyPart(group)}/`;
  const items = await queryAll(store, partitionOf(brokerName), { prefix });
  return items.map((item) => {
    const parts = item.key.sk.split("/");
    if (parts.length !== 3) throw corrupt(item, "not a consumer-offset key");
    return {
      group: decodeURIComponent(parts[0] ?? ""),
      topic: decodeURIComponent(parts[1] ?? ""),
      queueId: Number(parts[2]),
      offset: numberField(item, objectValue(item), "offset"),
    };
  });
}

/** Removes the given queues' offsets (e.g. a deleted group or topic). */
export function deleteConsumerOffsets(
  store: MetadataStore,
  brokerName: string,
  queues: readonly Omit<ConsumerOffset, "offset">[],
): Promise<void> {
  return store.batchWrite(
    queues.map((q) => ({
      op: "delete" as const,
      key: consumerOffsetKey(brokerName, q.group, q.topic, q.queueId),
    })),
  );
}
