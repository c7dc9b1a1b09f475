/**
 * Delay levels (Apache ScheduleMessageService): a message with DELAY=L is stored in SCHEDULE_TOPIC_XXXX queue L-1;
 * per level a cursor walks that queue and, once storeTimestamp + delay(L) has passed, re-puts the message to
 * REAL_TOPIC / REAL_QID. Cursors persist in config/delayOffset.json, so delays survive a restart, and go to the
 * object store with the tier's chunks (schedule-progress.ts), so they survive the loss of the disk too.
 */
import { join } from "node:path";
import { decodeProperties, encodeProperties, MessageConst } from "../../protocol/message-properties.js";
import { decodeMessageRecord, type MessageExt } from "../../protocol/message-record.js";
import type { MessageExtBrokerInner } from "../../store/message-store.js";
import type { BrokerContext } from "../broker-context.js";
import { readConfigFile, writeConfigFile } from "../config-file.js";
import { copyStoredMessage, realAddress } from "../stored-message-copy.js";
import { TopicValidator } from "../topic-validator.js";
import { parseDelayLevels } from "./delay-levels.js";
import type { DurableScheduleProgress } from "./schedule-progress.js";

/** How often each level's cursor is checked. */
export const SCHEDULE_TICK_MS = 100;
/** Messages one level moves per tick at most. */
export const SCHEDULE_BATCH = 256;

export class ScheduleMessageService {
  private readonly levels: number[];
  private readonly offsets = new Map<number, number>();
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private loadedFromDisk = false;
  private progress: DurableScheduleProgress | undefined;

  constructor(private readonly ctx: BrokerContext) {
    this.levels = parseDelayLevels(ctx.config.messageDelayLevel);
    this.path = join(ctx.config.storePathRootDir, "config", "delayOffset.json");
  }

  get maxLevel(): number {
    return this.levels.length;
  }

  delayMs(level: number): number {
    return this.levels[Math.min(level, this.levels.length) - 1] ?? 0;
  }

  load(): void {
    const file = readConfigFile(this.path, (t) => JSON.parse(t) as { offsetTable?: Record<string, number> });
    this.loadedFromDisk = file !== undefined;
    for (const [level, offset] of Object.entries(file?.offsetTable ?? {}))
      this.offsets.set(Number(level), offset);
  }

  /**
   * After the tier loaded: deliveries are noted for the object store, and a disk without delayOffset.json (a
   * lost disk) takes the cursors the object store recorded.
   */
  restore(progress: DurableScheduleProgress): void {
    this.progress = progress;
    if (this.loadedFromDisk) return;
    for (const [level, offset] of progress.delayOffsets()) this.offsets.set(level, offset);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), SCHEDULE_TICK_MS);
    this.timer.unref();
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.persist();
  }

  /** Rewrite a message carrying DELAY=level so it waits in the schedule topic. */
  toScheduleTopic(
    msg: MessageExtBrokerInner,
    properties: Map<string, string>,
    level: number,
  ): MessageExtBrokerInner {
    const clamped = Math.min(level, this.maxLevel);
    properties.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(clamped));
    properties.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    properties.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    return {
      ...msg,
      topic: TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
      queueId: clamped - 1,
      propertiesString: encodeProperties(properties),
      tagsCode: this.ctx.clock.nowMs() + this.delayMs(clamped),
    };
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let moved = false;
      for (let level = 1; level <= this.levels.length; level++)
        moved = (await this.deliverLevel(level)) || moved;
      if (moved) this.persist();
    } finally {
      this.running = false;
    }
  }

  /** Deliver due messages of one level; true when the cursor moved. */
  private async deliverLevel(level: number): Promise<boolean> {
    const store = this.ctx.store;
    const topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
    const queueId = level - 1;
    let offset = Math.max(this.offsets.get(level) ?? 0, store.getMinOffsetInQueue(topic, queueId));
    const start = this.offsets.get(level) ?? 0;
    if (offset >= store.getMaxOffsetInQueue(topic, queueId)) return false;
    // the async read reaches what only the object store holds (a lost disk, local retention)
    const result = store.getMessageAsync
      ? await store.getMessageAsync(topic, queueId, offset, SCHEDULE_BATCH, 8 * 1024 * 1024)
      : store.getMessage(topic, queueId, offset, SCHEDULE_BATCH, 8 * 1024 * 1024);
    // nothing readable there (holes, a chunk retention removed): move on to where data is
    if (result.messages.length === 0 && result.nextBeginOffset > offset) offset = result.nextBeginOffset;
    const now = this.ctx.clock.nowMs();
    for (const record of result.messages) {
      const msg = decodeMessageRecord(record);
      if (msg.storeTimestamp + this.delayMs(level) > now) break;
      const put = await store.putMessage(this.messageTimeUp(msg));
      if (put.status !== "PUT_OK" && put.status !== "FLUSH_DISK_TIMEOUT") break;
      offset = msg.queueOffset + 1;
      const last = put.appended[put.appended.length - 1];
      if (last) this.progress?.noteDelay(last.wroteOffset + last.wroteBytes, level, offset);
    }
    this.offsets.set(level, offset);
    return offset !== start;
  }

  /** The message as it goes back to its real topic: DELAY removed, tagsCode from TAGS. */
  private messageTimeUp(msg: MessageExt): MessageExtBrokerInner {
    const props = decodeProperties(msg.propertiesString);
    props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
    props.delete(MessageConst.PROPERTY_TIMER_DELIVER_MS);
    props.delete(MessageConst.PROPERTY_TIMER_DELAY_SEC);
    props.delete(MessageConst.PROPERTY_TIMER_DELAY_MS);
    return copyStoredMessage(msg, { ...realAddress(msg, props), properties: props });
  }

  /** Per-level cursor, for GET_ALL_DELAY_OFFSET and runtime info. */
  offsetTable(): Map<number, number> {
    return new Map(this.offsets);
  }

  private persist(): void {
    writeConfigFile(this.path, JSON.stringify({ offsetTable: Object.fromEntries(this.offsets) }));
  }
}
