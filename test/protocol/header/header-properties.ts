/**
 * Shared property tests for the extFields header decoders (lib/protocol/header/*). A header is described
 * field by field — its extFields key, the decoded property, how a valid wire value reads, whether it is
 * required and what an absent optional field decodes to — and `headerProperties` checks that:
 *   - every valid extFields record decodes to the header the descriptors predict;
 *   - arbitrary records decode or raise HEADER_MALFORMED naming one of the header's fields;
 *   - a valid record with one field garbled decodes, or fails naming exactly that field;
 *   - a valid record with fields dropped fails naming a dropped required field, and only then.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { isStratusError, type StratusError } from "../../../lib/common/errors.js";
import { type ExtFields, extString } from "../../../lib/protocol/header/ext-fields.js";
import { errorOf } from "../../support/error-of.js";

export interface FieldSpec {
  /** The extFields key (one letter for SEND_MESSAGE_V2). */
  ext: string;
  /** The decoded header's property. */
  prop: string;
  kind: "string" | "number" | "boolean" | "raw";
  required: boolean;
  /** What the decoder yields when an optional field is absent or empty. */
  absent?: unknown;
  /** Valid wire values and what they decode to, when the kind's default generator does not fit. */
  values?: fc.Arbitrary<readonly [string, unknown]>;
}

type Opts = { absent?: unknown; prop?: string };

/** Descriptor makers for one kind of field: optional (`absent` is what it decodes to when missing) or required. */
const optional =
  (kind: FieldSpec["kind"]) =>
  (ext: string, o: Opts = {}): FieldSpec => ({
    ext,
    prop: o.prop ?? ext,
    kind,
    required: false,
    absent: o.absent,
  });
const required =
  (kind: FieldSpec["kind"]) =>
  (ext: string, prop = ext): FieldSpec => ({ ext, prop, kind, required: true });

export const str = optional("string");
export const reqStr = required("string");
export const num = optional("number");
export const reqNum = required("number");
export const bool = optional("boolean");

const safeLong = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
);

const VALUES: Record<FieldSpec["kind"], fc.Arbitrary<readonly [string, unknown]>> = {
  string: fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).map((s) => [s, s] as const),
  // Java's Long.parseLong would refuse the blanks; Stratus trims them, and the property pins that.
  number: fc
    .tuple(safeLong, fc.constantFrom("", " ", "\t"))
    .map(([n, pad]) => [`${pad}${extString(n)}${pad}`, n] as const),
  boolean: fc.constantFrom(
    ["true", true],
    ["TRUE", true],
    [" True ", true],
    ["false", false],
    ["yes", false],
    ["1", false],
  ),
  raw: fc.string({ unit: "binary", maxLength: 20 }).map((s) => [s, s] as const),
};

/** Values a hostile client might put in any field: text, numbers that do not parse, numbers too long. */
export const arbHostileValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "",
    " ",
    "-",
    "+1",
    "1.5",
    "0x10",
    "1e3",
    "NaN",
    "Infinity",
    "-0",
    "٣",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
  ),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);

export interface ValidHeader {
  ext: Record<string, string>;
  header: Record<string, unknown>;
}

/** A valid extFields record for `fields` (optional ones sometimes absent) and the header it decodes to. */
export function arbValidHeader(fields: readonly FieldSpec[]): fc.Arbitrary<ValidHeader> {
  const perField = fields.map((f) => {
    const present = (f.values ?? VALUES[f.kind]).map((v) => ({ f, v }) as const);
    return f.required ? present : fc.option(present, { nil: undefined }).map((p) => p ?? { f, v: undefined });
  });
  return fc.tuple(...perField).map((picked) => {
    const ext: Record<string, string> = {};
    const header: Record<string, unknown> = {};
    for (const { f, v } of picked) {
      if (v === undefined) {
        header[f.prop] = f.absent;
      } else {
        ext[f.ext] = v[0];
        header[f.prop] = v[1];
      }
    }
    return { ext, header };
  });
}

/** The extFields key a HEADER_MALFORMED error names ("the custom field <queueId> is ..."). */
function namedField(e: unknown, fields: readonly FieldSpec[]): string {
  expect(isStratusError(e, "HEADER_MALFORMED"), String(e)).toBe(true);
  const name = /^the custom field <([^>]*)> /.exec((e as StratusError).message)?.[1];
  expect(fields.map((f) => f.ext)).toContain(name);
  return name as string;
}

function expectWellTyped(h: Record<string, unknown>, fields: readonly FieldSpec[]): void {
  for (const f of fields) {
    const v = h[f.prop];
    if (v === undefined && !f.required) continue;
    if (f.kind === "number") expect(Number.isSafeInteger(v), `${f.prop}=${String(v)}`).toBe(true);
    else if (f.kind === "boolean") expect(typeof v).toBe("boolean");
    else expect(typeof v).toBe("string");
  }
}

/** Registers the four properties for one header decoder (call inside a describe). */
export function headerProperties(
  decode: (ext: ExtFields) => unknown,
  fields: readonly FieldSpec[],
  extra: Record<string, unknown> = {},
): void {
  const valid = arbValidHeader(fields);
  const decodeRecord = (ext: ExtFields) => decode(ext) as Record<string, unknown>;

  it("decodes every valid extFields record to the header it spells (property)", () => {
    fc.assert(
      fc.property(valid, ({ ext, header }) => {
        expect(decodeRecord(ext)).toEqual({ ...header, ...extra });
      }),
    );
  });

  it("decodes arbitrary extFields or raises HEADER_MALFORMED naming one of its fields (property)", () => {
    const key = fc.oneof(fc.constantFrom(...fields.map((f) => f.ext)), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.dictionary(key, arbHostileValue, { maxKeys: fields.length * 2 }), (ext) => {
        const e = errorOf(() => expectWellTyped(decodeRecord(ext), fields));
        if (e !== undefined) namedField(e, fields);
      }),
    );
  });

  it("decodes a garbled field or raises HEADER_MALFORMED naming exactly that field (property)", () => {
    fc.assert(
      fc.property(valid, fc.nat(fields.length - 1), arbHostileValue, ({ ext, header }, i, junk) => {
        const f = fields[i] as FieldSpec;
        const e = errorOf(() => {
          const h = decodeRecord({ ...ext, [f.ext]: junk });
          expectWellTyped(h, fields);
          for (const other of fields) if (other !== f) expect(h[other.prop]).toEqual(header[other.prop]);
        });
        if (e !== undefined) expect(namedField(e, fields)).toBe(f.ext);
      }),
    );
  });

  it("fails on dropped fields exactly when a required one is among them, naming it (property)", () => {
    fc.assert(
      fc.property(valid, fc.uniqueArray(fc.nat(fields.length - 1)), ({ ext }, drop) => {
        const dropped = drop.map((i) => fields[i] as FieldSpec);
        const cut = { ...ext };
        for (const f of dropped) delete cut[f.ext];
        const droppedRequired = dropped.filter((f) => f.required).map((f) => f.ext);
        const e = errorOf(() => decodeRecord(cut));
        if (droppedRequired.length === 0) expect(e).toBeUndefined();
        else expect(droppedRequired).toContain(namedField(e, fields));
      }),
    );
  });
}
