/** The `stratus` command line: dev (NameServer + broker in one process), namesrv, broker. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BrokerConfig, buildBrokerConfig, parseBrokerConf } from "../broker/broker-config.js";
import { isStratusError } from "../common/errors.js";
import { NameServer } from "../namesrv/namesrv.js";
import { parseFlags, portFlag, usage } from "./args.js";
import { startBroker } from "./run-broker.js";
import { traceCommand } from "./trace.js";

const DEV_FLAGS = {
  "data-dir": {
    description: "where the broker's disk (broker/) and the embedded cloud (cloud/) live",
    default: "./.stratus",
  },
  "namesrv-port": { description: "NameServer port", default: "9876" },
  "broker-port": { description: "broker listenPort (the VIP channel is listenPort - 2)", default: "10911" },
  host: { description: "address to listen on and advertise", default: "127.0.0.1" },
  config: { description: "an Apache-style broker.conf whose keys override the defaults" },
};

const NAMESRV_FLAGS = {
  port: { description: "NameServer port", default: "9876" },
  host: { description: "address to listen on", default: "0.0.0.0" },
  "broker-expired-ms": {
    description: "drop a broker's routes after this long without registration",
    default: "120000",
  },
};

const BROKER_FLAGS = {
  config: {
    description: "an Apache-style broker.conf (brokerName, listenPort, namesrvAddr, storePathRootDir, ...)",
  },
  host: { description: "address to listen on", default: "0.0.0.0" },
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
  const namesrv = new NameServer({ host, port: namesrvPort });
  await namesrv.start();
  const config = readConf(flags.get("config"), {
    brokerIP1: host,
    listenPort: brokerPort,
    namesrvAddr: namesrv.address(),
    storePathRootDir: join(dataDir, "broker"),
  });
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker(config, host);
  } catch (e) {
    await namesrv.shutdown();
    throw e;
  }
  onSignals(async () => {
    await broker.shutdown();
    await namesrv.shutdown();
  });
  process.stdout.write(
    `stratus ready: namesrv ${namesrv.address()} broker ${config.brokerIP1}:${config.listenPort}\n`,
  );
  return new Promise(() => undefined);
}

async function namesrvCommand(argv: string[]): Promise<number> {
  const flags = parseFlags("namesrv", argv, NAMESRV_FLAGS);
  const namesrv = new NameServer({
    host: flags.get("host") ?? "0.0.0.0",
    port: portFlag("namesrv", flags, "port"),
    brokerChannelExpiredTime: Number(flags.get("broker-expired-ms")),
  });
  await namesrv.start();
  onSignals(() => namesrv.shutdown());
  process.stdout.write(`stratus ready: namesrv ${namesrv.address()}\n`);
  return new Promise(() => undefined);
}

async function brokerCommand(argv: string[]): Promise<number> {
  const flags = parseFlags("broker", argv, BROKER_FLAGS);
  const config = readConf(flags.get("config"), {});
  const broker = await startBroker(config, flags.get("host") ?? "0.0.0.0");
  onSignals(() => broker.shutdown());
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
        `Commands:\n  dev      NameServer + broker in one process on embedded storage\n` +
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
