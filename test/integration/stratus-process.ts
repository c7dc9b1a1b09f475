/**
 * Runs `node bin/stratus.js dev` as a real child process on free loopback ports, for integration tests that
 * need real sockets, real files and real signals (SIGKILL included).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../bin/stratus.js");
const READY_TIMEOUT_MS = 30_000;

/** A free TCP port p such that p - 2 is free too (the broker's VIP channel). */
export async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = await freePort();
    if (p > 1026 && (await isFree(p - 2))) return p;
  }
  throw new Error("no free port pair found");
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

export interface StratusDev {
  namesrvAddr: string;
  brokerAddr: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  namesrvPort?: number;
  brokerPort?: number;
  /** broker.conf text written next to the data dir and passed with --config. */
  brokerConf?: string;
}

export async function startStratusDev(options: StartOptions = {}): Promise<StratusDev> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "stratus-it-"));
  const namesrvPort = options.namesrvPort ?? (await freePort());
  const brokerPort = options.brokerPort ?? (await freeBrokerPort());
  const args = [
    BIN,
    "dev",
    "--data-dir",
    dataDir,
    "--namesrv-port",
    String(namesrvPort),
    "--broker-port",
    String(brokerPort),
  ];
  if (options.brokerConf !== undefined) {
    const { writeFileSync } = await import("node:fs");
    const conf = join(dataDir, "broker.conf");
    writeFileSync(conf, options.brokerConf);
    args.push("--config", conf);
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`stratus dev not ready in time:\n${out}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      if (out.includes("stratus ready:")) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`stratus dev exited with ${code}:\n${out}`));
    });
  });
  return {
    namesrvAddr: `127.0.0.1:${namesrvPort}`,
    brokerAddr: `127.0.0.1:${brokerPort}`,
    dataDir,
    child,
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
