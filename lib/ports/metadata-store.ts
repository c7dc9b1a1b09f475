/**
 * The MetadataStore port: small versioned JSON items under a (partition key, sort key) pair — DynamoDB in
 * the cloud, SQLite for `stratus dev`. The record kinds (broker leases, routes, topic and group configs,
 * consumer offsets, the tier manifest) are thin typed helpers over these few operations
 * (metadata-records.ts), so each implementation stays small. Table design: docs/adr/0004.
 *
 * Versions: every item carries an integer version. putIfAbsent writes version 1; putIfVersion(v) writes
 * v+1 and only if the stored version is v; a conditional transaction does the same per operation. Blind
 * writes (batchWrite) are last-writer-wins and store version 0: a record kind is written either blind
 * (consumer offsets) or conditionally (everything read-modify-write), never both.
 *
 * Outcomes: a lost race is the value `{ ok: false, reason: "CONDITION_FAILED" }`, never an exception.
 * A backing-service failure raises StratusError METADATA_UNAVAILABLE (retriable); bad arguments raise
 * ILLEGAL_ARGUMENT or LIMIT_EXCEEDED; verify() raises CONFIG_INVALID with what to fix.
 *
 * Keys are printable ASCII (0x20..0x7e), 1..MAX_METADATA_KEY_BYTES long, so that both stores order sort
 * keys the same way (bytewise) and a prefix query is the range [prefix, prefix + "\x7f"]. Helpers build
 * them with metadataKeyPart(), which percent-encodes names.
 *
 * Expiry: an item may carry expiresAtMs. Stores do not hide expired items (they know no clock); the
 * reader decides with its Clock. DynamoDB's TTL deletes them eventually, so a reader must also accept that
 * an expired item may be gone.
 */
import { StratusError } from "../common/errors.js";
import {
  MAX_METADATA_BATCH_OPS,
  MAX_METADATA_KEY_BYTES,
  MAX_METADATA_QUERY_PAGE,
  MAX_METADATA_TRANSACT_OPS,
  MAX_METADATA_VALUE_BYTES,
} from "../common/limits.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ItemKey {
  /** Partition key: items of one partition are read together by query(). */
  readonly pk: string;
  /** Sort key: orders the items of a partition (bytewise). */
  readonly sk: string;
}

export interface MetadataItem {
  readonly key: ItemKey;
  readonly value: JsonValue;
  readonly version: number;
  readonly expiresAtMs?: number | undefined;
}

export interface WriteOptions {
  /** When the item stops being valid (wall-clock ms); DynamoDB's TTL removes it some time after. */
  readonly expiresAtMs?: number | undefined;
}

export type WriteOutcome = { ok: true; version: number } | { ok: false; reason: "CONDITION_FAILED" };

export type TransactOutcome =
  | { ok: true; versions: readonly number[] }
  /** failedIndex: the first operation whose condition failed, when the store can tell. */
  | { ok: false; reason: "CONDITION_FAILED"; failedIndex?: number | undefined };

/** What a conditional operation requires of the stored item. */
export type WriteCondition = { readonly absent: true } | { readonly version: number };

export type TransactOp =
  | {
      readonly op: "put";
      readonly key: ItemKey;
      readonly value: JsonValue;
      readonly condition: WriteCondition;
      readonly expiresAtMs?: number | undefined;
    }
  | { readonly op: "delete"; readonly key: ItemKey; readonly condition: { readonly version: number } }
  /** Writes nothing; fails the transaction unless the condition holds. */
  | { readonly op: "check"; readonly key: ItemKey; readonly condition: WriteCondition };

export type BatchOp =
  | { readonly op: "put"; readonly key: ItemKey; readonly value: JsonValue; readonly expiresAtMs?: number }
  | { readonly op: "delete"; readonly key: ItemKey };

export interface QueryOptions {
  /** Only sort keys starting with this. */
  readonly prefix?: string | undefined;
  /** Only sort keys >= start. */
  readonly start?: string | undefined;
  /** Only sort keys <= end. */
  readonly end?: string | undefined;
  /** Descending sort-key order. */
  readonly reverse?: boolean | undefined;
  /** Items per page, 1..MAX_METADATA_QUERY_PAGE (default MAX_METADATA_QUERY_PAGE). */
  readonly limit?: number | undefined;
  /** The cursor a previous page returned. */
  readonly cursor?: string | undefined;
}

export interface QueryPage {
  readonly items: readonly MetadataItem[];
  /** Present when more items may follow (the next page can be empty); absent on the last page. */
  readonly cursor?: string | undefined;
}

export interface MetadataStore {
  /** Checks the configuration (table exists and is usable, credentials work); CONFIG_INVALID says what to fix. */
  verify(): Promise<void>;
  /** A strongly consistent read. */
  get(key: ItemKey): Promise<MetadataItem | undefined>;
  putIfAbsent(key: ItemKey, value: JsonValue, options?: WriteOptions): Promise<WriteOutcome>;
  putIfVersion(
    key: ItemKey,
    value: JsonValue,
    expectedVersion: number,
    options?: WriteOptions,
  ): Promise<WriteOutcome>;
  deleteIfVersion(key: ItemKey, expectedVersion: number): Promise<WriteOutcome>;
  /** One page of a partition's items in sort-key order (strongly consistent). */
  query(pk: string, options?: QueryOptions): Promise<QueryPage>;
  /** Unconditional puts and deletes, last writer wins (not atomic as a whole; each op is). */
  batchWrite(ops: readonly BatchOp[]): Promise<void>;
  /** All operations or none; CONDITION_FAILED if any condition does not hold. At most one op per item. */
  transactWrite(ops: readonly TransactOp[]): Promise<TransactOutcome>;
  close(): Promise<void>;
}

export const CONDITION_FAILED: WriteOutcome & { ok: false } = Object.freeze({
  ok: false,
  reason: "CONDITION_FAILED",
});

/** One part of a key: percent-encoded so it holds only unreserved printable ASCII (never "/" or "#"). */
export function metadataKeyPart(name: string): string {
  return encodeURIComponent(name);
}

/** A non-negative integer as 20 digits, so that sort keys order numerically. */
export function sortableNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new StratusError("ILLEGAL_ARGUMENT", `${n} is not a non-negative safe integer`);
  }
  return String(n).padStart(20, "0");
}

/** The bound above every sort key that starts with `prefix` (keys are printable ASCII, below 0x7f). */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u007f`;
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]+$/;

export function validateKeyString(what: string, s: string): void {
  if (!PRINTABLE_ASCII.test(s) || s.length > MAX_METADATA_KEY_BYTES) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `metadata ${what} ${JSON.stringify(s.slice(0, 80))}: must be 1..${MAX_METADATA_KEY_BYTES} printable ASCII characters`,
    );
  }
}

export function validateItemKey(key: ItemKey): void {
  validateKeyString("partition key", key.pk);
  validateKeyString("sort key", key.sk);
}

/** The value as JSON, checked for size. */
export function encodeMetadataValue(key: ItemKey, value: JsonValue): string {
  const json = JSON.stringify(value);
  if (json === undefined)
    throw new StratusError("ILLEGAL_ARGUMENT", `${key.pk} ${key.sk}: value is not JSON`);
  if (json.length > MAX_METADATA_VALUE_BYTES || Buffer.byteLength(json) > MAX_METADATA_VALUE_BYTES) {
    throw new StratusError(
      "LIMIT_EXCEEDED",
      `${key.pk} ${key.sk}: value over ${MAX_METADATA_VALUE_BYTES} bytes`,
    );
  }
  return json;
}

export function validateVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new StratusError("ILLEGAL_ARGUMENT", `version ${version} is not a non-negative integer`);
  }
}

export function validateExpiry(expiresAtMs: number | undefined): void {
  if (expiresAtMs !== undefined && (!Number.isSafeInteger(expiresAtMs) || expiresAtMs < 0)) {
    throw new StratusError("ILLEGAL_ARGUMENT", `expiresAtMs ${expiresAtMs} is not a timestamp`);
  }
}

export function queryPageSize(options: QueryOptions | undefined): number {
  const n = options?.limit ?? MAX_METADATA_QUERY_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_METADATA_QUERY_PAGE) {
    throw new StratusError("ILLEGAL_ARGUMENT", `query limit ${n} is not in 1..${MAX_METADATA_QUERY_PAGE}`);
  }
  return n;
}

/** The inclusive sort-key range a query covers, or undefined when it is empty. */
export function querySortKeyRange(
  options: QueryOptions | undefined,
): { low?: string | undefined; high?: string | undefined } | undefined {
  const { prefix, start, end } = options ?? {};
  for (const [what, s] of [
    ["prefix", prefix],
    ["start", start],
    ["end", end],
  ] as const) {
    if (s !== undefined && s !== "") validateKeyString(`query ${what}`, s);
  }
  let low = prefix || undefined;
  let high = prefix ? prefixUpperBound(prefix) : undefined;
  if (start && (low === undefined || start > low)) low = start;
  if (end && (high === undefined || end < high)) high = end;
  if (low !== undefined && high !== undefined && low > high) return undefined;
  return { low, high };
}

/** A cursor is the last sort key returned, base64url-encoded. */
export function encodeCursor(sk: string): string {
  return Buffer.from(sk, "latin1").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, "base64url").toString("latin1");
  validateKeyString("query cursor", sk);
  return sk;
}

export function validateBatch(ops: readonly BatchOp[]): void {
  if (ops.length > MAX_METADATA_BATCH_OPS) {
    throw new StratusError("LIMIT_EXCEEDED", `batchWrite: ${ops.length} ops > ${MAX_METADATA_BATCH_OPS}`);
  }
  for (const op of ops) {
    validateItemKey(op.key);
    if (op.op === "put") {
      encodeMetadataValue(op.key, op.value);
      validateExpiry(op.expiresAtMs);
    }
  }
}

/** The last op per key, in first-seen key order (a batch is last-writer-wins within itself too). */
export function lastOpPerKey(ops: readonly BatchOp[]): BatchOp[] {
  const byKey = new Map<string, BatchOp>();
  for (const op of ops) {
    const id = `${op.key.pk}\u0000${op.key.sk}`;
    byKey.delete(id);
    byKey.set(id, op);
  }
  return [...byKey.values()];
}

export function validateTransact(ops: readonly TransactOp[]): void {
  if (ops.length === 0 || ops.length > MAX_METADATA_TRANSACT_OPS) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `transactWrite: ${ops.length} ops, expected 1..${MAX_METADATA_TRANSACT_OPS}`,
    );
  }
  const seen = new Set<string>();
  for (const op of ops) {
    validateItemKey(op.key);
    const id = `${op.key.pk}\u0000${op.key.sk}`;
    if (seen.has(id))
      throw new StratusError("ILLEGAL_ARGUMENT", `transactWrite: two ops on ${op.key.pk} ${op.key.sk}`);
    seen.add(id);
    if ("version" in op.condition) validateVersion(op.condition.version);
    if (op.op === "put") {
      encodeMetadataValue(op.key, op.value);
      validateExpiry(op.expiresAtMs);
    }
  }
}
