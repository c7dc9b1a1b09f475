import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads a golden admin-body fixture: `#` lines are comments; the body is the single remaining line, byte for byte
 * (Java's fastjson writes bodies compact, on one line).
 */
export function readAdminFixture(name: string): string {
  const lines = readFileSync(join(import.meta.dirname, `${name}.golden`), "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length !== 1 || lines[0] === undefined)
    throw new Error(`fixture ${name}.golden needs one body line`);
  return lines[0];
}
