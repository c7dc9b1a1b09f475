/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` writes at exit) and ranks where the time went: by
 * function (self time) and by source file, as percentages of the busy (non-idle) samples.
 */
import fs from "node:fs";
import path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime?: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameShare {
  readonly frame: string;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** The workload profiled (1 when absent). */
  readonly workload?: number;
  /** The part of the profile summarised, in ms from its start (the whole profile when undefined). */
  readonly windowMs: readonly [number, number] | undefined;
  readonly busyMs: number;
  readonly idlePercent: number;
  readonly topFunctions: readonly FrameShare[];
  readonly topFiles: readonly FrameShare[];
}

const IDLE = "(idle)";

/** A short, stable name for a source: the path from lib/ or node_modules/ on, or node's internal name. */
export function shortUrl(url: string): string {
  if (url === "") return "";
  const clean = url.replace(/^file:\/\//, "");
  for (const marker of ["/node_modules/", "/dist/lib/", "/lib/"]) {
    const i = clean.lastIndexOf(marker);
    if (i >= 0) return clean.slice(i + 1).replace(/^dist\//, "");
  }
  return clean.startsWith("node:") ? clean : path.basename(clean);
}

function frameName(f: CallFrame): string {
  const fn = f.functionName === "" ? "(anonymous)" : f.functionName;
  const where = shortUrl(f.url);
  return where === "" ? fn : `${fn} ${where}:${f.lineNumber + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): FrameShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({ frame, percent: total === 0 ? 0 : (100 * us) / total }));
}

/**
 * Self time per function and per file. `windowMs` keeps only the samples taken that many ms after the
 * profile started (V8 starts it as the process boots), e.g. the measured window of workload 1.
 */
export function summarizeProfile(
  profile: CpuProfile,
  file: string,
  n = 15,
  windowMs?: readonly [number, number],
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    atUs += us;
    if (windowMs && (atUs < windowMs[0] * 1000 || atUs > windowMs[1] * 1000)) return;
    if (!frame || frame.functionName === IDLE) {
      idleUs += us;
      return;
    }
    busyUs += us;
    const fn = frameName(frame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const src = shortUrl(frame.url) || frame.functionName;
    byFile.set(src, (byFile.get(src) ?? 0) + us);
  });
  const all = busyUs + idleUs;
  return {
    file,
    windowMs,
    busyMs: busyUs / 1000,
    idlePercent: all === 0 ? 0 : (100 * idleUs) / all,
    topFunctions: top(byFunction, busyUs, n),
    topFiles: top(byFile, busyUs, n),
  };
}

/** The newest .cpuprofile in `dir`, summarised; undefined when none was written. */
export function readProfileDir(
  dir: string,
  n = 15,
  windowMs?: readonly [number, number],
): ProfileSummary | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  const newest = files[0];
  if (newest === undefined) return undefined;
  return summarizeProfile(JSON.parse(fs.readFileSync(newest, "utf8")) as CpuProfile, newest, n, windowMs);
}
