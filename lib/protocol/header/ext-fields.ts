/**
 * Typed reads of a command's extFields (the "custom header"). A missing required field or an unparsable
 * number raises StratusError("HEADER_MALFORMED") naming the field, as Java's RemotingCommandException does.
 */
import { StratusError } from "../../common/errors.js";

export type ExtFields = Readonly<Record<string, string>>;

const INTEGER = /^-?\d{1,19}$/;

function missing(name: string): StratusError {
  return new StratusError("HEADER_MALFORMED", `the custom field <${name}> is null`);
}

export function optionalString(ext: ExtFields, name: string): string | undefined {
  const v = ext[name];
  return v === undefined || v === "" ? undefined : v;
}

export function requireString(ext: ExtFields, name: string): string {
  const v = optionalString(ext, name);
  if (v === undefined) throw missing(name);
  return v;
}

/** A Java int/long field as a JS number; must be a plain decimal integer within the safe range. */
export function optionalNumber(ext: ExtFields, name: string): number | undefined {
  const v = optionalString(ext, name);
  if (v === undefined) return undefined;
  const trimmed = v.trim();
  if (!INTEGER.test(trimmed)) {
    throw new StratusError(
      "HEADER_MALFORMED",
      `the custom field <${name}> is not an integer: ${v.slice(0, 40)}`,
    );
  }
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) {
    // Java Long.MAX_VALUE is used as "no upper bound" (e.g. endTimestamp); clamp instead of failing.
    return n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return n;
}

export function requireNumber(ext: ExtFields, name: string): number {
  const v = optionalNumber(ext, name);
  if (v === undefined) throw missing(name);
  return v;
}

export function optionalBoolean(ext: ExtFields, name: string): boolean | undefined {
  const v = optionalString(ext, name);
  if (v === undefined) return undefined;
  return v.trim().toLowerCase() === "true";
}

/** Encode numbers and booleans as the strings Java expects (never exponent notation). */
export function extString(v: number | boolean | string): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "0";
    // Safe integers print as plain decimals; only larger ones need BigInt to avoid exponent form.
    return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v);
  }
  return String(v);
}
