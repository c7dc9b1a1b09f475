/**
 * JSON bodies the way Apache RocketMQ's fastjson 1.x writes and reads them (protocol doc §3.2), on purpose:
 *
 * Writing (`toFastjson`):
 *  - compact, no whitespace (the Go client splits `brokerAddrs` on `,` and `:` without trimming);
 *  - keys of plain objects sorted alphabetically, as fastjson orders bean properties; `Map` keeps its order;
 *  - `undefined`/`null` properties omitted, as fastjson omits null fields;
 *  - `Map<Long,…>` values (built with `numericKeyMap`) are written with bare keys `{0:"a"}` in the "fastjson"
 *    style (what Apache sends to old clients, and the only form the Go client's route parser reads correctly
 *    for slaves), and quoted `{"0":"a"}` in the "standard" style (what Apache sends to clients >= V4_9_4);
 *  - integers never in exponent notation; bigint for Java longs past 2^53.
 *
 * Reading (`parseFastjson`): standard JSON plus bare object keys (`{0:"a"}`, `{key:1}`), which a real Apache
 * broker or NameServer emits for `Map<Long,…>`. Bean-valued keys (`{{"topic":…}:…}`, MessageQueue maps) are
 * rejected: no NameServer body has them. Nesting deeper than MAX_JSON_DEPTH is rejected before parsing.
 * Every failure is a StratusError("ILLEGAL_ARGUMENT") naming the body; never a RangeError or a crash.
 *
 * The `field*` readers apply fastjson's coercions (a number where a String is declared, a numeric string where
 * an int is declared) and treat `null` as absent, so a missing field falls back to the Java default.
 */
import { StratusError } from "../common/errors.js";
import { MAX_JSON_DEPTH } from "../common/limits.js";

export type JsonStyle = "fastjson" | "standard";

const NUMERIC_KEYS: unique symbol = Symbol("fastjson.numericKeyMap");

/** A Java `Map<Long,V>` / `Map<Integer,V>` to be written with numeric keys. */
export interface NumericKeyMap {
  readonly [NUMERIC_KEYS]: true;
  readonly entries: ReadonlyArray<readonly [number, unknown]>;
}

export function numericKeyMap(entries: Iterable<readonly [number, unknown]>): NumericKeyMap {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  return { [NUMERIC_KEYS]: true, entries: sorted };
}

function isNumericKeyMap(v: object): v is NumericKeyMap {
  return (v as Partial<NumericKeyMap>)[NUMERIC_KEYS] === true;
}

function writeNumber(v: number): string {
  if (!Number.isFinite(v)) throw new StratusError("ILLEGAL_ARGUMENT", `cannot write ${v} as JSON`);
  return Number.isInteger(v) ? BigInt(v).toString() : String(v);
}

function writeEntries(entries: Iterable<readonly [string, unknown]>, style: JsonStyle): string {
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    parts.push(`${JSON.stringify(k)}:${writeValue(v, style)}`);
  }
  return `{${parts.join(",")}}`;
}

function writeValue(v: unknown, style: JsonStyle): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return writeNumber(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
    case "object":
      return writeObject(v, style);
    default:
      throw new StratusError("ILLEGAL_ARGUMENT", `cannot write a ${typeof v} as JSON`);
  }
}

function writeObject(v: object | null, style: JsonStyle): string {
  if (v === null) return "null";
  if (Array.isArray(v) || v instanceof Set) {
    return `[${[...v].map((x) => (x === undefined || x === null ? "null" : writeValue(x, style))).join(",")}]`;
  }
  if (v instanceof Map) return writeEntries(v as Map<string, unknown>, style);
  if (isNumericKeyMap(v)) {
    const parts = v.entries.map(([k, x]) => {
      const key = writeNumber(k);
      return `${style === "fastjson" ? key : `"${key}"`}:${x === undefined || x === null ? "null" : writeValue(x, style)}`;
    });
    return `{${parts.join(",")}}`;
  }
  const keys = Object.keys(v).sort();
  return writeEntries(
    keys.map((k) => [k, (v as Record<string, unknown>)[k]] as const),
    style,
  );
}

/** Serialize `value` as fastjson would (see the file comment). */
export function toFastjson(value: unknown, style: JsonStyle = "standard"): string {
  return writeValue(value, style);
}

/** `toFastjson` as UTF-8 bytes, ready to be a command body. */
export function encodeJsonBody(value: unknown, style: JsonStyle = "standard"): Buffer {
  return Buffer.from(toFastjson(value, style), "utf8");
}

function malformed(what: string, why: string): StratusError {
  return new StratusError("ILLEGAL_ARGUMENT", `${what}: malformed JSON body (${why})`);
}

const BARE_KEY_CHAR = /[A-Za-z0-9_$.+-]/;
const WHITESPACE = /\s/;

/** End index (exclusive) of the string literal starting at `start` (a `"`), or -1 if unterminated. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/**
 * One pass over the text: checks the nesting depth and finds bare object keys (returned as [start, end)
 * ranges) so they can be quoted before JSON.parse. Structure beyond that is left to JSON.parse.
 */
function scanBareKeys(text: string, what: string): Array<readonly [number, number]> {
  const bare: Array<readonly [number, number]> = [];
  const stack: string[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = skipString(text, i);
      if (end < 0) throw malformed(what, "unterminated string");
      i = end;
      expectKey = false;
      continue;
    }
    if (c === "{" || c === "[") {
      if (stack.length >= MAX_JSON_DEPTH) throw malformed(what, `nested deeper than ${MAX_JSON_DEPTH}`);
      stack.push(c);
      expectKey = c === "{";
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      expectKey = stack[stack.length - 1] === "{";
    } else if (expectKey && BARE_KEY_CHAR.test(c)) {
      let end = i + 1;
      while (end < text.length && BARE_KEY_CHAR.test(text.charAt(end))) end++;
      bare.push([i, end]);
      i = end;
      expectKey = false;
      continue;
    } else if (!WHITESPACE.test(c)) {
      expectKey = false;
    }
    i++;
  }
  return bare;
}

/** Parse a fastjson-produced text (standard JSON plus bare keys). `what` names the body in errors. */
export function parseFastjson(text: string, what: string): unknown {
  const bare = scanBareKeys(text, what);
  let source = text;
  if (bare.length > 0) {
    const parts: string[] = [];
    let at = 0;
    for (const [start, end] of bare) {
      parts.push(text.slice(at, start), '"', text.slice(start, end), '"');
      at = end;
    }
    parts.push(text.slice(at));
    source = parts.join("");
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (e) {
    throw malformed(what, (e as Error).message);
  }
}

/** Parse a command body; an absent or empty body is an error. */
export function decodeJsonBody(body: Buffer | undefined, what: string): unknown {
  if (body === undefined || body.length === 0)
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: empty body`);
  return parseFastjson(body.toString("utf8"), what);
}

export type JsonObject = Readonly<Record<string, unknown>>;

function wrongType(path: string, expected: string, v: unknown): StratusError {
  const got = Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
  return new StratusError("ILLEGAL_ARGUMENT", `${path}: expected ${expected}, got ${got}`);
}

export function expectObject(v: unknown, path: string): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw wrongType(path, "an object", v);
  return v as JsonObject;
}

/** An object, or undefined when the value is absent or null. */
export function optionalObject(v: unknown, path: string): JsonObject | undefined {
  return v === undefined || v === null ? undefined : expectObject(v, path);
}

export function optionalArray(v: unknown, path: string): readonly unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(path, "an array", v);
  return v;
}

function absent(path: string): StratusError {
  return new StratusError("ILLEGAL_ARGUMENT", `${path}: required field is missing`);
}

/** A Java String property: a JSON string, or a number/boolean coerced to its text. */
export function fieldString(o: JsonObject, key: string, path: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw absent(`${path}.${key}`);
    return fallback;
  }
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw wrongType(`${path}.${key}`, "a string", v);
}

export function fieldOptionalString(o: JsonObject, key: string, path: string): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : fieldString(o, key, path);
}

const DECIMAL = /^-?\d{1,19}$/;

function integerOf(v: unknown, path: string, min: number, max: number, kind: string): number {
  let n: number | undefined;
  if (typeof v === "number" && Number.isInteger(v)) n = v;
  else if (typeof v === "string" && DECIMAL.test(v.trim())) n = Number(v.trim());
  if (n === undefined) throw wrongType(path, kind, v);
  if (n < min || n > max) {
    throw new StratusError(
      "ILLEGAL_ARGUMENT",
      `${path}: ${String(v).slice(0, 30)} is out of range for ${kind}`,
    );
  }
  return n;
}

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** A Java int property. */
export function fieldInt(o: JsonObject, key: string, path: string, fallback?: number): number {
  const v = o[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw absent(`${path}.${key}`);
    return fallback;
  }
  return integerOf(v, `${path}.${key}`, INT_MIN, INT_MAX, "an int");
}

/** A Java long property, as a JS number: must be a safe integer (counters and epoch milliseconds are). */
export function fieldLong(o: JsonObject, key: string, path: string, fallback?: number): number {
  const v = o[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw absent(`${path}.${key}`);
    return fallback;
  }
  return integerOf(v, `${path}.${key}`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "a long");
}

/** A Java boolean property: true/false, or their string forms. */
export function fieldBoolean(o: JsonObject, key: string, path: string, fallback?: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw absent(`${path}.${key}`);
    return fallback;
  }
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw wrongType(`${path}.${key}`, "a boolean", v);
}

/** A Java `Map<String,String>`; absent/null gives an empty map. Built with own properties only. */
export function stringMap(v: unknown, path: string): Record<string, string> {
  const o = optionalObject(v, path);
  if (o === undefined) return {};
  return Object.fromEntries(Object.keys(o).map((k) => [k, fieldString(o, k, path)]));
}

/** A Java `List<String>` / `Set<String>`; absent/null gives an empty list. */
export function stringList(v: unknown, path: string): string[] {
  const a = optionalArray(v, path);
  if (a === undefined) return [];
  return a.map((x, i) => {
    if (typeof x === "string") return x;
    if (typeof x === "number" || typeof x === "boolean") return String(x);
    throw wrongType(`${path}[${i}]`, "a string", x);
  });
}
