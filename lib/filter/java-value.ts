/**
 * Values as Apache's SQL92 evaluator sees them (protocol §10.9), and the Java conversions it applies.
 *
 * Apache evaluates with boxed Java objects: message properties are Strings, literals are Integer / Long / Double /
 * String, TRUE/FALSE are Boolean, an absent property is null (SQL "unknown"). Mixed comparisons convert one side
 * with Integer.valueOf / Long.valueOf / Double.valueOf / Boolean.valueOf, so those are reproduced here exactly,
 * including what they reject (a rejected conversion makes the whole evaluation fail).
 */

export interface JavaInt {
  readonly kind: "int";
  readonly value: number;
}
export interface JavaLong {
  readonly kind: "long";
  readonly value: bigint;
}
export interface JavaDouble {
  readonly kind: "double";
  readonly value: number;
}
export type JavaNumber = JavaInt | JavaLong | JavaDouble;
/** null is SQL "unknown" (an absent property, NULL, or a comparison with either). */
export type JavaValue = null | string | boolean | JavaNumber;

/** The outcome of an evaluation step that threw in Java (the message is then not matched). */
export const EVAL_ERROR: unique symbol = Symbol("EVAL_ERROR");
export type EvalFailure = typeof EVAL_ERROR;

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function javaInt(value: number): JavaInt {
  return { kind: "int", value };
}
export function javaLong(value: bigint): JavaLong {
  return { kind: "long", value };
}
export function javaDouble(value: number): JavaDouble {
  return { kind: "double", value };
}

/** Java String.trim: strips leading and trailing chars <= U+0020 (not Unicode spaces). */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Java Character.digit(c, 10): ASCII digits and every other BMP Unicode decimal digit (runs of ten). */
function javaDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code < 0x80 || !DECIMAL_DIGIT.test(String.fromCharCode(code))) return -1;
  let value = 0;
  while (value < 9 && DECIMAL_DIGIT.test(String.fromCharCode(code - value - 1))) value++;
  return value;
}

/** Java Long.parseLong / Integer.parseInt (radix 10): optional sign, then at least one digit, no spaces. */
function parseJavaInteger(s: string, min: bigint, max: bigint): bigint | undefined {
  if (s.length === 0) return undefined;
  const first = s[0];
  const negative = first === "-";
  const start = negative || first === "+" ? 1 : 0;
  if (start === s.length) return undefined;
  const limit = negative ? -min : max;
  let acc = 0n;
  for (let i = start; i < s.length; i++) {
    const d = javaDigit(s.charCodeAt(i));
    if (d < 0) return undefined;
    acc = acc * 10n + BigInt(d);
    if (acc > limit) return undefined;
  }
  return negative ? -acc : acc;
}

/** Java Integer.valueOf(String); undefined where Java throws NumberFormatException. */
export function javaIntegerValueOf(s: string): JavaInt | undefined {
  const v = parseJavaInteger(s, INT_MIN, INT_MAX);
  return v === undefined ? undefined : javaInt(Number(v));
}

/** Java Long.valueOf(String); undefined where Java throws NumberFormatException. */
export function javaLongValueOf(s: string): JavaLong | undefined {
  const v = parseJavaInteger(s, LONG_MIN, LONG_MAX);
  return v === undefined ? undefined : javaLong(v);
}

/** Java Boolean.valueOf(String): true for "true" in any case, false for everything else. */
export function javaBooleanValueOf(s: string): boolean {
  return s.length === 4 && s.toLowerCase() === "true";
}

const JAVA_DECIMAL_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?$/;
const JAVA_HEX_FLOAT =
  /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?|([0-9a-fA-F]*)\.([0-9a-fA-F]+))[pP]([+-]?[0-9]+)[fFdD]?$/;
const JAVA_SPECIAL_FLOAT = /^([+-]?)(NaN|Infinity)$/;

/** Java Double.valueOf(String): trims, then decimal, hexadecimal (0x1.8p1), NaN or Infinity, optional f/d suffix. */
export function javaDoubleValueOf(s: string): JavaDouble | undefined {
  const t = javaTrim(s);
  if (JAVA_DECIMAL_FLOAT.test(t)) {
    const last = t.charCodeAt(t.length - 1);
    const body = last > 0x39 ? t.slice(0, -1) : t;
    return javaDouble(Number(body));
  }
  const special = JAVA_SPECIAL_FLOAT.exec(t);
  if (special) {
    const v = special[2] === "NaN" ? Number.NaN : Number.POSITIVE_INFINITY;
    return javaDouble(special[1] === "-" ? -v : v);
  }
  const hex = JAVA_HEX_FLOAT.exec(t);
  if (!hex) return undefined;
  const intDigits = hex[2] ?? hex[3] ?? "";
  const fracDigits = hex[4] ?? "";
  const magnitude = hexFloatMagnitude(intDigits + fracDigits, fracDigits.length, hex[5] ?? "0");
  return javaDouble(hex[1] === "-" ? -magnitude : magnitude);
}

/** |0x<digits>p<exp>| with `fracCount` of the digits after the point, correctly rounded to a double. */
function hexFloatMagnitude(digits: string, fracCount: number, exponent: string): number {
  const significant = digits.replace(/^0+/, "");
  if (significant === "") return 0;
  // Exponents beyond ±1e7 saturate: the result is 0 or Infinity either way.
  const exp = Math.max(-1e7, Math.min(1e7, Number(exponent)));
  return roundToDouble(BigInt(`0x${significant}`), exp - 4 * fracCount);
}

/** mantissa * 2^exponent (mantissa > 0) rounded to the nearest double, ties to even, with subnormals. */
export function roundToDouble(mantissa: bigint, exponent: number): number {
  const bits = mantissa.toString(2).length;
  const top = bits - 1 + exponent; // binary exponent of the leading 1
  if (top > 1023) return Number.POSITIVE_INFINITY;
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (precision < 0) return 0;
  if (precision === 0) {
    // value in [2^-1075, 2^-1074): exactly half the smallest subnormal rounds to even (0), above it rounds up.
    return mantissa === 1n << BigInt(bits - 1) ? 0 : 2 ** -1074;
  }
  const shift = bits - precision;
  if (shift <= 0) return Number(mantissa) * 2 ** exponent;
  let q = mantissa >> BigInt(shift);
  const rest = mantissa & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  return Number(q) * 2 ** (exponent + shift);
}

/** Java Double.compare: numeric order, except -0.0 < 0.0 and NaN equal to itself and above everything. */
export function compareJavaDouble(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const negA = Object.is(a, -0);
    const negB = Object.is(b, -0);
    return negA === negB ? 0 : negA ? -1 : 1;
  }
  const nanA = Number.isNaN(a);
  const nanB = Number.isNaN(b);
  return nanA && nanB ? 0 : nanA ? 1 : -1;
}

function sign(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type NonNull = Exclude<JavaValue, null>;

/** compareTo between two values of the same Java class (String compares UTF-16 code units, false < true). */
function compareSameKind(lv: NonNull, rv: NonNull): number {
  if (typeof lv === "object" && typeof rv === "object") {
    if (lv.kind === "double" && rv.kind === "double") return compareJavaDouble(lv.value, rv.value);
    return sign(lv.value, rv.value);
  }
  if (typeof lv === "string" && typeof rv === "string") return lv < rv ? -1 : lv > rv ? 1 : 0;
  return sign(Number(lv), Number(rv));
}

function kindOf(v: NonNull): "string" | "boolean" | JavaNumber["kind"] {
  return typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : v.kind;
}

/** The number a string converts to when compared with a number of `kind`; EVAL_ERROR where Java's valueOf throws. */
function convertString(s: string, kind: JavaNumber["kind"]): JavaNumber | EvalFailure {
  const v =
    kind === "int" ? javaIntegerValueOf(s) : kind === "long" ? javaLongValueOf(s) : javaDoubleValueOf(s);
  return v ?? EVAL_ERROR;
}

function compareNumbers(l: JavaNumber, r: JavaNumber): number {
  if (l.kind === r.kind) return compareSameKind(l, r);
  if (l.kind === "double" || r.kind === "double") return compareJavaDouble(Number(l.value), Number(r.value));
  return sign(BigInt(l.value), BigInt(r.value)); // int against long: widened to long
}

/**
 * Apache's ComparisonExpression.__compare with string conversion on: same classes compare naturally; numbers widen
 * (int → long → double); a string against a number is parsed as that number's class, against a boolean with
 * Boolean.valueOf. A Boolean on the left of a String throws in Java (it casts the Boolean to String): EVAL_ERROR.
 * Any other mix (a boolean against a number) answers -1, as Java does.
 */
export function javaCompare(lv: NonNull, rv: NonNull): number | EvalFailure {
  const lk = kindOf(lv);
  const rk = kindOf(rv);
  if (lk === rk) return compareSameKind(lv, rv);
  if (lk === "boolean") return rk === "string" ? EVAL_ERROR : -1;
  if (lk === "string") {
    if (rk === "boolean") return compareSameKind(javaBooleanValueOf(lv as string), rv);
    const l = convertString(lv as string, rk as JavaNumber["kind"]);
    return l === EVAL_ERROR ? l : compareNumbers(l, rv as JavaNumber);
  }
  if (rk === "boolean") return -1;
  if (rk === "string") {
    const r = convertString(rv as string, lk);
    return r === EVAL_ERROR ? r : compareNumbers(lv as JavaNumber, r);
  }
  return compareNumbers(lv as JavaNumber, rv as JavaNumber);
}

/** Java unary minus on a boxed number (int and long wrap); anything else negates to null, as in Apache. */
export function javaNegate(v: JavaValue): JavaValue {
  if (v === null || typeof v === "string" || typeof v === "boolean") return null;
  if (v.kind === "int") return javaInt(-v.value | 0);
  if (v.kind === "long") return javaLong(BigInt.asIntN(64, -v.value));
  return javaDouble(-v.value);
}

/** How Java would print the value (for error messages). */
export function javaToString(v: JavaValue): string {
  if (v === null) return "NULL";
  if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return String(v.value);
}
