/**
 * Which broker leases were registered through which connection of this NameServer, and the lease version
 * this NameServer last wrote. Apache drops a broker when the connection it registered on closes; over a
 * shared MetadataStore a NameServer may do so only while it was the last to write the lease: the delete is
 * conditional on that version, so a broker that renewed through another NameServer since stays.
 */
import type { ItemKey } from "../ports/metadata-store.js";
import type { BrokerChannel } from "./route-info-manager.js";

export interface TrackedLease {
  readonly key: ItemKey;
  readonly version: number;
}

function id(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

export class LocalChannels {
  private readonly byChannel = new Map<
    string,
    { channel: BrokerChannel; leases: Map<string, TrackedLease> }
  >();
  private readonly channelOfLease = new Map<string, string>();

  /** The lease was written at `version` for a registration that came in on `channel`. */
  track(channel: BrokerChannel | undefined, key: ItemKey, version: number): void {
    this.untrack(key);
    if (channel === undefined) return;
    let entry = this.byChannel.get(channel.id);
    if (entry === undefined) {
      entry = { channel, leases: new Map() };
      this.byChannel.set(channel.id, entry);
    }
    entry.leases.set(id(key), { key, version });
    this.channelOfLease.set(id(key), channel.id);
  }

  /** This NameServer renewed the lease to `version`. */
  renewed(key: ItemKey, version: number): void {
    const channelId = this.channelOfLease.get(id(key));
    const leases = channelId === undefined ? undefined : this.byChannel.get(channelId)?.leases;
    if (leases?.has(id(key))) leases.set(id(key), { key, version });
  }

  untrack(key: ItemKey): void {
    const channelId = this.channelOfLease.get(id(key));
    if (channelId === undefined) return;
    this.channelOfLease.delete(id(key));
    const entry = this.byChannel.get(channelId);
    entry?.leases.delete(id(key));
    if (entry?.leases.size === 0) this.byChannel.delete(channelId);
  }

  /** Closes the connection the lease was registered on here, if any. */
  closeChannelOf(key: ItemKey): void {
    const channelId = this.channelOfLease.get(id(key));
    if (channelId !== undefined) this.byChannel.get(channelId)?.channel.close();
  }

  /** The connection closed: forget it, returning the leases registered on it and the versions written. */
  forget(channel: BrokerChannel): TrackedLease[] {
    const entry = this.byChannel.get(channel.id);
    if (entry === undefined) return [];
    this.byChannel.delete(channel.id);
    for (const k of entry.leases.keys()) this.channelOfLease.delete(k);
    return [...entry.leases.values()];
  }
}
