/**
 * The tier manifest of one broker: a record per CommitLog chunk uploaded to the object store, and a head
 * that says how far the uploaded history reaches. A chunk is committed by one transaction — the chunk
 * record put-if-absent plus the head put-if-version — so two uploaders (an old and a new broker process)
 * can never both advance the head from the same version, and a chunk is recorded exactly once.
 *
 *   pk "tier-manifest/<brokerName>"   sk "chunk/<startOffset, 20 digits>"   TierChunk (immutable, version 1)
 *   pk "tier-manifest/<brokerName>"   sk "head"                            TierManifestHead
 *
 * Chunk sort keys order by CommitLog offset, so a rebuild reads the chunks in order with one paged query
 * and the chunk holding an offset is the last chunk starting at or before it.
 */
import { StratusError } from "../../common/errors.js";
import {
  type ItemKey,
  type JsonValue,
  type MetadataItem,
  type MetadataStore,
  metadataKeyPart,
  sortableNumber,
  type WriteCondition,
  type WriteOutcome,
} from "../metadata-store.js";
import type { Expect, Versioned } from "./broker-configs.js";
import { corrupt, type JsonObject, numberField, objectValue, stringField } from "./record-codec.js";

export const TIER_MANIFEST_PREFIX = "tier-manifest/";
const CHUNK_PREFIX = "chunk/";
const HEAD_SK = "head";

export interface TierChunk {
  /** CommitLog offset of the chunk's first byte. */
  startOffset: number;
  /** CommitLog offset just past the chunk's last byte. */
  endOffset: number;
  /** Base offset of the CommitLog segment file the chunk came from. */
  segmentBaseOffset: number;
  /** Where its bytes are in the object store. */
  objectKey: string;
  sizeBytes: number;
  createdAtMs: number;
  /** What the tier layer adds (ConsumeQueue/index object keys, checksums, ...). */
  details: JsonObject;
}

export interface TierManifestHead {
  /** CommitLog offset up to which every byte is in committed chunks. */
  committedOffset: number;
  chunkCount: number;
  details: JsonObject;
}

function partitionOf(brokerName: string): string {
  return TIER_MANIFEST_PREFIX + metadataKeyPart(brokerName);
}

export function tierChunkKey(brokerName: string, startOffset: number): ItemKey {
  return { pk: partitionOf(brokerName), sk: CHUNK_PREFIX + sortableNumber(startOffset) };
}

export function tierHeadKey(brokerName: string): ItemKey {
  return { pk: partitionOf(brokerName), sk: HEAD_SK };
}

function checkChunk(chunk: TierChunk): void {
  const { startOffset, endOffset, segmentBaseOffset } = chunk;
  if (!(Number.isSafeInteger(startOffset) && Number.isSafeInteger(endOffset) && startOffset >= 0)) {
    throw new StratusError("ILLEGAL_ARGUMENT", `tier chunk offsets [${startOffset}, ${endOffset})`);
  }
  if (endOffset <= startOffset || segmentBaseOffset > startOffset) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `tier chunk [${startOffset}, ${endOffset}) in segment ${segmentBaseOffset}`,
    );
  }
}

function chunkOf(item: MetadataItem): TierChunk {
  const o = objectValue(item);
  const details = o.details;
  if (details === null || typeof details !== "object" || Array.isArray(details))
    throw corrupt(item, "no details");
  return {
    startOffset: numberField(item, o, "startOffset"),
    endOffset: numberField(item, o, "endOffset"),
    segmentBaseOffset: numberField(item, o, "segmentBaseOffset"),
    objectKey: stringField(item, o, "objectKey"),
    sizeBytes: numberField(item, o, "sizeBytes"),
    createdAtMs: numberField(item, o, "createdAtMs"),
    details,
  };
}

function headOf(item: MetadataItem): TierManifestHead {
  const o = objectValue(item);
  const details = o.details;
  if (details === null || typeof details !== "object" || Array.isArray(details))
    throw corrupt(item, "no details");
  return {
    committedOffset: numberField(item, o, "committedOffset"),
    chunkCount: numberField(item, o, "chunkCount"),
    details,
  };
}

function conditionOf(expect: Expect): WriteCondition {
  return expect === "absent" ? { absent: true } : { version: expect };
}

/**
 * Records `chunk` and moves the head to `head`, atomically. CONDITION_FAILED when the chunk is already
 * recorded or the head is not at `expectHead` (another uploader got there first).
 */
export async function commitTierChunk(
  store: MetadataStore,
  brokerName: string,
  chunk: TierChunk,
  head: TierManifestHead,
  expectHead: Expect,
): Promise<WriteOutcome> {
  checkChunk(chunk);
  const outcome = await store.transactWrite([
    {
      op: "put",
      key: tierChunkKey(brokerName, chunk.startOffset),
      value: chunk as unknown as JsonValue,
      condition: { absent: true },
    },
    {
      op: "put",
      key: tierHeadKey(brokerName),
      value: head as unknown as JsonValue,
      condition: conditionOf(expectHead),
    },
  ]);
  if (!outcome.ok) return { ok: false, reason: "CONDITION_FAILED" };
  return { ok: true, version: outcome.versions[1] ?? 0 };
}

export async function getTierManifestHead(
  store: MetadataStore,
  brokerName: string,
): Promise<Versioned<TierManifestHead> | undefined> {
  const item = await store.get(tierHeadKey(brokerName));
  return item && { value: headOf(item), version: item.version };
}

/** One page of chunks in offset order, starting with the chunk that starts at or after `fromOffset`. */
export async function listTierChunks(
  store: MetadataStore,
  brokerName: string,
  options: { fromOffset?: number; limit?: number; cursor?: string } = {},
): Promise<{ chunks: TierChunk[]; cursor?: string | undefined }> {
  const page = await store.query(partitionOf(brokerName), {
    prefix: CHUNK_PREFIX,
    start: options.fromOffset === undefined ? undefined : CHUNK_PREFIX + sortableNumber(options.fromOffset),
    limit: options.limit,
    cursor: options.cursor,
  });
  return { chunks: page.items.map(chunkOf), cursor: page.cursor };
}

/** The chunk holding CommitLog `offset`, if one is recorded. */
export async function findTierChunk(
  store: MetadataStore,
  brokerName: string,
  offset: number,
): Promise<TierChunk | undefined> {
  const page = await store.query(partitionOf(brokerName), {
    prefix: CHUNK_PREFIX,
    end: CHUNK_PREFIX + sortableNumber(offset),
    reverse: true,
    limit: 1,
  });
  const item = page.items[0];
  if (!item) return undefined;
  const chunk = chunkOf(item);
  return chunk.endOffset > offset ? chunk : undefined;
}

/** Forgets a chunk (object-store retention removed its object). */
export function deleteTierChunk(
  store: MetadataStore,
  brokerName: string,
  startOffset: number,
): Promise<WriteOutcome> {
  return store.deleteIfVersion(tierChunkKey(brokerName, startOffset), 1);
}
