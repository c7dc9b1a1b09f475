import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads a golden JSON-body fixture: `#` lines are comments; the body is the single remaining line, byte for
 * byte (bodies are compact, so one line). Throws if there is not exactly one body line.
 */
export function readBodyFixture(name: string): string {
  const lines = readFileSync(join(import.meta.dirname, `${name}.golden`), "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length !== 1 || lines[0] === undefined)
    throw new Error(`fixture ${name}.golden needs one body line`);
  return lines[0];
}

/** Reads a hex fixture: hex digits, whitespace ignored, `#` starts a comment to end of line. */
export function readHexFixture(name: string): Buffer {
  const hex = readFileSync(join(import.meta.dirname, `${name}.hex`), "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join("")
    .replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`fixture ${name}.hex is not whole hex bytes`);
  return Buffer.from(hex, "hex");
}
