/**
 * A cold tier held in memory, for testing the store's tier hooks without lib/tier: `commit()` copies every
 * record the store has written since the last commit (read back through LocalCommitLog) into maps.
 */
import { BLANK_MAGIC_CODE, decodeMessageRecord } from "../../lib/protocol/message-record.js";
import { isPreparedOrRollback } from "../../lib/protocol/message-sys-flag.js";
import { encodeConsumeQueueUnit } from "../../lib/store/consumequeue/consume-queue-unit.js";
import type {
  ColdReader,
  LocalCommitLog,
  QueueRange,
  RecordRef,
  TierHooks,
} from "../../lib/store/tier-hooks.js";
import { alignUpToSegment } from "../../lib/store/tier-hooks.js";

interface Queue {
  min: number;
  units: Map<number, Buffer>;
}

export class MemoryColdTier implements ColdReader, TierHooks {
  readonly cold: ColdReader = this;
  readonly records = new Map<number, Buffer>();
  readonly queues = new Map<string, Queue>();
  readonly keys: { topic: string; key: string; phy: number; ts: number }[] = [];
  committed = 0;
  refusal: string | undefined;
  readonly waits: { end: number; resolve: (ok: boolean) => void }[] = [];
  appended: number[] = [];
  unitReads = 0;
  recordReads = 0;

  /** Copies everything the store wrote in [committed, its end) and returns the new committed offset. */
  commit(log: LocalCommitLog): number {
    let pos = Math.max(this.committed, log.getMinPhyOffset());
    const end = log.getMaxPhyOffset();
    while (pos < end) {
      const head = log.readCommitLog(pos, 8);
      if (!head || head.readInt32BE(4) === BLANK_MAGIC_CODE) {
        pos = alignUpToSegment(pos + 1, log.commitLogSegmentSize);
        continue;
      }
      const rec = Buffer.from(log.readCommitLog(pos, head.readInt32BE(0)) as Buffer);
      this.add(rec, pos);
      pos += rec.length;
    }
    this.committed = Math.max(pos, this.committed);
    for (const w of this.waits.splice(0)) {
      if (w.end <= this.committed) w.resolve(true);
      else this.waits.push(w);
    }
    return this.committed;
  }

  private add(rec: Buffer, phy: number): void {
    const m = decodeMessageRecord(rec);
    this.records.set(phy, rec);
    if (!isPreparedOrRollback(m.sysFlag)) {
      const id = `${m.topic}\u0001${m.queueId}`;
      let q = this.queues.get(id);
      if (!q) {
        q = { min: m.queueOffset, units: new Map() };
        this.queues.set(id, q);
      }
      q.units.set(
        m.queueOffset,
        encodeConsumeQueueUnit({ commitLogOffset: phy, size: rec.length, tagsCode: 0 }),
      );
    }
    for (const key of [m.properties.get("UNIQ_KEY"), ...(m.properties.get("KEYS") ?? "").split(" ")])
      if (key) this.keys.push({ topic: m.topic, key, phy, ts: m.storeTimestamp });
  }

  committedOffset(): number {
    return this.committed;
  }

  queueRange(topic: string, queueId: number): QueueRange | undefined {
    const q = this.queues.get(`${topic}\u0001${queueId}`);
    return q && { minOffset: q.min, maxOffset: q.min + q.units.size };
  }

  topicQueues(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const id of this.queues.keys()) {
      const [topic, qid] = id.split("\u0001") as [string, string];
      out.set(topic, [...(out.get(topic) ?? []), Number(qid)]);
    }
    return out;
  }

  async readUnits(topic: string, queueId: number, q: number, maxUnits: number): Promise<Buffer | undefined> {
    this.unitReads++;
    const queue = this.queues.get(`${topic}\u0001${queueId}`);
    const out: Buffer[] = [];
    for (let i = q; queue && out.length < maxUnits && queue.units.has(i); i++)
      out.push(queue.units.get(i) as Buffer);
    return out.length > 0 ? Buffer.concat(out) : undefined;
  }

  async readRecords(refs: readonly RecordRef[]): Promise<(Buffer | undefined)[]> {
    this.recordReads += refs.length;
    return refs.map((r) => this.records.get(r.phy));
  }

  async readRecord(phy: number): Promise<Buffer | undefined> {
    this.recordReads++;
    return this.records.get(phy);
  }

  async storeTimeAt(topic: string, queueId: number, q: number): Promise<number> {
    const unit = this.queues.get(`${topic}\u0001${queueId}`)?.units.get(q);
    const rec = unit && this.records.get(Number(unit.readBigInt64BE(0)));
    return rec ? decodeMessageRecord(rec).storeTimestamp : -1;
  }

  /** A linear scan: the plain answer the store's search is checked against. */
  async firstOffsetByTime(topic: string, queueId: number, ts: number, strict: boolean) {
    const range = this.queueRange(topic, queueId);
    if (!range) return undefined;
    for (let q = range.minOffset; q < range.maxOffset; q++) {
      const t = await this.storeTimeAt(topic, queueId, q);
      if (strict ? t > ts : t >= ts) return q;
    }
    return range.maxOffset;
  }

  async queryOffsets(
    topic: string,
    key: string,
    maxNum: number,
    range: { belowOffset: number },
  ): Promise<number[]> {
    return this.keys
      .filter((k) => k.topic === topic && k.key === key && k.phy < range.belowOffset)
      .map((k) => k.phy)
      .reverse()
      .slice(0, maxNum);
  }

  mayDeleteSegment(_start: number, end: number): boolean {
    return end <= this.committed;
  }

  admit(): string | undefined {
    return this.refusal;
  }

  waitCommitted(end: number, timeoutMs: number): Promise<boolean> {
    if (end <= this.committed) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waits.push({ end, resolve });
      setTimeout(() => resolve(false), timeoutMs).unref();
    });
  }

  onAppended(maxOffset: number): void {
    this.appended.push(maxOffset);
  }
}
