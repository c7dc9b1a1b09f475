import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads a golden frame fixture: hex digits, whitespace ignored, `#` starts a comment to end of line.
 * Throws on anything that is not an even run of hex digits, so a damaged fixture cannot pass silently.
 */
export function readHexFixture(name: string): Buffer {
  const text = readFileSync(join(import.meta.dirname, `${name}.hex`), "utf8");
  const hex = text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join("")
    .replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`fixture ${name}.hex is not whole hex bytes`);
  return Buffer.from(hex, "hex");
}
