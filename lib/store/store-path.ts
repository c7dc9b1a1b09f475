/**
 * Where the store keeps its files (protocol §9.1) and how segment files are named.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function commitLogDir(root: string): string {
  return join(root, "commitlog");
}

export function consumeQueueRootDir(root: string): string {
  return join(root, "consumequeue");
}

export function consumeQueueDir(root: string, topic: string, queueId: number): string {
  return join(root, "consumequeue", topic, String(queueId));
}

export function indexDir(root: string): string {
  return join(root, "index");
}

export function checkpointPath(root: string): string {
  return join(root, "checkpoint");
}

export function abortPath(root: string): string {
  return join(root, "abort");
}

/** A segment file name: its start offset, zero-padded to 20 digits (Apache UtilAll.offset2FileName). */
export function offset2FileName(offset: number): string {
  return String(offset).padStart(20, "0");
}

/** Segment files in `dir` (names of exactly 20 digits), sorted by start offset. Creates `dir` if missing. */
export function listSegmentFiles(dir: string): { name: string; start: number }[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .filter((n) => /^\d{20}$/.test(n))
    .map((name) => ({ name, start: Number(name) }))
    .filter((f) => Number.isSafeInteger(f.start))
    .sort((a, b) => a.start - b.start);
}
