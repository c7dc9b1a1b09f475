/**
 * Delay levels (protocol §10.4): for SCHEDULE_TOPIC_XXXX the ConsumeQueue tagsCode holds the delivery time,
 * storeTimestamp + delay(level), which the store computes because it assigns the store time.
 */
import { StratusError } from "../common/errors.js";
import { getProperty, MessageConst } from "../protocol/message-properties.js";
import { tagsString2tagsCode } from "../protocol/tags.js";

export const RMQ_SYS_SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
export const DEFAULT_MESSAGE_DELAY_LEVEL = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1s 5s 1m ..." → delay in ms per level (index 0 = level 1). */
export function parseDelayLevels(spec: string): number[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((item) => {
      const m = /^(\d+)([smhd])$/.exec(item);
      if (!m) throw new StratusError("CONFIG_INVALID", `messageDelayLevel entry ${JSON.stringify(item)}`);
      return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    });
}

/** Apache computeDeliverTimestamp: storeTimestamp + delay of the level, or + 1 s for an unknown level. */
export function computeDeliverTimestamp(
  levels: readonly number[],
  delayLevel: number,
  storeTimestamp: number,
): number {
  const delay = levels[delayLevel - 1];
  return delay === undefined ? storeTimestamp + 1000 : storeTimestamp + delay;
}

/** The tagsCode a record gets in its ConsumeQueue (recomputed the same way on recovery). */
export function consumeQueueTagsCode(
  levels: readonly number[],
  topic: string,
  propertiesString: string,
  storeTimestamp: number,
  given: number | undefined,
): number {
  if (topic === RMQ_SYS_SCHEDULE_TOPIC) {
    const level = Number(getProperty(propertiesString, MessageConst.PROPERTY_DELAY_TIME_LEVEL));
    if (Number.isInteger(level) && level > 0) return computeDeliverTimestamp(levels, level, storeTimestamp);
  }
  return given ?? tagsString2tagsCode(getProperty(propertiesString, MessageConst.PROPERTY_TAGS));
}
