/**
 * The ObjectStore port: immutable objects under string keys (S3 in the cloud, files for `stratus dev`).
 *
 * Objects are written once and never modified in place; nothing here compares-and-sets (every
 * compare-and-set lives in the MetadataStore). A put of an existing key replaces it whole, atomically:
 * a reader sees the old bytes or the new bytes, never a mix.
 *
 * Keys: 1..MAX_OBJECT_KEY_BYTES UTF-8 bytes, "/"-separated segments, none empty, "." or "..", no control
 * characters, each segment at most MAX_OBJECT_KEY_SEGMENT_BYTES once percent-encoded. Both
 * implementations enforce the same rule (validateObjectKey) so a key that works in dev works on S3.
 *
 * Outcomes: a missing key is `undefined`, never an error. Failures of the backing service raise
 * StratusError OBJECT_STORE_UNAVAILABLE (retriable); bad arguments raise ILLEGAL_ARGUMENT; bad
 * configuration found by verify() raises CONFIG_INVALID.
 */
import { StratusError } from "../common/errors.js";
import {
  MAX_OBJECT_BYTES,
  MAX_OBJECT_KEY_BYTES,
  MAX_OBJECT_KEY_SEGMENT_BYTES,
  MAX_OBJECT_LIST_PAGE,
} from "../common/limits.js";

/** Bytes [start, end) of an object: start inclusive, end exclusive (clipped to the object's size). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ListOptions {
  /** The token a previous page returned; absent for the first page. */
  readonly continuationToken?: string | undefined;
  /** Keys per page, 1..MAX_OBJECT_LIST_PAGE (default MAX_OBJECT_LIST_PAGE). */
  readonly maxKeys?: number | undefined;
}

export interface ListPage {
  /** Keys in ascending UTF-8 byte order (S3's order). */
  readonly objects: readonly ObjectInfo[];
  /** Present when more keys follow; pass it back to get the next page. */
  readonly continuationToken?: string | undefined;
}

export interface ObjectStore {
  /** Checks the configuration (bucket or directory exists, credentials work); CONFIG_INVALID says what to fix. */
  verify(): Promise<void>;
  /** Stores `body` under `key`, replacing any object there (large bodies go up in parts on S3). */
  put(key: string, body: Buffer): Promise<void>;
  /** The object's bytes, or only `range` of them (an empty Buffer when the range starts past the end). */
  get(key: string, range?: ByteRange): Promise<Buffer | undefined>;
  head(key: string): Promise<{ size: number } | undefined>;
  /** Keys starting with `prefix` (a plain string prefix, not a directory), one page at a time. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** With the u flag a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws ILLEGAL_ARGUMENT unless `key` follows the key rule in this file's header. */
export function validateObjectKey(key: string): void {
  const bad = (why: string): never => {
    throw new StratusError("ILLEGAL_ARGUMENT", `object key ${JSON.stringify(key.slice(0, 80))}: ${why}`);
  };
  if (key.length === 0) bad("empty");
  if (Buffer.byteLength(key, "utf8") > MAX_OBJECT_KEY_BYTES) bad(`longer than ${MAX_OBJECT_KEY_BYTES} bytes`);
  if (CONTROL_CHARS.test(key)) bad("contains a control character");
  if (LONE_SURROGATE.test(key)) bad("contains a lone surrogate");
  for (const segment of key.split("/")) {
    if (segment === "" || segment === "." || segment === "..") bad("has an empty, '.' or '..' segment");
    if (encodeURIComponent(segment).replaceAll("~", "%7E").length > MAX_OBJECT_KEY_SEGMENT_BYTES)
      bad("has a segment too long");
  }
}

/** Throws ILLEGAL_ARGUMENT for a prefix no key could start with (control characters, too long). */
export function validateObjectPrefix(prefix: string): void {
  if (
    Buffer.byteLength(prefix, "utf8") > MAX_OBJECT_KEY_BYTES ||
    CONTROL_CHARS.test(prefix) ||
    LONE_SURROGATE.test(prefix)
  ) {
    throw new StratusError("ILLEGAL_ARGUMENT", `object key prefix ${JSON.stringify(prefix.slice(0, 80))}`);
  }
}

export function validateObjectBody(key: string, body: Buffer): void {
  if (body.length > MAX_OBJECT_BYTES) {
    throw new StratusError("LIMIT_EXCEEDED", `object ${key}: ${body.length} bytes > ${MAX_OBJECT_BYTES}`);
  }
}

/** Refuses to read more than MAX_OBJECT_BYTES into memory at once (checked before allocating). */
export function checkReadSize(key: string, bytes: number): void {
  if (bytes > MAX_OBJECT_BYTES) {
    throw new StratusError(
      "LIMIT_EXCEEDED",
      `object ${key}: reading ${bytes} bytes at once > ${MAX_OBJECT_BYTES}; read it in ranges`,
    );
  }
}

export function validateByteRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StratusError("ILLEGAL_ARGUMENT", `byte range [${start}, ${end}) is not a range`);
  }
}

/** maxKeys with its default, checked. */
export function listPageSize(options: ListOptions | undefined): number {
  const n = options?.maxKeys ?? MAX_OBJECT_LIST_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_OBJECT_LIST_PAGE) {
    throw new StratusError("ILLEGAL_ARGUMENT", `maxKeys ${n} is not in 1..${MAX_OBJECT_LIST_PAGE}`);
  }
  return n;
}

/** Orders keys as S3 does: by their UTF-8 bytes (differs from JS string order above U+FFFF). */
export function compareObjectKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
