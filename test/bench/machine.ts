/**
 * The machine's own limits, measured in the same run so that every broker figure can be shown as a
 * fraction of what this box can do at all: loopback request/response at the bench's concurrency and
 * one-way loopback bandwidth (Java, LoadGen echo), and sequential write + fdatasync on the store's disk.
 */
import fs from "node:fs";
import path from "node:path";
import { type LoadGenEvent, runLoadGen } from "./loadgen.js";

export interface FsyncLimits {
  /** 1 KiB write + fdatasync, back to back, on one file: the rate of a store that syncs every message. */
  readonly syncsPerSec: number;
  readonly syncP50Ms: number;
  /** 1 MiB write + fdatasync: sequential durable bandwidth. */
  readonly syncedMbPerSec: number;
}

export interface MachineLimits {
  readonly echoThreads: number;
  readonly echoRoundTripsPerSec: number | undefined;
  readonly echoP50Ms: number | undefined;
  readonly echoP99Ms: number | undefined;
  readonly loopbackStreamMbPerSec: number | undefined;
  readonly fsync: FsyncLimits;
  readonly error: string | undefined;
}

const SMALL_WRITE_BYTES = 1024;
const LARGE_WRITE_BYTES = 1024 * 1024;
const MAX_BYTES_WRITTEN = 512 * 1024 * 1024;

function timedSyncLoop(fd: number, buf: Buffer, seconds: number): { count: number; latencies: number[] } {
  const latencies: number[] = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let position = 0;
  while (process.hrtime.bigint() < end && position < MAX_BYTES_WRITTEN) {
    const t0 = process.hrtime.bigint();
    fs.writeSync(fd, buf, 0, buf.length, position);
    fs.fdatasyncSync(fd);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    position += buf.length;
  }
  return { count: latencies.length, latencies };
}

/** Sequential write + fdatasync in `dir` (the same file system as the brokers' stores). Blocks the event loop. */
export function measureFsync(dir: string, seconds: number): FsyncLimits {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = fs.openSync(file, "w");
  try {
    const small = timedSyncLoop(fd, Buffer.alloc(SMALL_WRITE_BYTES, 0x61), seconds);
    fs.ftruncateSync(fd, 0);
    const large = timedSyncLoop(fd, Buffer.alloc(LARGE_WRITE_BYTES, 0x62), seconds);
    small.latencies.sort((a, b) => a - b);
    const largeSeconds = large.latencies.reduce((a, b) => a + b, 0) / 1000;
    return {
      syncsPerSec: small.count / (small.latencies.reduce((a, b) => a + b, 0) / 1000),
      syncP50Ms: small.latencies[Math.floor(small.latencies.length / 2)] ?? Number.NaN,
      syncedMbPerSec: large.count / largeSeconds,
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export async function measureMachine(options: {
  classpath: string;
  threads: number;
  bodyBytes: number;
  seconds: number;
  scratchDir: string;
  onEvent: (e: LoadGenEvent) => void;
}): Promise<MachineLimits> {
  const echo = await runLoadGen({
    classpath: options.classpath,
    args: [
      "echo",
      `threads=${options.threads}`,
      `size=${options.bodyBytes}`,
      `warm=${Math.min(1, options.seconds)}`,
      `seconds=${options.seconds}`,
    ],
    logDir: path.join(options.scratchDir, "echo-logs"),
    timeoutMs: 60_000 + options.seconds * 4000,
    onEvent: options.onEvent,
  });
  const r = echo.results.get("echo") ?? {};
  const latency = (r.latency ?? {}) as Record<string, unknown>;
  return {
    echoThreads: options.threads,
    echoRoundTripsPerSec: num(r.roundTripsPerSec),
    echoP50Ms: num(latency.p50Ms),
    echoP99Ms: num(latency.p99Ms),
    loopbackStreamMbPerSec: num(r.streamMbPerSec),
    fsync: measureFsync(options.scratchDir, options.seconds),
    error: echo.error,
  };
}
