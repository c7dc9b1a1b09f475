/**
 * Timer messages (5.x: TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS): any delivery time up to
 * timerMaxDelaySec. Such a message waits in rmq_sys_wheel_timer queue 0 with TIMER_OUT_MS = delivery time; a
 * min-heap orders what is pending, and due messages are re-put to REAL_TOPIC / REAL_QID. Progress (the offset
 * below which everything is delivered, plus the delivered offsets above it) persists in config/timercheck.json,
 * and the heap is rebuilt from the timer queue at start — so timers survive a restart; progress also goes to the
 * object store with the tier's chunks (schedule-progress.ts), so timers survive the loss of the disk too.
 */
import { join } from "node:path";
import { MAX_PENDING_TIMER_MESSAGES } from "../../common/limits.js";
import { MinHeap } from "../../common/min-heap.js";
import { decodeProperties, encodeProperties, MessageConst } from "../../protocol/message-properties.js";
import { decodeMessageRecord } from "../../protocol/message-record.js";
import type { MessageExtBrokerInner } from "../../store/message-store.js";
import type { BrokerContext } from "../broker-context.js";
import { readConfigFile, writeConfigFile } from "../config-file.js";
import { copyStoredMessage, realAddress } from "../stored-message-copy.js";
import type { DurableScheduleProgress } from "./schedule-progress.js";

export const TIMER_TOPIC = "rmq_sys_wheel_timer";
/** How often due timers are delivered. */
export const TIMER_TICK_MS = 50;

interface Pending {
  deliverMs: number;
  queueOffset: number;
}

export type TimerVerdict =
  | { kind: "none" }
  | { kind: "now" }
  | { kind: "timer"; msg: MessageExtBrokerInner }
  | { kind: "error"; remark: string };

export class TimerMessageService {
  private readonly heap = new MinHeap<Pending>((p) => p.deliverMs);
  private readonly delivered = new Set<number>();
  private committed = 0;
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private progress: DurableScheduleProgress | undefined;

  constructor(private readonly ctx: BrokerContext) {
    this.path = join(ctx.config.storePathRootDir, "config", "timercheck.json");
  }

  /** Decide what a send with timer properties becomes (Apache HookUtils.transformTimerMessage). */
  transform(msg: MessageExtBrokerInner, props: Map<string, string>): TimerVerdict {
    const sec = props.get(MessageConst.PROPERTY_TIMER_DELAY_SEC);
    const ms = props.get(MessageConst.PROPERTY_TIMER_DELAY_MS);
    const at = props.get(MessageConst.PROPERTY_TIMER_DELIVER_MS);
    if (sec === undefined && ms === undefined && at === undefined) return { kind: "none" };
    if (!this.ctx.config.timerWheelEnable) {
      return { kind: "error", remark: "accurate timer message is not enabled, timerWheelEnable is false" };
    }
    const now = this.ctx.clock.nowMs();
    const deliverMs =
      sec !== undefined ? now + Number(sec) * 1000 : ms !== undefined ? now + Number(ms) : Number(at);
    if (!Number.isSafeInteger(deliverMs))
      return { kind: "error", remark: "timer message illegal: bad delivery time" };
    if (deliverMs <= now) return { kind: "now" };
    if (deliverMs - now > this.ctx.config.timerMaxDelaySec * 1000) {
      return {
        kind: "error",
        remark: `timer message illegal: delay is beyond timerMaxDelaySec ${this.ctx.config.timerMaxDelaySec}`,
      };
    }
    if (this.heap.size >= MAX_PENDING_TIMER_MESSAGES)
      return { kind: "error", remark: "timer message flow control: too many pending timers" };
    props.set(MessageConst.PROPERTY_TIMER_OUT_MS, String(deliverMs));
    props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    return {
      kind: "timer",
      msg: {
        ...msg,
        topic: TIMER_TOPIC,
        queueId: 0,
        propertiesString: encodeProperties(props),
        tagsCode: deliverMs,
      },
    };
  }

  /**
   * Load progress and rebuild the heap from the timer queue, over both tiers. Call after the store has started.
   * A disk without timercheck.json (a lost disk) takes the progress the object store recorded (`progress`),
   * which is then also told of every delivery.
   */
  async load(progress?: DurableScheduleProgress): Promise<void> {
    const file = readConfigFile(
      this.path,
      (t) => JSON.parse(t) as { committed?: number; delivered?: number[] },
    );
    this.progress = progress;
    const from = file ?? progress?.timer();
    this.committed = from?.committed ?? 0;
    for (const o of from?.delivered ?? []) this.delivered.add(o);
    const store = this.ctx.store;
    let offset = Math.max(this.committed, store.getMinOffsetInQueue(TIMER_TOPIC, 0));
    const max = store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
    while (offset < max) {
      const result = await this.read(offset, 256);
      if (result.messages.length === 0) {
        if (result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset;
        continue;
      }
      for (const record of result.messages) {
        const m = decodeMessageRecord(record);
        offset = m.queueOffset + 1;
        if (this.delivered.has(m.queueOffset)) continue;
        const deliverMs = Number(m.properties.get(MessageConst.PROPERTY_TIMER_OUT_MS) ?? 0);
        this.heap.push({ deliverMs, queueOffset: m.queueOffset });
      }
    }
  }

  /** The timer queue from `offset`, from whichever tier holds it. */
  private read(offset: number, max: number) {
    const store = this.ctx.store;
    return store.getMessageAsync
      ? store.getMessageAsync(TIMER_TOPIC, 0, offset, max, 8 * 1024 * 1024)
      : Promise.resolve(store.getMessage(TIMER_TOPIC, 0, offset, max, 8 * 1024 * 1024));
  }

  /** The store dispatched a message to the timer queue (tagsCode carries its delivery time). */
  onArrived(queueOffset: number, deliverMs: number): void {
    this.heap.push({ deliverMs, queueOffset });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), TIMER_TICK_MS);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.persist();
  }

  pendingCount(): number {
    return this.heap.size;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.ctx.clock.nowMs();
      for (let top = this.heap.peek(); top && top.deliverMs <= now; top = this.heap.peek()) {
        if (!(await this.deliver(top.queueOffset))) break;
        this.heap.pop();
      }
      if (this.dirty) this.persist();
    } finally {
      this.running = false;
    }
  }

  /** Re-put one timer message to its real topic; false when the store refused (retried next tick). */
  private async deliver(queueOffset: number): Promise<boolean> {
    const result = await this.read(queueOffset, 1);
    const record = result.messages[0];
    if (record) {
      const m = decodeMessageRecord(record);
      if (m.queueOffset === queueOffset) {
        const put = await this.ctx.store.putMessage(this.timeUp(m));
        if (put.status !== "PUT_OK" && put.status !== "FLUSH_DISK_TIMEOUT") return false;
        const last = put.appended[put.appended.length - 1];
        if (last) this.progress?.noteTimer(last.wroteOffset + last.wroteBytes, queueOffset);
      }
    }
    this.delivered.add(queueOffset);
    while (this.delivered.delete(this.committed)) this.committed++;
    this.dirty = true;
    return true;
  }

  private timeUp(m: ReturnType<typeof decodeMessageRecord>): MessageExtBrokerInner {
    const props = decodeProperties(m.propertiesString);
    props.set(MessageConst.PROPERTY_TIMER_DEQUEUE_MS, String(this.ctx.clock.nowMs()));
    return copyStoredMessage(m, { ...realAddress(m, props), properties: props });
  }

  private persist(): void {
    this.dirty = false;
    writeConfigFile(this.path, JSON.stringify({ committed: this.committed, delivered: [...this.delivered] }));
  }
}
