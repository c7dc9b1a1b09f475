/**
 * Queue locks for orderly consumers (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ, protocol §5.8). Per consumer group and
 * MessageQueue at most one clientId holds the lock. A lock is granted when the queue is free, when the same
 * client already holds it (re-entrant: the lease is refreshed), or when the holder's lease is older than
 * `maxLiveTimeMs` (Apache rocketmq.broker.rebalance.lockMaxLiveTime, 60 s). Clients renew every 20 s.
 * The table is bounded: past MAX_REBALANCE_LOCK_ENTRIES expired leases are purged, then new locks are refused.
 */
import type { Clock } from "../common/clock.js";
import { MAX_REBALANCE_LOCK_ENTRIES } from "../common/limits.js";
import { encodeMessageQueue, type MessageQueue } from "../protocol/body/json-body.js";

/** Apache's default lock lease. */
export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateMs: number;
}

export class RebalanceLockManager {
  /** group → MessageQueue key → lease. */
  private readonly table = new Map<string, Map<string, LockEntry>>();
  private entries = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxLiveTimeMs = REBALANCE_LOCK_MAX_LIVE_TIME_MS,
    private readonly maxEntries = MAX_REBALANCE_LOCK_ENTRIES,
  ) {}

  private expired(entry: LockEntry, now: number): boolean {
    return now - entry.lastUpdateMs > this.maxLiveTimeMs;
  }

  /** Lock one queue for `clientId`; true when the client holds it afterwards. */
  tryLock(group: string, mq: MessageQueue, clientId: string): boolean {
    const now = this.clock.monotonicMs();
    let queues = this.table.get(group);
    const key = encodeMessageQueue(mq);
    const entry = queues?.get(key);
    if (entry) {
      if (entry.clientId === clientId || this.expired(entry, now)) {
        entry.clientId = clientId;
        entry.lastUpdateMs = now;
        return true;
      }
      return false;
    }
    if (this.entries >= this.maxEntries && !this.purgeExpired(now)) return false;
    if (!queues) {
      queues = new Map();
      this.table.set(group, queues);
    }
    queues.set(key, { clientId, lastUpdateMs: now });
    this.entries++;
    return true;
  }

  /** Lock what can be locked; returns the queues `clientId` now holds, in request order. */
  tryLockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): MessageQueue[] {
    const seen = new Set<string>();
    const locked: MessageQueue[] = [];
    for (const mq of mqs) {
      const key = encodeMessageQueue(mq);
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.tryLock(group, mq, clientId)) locked.push(mq);
    }
    return locked;
  }

  /** Release the queues `clientId` holds; queues held by another client are left alone. */
  unlockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): void {
    const queues = this.table.get(group);
    if (!queues) return;
    for (const mq of mqs) {
      const key = encodeMessageQueue(mq);
      if (queues.get(key)?.clientId === clientId) {
        queues.delete(key);
        this.entries--;
      }
    }
    if (queues.size === 0) this.table.delete(group);
  }

  /** Whether `clientId` holds a live lease on the queue. */
  isLocked(group: string, mq: MessageQueue, clientId: string): boolean {
    const entry = this.table.get(group)?.get(encodeMessageQueue(mq));
    return (
      entry !== undefined && entry.clientId === clientId && !this.expired(entry, this.clock.monotonicMs())
    );
  }

  /** Leases currently stored (live or expired). */
  size(): number {
    return this.entries;
  }

  /** Drops expired leases; true when room was made. */
  private purgeExpired(now: number): boolean {
    const before = this.entries;
    for (const [group, queues] of this.table) {
      for (const [key, entry] of queues) {
        if (this.expired(entry, now)) {
          queues.delete(key);
          this.entries--;
        }
      }
      if (queues.size === 0) this.table.delete(group);
    }
    return this.entries < before;
  }
}
