/**
 * The broker leases as one NameServer sees them (docs/adr/0005): a cached view of the whole lease
 * partition for answering routes, fresh reads for registrations and heartbeats, conditional writes, and
 * which leases came in on which of this NameServer's connections (local-channels.ts).
 *
 * A lease is written one timeout + 1 ms ahead: Apache drops a broker once `lastUpdate + timeout < now`, so
 * the broker is still live at exactly lastUpdate + timeout.
 */
import type { Clock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import type { ItemKey, MetadataStore, WriteOutcome } from "../ports/metadata-store.js";
import { LocalChannels } from "./local-channels.js";
import {
  leaseKeyOf,
  leaseValue,
  listLeases,
  type NamesrvLease,
  type StoredLease,
  storedLeaseOf,
} from "./namesrv-records.js";
import type { BrokerChannel } from "./route-info-manager.js";
import { TtlCache } from "./ttl-cache.js";

/**
 * Attempts of a conditional lease write that keeps losing races (other NameServers renewing the same lease
 * at once; each round one of them wins, so this covers that many concurrent writers).
 */
const LEASE_WRITE_ATTEMPTS = 10;
const ALL = "all";

function addrKey(clusterName: string, brokerAddr: string): string {
  return `${clusterName}\u0000${brokerAddr}`;
}

export class LeaseTable {
  private readonly cache: TtlCache<typeof ALL, StoredLease[]>;
  private readonly channels = new LocalChannels();
  /** "cluster\0brokerAddr" -> the lease key it was last seen under (saves a cluster query per heartbeat). */
  private readonly addrHints = new Map<string, ItemKey>();

  constructor(
    private readonly store: MetadataStore,
    private readonly clock: Clock,
    /** Lease length for leases written without a timeout. */
    readonly defaultTimeoutMs: number,
    cacheTtlMs: number,
    staleIfErrorMs: number,
  ) {
    this.cache = new TtlCache(clock, cacheTtlMs, 1, staleIfErrorMs);
  }

  /** Every lease item, live or lapsed, through the cache. */
  cached(): Promise<StoredLease[]> {
    return this.cache.get(ALL, () => listLeases(this.store, this.defaultTimeoutMs));
  }

  /** Every lease item, read now; or one cluster's, or one broker group's. */
  fresh(prefix?: { clusterName: string; brokerName?: string }): Promise<StoredLease[]> {
    return listLeases(this.store, this.defaultTimeoutMs, prefix);
  }

  /** Writes `lease` over `current` (the item at its key, if any), retrying lost races. */
  async write(lease: NamesrvLease, current: StoredLease | undefined, channel?: BrokerChannel): Promise<void> {
    const key = leaseKeyOf(lease);
    let version = current?.version;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.put(key, lease, version);
      if (outcome.ok) {
        this.channels.track(channel, key, outcome.version);
        this.addrHints.set(addrKey(lease.clusterName, lease.brokerAddr), key);
        return;
      }
      if (attempt >= LEASE_WRITE_ATTEMPTS) {
        throw new StratusError(
          "METADATA_UNAVAILABLE",
          `lease of ${lease.brokerAddr}: lost ${attempt} write races`,
        );
      }
      version = (await this.store.get(key))?.version;
    }
  }

  private async put(key: ItemKey, lease: NamesrvLease, version: number | undefined): Promise<WriteOutcome> {
    const expiresAtMs = this.clock.nowMs() + lease.heartbeatTimeoutMillis + 1;
    try {
      return version === undefined
        ? await this.store.putIfAbsent(key, leaseValue(lease), { expiresAtMs })
        : await this.store.putIfVersion(key, leaseValue(lease), version, { expiresAtMs });
    } finally {
      this.cache.invalidate(ALL);
    }
  }

  /** Extends the live lease of the broker at `brokerAddr`; false when it has none. */
  async renew(clusterName: string, brokerAddr: string): Promise<boolean> {
    for (let attempt = 1; attempt <= LEASE_WRITE_ATTEMPTS; attempt++) {
      const l = await this.findLive(clusterName, brokerAddr);
      if (l === undefined) return false;
      const outcome = await this.put(l.key, l.lease, l.version);
      if (outcome.ok) {
        this.channels.renewed(l.key, outcome.version);
        return true;
      }
    }
    throw new StratusError(
      "METADATA_UNAVAILABLE",
      `renewing ${brokerAddr}: lost ${LEASE_WRITE_ATTEMPTS} write races`,
    );
  }

  /** Deletes the lease if it is still at the version read; true when this call deleted it. */
  async delete(l: StoredLease): Promise<boolean> {
    try {
      return (await this.store.deleteIfVersion(l.key, l.version)).ok;
    } finally {
      this.cache.invalidate(ALL);
      this.channels.untrack(l.key);
    }
  }

  /** The live lease of the broker at `brokerAddr`, read fresh. */
  async findLive(clusterName: string, brokerAddr: string): Promise<StoredLease | undefined> {
    const now = this.clock.nowMs();
    const matches = (l: StoredLease) =>
      l.lease.clusterName === clusterName && l.lease.brokerAddr === brokerAddr && l.expiresAtMs > now;
    const hint = this.addrHints.get(addrKey(clusterName, brokerAddr));
    if (hint !== undefined) {
      const item = await this.store.get(hint);
      const l = item && storedLeaseOf(item, this.defaultTimeoutMs);
      if (l !== undefined && matches(l)) return l;
    }
    const found = (await this.fresh({ clusterName })).find(matches);
    if (found !== undefined) this.addrHints.set(addrKey(clusterName, brokerAddr), found.key);
    else this.addrHints.delete(addrKey(clusterName, brokerAddr));
    return found;
  }

  /** Deletes lapsed leases (closing the connections they registered on here); returns the addresses. */
  async sweep(): Promise<string[]> {
    const now = this.clock.nowMs();
    const lapsed = (await this.fresh()).filter((l) => l.expiresAtMs <= now);
    const dropped: string[] = [];
    for (const l of lapsed) {
      this.channels.closeChannelOf(l.key);
      if (await this.delete(l)) dropped.push(l.lease.brokerAddr);
    }
    return dropped;
  }

  /** The connection closed: delete the leases registered on it that nobody renewed since. */
  async channelClosed(channel: BrokerChannel): Promise<void> {
    for (const { key, version } of this.channels.forget(channel)) {
      try {
        await this.store.deleteIfVersion(key, version);
      } finally {
        this.cache.invalidate(ALL);
      }
    }
  }
}
