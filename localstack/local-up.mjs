// `npm run local:up`: a local AWS endpoint (S3 + DynamoDB) on 127.0.0.1:4566 with the Stratus table and bucket.
//
//   npm run local:up [-- --port N] [--detach] [--table NAME] [--bucket NAME]
//
// Which endpoint, in order:
//   1. a LocalStack already answering /_localstack/health at AWS_ENDPOINT_URL or on the port: provisioned, then
//      left running (it is not ours to stop);
//   2. LocalStack started with its CLI, when `localstack` is on PATH and a Docker daemon answers (LocalStack runs
//      as a container);
//   3. otherwise moto's server from the project-local virtualenv (localstack/moto.mjs installs it on first use).
// Then the table and bucket are created from lib/ports/aws/definitions.ts, the definitions the CDK stacks use
// (via provision.mjs), and the environment to use is printed. It stays in the foreground until Ctrl-C/SIGTERM
// and stops the endpoint it started; --detach leaves the endpoint running and says how to stop it.
// Needs the compiled library (`npm run build`).

import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exitOnFailure, parsePort, portInUse, UsageError } from "./cli.mjs";
import { MOTO_VERSION, ROOT, startMoto } from "./moto.mjs";
import { LOCAL_CREDENTIALS, LOCAL_REGION, provisionLocalCloud } from "./provision.mjs";

export const DEFAULT_PORT = 4566;
const HOST = "127.0.0.1";
const LOCALSTACK_START_TIMEOUT_MS = 180_000;

const say = (/** @type {string} */ line) => process.stdout.write(`${line}\n`);
const note = (/** @type {string} */ line) => process.stderr.write(`local:up: ${line}\n`);

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: "string" },
      detach: { type: "boolean", default: false },
      table: { type: "string" },
      bucket: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  return { ...values, port: values.port === undefined ? DEFAULT_PORT : parsePort("--port", values.port) };
}

/** The parsed /_localstack/health answer, or undefined when no LocalStack answers there. */
async function localstackHealth(endpoint) {
  try {
    const res = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return undefined;
    const body = await res.json();
    return body && typeof body === "object" && "services" in body ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Why LocalStack cannot be started here, or undefined when it can. */
function localstackUnusable() {
  const cli = spawnSync("localstack", ["--version"], { stdio: "ignore", timeout: 30_000 });
  if (cli.error || cli.status !== 0) return "LocalStack is not installed (no `localstack` CLI on PATH)";
  const docker = spawnSync("docker", ["info"], { stdio: "ignore", timeout: 15_000 });
  if (docker.error || docker.status !== 0) {
    return "the LocalStack CLI is installed but no Docker daemon answers (`docker info` failed), and LocalStack runs as a Docker container";
  }
  return undefined;
}

function printEnvironment(kind, endpoint, made, foreground) {
  const t = made.table;
  say(`local cloud: ${kind} at ${endpoint}`);
  say(
    `  DynamoDB table ${t.tableName}: ${made.tableCreated ? "created" : "exists"} ` +
      `(partition key ${t.partitionKey.name} ${t.partitionKey.type}, sort key ${t.sortKey.name} ${t.sortKey.type}, ` +
      `${t.billingMode}, TTL attribute ${t.timeToLiveAttribute})`,
  );
  say(`  S3 bucket ${made.bucket.bucketName}: ${made.bucketCreated ? "created" : "exists"}`);
  say("Use it with:");
  say(`  export AWS_ENDPOINT_URL=${endpoint}`);
  say(`  export AWS_REGION=${LOCAL_REGION}`);
  say(`  export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`);
  say(`  export AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`);
  say(`then: npm run local:cluster${foreground ? "   (Ctrl-C here stops the endpoint)" : ""}`);
  say(`local cloud ready: ${endpoint}`);
}

/**
 * Resolves on the first SIGINT/SIGTERM; later ones are ignored while stopping (Ctrl-C under npm delivers SIGINT
 * twice: from the terminal, and forwarded by npm).
 */
function untilStopped() {
  return new Promise((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
}

async function useRunningLocalstack(endpoint, o, where) {
  note(`LocalStack is already running at ${endpoint} (${where}); provisioning it and leaving it running`);
  const made = await provisionLocalCloud({ endpoint, tableName: o.table, bucketName: o.bucket });
  printEnvironment("LocalStack (already running)", endpoint, made, false);
}

async function startLocalstack(endpoint, o) {
  const env = { ...process.env, GATEWAY_LISTEN: `${HOST}:${o.port}`, SERVICES: "s3,dynamodb" };
  const child = spawn("localstack", o.detach ? ["start", "-d"] : ["start"], { stdio: "inherit", env });
  const deadline = Date.now() + LOCALSTACK_START_TIMEOUT_MS;
  while (!(await localstackHealth(endpoint))) {
    if (child.exitCode !== null && child.exitCode !== 0)
      throw new Error(`localstack start exited ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`LocalStack did not answer at ${endpoint} in time`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const made = await provisionLocalCloud({ endpoint, tableName: o.table, bucketName: o.bucket });
  printEnvironment("LocalStack", endpoint, made, !o.detach);
  if (o.detach) return;
  note(`${await untilStopped()} received, stopping LocalStack`);
  spawnSync("localstack", ["stop"], { stdio: "inherit" });
}

async function startMotoEndpoint(o) {
  const log = (line) => note(line);
  const logFile = path.join(ROOT, ".cache", `local-cloud-moto-${o.port}.log`);
  const moto = await startMoto({ port: o.port, log, detached: o.detach, logFile });
  const made = await provisionLocalCloud({
    endpoint: moto.endpoint,
    tableName: o.table,
    bucketName: o.bucket,
  });
  printEnvironment(`moto ${MOTO_VERSION} (S3 + DynamoDB)`, moto.endpoint, made, !o.detach);
  if (o.detach) {
    say(`moto keeps running in the background (pid ${moto.pid}, log ${path.relative(ROOT, logFile)}):`);
    say(`  stop it with: kill ${moto.pid}`);
    return;
  }
  note(`${await untilStopped()} received, stopping moto`);
  await moto.stop();
}

async function main(argv) {
  const o = options(argv);
  if (o.help) {
    say("usage: npm run local:up [-- --port N] [--detach] [--table NAME] [--bucket NAME]");
    return;
  }
  const endpoint = `http://${HOST}:${o.port}`;
  const configured = process.env.AWS_ENDPOINT_URL;
  if (configured && configured !== endpoint) {
    if (await localstackHealth(configured)) return useRunningLocalstack(configured, o, "AWS_ENDPOINT_URL");
    note(`AWS_ENDPOINT_URL=${configured} answers no /_localstack/health; ignoring it`);
  }
  if (await localstackHealth(endpoint)) return useRunningLocalstack(endpoint, o, `port ${o.port}`);
  if (await portInUse(HOST, o.port)) {
    throw new UsageError(
      `${HOST}:${o.port} is already in use (by something that is not LocalStack; an earlier local:up --detach?): ` +
        `stop that process, or pick another port with \`npm run local:up -- --port N\` ` +
        `and give local:cluster the same endpoint (AWS_ENDPOINT_URL=http://${HOST}:N or --endpoint)`,
    );
  }
  const why = localstackUnusable();
  if (why === undefined) return startLocalstack(endpoint, o);
  note(`${why}: using moto's server instead`);
  return startMotoEndpoint(o);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(() => process.exit(0), exitOnFailure("local:up"));
}
