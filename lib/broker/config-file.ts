/**
 * Durable JSON config files under <storePathRootDir>/config (topics.json, consumerOffset.json, ...):
 * written to a temp file, fsynced, renamed over the old one; the previous version is kept as .bak.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { StratusError } from "../common/errors.js";

export function writeConfigFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(path)) copyFileSync(path, `${path}.bak`);
  renameSync(tmp, path);
}

/** The parsed file, falling back to .bak when the main copy is unreadable; undefined when neither exists. */
export function readConfigFile<T>(path: string, parse: (text: string) => T): T | undefined {
  for (const candidate of [path, `${path}.bak`]) {
    if (!existsSync(candidate)) continue;
    try {
      return parse(readFileSync(candidate, "utf8"));
    } catch (e) {
      if (candidate.endsWith(".bak")) {
        throw new StratusError(
          "STORE_CORRUPT",
          `${path} and its .bak are unreadable: ${(e as Error).message}`,
        );
      }
    }
  }
  return undefined;
}
