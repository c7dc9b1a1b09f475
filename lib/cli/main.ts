/** The `stratus` command line: dev (NameServer + broker in one process), namesrv, broker. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BrokerConfig, buildBrokerConfig, parseBrokerConf } from "../broker/broker-config.js";
import { isStratusError, StratusError } from "../common/errors.js";
import { NameServer } from "../namesrv/namesrv.js";
import { type FlagSpec, parseFlags, portFlag, usage } from "./args.js";
import {
  type Cloud,
  type CloudMetadata,
  type CloudOptions,
  openCloud,
  openCloudMetadata,
  startBroker,
} from "./run-broker.js";
import { traceCommand } from "./trace.js";

const CLOUD_KINDS = ["none", "embedded", "aws"] as const;

/** Flags that choose the cloud ports (`withBucket`: the command opens the object store too). */
function cloudFlags(defaultKind: string, use: string, withBucket = true): FlagSpec {
  const flags: FlagSpec = {
    cloud: {
      description:
        `${use}: embedded (files + SQLite under <data-dir>/cloud), aws (S3 + DynamoDB from the standard AWS ` +
        "environment: AWS_REGION, credentials, AWS_ENDPOINT_URL for moto/LocalStack) or none",
      default: defaultKind,
    },
    "metadata-table": {
      description: "--cloud aws: DynamoDB table (else STRATUS_METADATA_TABLE, else stratus-metadata)",
    },
  };
  if (withBucket) {
    flags.bucket = { description: "--cloud aws: S3 bucket (else STRATUS_TIER_BUCKET, else stratus-tier)" };
  }
  return flags;
}

/** The --cloud choice as CloudOptions; undefined for "none". */
function cloudOptions(
  command: string,
  flags: Map<string, string>,
  dataDir: string,
): CloudOptions | undefined {
  const kind = flags.get("cloud") ?? "none";
  if (!(CLOUD_KINDS as readonly string[]).includes(kind)) {
    throw new StratusError(
      "CONFIG_INVALID",
      `stratus ${command}: --cloud must be one of ${CLOUD_KINDS.join(", ")}, got '${kind}'`,
    );
  }
  if (kind === "none") return undefined;
  return {
    kind: kind as CloudOptions["kind"],
    dir: join(dataDir, "cloud"),
    metadataTableName: flags.get("metadata-table"),
    bucketName: flags.get("bucket"),
  };
}

async function openCloudFor(
  command: string,
  flags: Map<string, string>,
  dataDir: string,
): Promise<Cloud | undefined> {
  const options = cloudOptions(command, flags, dataDir);
  if (options === undefined) return undefined;
  const cloud = await openCloud(options);
  process.stderr.write(`stratus ${command}: cloud: ${cloud.description}\n`);
  return cloud;
}

const DEV_FLAGS = {
  "data-dir": {
    description: "where the broker's disk (broker/) and the embedded cloud (cloud/) live",
    default: "./.stratus",
  },
  "namesrv-port": { description: "NameServer port", default: "9876" },
  "broker-port": { description: "broker listenPort (the VIP channel is listenPort - 2)", default: "10911" },
  host: { description: "address to listen on and advertise", default: "127.0.0.1" },
  config: { description: "an Apache-style broker.conf whose keys override the defaults" },
  ...cloudFlags("embedded", "where metadata (routes, topics, offsets) and objects live"),
};

const NAMESRV_FLAGS = {
  port: { description: "NameServer port", default: "9876" },
  host: { description: "address to listen on", default: "0.0.0.0" },
  "broker-expired-ms": {
    description: "drop a broker's routes after this long without registration",
    default: "120000",
  },
  "data-dir": {
    description: "--cloud embedded: the embedded cloud is <data-dir>/cloud",
    default: "./.stratus",
  },
  ...cloudFlags("none", "where routes live, shared by every NameServer on it (none: in memory)", false),
};

const BROKER_FLAGS = {
  config: {
    description: "an Apache-style broker.conf (brokerName, listenPort, namesrvAddr, storePathRootDir, ...)",
  },
  host: { description: "address to listen on", default: "0.0.0.0" },
  "data-dir": {
    description:
      "the local disk is <data-dir>/broker unless broker.conf sets storePathRootDir; the embedded cloud is <data-dir>/cloud",
  },
  ...cloudFlags("none", "where topics, groups and offsets live (none: files on the broker's disk)"),
};

function readConf(path: string | undefined, base: Partial<BrokerConfig>): BrokerConfig {
  if (path === undefined) return buildBrokerConfig("flags", [], base).config;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read --config ${path}: ${(e as Error).message}`);
  }
  const { config, ignoredKeys } = parseBrokerConf(path, text, base);
  if (ignoredKeys.length > 0)
    process.stderr.write(`stratus: ${path}: keys accepted without effect: ${ignoredKeys.join(", ")}\n`);
  return config;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`stratus: ${sig} received, shutting down\n`);
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`stratus: shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => handler("SIGINT"));
  process.on("SIGTERM", () => handler("SIGTERM"));
}

async function dev(argv: string[]): Promise<number> {
  const flags = parseFlags("dev", argv, DEV_FLAGS);
  const host = flags.get("host") ?? "127.0.0.1";
  const namesrvPort = portFlag("dev", flags, "namesrv-port");
  const brokerPort = portFlag("dev", flags, "broker-port");
  const dataDir = flags.get("data-dir") ?? "./.stratus";
  // broker.conf is checked before anything opens or listens, so a bad key fails alone, naming itself.
  const pendingNamesrvAddr = `${host}:${namesrvPort}`;
  let config = readConf(flags.get("config"), {
    brokerIP1: host,
    listenPort: brokerPort,
    namesrvAddr: pendingNamesrvAddr,
    storePathRootDir: join(dataDir, "broker"),
  });
  const cloud = await openCloudFor("dev", flags, dataDir);
  const namesrv = new NameServer({ host, port: namesrvPort, metadataStore: cloud?.metadataStore });
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    await namesrv.start();
    // Unless broker.conf names other NameServers, the broker registers with this one (on the port it got).
    if (config.namesrvAddr === pendingNamesrvAddr)
      config = Object.freeze({ ...config, namesrvAddr: namesrv.address() });
    broker = await startBroker(config, host, { cloud });
  } catch (e) {
    await namesrv.shutdown();
    await cloud?.close();
    throw e;
  }
  onSignals(async () => {
    await broker.shutdown();
    await namesrv.shutdown();
    await cloud?.close();
  });
  process.stdout.write(
    `stratus ready: namesrv ${namesrv.address()} broker ${config.brokerIP1}:${config.listenPort}\n`,
  );
  return new Promise(() => undefined);
}

async function namesrvCommand(argv: string[]): Promise<number> {
  const flags = parseFlags("namesrv", argv, NAMESRV_FLAGS);
  const options = cloudOptions("namesrv", flags, flags.get("data-dir") ?? "./.stratus");
  let cloud: CloudMetadata | undefined;
  if (options !== undefined) {
    cloud = await openCloudMetadata(options);
    process.stderr.write(`stratus namesrv: cloud: ${cloud.description}\n`);
  }
  const namesrv = new NameServer({
    host: flags.get("host") ?? "0.0.0.0",
    port: portFlag("namesrv", flags, "port"),
    brokerChannelExpiredTime: Number(flags.get("broker-expired-ms")),
    metadataStore: cloud?.metadataStore,
  });
  try {
    await namesrv.start();
  } catch (e) {
    await cloud?.close();
    throw e;
  }
  onSignals(async () => {
    await namesrv.shutdown();
    await cloud?.close();
  });
  process.stdout.write(`stratus ready: namesrv ${namesrv.address()}\n`);
  return new Promise(() => undefined);
}

async function brokerCommand(argv: string[]): Promise<number> {
  const flags = parseFlags("broker", argv, BROKER_FLAGS);
  const dataDir = flags.get("data-dir");
  const config = readConf(
    flags.get("config"),
    dataDir === undefined ? {} : { storePathRootDir: join(dataDir, "broker") },
  );
  const cloud = await openCloudFor("broker", flags, dataDir ?? "./.stratus");
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker(config, flags.get("host") ?? "0.0.0.0", { cloud });
  } catch (e) {
    await cloud?.close();
    throw e;
  }
  onSignals(async () => {
    await broker.shutdown();
    await cloud?.close();
  });
  process.stdout.write(
    `stratus ready: broker ${config.brokerIP1}:${config.listenPort} (${config.brokerName})\n`,
  );
  return new Promise(() => undefined);
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  dev,
  namesrv: namesrvCommand,
  broker: brokerCommand,
  trace: traceCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(
      `stratus: ${command ? `unknown command '${command}'` : "no command given"}.\n` +
        `Commands:\n  dev      NameServer + broker in one process (embedded cloud under <data-dir>/cloud)\n` +
        `  namesrv  a NameServer\n  broker   a broker (--config broker.conf)\n` +
        `  trace    what happened to a message: stratus trace <msgId|key> [--namesrv host:port]\n\n${usage("dev", DEV_FLAGS)}\n`,
    );
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (isStratusError(e)) {
      process.stderr.write(`stratus: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
