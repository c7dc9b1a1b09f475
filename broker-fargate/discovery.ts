/**
 * What a broker task must find out about its surroundings before it registers:
 * - its own reachable address (brokerIP1): the task's private IPv4 from the ECS task metadata endpoint v4
 *   (ECS_CONTAINER_METADATA_URI_V4, `Networks[0].IPv4Addresses[0]` of the container document; awsvpc mode),
 *   else the first non-internal IPv4 of the machine;
 * - every NameServer (namesrvAddr): the A records of the service-discovery name, sorted, as "ip:port;ip:port".
 *   Brokers register with each NameServer directly; clients reach any of them through the load balancer.
 */
import { resolve4 } from "node:dns/promises";
import { networkInterfaces } from "node:os";
import { StratusError } from "../lib/common/errors.js";
import type { Env } from "./fargate-settings.js";

/** The metadata endpoint is link-local and answers in milliseconds; anything slower is a broken task. */
export const METADATA_TIMEOUT_MS = 2_000;
/** Largest metadata document read (the container document is a few KiB). */
export const MAX_METADATA_BYTES = 256 * 1024;

type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

function ipv4Of(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== "object") return undefined;
  const networks = (doc as { Networks?: unknown }).Networks;
  if (!Array.isArray(networks)) return undefined;
  for (const n of networks) {
    const addrs = (n as { IPv4Addresses?: unknown } | null)?.IPv4Addresses;
    const first = Array.isArray(addrs) ? addrs[0] : undefined;
    if (typeof first === "string" && /^\d{1,3}(\.\d{1,3}){3}$/.test(first)) return first;
  }
  return undefined;
}

/** The task's address from the ECS metadata endpoint; undefined outside ECS. */
export async function taskAddressFromMetadata(
  env: Env,
  fetchFn: FetchLike = fetch,
): Promise<string | undefined> {
  const uri = env.ECS_CONTAINER_METADATA_URI_V4;
  if (uri === undefined || uri === "") return undefined;
  let text: string;
  try {
    const res = await fetchFn(uri, { signal: AbortSignal.timeout(METADATA_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (e) {
    throw new StratusError("CONFIG_INVALID", `ECS task metadata ${uri}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) {
    throw new StratusError("LIMIT_EXCEEDED", `ECS task metadata is over ${MAX_METADATA_BYTES} bytes`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new StratusError("CONFIG_INVALID", `ECS task metadata ${uri} is not JSON`);
  }
  const ip = ipv4Of(doc);
  if (ip === undefined)
    throw new StratusError("CONFIG_INVALID", `ECS task metadata ${uri} names no IPv4 address`);
  return ip;
}

export function firstExternalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

export async function discoverBrokerIP(env: Env, fetchFn?: FetchLike): Promise<string | undefined> {
  return (await taskAddressFromMetadata(env, fetchFn)) ?? firstExternalIPv4();
}

export type Resolve4 = (host: string) => Promise<string[]>;

/** "ip:port;ip:port" for every A record of `host` (sorted, so an unchanged set compares equal). */
export async function resolveNamesrvAddr(
  target: { host: string; port: number },
  resolve: Resolve4 = resolve4,
): Promise<string> {
  let ips: string[];
  try {
    ips = await resolve(target.host);
  } catch (e) {
    throw new StratusError(
      "CONFIG_INVALID",
      `cannot resolve NameServers at ${target.host}: ${(e as Error).message}`,
    );
  }
  if (ips.length === 0) throw new StratusError("CONFIG_INVALID", `${target.host} has no A records`);
  return [...new Set(ips)]
    .sort()
    .map((ip) => `${ip}:${target.port}`)
    .join(";");
}
