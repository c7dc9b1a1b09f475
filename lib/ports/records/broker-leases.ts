/**
 * Broker registrations as leases. One item per (cluster, brokerName, brokerId) in the partition
 * "broker-lease"; its expiresAtMs is the lease's end. A lease belongs to one running broker process
 * (instanceId): it is taken with putIfAbsent (or, once lapsed, with putIfVersion over the lapsed item),
 * renewed with putIfVersion by its holder only, and released with deleteIfVersion. So two processes
 * claiming one broker identity cannot both hold it, and a holder learns it lost the lease when a renewal
 * fails. NameServers list the live ones (expiresAtMs > their Clock's now).
 *
 *   pk "broker-lease"   sk "<cluster>/<brokerName>/<brokerId, 20 digits>"   (parts percent-encoded)
 */
import type { Clock } from "../../common/clock.js";
import { StratusError } from "../../common/errors.js";
import type { DataVersion } from "../../protocol/data-version.js";
import {
  type ItemKey,
  type JsonValue,
  type MetadataItem,
  type MetadataStore,
  metadataKeyPart,
  sortableNumber,
  type WriteOutcome,
} from "../metadata-store.js";
import { corrupt, objectValue, queryAll } from "./record-codec.js";

export const BROKER_LEASE_PARTITION = "broker-lease";

export interface BrokerLease {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  brokerAddr: string;
  haServerAddr: string;
  zoneName?: string | undefined;
  enableActingMaster: boolean;
  /** The broker process holding the lease (random per start). */
  instanceId: string;
  /** The broker's topic-table version, as in REGISTER_BROKER. */
  dataVersion: DataVersion;
}

export interface HeldLease {
  lease: BrokerLease;
  expiresAtMs: number;
  /** Pass it to renew/release. */
  version: number;
}

export type AcquireOutcome =
  | { ok: true; version: number; expiresAtMs: number }
  /** Another live process holds this broker identity. */
  | { ok: false; reason: "HELD"; holder: HeldLease }
  /** Lost a race with another acquirer; read again and retry if still wanted. */
  | { ok: false; reason: "CONDITION_FAILED" };

export function brokerLeaseKey(clusterName: string, brokerName: string, brokerId: number): ItemKey {
  return {
    pk: BROKER_LEASE_PARTITION,
    sk: `${metadataKeyPart(clusterName)}/${metadataKeyPart(brokerName)}/${sortableNumber(brokerId)}`,
  };
}

function leaseKeyOf(lease: BrokerLease): ItemKey {
  return brokerLeaseKey(lease.clusterName, lease.brokerName, lease.brokerId);
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new StratusError("ILLEGAL_ARGUMENT", `lease ttl ${ttlMs} ms is not a positive integer`);
  }
}

function toHeld(item: MetadataItem): HeldLease {
  const o = objectValue(item);
  if (
    typeof o.brokerName !== "string" ||
    typeof o.instanceId !== "string" ||
    item.expiresAtMs === undefined
  ) {
    throw corrupt(item, "not a broker lease");
  }
  return { lease: o as unknown as BrokerLease, expiresAtMs: item.expiresAtMs, version: item.version };
}

function leaseValue(lease: BrokerLease): JsonValue {
  return JSON.parse(JSON.stringify(lease)) as JsonValue;
}

/** Takes the lease for `ttlMs` unless another live process holds it. */
export async function acquireBrokerLease(
  store: MetadataStore,
  clock: Clock,
  lease: BrokerLease,
  ttlMs: number,
): Promise<AcquireOutcome> {
  checkTtl(ttlMs);
  const key = leaseKeyOf(lease);
  const expiresAtMs = clock.nowMs() + ttlMs;
  const current = await store.get(key);
  let outcome: WriteOutcome;
  if (current === undefined) {
    outcome = await store.putIfAbsent(key, leaseValue(lease), { expiresAtMs });
  } else {
    const held = toHeld(current);
    const lapsed = held.expiresAtMs <= clock.nowMs();
    if (!lapsed && held.lease.instanceId !== lease.instanceId)
      return { ok: false, reason: "HELD", holder: held };
    outcome = await store.putIfVersion(key, leaseValue(lease), current.version, { expiresAtMs });
  }
  return outcome.ok ? { ok: true, version: outcome.version, expiresAtMs } : outcome;
}

/**
 * Extends the lease (and updates what it says, e.g. a new dataVersion). CONDITION_FAILED means this
 * process no longer holds it: another process took it over after it lapsed, or it was released.
 */
export async function renewBrokerLease(
  store: MetadataStore,
  clock: Clock,
  lease: BrokerLease,
  version: number,
  ttlMs: number,
): Promise<{ ok: true; version: number; expiresAtMs: number } | { ok: false; reason: "CONDITION_FAILED" }> {
  checkTtl(ttlMs);
  const expiresAtMs = clock.nowMs() + ttlMs;
  const outcome = await store.putIfVersion(leaseKeyOf(lease), leaseValue(lease), version, { expiresAtMs });
  return outcome.ok ? { ...outcome, expiresAtMs } : outcome;
}

/** Ends the lease now (a clean broker shutdown, or UNREGISTER_BROKER). */
export function releaseBrokerLease(
  store: MetadataStore,
  lease: BrokerLease,
  version: number,
): Promise<WriteOutcome> {
  return store.deleteIfVersion(leaseKeyOf(lease), version);
}

/** Leases that have not lapsed by `clock`, optionally of one cluster, ordered by cluster/name/id. */
export async function listLiveBrokerLeases(
  store: MetadataStore,
  clock: Clock,
  clusterName?: string,
): Promise<HeldLease[]> {
  const prefix = clusterName === undefined ? undefined : `${metadataKeyPart(clusterName)}/`;
  const items = await queryAll(store, BROKER_LEASE_PARTITION, { prefix });
  const now = clock.nowMs();
  return items.map(toHeld).filter((h) => h.expiresAtMs > now);
}
