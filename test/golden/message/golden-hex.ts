import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface GoldenField {
  name: string;
  bytes: Buffer;
}

/**
 * Reads a golden fixture: one field per line as `HEX  # name`; lines starting with `#` are comments.
 * Fixtures live under test/golden/ (path relative to it).
 */
export function readGoldenFields(relPath: string): GoldenField[] {
  const text = readFileSync(resolve(import.meta.dirname, "..", relPath), "utf8");
  const fields: GoldenField[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const hash = line.indexOf("#");
    const hex = (hash >= 0 ? line.slice(0, hash) : line).replace(/\s+/g, "");
    const name = hash >= 0 ? line.slice(hash + 1).trim() : "";
    if (!/^([0-9A-Fa-f]{2})*$/.test(hex)) throw new Error(`bad hex in ${relPath}: ${line}`);
    fields.push({ name, bytes: Buffer.from(hex, "hex") });
  }
  return fields;
}

/** The whole fixture as one buffer. */
export function readGolden(relPath: string): Buffer {
  return Buffer.concat(readGoldenFields(relPath).map((f) => f.bytes));
}
