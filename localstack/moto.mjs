// The local S3 + DynamoDB endpoint for tests and `stratus dev --cloud aws`: moto's server (PyPI
// `moto[server]`, pinned below) in a project-local virtualenv, started on a free loopback port.
//
// Plain ESM JavaScript (typed by moto.d.mts) so that `node localstack/moto.mjs start` works on a fresh
// machine without a TypeScript loader; the tests import the same functions.
//
//   node localstack/moto.mjs install          create .cache/moto-venv and install moto (no-op when cached)
//   node localstack/moto.mjs start [--port N] install if needed, start, print AWS_ENDPOINT_URL, run until
//                                             SIGINT/SIGTERM
//
// Needs python3 (3.9+, with the venv module) and pip reaching PyPI on the first run only. The install leaves
// a stamp holding the pinned requirement and the interpreter's version, so a cached run costs one file read.
// Concurrent installers (parallel test files) serialise on a lock directory.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
/** moto's release, pinned: its behaviour is what the AWS contract suites are checked against. */
export const MOTO_VERSION = "5.1.22";
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
export const VENV_DIR = path.join(ROOT, ".cache", "moto-venv");
const STAMP = path.join(VENV_DIR, "stratus-stamp");
/** moto's WSGI app behind one lock (moto_server.py says why plain `python -m moto.server` is not enough). */
const SERVER_SCRIPT = path.join(ROOT, "localstack", "moto_server.py");
const LOCK_DIR = `${VENV_DIR}.lock`;

const INSTALL_TIMEOUT_MS = 15 * 60_000;
const LOCK_WAIT_MS = 16 * 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function venvPython() {
  return path.join(VENV_DIR, "bin", "python");
}

/**
 * Runs a command to completion without blocking the event loop (a vitest worker must keep answering).
 * @param {string} cmd @param {string[]} args @returns {Promise<string>} its stdout
 */
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], timeout: INSTALL_TIMEOUT_MS });
    let out = "";
    let err = "";
    child.stdout?.on("data", (/** @type {Buffer} */ d) => {
      out += d.toString("utf8");
    });
    child.stderr?.on("data", (/** @type {Buffer} */ d) => {
      err = (err + d.toString("utf8")).slice(-20_000);
    });
    child.once("error", (e) => reject(new Error(`${cmd} ${args.join(" ")}: ${e.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(out.trim());
      const tail = `${out}${err}`.trim().split("\n").slice(-20).join("\n");
      reject(new Error(`${cmd} ${args.join(" ")} exited ${code ?? signal}:\n${tail}`));
    });
  });
}

function hostPythonVersion() {
  return run("python3", ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
}

async function expectedStamp() {
  return `${MOTO_REQUIREMENT} python ${await hostPythonVersion()}\n`;
}

function isInstalled(stamp) {
  try {
    return fs.readFileSync(STAMP, "utf8") === stamp && fs.existsSync(venvPython());
  } catch {
    return false;
  }
}

/** Takes the install lock; a lock whose holder died is broken. @param {(line: string) => void} log */
async function acquireLock(log) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  fs.mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, "pid"), String(process.pid));
      return;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== "EEXIST") throw e;
    }
    if (lockHolderIsDead()) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`moto install lock ${LOCK_DIR} held too long`);
    if (!told) log("moto: waiting for another process to finish installing");
    told = true;
    await sleep(500);
  }
}

function lockHolderIsDead() {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(LOCK_DIR, "pid"), "utf8"));
  } catch {
    return false; // being created right now; look again shortly
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === "ESRCH";
  }
}

/**
 * Creates the virtualenv and installs the pinned moto unless the stamp says it is there.
 * @param {(line: string) => void} [log]
 * @returns {Promise<string>} the virtualenv's python
 */
export async function ensureMoto(log = () => {}) {
  const stamp = await expectedStamp();
  if (isInstalled(stamp)) return venvPython();
  await acquireLock(log);
  try {
    if (isInstalled(stamp)) return venvPython();
    const started = Date.now();
    log(`moto: installing ${MOTO_REQUIREMENT} into ${path.relative(ROOT, VENV_DIR)}`);
    fs.rmSync(VENV_DIR, { recursive: true, force: true });
    await run("python3", ["-m", "venv", VENV_DIR]);
    const pip = [venvPython(), "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"];
    await run(pip[0], [...pip.slice(1), "install", MOTO_REQUIREMENT]);
    await run(venvPython(), [
      "-c",
      "import moto.moto_server.werkzeug_app, werkzeug.serving, flask, flask_cors",
    ]);
    fs.writeFileSync(STAMP, stamp);
    log(`moto: installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return venvPython();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** A port free on 127.0.0.1 right now (the OS picks it). @returns {Promise<number>} */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** @param {string} endpoint @param {import("node:child_process").ChildProcess} child */
async function waitUntilServing(endpoint, child) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(`${endpoint}/moto-api/reset`, {
        method: "POST",
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * The server process. Attached (the default): bound to this process (--parent-pid, killed on exit), output kept
 * in memory for error messages. Detached: outlives this process, output appended to `logFile`.
 * @param {string} python @param {number} port @param {{detached?: boolean, logFile?: string}} options
 */
function spawnServer(python, port, options) {
  const args = [SERVER_SCRIPT, "-H", "127.0.0.1", "-p", String(port)];
  const env = { ...process.env, PYTHONUNBUFFERED: "1" };
  if (options.detached) {
    if (!options.logFile) throw new Error("a detached moto needs a logFile");
    const fd = fs.openSync(options.logFile, "a");
    try {
      const child = spawn(python, args, { stdio: ["ignore", fd, fd], env, detached: true });
      child.unref();
      return { child, output: () => readTail(options.logFile) };
    } finally {
      fs.closeSync(fd);
    }
  }
  const lines = [];
  const child = spawn(python, [...args, "--parent-pid", String(process.pid)], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const keep = (/** @type {Buffer} */ chunk) => {
    lines.push(chunk.toString("utf8"));
    if (lines.length > 200) lines.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => lines.join("") };
}

/** @param {string | undefined} file */
function readTail(file) {
  try {
    return file ? fs.readFileSync(file, "utf8").slice(-4000) : "";
  } catch {
    return "";
  }
}

/**
 * Starts moto on a free loopback port, or `port` (installing it first if needed).
 * @param {{port?: number, log?: (line: string) => void, detached?: boolean, logFile?: string}} [options]
 */
export async function startMoto(options = {}) {
  const log = options.log ?? (() => {});
  const python = await ensureMoto(log);
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    const endpoint = `http://127.0.0.1:${port}`;
    const { child, output } = spawnServer(python, port, options);
    const onExit = () => child.kill("SIGKILL");
    if (!options.detached) process.once("exit", onExit);
    if (await waitUntilServing(endpoint, child)) {
      log(`moto: serving ${endpoint} (pid ${child.pid})`);
      return {
        endpoint,
        port,
        pid: child.pid,
        stop: () => stopChild(child, onExit),
      };
    }
    process.removeListener("exit", onExit);
    child.kill("SIGKILL");
    if (options.port !== undefined || attempt === 2) {
      throw new Error(`moto did not start on ${endpoint}:\n${output().slice(-4000)}`);
    }
  }
  throw new Error("unreachable");
}

/** @param {import("node:child_process").ChildProcess} child @param {() => void} onExit */
function stopChild(child, onExit) {
  process.removeListener("exit", onExit);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.kill("SIGTERM");
  });
}

async function main(argv) {
  const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);
  const [command, ...rest] = argv;
  if (command === "install") {
    log(await ensureMoto(log));
    return;
  }
  if (command === "start") {
    const i = rest.indexOf("--port");
    const port = i >= 0 ? Number(rest[i + 1]) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new Error(`--port needs a port number, got ${rest[i + 1]}`);
    }
    const moto = await startMoto({ port, log });
    process.stdout.write(`AWS_ENDPOINT_URL=${moto.endpoint}\n`);
    const stop = () => void moto.stop().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return;
  }
  throw new Error("usage: node localstack/moto.mjs install | start [--port N]");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
