/**
 * Where tier chunks live in the object store:
 *
 *   tier/<h>/<cluster>/<brokerName>/<startOffset, 20 digits>-<endOffset, 20 digits>.chunk
 *
 * `<h>` is 4 hex digits of a hash of cluster, broker and start offset. S3 scales request rates per key prefix;
 * putting a well-spread hash first sends consecutive chunks of one broker (and the chunks of many brokers) to
 * different prefixes, so no single prefix takes a broker's whole upload and read load. Nothing lists these
 * keys to find chunks (the manifest records every key), so the hash costs nothing on the read side; the rest
 * of the key still says whose data it is. The end offset is part of the key so an object, once written, is
 * never replaced: an upload that died before its manifest commit leaves an orphan, not a changed object.
 */
import { createHash } from "node:crypto";

export const TIER_KEY_PREFIX = "tier/";
const HASH_HEX_DIGITS = 4;

function pad20(n: number): string {
  return String(n).padStart(20, "0");
}

export function chunkObjectKey(
  cluster: string,
  brokerName: string,
  startOffset: number,
  endOffset: number,
): string {
  const spread = createHash("sha256")
    .update(`${cluster}/${brokerName}/${startOffset}`)
    .digest("hex")
    .slice(0, HASH_HEX_DIGITS);
  return `${TIER_KEY_PREFIX}${spread}/${cluster}/${brokerName}/${pad20(startOffset)}-${pad20(endOffset)}.chunk`;
}
