/**
 * JSON remoting header (serializeType 0): the header bytes of a frame are one compact UTF-8 JSON object.
 *
 * Emitted layout (keys in this order, no whitespace; `remark` only when defined):
 *
 *   {"code":<int>,"extFields":{"<k>":"<v>",...},"flag":<int>,"language":"<NAME>","opaque":<int>,
 *    "remark":"<text>","serializeTypeCurrentRPC":"JSON","version":<int>}
 *
 * Input is parsed leniently: key order is free, unknown keys are ignored, `remark`/`extFields` may be
 * absent or null, integers may arrive as decimal strings, and extFields values that are numbers or
 * booleans are normalised to their string form (ali-ons sends raw JS values). On output every extFields
 * value is a JSON string (the Go client unmarshals into map[string]string) and no number is ever
 * written in exponent form.
 */

import { StratusError } from "../common/errors.js";
import { MAX_EXT_FIELDS } from "../common/limits.js";
import { LanguageCode, languageCodeToName } from "./language-code.js";
import type { RemotingCommand } from "./remoting-command.js";

/** Everything a remoting header carries: a RemotingCommand without its body and serialization. */
export type RemotingHeader = Omit<RemotingCommand, "body" | "serializeType">;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
/** Integers at or above this print in exponent form via String(); below it they print as plain decimals. */
const PLAIN_DECIMAL_LIMIT = 1e21;
const DECIMAL_INT = /^-?\d{1,10}$/;

// ---------------------------------------------------------------------------------------------- encode

/** The compact JSON text of a header. Throws ILLEGAL_ARGUMENT for a field that cannot go on the wire. */
export function jsonHeaderText(header: RemotingHeader): string {
  let text = `{"code":${int32Text(header.code, "code")},"extFields":${extFieldsText(header.extFields)}`;
  text += `,"flag":${int32Text(header.flag, "flag")},"language":${JSON.stringify(String(header.language))}`;
  text += `,"opaque":${int32Text(header.opaque, "opaque")}`;
  if (header.remark !== undefined && header.remark !== null) {
    text += `,"remark":${JSON.stringify(String(header.remark))}`;
  }
  return `${text},"serializeTypeCurrentRPC":"JSON","version":${int32Text(header.version, "version")}}`;
}

/** The header as UTF-8 bytes (frame.ts writes the text straight into the frame instead). */
export function encodeJsonHeader(header: RemotingHeader): Buffer {
  return Buffer.from(jsonHeaderText(header), "utf8");
}

function int32Text(value: number, field: string): string {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new StratusError("ILLEGAL_ARGUMENT", `header ${field} ${String(value)} is not a 32-bit integer`);
  }
  return String(value);
}

function extFieldsText(extFields: Record<string, string> | undefined): string {
  if (extFields === undefined || extFields === null) return "{}";
  let allStrings = true;
  for (const key in extFields) {
    if (typeof extFields[key] !== "string") {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return JSON.stringify(extFields);
  // Defensive path for values that slipped past the type system (numbers, bigints, booleans).
  const normalised: Record<string, string> = {};
  for (const key in extFields) {
    const value = outputValue(extFields[key] as unknown, key);
    if (value !== undefined) setOwn(normalised, key, value);
  }
  return JSON.stringify(normalised);
}

function outputValue(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "boolean") return value.toString();
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < PLAIN_DECIMAL_LIMIT) {
    return String(value);
  }
  throw new StratusError("ILLEGAL_ARGUMENT", `extFields.${key} is not a string or plain integer`);
}

// ---------------------------------------------------------------------------------------------- decode

/** Parses the JSON header in `buf[start, end)`. Throws HEADER_MALFORMED for anything unusable. */
export function decodeJsonHeader(buf: Buffer, start = 0, end = buf.length): RemotingHeader {
  const raw = parseObject(buf.toString("utf8", start, end));
  if (raw.code === undefined || raw.code === null) throw malformed("has no code");
  return {
    code: inputInt32(raw.code, "code"),
    language: inputLanguage(raw.language),
    version: inputInt32(raw.version ?? 0, "version"),
    opaque: inputInt32(raw.opaque ?? 0, "opaque"),
    flag: inputInt32(raw.flag ?? 0, "flag"),
    remark: inputValue(raw.remark),
    extFields: inputExtFields(raw.extFields),
  };
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw malformed(`is not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw malformed("is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function inputInt32(value: unknown, field: string): number {
  let n: number | undefined;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && DECIMAL_INT.test(value)) n = Number(value);
  if (n === undefined || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    throw malformed(`field ${field} is not a 32-bit integer`);
  }
  return n;
}

function inputLanguage(value: unknown): string {
  if (value === undefined || value === null) return "JAVA";
  if (typeof value === "number") return languageCodeToName(value);
  if (typeof value === "string" && Object.hasOwn(LanguageCode, value)) return value;
  return "OTHER";
}

function inputValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function inputExtFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== "object" || Array.isArray(value)) throw malformed("extFields is not an object");
  let count = 0;
  for (const [key, raw] of Object.entries(value)) {
    count += 1;
    if (count > MAX_EXT_FIELDS) throw malformed(`has more than MAX_EXT_FIELDS (${MAX_EXT_FIELDS}) extFields`);
    const normalised = inputValue(raw);
    if (normalised !== undefined) setOwn(out, key, normalised);
  }
  return out;
}

/** Sets an own property even for the key "__proto__", so hostile input cannot touch the prototype. */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function malformed(what: string): StratusError {
  return new StratusError("HEADER_MALFORMED", `JSON remoting header ${what}`);
}
