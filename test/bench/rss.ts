/**
 * Broker resident memory, read from /proc/<pid>/status (Linux). VmRSS is what the issue asks for; RssAnon
 * is shown beside it because a JVM broker maps its CommitLog, and the mapped file pages it touched count in
 * VmRSS (RssFile) although the kernel can drop them at will — Stratus writes with write(2) and has none.
 */
import fs from "node:fs";

export interface RssReading {
  readonly vmRssKiB: number;
  readonly rssAnonKiB: number;
  readonly rssFileKiB: number;
}

/** Parses the VmRSS / RssAnon / RssFile lines of a /proc/<pid>/status text; undefined if VmRSS is absent. */
export function parseProcStatus(text: string): RssReading | undefined {
  const field = (name: string): number | undefined => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m"));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const vmRssKiB = field("VmRSS");
  if (vmRssKiB === undefined) return undefined;
  return { vmRssKiB, rssAnonKiB: field("RssAnon") ?? 0, rssFileKiB: field("RssFile") ?? 0 };
}

export function readRss(pid: number): RssReading | undefined {
  try {
    return parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * User + system CPU seconds a process has used, from /proc/<pid>/stat (fields 14 and 15, counted after the
 * parenthesised command name, which may itself hold spaces); undefined when the text has no such fields.
 */
export function parseProcStatCpuS(text: string): number | undefined {
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state), so utime (14) and stime (15) are rest[11] and rest[12]
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || rest.length < 13) return undefined;
  return (utime + stime) / USER_HZ;
}

export function readCpuS(pid: number): number | undefined {
  try {
    return parseProcStatCpuS(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

export interface RssSample extends RssReading {
  /** The load-generator phase running when the sample was taken ("" before the first). */
  readonly phase: string;
  readonly state: string;
  readonly atMs: number;
}

/** Samples a process's RSS every `intervalMs`, tagging each sample with the phase the caller says is on. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private phase = "";
  private state = "";
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  setPhase(phase: string, state: string): void {
    this.phase = phase;
    this.state = state;
    this.sample();
  }

  private sample(): void {
    const r = readRss(this.pid);
    if (r) this.samples.push({ ...r, phase: this.phase, state: this.state, atMs: Date.now() });
  }

  stop(): RssSample[] {
    clearInterval(this.timer);
    this.sample();
    return this.samples;
  }
}

/** Finds the pid whose command line contains every one of `needles` (e.g. the data dir and main class). */
export function findPidByCmdline(needles: readonly string[]): number | undefined {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (needles.every((n) => cmdline.includes(n))) return Number(entry);
  }
  return undefined;
}
