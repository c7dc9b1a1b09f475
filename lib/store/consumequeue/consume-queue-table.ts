/**
 * All ConsumeQueues of the store, by topic and queue id (Apache consumeQueueTable).
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { consumeQueueDir, consumeQueueRootDir } from "../store-path.js";
import { ConsumeQueue } from "./consume-queue.js";

export class ConsumeQueueTable {
  private readonly table = new Map<string, Map<number, ConsumeQueue>>();
  /** Queues with staged units in the current append batch. */
  private readonly staged = new Set<ConsumeQueue>();

  constructor(
    readonly root: string,
    readonly fileSize: number,
  ) {}

  /** Opens every consumequeue/<topic>/<queueId>/ directory. */
  load(): void {
    const rootDir = consumeQueueRootDir(this.root);
    let topics: string[];
    try {
      topics = readdirSync(rootDir);
    } catch {
      return;
    }
    for (const topic of topics) {
      if (!statSync(join(rootDir, topic)).isDirectory()) continue;
      for (const q of readdirSync(join(rootDir, topic))) {
        if (!/^\d+$/.test(q)) continue;
        const cq = this.findOrCreate(topic, Number(q));
        cq.load();
      }
    }
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.table.get(topic)?.get(queueId);
  }

  findOrCreate(topic: string, queueId: number): ConsumeQueue {
    let byQueue = this.table.get(topic);
    if (!byQueue) {
      byQueue = new Map();
      this.table.set(topic, byQueue);
    }
    let cq = byQueue.get(queueId);
    if (!cq) {
      cq = new ConsumeQueue(consumeQueueDir(this.root, topic, queueId), topic, queueId, this.fileSize);
      byQueue.set(queueId, cq);
    }
    return cq;
  }

  markStaged(cq: ConsumeQueue): void {
    this.staged.add(cq);
  }

  writeStaged(): void {
    for (const cq of this.staged) cq.writeStaged();
    this.staged.clear();
  }

  discardStaged(): void {
    for (const cq of this.staged) cq.discardStaged();
    this.staged.clear();
  }

  *all(): Iterable<ConsumeQueue> {
    for (const byQueue of this.table.values()) yield* byQueue.values();
  }

  topicQueueTable(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [topic, byQueue] of this.table)
      out.set(
        topic,
        [...byQueue.keys()].sort((a, b) => a - b),
      );
    return out;
  }

  deleteTopic(topic: string): void {
    const byQueue = this.table.get(topic);
    if (byQueue) for (const cq of byQueue.values()) cq.destroy();
    this.table.delete(topic);
    rmSync(join(consumeQueueRootDir(this.root), topic), { recursive: true, force: true });
  }

  async sync(): Promise<void> {
    await Promise.all([...this.all()].map((cq) => cq.sync()));
  }

  close(): void {
    for (const cq of this.all()) cq.close();
  }
}
