import { spawn } from "node:child_process";
import path from "node:path";

/** Output kept per stream; anything beyond is dropped (the tail matters less than a bounded heap). */
const MAX_CAPTURE_BYTES = 8 * 1024 * 1024;

/** The `java` launcher: $JAVA_HOME/bin/java when JAVA_HOME is set, else the one on PATH. */
export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, "bin", "java") : "java";
}

export interface JavaRunOptions {
  classpath: string;
  mainClass: string;
  args: readonly string[];
  jvmArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Hard limit: the JVM is killed (SIGKILL) when it runs longer. */
  timeoutMs: number;
}

export interface JavaRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The command as a shell line, for error messages and reruns by hand. */
  commandLine: string;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Runs one JVM to completion, capturing its output; never rejects for a non-zero exit. */
export function runJava(options: JavaRunOptions): Promise<JavaRunResult> {
  const args = [...(options.jvmArgs ?? []), "-cp", options.classpath, options.mainClass, ...options.args];
  const shown = [...(options.jvmArgs ?? []), "-cp", "<classpath>", options.mainClass, ...options.args];
  const commandLine = [javaCommand(), ...shown].map(shellQuote).join(" ");
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(javaCommand(), args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = { out: 0, err: 0 };
    child.stdout.on("data", (b: Buffer) => {
      sizes.out += b.length;
      if (sizes.out <= MAX_CAPTURE_BYTES) out.push(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      sizes.err += b.length;
      if (sizes.err <= MAX_CAPTURE_BYTES) err.push(b);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extra = "") => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + extra,
        durationMs: Date.now() - started,
        commandLine,
      });
    };
    child.once("error", (e) => finish(null, null, `\nspawn failed: ${e.message}`));
    child.once("close", (code, signal) => finish(code, signal));
  });
}
