import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";

/** How many trailing output lines a process keeps for error messages. */
const TAIL_LINES = 60;
/** How long stop() waits after SIGTERM before SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 15_000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child still running when the test process exits, so no server outlives its test run. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every byte of stdout and stderr is appended here. */
  logFile: string;
  /** In its own process group: signal() reaches the whole group (a shell and what it started, like Ctrl-C). */
  detached?: boolean;
}

/** How a process ended: its exit code, or the signal that ended it (both null after a spawn error). */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A child process whose output is logged to a file and watched line by line. */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly lineWaiters = new Set<(line: string) => void>();
  private exitInfo: string | undefined;
  private readonly exited: Promise<ExitStatus>;
  private readonly detached: boolean;

  constructor(options: ManagedProcessOptions) {
    installExitHook();
    this.name = options.name;
    this.logFile = options.logFile;
    this.detached = options.detached === true;
    const log = fs.createWriteStream(options.logFile, { flags: "a" });
    this.child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: this.detached,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(this.child);
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = "";
      stream?.on("data", (chunk: Buffer) => {
        log.write(chunk);
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) this.onLine(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        running.delete(this.child);
        log.end();
        resolve({ code, signal });
      });
      this.child.once("error", (err) => {
        this.exitInfo = `spawn error: ${err.message}`;
        running.delete(this.child);
        log.end();
        resolve({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `undefined` while running, else how it ended. */
  get exit(): string | undefined {
    return this.exitInfo;
  }

  /** Resolves with how the process ended. */
  get ended(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Sends `signal` (to its whole group when detached) and resolves once the process has ended. */
  signal(signal: NodeJS.Signals): Promise<ExitStatus> {
    const pid = this.child.pid;
    if (this.exitInfo === undefined && pid !== undefined) {
      try {
        if (this.detached) process.kill(-pid, signal);
        else this.child.kill(signal);
      } catch {
        // already gone
      }
    }
    return this.exited;
  }

  recentOutput(): string {
    return this.tail.join("\n");
  }

  private onLine(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    for (const waiter of this.lineWaiters) waiter(line);
  }

  /**
   * Resolves with the first output line (from now on) matching `pattern`; rejects if the process exits
   * or `timeoutMs` passes first, quoting the output tail.
   */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        cleanup();
        reject(
          new Error(
            `${this.name}: ${why} while waiting for ${pattern}\n--- last output ---\n${this.recentOutput()}`,
          ),
        );
      };
      const waiter = (line: string) => {
        const m = line.match(pattern);
        if (m) {
          cleanup();
          resolve(m);
        }
      };
      const timer = setTimeout(() => fail(`no match within ${timeoutMs} ms`), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.lineWaiters.delete(waiter);
      };
      this.lineWaiters.add(waiter);
      void this.exited.then(() => fail(`exited (${this.exitInfo})`));
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
