/**
 * The container's settings, read once from the environment the ECS task definition sets, validated, frozen.
 *
 *   STRATUS_ROLE              namesrv | broker (required)
 *   STRATUS_HEALTH_PORT       HTTP health endpoint port (8080)
 *   STRATUS_BIND_HOST         address the remoting and health servers listen on (0.0.0.0)
 *   STRATUS_DRAIN_MS          broker: how long to keep serving after SIGTERM with write permission wiped (30000)
 *   STRATUS_METRICS_INTERVAL_MS
 *                             broker: how often the upload-backlog metric line goes to stdout (60000; 0: never)
 *   STRATUS_NAMESRV_PORT      namesrv: listen port (9876)
 *   STRATUS_BROKER_EXPIRED_MS namesrv: drop a broker after this long without registration (120000)
 *   STRATUS_METADATA_TABLE    namesrv: keep routes, broker leases and the KV table in this DynamoDB table (ADR 0005:
 *                             stateless NameServers; the AWS SDK's environment gives region, credentials and an
 *                             optional endpoint). Unset: routes in memory.
 *   STRATUS_BROKER_CONF       broker: path of an Apache broker.conf (optional)
 *   STRATUS_CONF_<key>        broker: one broker.conf key as Apache spells it (STRATUS_CONF_brokerName=broker-a)
 *   STRATUS_NAMESRV_DNS       broker: "name:port" whose A records are every NameServer (ECS service discovery);
 *                             re-resolved every registerNameServerPeriod; an explicit namesrvAddr wins
 *   STRATUS_METADATA_TABLE / STRATUS_TIER_BUCKET
 *                             broker: the cluster's DynamoDB table and the tier bucket; both or neither. With them
 *                             the broker runs on the AWS ports (configs and offsets in the table, CommitLog tiered).
 *
 * Any other STRATUS_* variable is refused by name: a typo must not start a broker with defaults.
 */
import {
  type BrokerConfig,
  buildBrokerConfig,
  type LoadedBrokerConfig,
} from "../lib/broker/broker-config.js";
import { StratusError } from "../lib/common/errors.js";
import { parseProperties } from "../lib/common/properties.js";
import { METRIC_INTERVAL_MS } from "../lib/ports/aws/metrics.js";

export type StratusRole = "namesrv" | "broker";
export type Env = Readonly<Record<string, string | undefined>>;

/** Where a container keeps the broker's disk unless storePathRootDir says otherwise (Fargate ephemeral storage). */
export const CONTAINER_STORE_PATH = "/data/broker";
export const DEFAULT_HEALTH_PORT = 8080;
export const DEFAULT_DRAIN_MS = 30_000;
/** ECS lets a Fargate container at most 120 s between SIGTERM and SIGKILL; the drain must fit in it. */
export const MAX_DRAIN_MS = 110_000;
export const CONF_PREFIX = "STRATUS_CONF_";
/** At most one metric line an hour; the alarm's period assumes a line every few minutes at least. */
export const MAX_METRICS_INTERVAL_MS = 3_600_000;

interface CommonSettings {
  readonly healthPort: number;
  readonly bindHost: string;
}

export interface NamesrvSettings extends CommonSettings {
  readonly role: "namesrv";
  readonly port: number;
  readonly brokerExpiredMs: number;
  /** DynamoDB table of the stateless NameServer; undefined keeps routes in memory. */
  readonly metadataTable?: string | undefined;
}

export interface CloudSettings {
  readonly metadataTable?: string | undefined;
  readonly tierBucket?: string | undefined;
}

export interface BrokerSettings extends CommonSettings {
  readonly role: "broker";
  readonly drainMs: number;
  /** How often the upload-backlog EMF line is written (0: never). */
  readonly metricsIntervalMs: number;
  readonly confFile?: string | undefined;
  /** STRATUS_CONF_<key> pairs, in variable-name order. */
  readonly confEntries: readonly (readonly [string, string])[];
  readonly namesrvDns?: { readonly host: string; readonly port: number } | undefined;
  readonly cloud: CloudSettings;
}

export type FargateSettings = NamesrvSettings | BrokerSettings;

const COMMON_KEYS = ["STRATUS_ROLE", "STRATUS_HEALTH_PORT", "STRATUS_BIND_HOST"];
const KEYS_BY_ROLE: Record<StratusRole, readonly string[]> = {
  namesrv: [...COMMON_KEYS, "STRATUS_NAMESRV_PORT", "STRATUS_BROKER_EXPIRED_MS", "STRATUS_METADATA_TABLE"],
  broker: [
    ...COMMON_KEYS,
    "STRATUS_DRAIN_MS",
    "STRATUS_METRICS_INTERVAL_MS",
    "STRATUS_BROKER_CONF",
    "STRATUS_NAMESRV_DNS",
    "STRATUS_METADATA_TABLE",
    "STRATUS_TIER_BUCKET",
  ],
};

function invalid(message: string): StratusError {
  return new StratusError("CONFIG_INVALID", `environment: ${message}`);
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw invalid(`${name} must be an integer in ${min}..${max}, got '${raw}'`);
  }
  return Number(raw);
}

function roleOf(env: Env): StratusRole {
  const role = env.STRATUS_ROLE;
  if (role === "namesrv" || role === "broker") return role;
  throw invalid(
    `STRATUS_ROLE must be 'namesrv' or 'broker', got ${role === undefined ? "nothing" : `'${role}'`}`,
  );
}

function checkKnownKeys(env: Env, role: StratusRole): void {
  const known = new Set(KEYS_BY_ROLE[role]);
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith("STRATUS_") || known.has(name)) continue;
    if (role === "broker" && name.startsWith(CONF_PREFIX) && name.length > CONF_PREFIX.length) continue;
    throw invalid(`unknown variable ${name} for STRATUS_ROLE=${role}`);
  }
}

function hostPort(name: string, raw: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (!m?.[1] || port < 1 || port > 65535) throw invalid(`${name} must be host:port, got '${raw}'`);
  return { host: m[1], port };
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

export function readFargateSettings(env: Env): FargateSettings {
  const role = roleOf(env);
  checkKnownKeys(env, role);
  const common = {
    healthPort: intVar(env, "STRATUS_HEALTH_PORT", DEFAULT_HEALTH_PORT, 0, 65535),
    bindHost: optional(env, "STRATUS_BIND_HOST") ?? "0.0.0.0",
  };
  if (role === "namesrv") {
    return Object.freeze({
      role,
      ...common,
      port: intVar(env, "STRATUS_NAMESRV_PORT", 9876, 0, 65535),
      brokerExpiredMs: intVar(env, "STRATUS_BROKER_EXPIRED_MS", 120_000, 1000, 3_600_000),
      metadataTable: optional(env, "STRATUS_METADATA_TABLE"),
    });
  }
  const confEntries = Object.keys(env)
    .filter((k) => k.startsWith(CONF_PREFIX) && k.length > CONF_PREFIX.length)
    .sort()
    .map((k) => [k.slice(CONF_PREFIX.length), env[k] ?? ""] as const);
  const dns = optional(env, "STRATUS_NAMESRV_DNS");
  const settings: BrokerSettings = {
    role,
    ...common,
    drainMs: intVar(env, "STRATUS_DRAIN_MS", DEFAULT_DRAIN_MS, 0, MAX_DRAIN_MS),
    metricsIntervalMs: intVar(
      env,
      "STRATUS_METRICS_INTERVAL_MS",
      METRIC_INTERVAL_MS,
      0,
      MAX_METRICS_INTERVAL_MS,
    ),
    confFile: optional(env, "STRATUS_BROKER_CONF"),
    confEntries,
    namesrvDns: dns === undefined ? undefined : hostPort("STRATUS_NAMESRV_DNS", dns),
    cloud: {
      metadataTable: optional(env, "STRATUS_METADATA_TABLE"),
      tierBucket: optional(env, "STRATUS_TIER_BUCKET"),
    },
  };
  // Fail at start, naming the key, rather than after discovery: the same check runs again with the real values.
  brokerConfigFor(settings, undefined, {});
  return Object.freeze(settings);
}

export interface Discovered {
  /** The task's own address (ECS task metadata), used when brokerIP1 is not set. */
  readonly brokerIP1?: string | undefined;
  /** NameServers found through STRATUS_NAMESRV_DNS, used when namesrvAddr is not set. */
  readonly namesrvAddr?: string | undefined;
}

/**
 * The broker.conf-equivalent config: defaults < discovered values < the broker.conf file < STRATUS_CONF_* variables.
 * `confText` is the file's text (read by the caller).
 */
export function brokerConfigFor(
  settings: BrokerSettings,
  confText: string | undefined,
  discovered: Discovered,
): LoadedBrokerConfig {
  const base: Partial<BrokerConfig> = { storePathRootDir: CONTAINER_STORE_PATH };
  const mutable = base as { -readonly [K in keyof BrokerConfig]?: BrokerConfig[K] };
  if (discovered.brokerIP1 !== undefined) mutable.brokerIP1 = discovered.brokerIP1;
  if (discovered.namesrvAddr !== undefined) mutable.namesrvAddr = discovered.namesrvAddr;
  const fromFile = confText === undefined ? [] : [...parseProperties(confText)];
  return buildBrokerConfig(
    "STRATUS_BROKER_CONF + STRATUS_CONF_*",
    [...fromFile, ...settings.confEntries],
    base,
  );
}

/** True when the operator fixed `key` (in the broker.conf file or a STRATUS_CONF_ variable). */
export function isSetExplicitly(
  settings: BrokerSettings,
  confText: string | undefined,
  key: string,
): boolean {
  if (settings.confEntries.some(([k]) => k === key)) return true;
  return confText !== undefined && parseProperties(confText).has(key);
}
