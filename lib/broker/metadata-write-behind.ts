/**
 * Conditional writes of a broker's config records (topic configs, subscription groups) to the MetadataStore,
 * behind the in-memory tables that answer requests. A change is queued per key (only the latest value of a
 * key is kept) and written at once by a background drain; flush() waits for the queue to empty.
 *
 * Every write is conditional on the version this broker last saw (ADR 0004): putIfAbsent for a new record,
 * putIfVersion / deleteIfVersion otherwise. Losing a race means another process (an older broker with the
 * same brokerName, an admin tool) wrote the record meanwhile; this broker's table is what it serves, so it
 * reads the current version and writes its value over it, and says so once. When the store is unreachable
 * the queue is kept and retried with backoff; a write the store will never accept (a bug) is dropped and
 * reported.
 */
import { isStratusError, StratusError } from "../common/errors.js";
import type { ItemKey, JsonValue, MetadataStore } from "../ports/metadata-store.js";

/** Records written at once by the drain. */
const WRITE_CONCURRENCY = 8;
/** Consecutive lost races on one record before the write counts as failed (and is retried later). */
const RACE_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5_000;

interface PendingWrite {
  readonly key: ItemKey;
  /** undefined: delete the record. */
  readonly value: JsonValue | undefined;
}

function idOf(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

export class ConditionalWriteBehind {
  private readonly pending = new Map<string, PendingWrite>();
  private readonly versions = new Map<string, number>();
  private draining: Promise<void> | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;
  private warnedRace = false;
  /** The last failure, while the queue is being retried (cleared by a successful round). */
  lastError: unknown;

  constructor(
    private readonly store: MetadataStore,
    private readonly what: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The record exists at `version` (seen at load). */
  seen(key: ItemKey, version: number): void {
    this.versions.set(idOf(key), version);
  }

  put(key: ItemKey, value: JsonValue): void {
    this.enqueue({ key, value });
  }

  delete(key: ItemKey): void {
    this.enqueue({ key, value: undefined });
  }

  private enqueue(write: PendingWrite): void {
    const id = idOf(write.key);
    this.pending.delete(id);
    this.pending.set(id, write);
    this.kick();
  }

  private kick(): void {
    if (this.draining !== undefined || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.pending.size > 0 && !this.closed) this.kick();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  /** Resolves when every queued write is in the store (waits as long as the store is down). */
  flush(): Promise<void> {
    if (this.pending.size === 0 && this.draining === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Queued writes not yet in the store. */
  get backlog(): number {
    return this.pending.size;
  }

  /** Stops writing (what is still queued stays unwritten); pending flush() calls resolve. */
  close(): void {
    this.closed = true;
    if (this.draining === undefined) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.pending.size > 0 && !this.closed) {
      const batch = [...this.pending].slice(0, WRITE_CONCURRENCY);
      for (const [id] of batch) this.pending.delete(id);
      const results = await Promise.allSettled(batch.map(([id, w]) => this.write(id, w)));
      let retry = false;
      results.forEach((r, i) => {
        if (r.status === "fulfilled") return;
        const [id, w] = batch[i] as [string, PendingWrite];
        this.lastError = r.reason;
        if (isStratusError(r.reason) && !r.reason.retriable && r.reason.code !== "TIMEOUT") {
          this.log(`${this.what}: dropped the write of ${w.key.pk} ${w.key.sk}: ${r.reason.message}`);
          return;
        }
        retry = true;
        if (!this.pending.has(id)) this.pending.set(id, w);
      });
      if (!retry) {
        if (failures > 0) this.log(`${this.what}: MetadataStore writes resumed`);
        failures = 0;
        this.lastError = undefined;
        continue;
      }
      if (failures === 0)
        this.log(`${this.what}: MetadataStore write failed, retrying: ${String(this.lastError)}`);
      failures++;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures, 16));
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)).unref());
    }
  }

  private async write(id: string, w: PendingWrite): Promise<void> {
    for (let attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
      if (await this.tryWrite(id, w)) return;
      const current = await this.store.get(w.key);
      if (current === undefined) this.versions.delete(id);
      else this.versions.set(id, current.version);
      if (!this.warnedRace) {
        this.warnedRace = true;
        this.log(
          `${this.what}: another process changed ${w.key.pk} ${w.key.sk}; writing this broker's value over it`,
        );
      }
    }
    throw new StratusError(
      "METADATA_UNAVAILABLE",
      `${w.key.pk} ${w.key.sk}: lost ${RACE_ATTEMPTS} write races`,
    );
  }

  /** One conditional write at the known version; false when the condition failed. */
  private async tryWrite(id: string, w: PendingWrite): Promise<boolean> {
    const version = this.versions.get(id);
    if (w.value === undefined) {
      const stored = version ?? (await this.store.get(w.key))?.version;
      if (stored === undefined) return true;
      const outcome = await this.store.deleteIfVersion(w.key, stored);
      if (outcome.ok) this.versions.delete(id);
      return outcome.ok;
    }
    const outcome =
      version === undefined
        ? await this.store.putIfAbsent(w.key, w.value)
        : await this.store.putIfVersion(w.key, w.value, version);
    if (outcome.ok) this.versions.set(id, outcome.version);
    return outcome.ok;
  }
}
