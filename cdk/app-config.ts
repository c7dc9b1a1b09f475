/**
 * The CDK app's settings from context (`cdk deploy -c brokerCount=3`, or "context" in cdk/cdk.json): validated
 * once, unknown plain keys refused by name. Keys containing ":" or starting with "@" are CDK's own and pass.
 */
import * as logs from "aws-cdk-lib/aws-logs";
import type { DurabilityMode } from "./constructs/broker-service.js";
import { validateClusterName } from "./constructs/key-scope.js";

export interface AppConfig {
  readonly clusters: readonly string[];
  readonly brokerCount: number;
  readonly namesrvCount: number;
  readonly durability: DurabilityMode;
  readonly brokerCpu: number;
  readonly brokerMemoryMiB: number;
  readonly brokerStorageGiB: number;
  readonly namesrvCpu: number;
  readonly namesrvMemoryMiB: number;
  readonly drainSeconds: number;
  readonly logRetentionDays: logs.RetentionDays;
  readonly tierExpireAfterDays: number;
  readonly tableBaseName?: string | undefined;
  readonly deletionProtection: boolean;
  readonly pointInTimeRecovery: boolean;
  readonly s3ExpressAzId?: string | undefined;
  readonly vpcId?: string | undefined;
  readonly maxAzs: number;
  readonly natGateways: number;
  readonly clientCidr?: string | undefined;
  readonly imageUri?: string | undefined;
  readonly alarmEmail?: string | undefined;
  readonly uploadBacklogAlarmBytes: number;
  readonly adminFunction: boolean;
}

type Kind = "int" | "bool" | "string";
const KEYS: Record<keyof AppConfig, Kind> = {
  clusters: "string",
  brokerCount: "int",
  namesrvCount: "int",
  durability: "string",
  brokerCpu: "int",
  brokerMemoryMiB: "int",
  brokerStorageGiB: "int",
  namesrvCpu: "int",
  namesrvMemoryMiB: "int",
  drainSeconds: "int",
  logRetentionDays: "int",
  tierExpireAfterDays: "int",
  tableBaseName: "string",
  deletionProtection: "bool",
  pointInTimeRecovery: "bool",
  s3ExpressAzId: "string",
  vpcId: "string",
  maxAzs: "int",
  natGateways: "int",
  clientCidr: "string",
  imageUri: "string",
  alarmEmail: "string",
  uploadBacklogAlarmBytes: "int",
  adminFunction: "bool",
};

export const DEFAULT_APP_CONFIG: AppConfig = {
  clusters: ["stratus"],
  brokerCount: 2,
  namesrvCount: 2,
  durability: "ASYNC_FLUSH",
  brokerCpu: 1024,
  brokerMemoryMiB: 2048,
  brokerStorageGiB: 50,
  namesrvCpu: 256,
  namesrvMemoryMiB: 512,
  drainSeconds: 30,
  logRetentionDays: logs.RetentionDays.ONE_MONTH,
  tierExpireAfterDays: 30,
  deletionProtection: true,
  pointInTimeRecovery: true,
  maxAzs: 2,
  natGateways: 1,
  uploadBacklogAlarmBytes: 1024 ** 3,
  adminFunction: true,
};

function fail(key: string, why: string): never {
  throw new Error(`context '${key}': ${why}`);
}

function coerce(key: string, kind: Kind, raw: unknown): string | number | boolean {
  if (kind === "int") {
    const n =
      typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0)
      fail(key, `must be a non-negative integer, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (kind === "bool") {
    if (raw === true || raw === "true") return true;
    if (raw === false || raw === "false") return false;
    fail(key, `must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw !== "string" || raw === "")
    fail(key, `must be a non-empty string, got ${JSON.stringify(raw)}`);
  return raw;
}

const DURABILITY_MODES: readonly DurabilityMode[] = ["ASYNC_FLUSH", "SYNC_FLUSH", "objectStore"];

const RETENTIONS = new Set(Object.values(logs.RetentionDays).filter((v) => typeof v === "number"));

function check(c: AppConfig): void {
  for (const name of c.clusters) validateClusterName(name);
  if (new Set(c.clusters).size !== c.clusters.length) fail("clusters", "names a cluster twice");
  if (!DURABILITY_MODES.includes(c.durability)) {
    fail("durability", `must be ${DURABILITY_MODES.join(", ")}, got '${c.durability}'`);
  }
  if (c.namesrvCount < 1) fail("namesrvCount", "must be at least 1");
  if (c.brokerStorageGiB < 21 || c.brokerStorageGiB > 200)
    fail("brokerStorageGiB", "must be 21..200 (Fargate)");
  if (!RETENTIONS.has(c.logRetentionDays))
    fail("logRetentionDays", "must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)");
  if (c.tierExpireAfterDays < 1) fail("tierExpireAfterDays", "must be at least 1");
  if (c.maxAzs < 1) fail("maxAzs", "must be at least 1");
}

/** `context` is every context key and value (app.node.getAllContext()). */
export function readAppConfig(context: Readonly<Record<string, unknown>>): AppConfig {
  const out: Record<string, unknown> = { ...DEFAULT_APP_CONFIG };
  for (const [key, raw] of Object.entries(context)) {
    if (key.includes(":") || key.startsWith("@")) continue;
    const kind = KEYS[key as keyof AppConfig];
    if (kind === undefined) fail(key, `unknown key (known: ${Object.keys(KEYS).join(", ")})`);
    const value = coerce(key, kind, raw);
    out[key] =
      key === "clusters"
        ? String(value)
            .split(",")
            .map((s) => s.trim())
        : value;
  }
  const config = out as unknown as AppConfig;
  check(config);
  return Object.freeze(config);
}
