/**
 * A stored message appended again under another address: what the delay levels (time up), the timer wheel
 * (time up), a transaction commit and a consumer's send-back each do. Body, flag, sysFlag, born time and
 * host, store host, reconsume count and prepared-transaction offset carry over unless the caller changes
 * them; the properties are re-encoded from `properties` and the tagsCode recomputed from its TAGS.
 */
import { encodeProperties, MessageConst } from "../protocol/message-properties.js";
import type { MessageExtBrokerInner } from "../protocol/message-record.js";
import { tagsString2tagsCode } from "../protocol/tags.js";

/** The new address and the fields a copy changes; everything else is the stored message's. */
export interface CopyTarget {
  topic: string;
  queueId: number;
  properties: ReadonlyMap<string, string>;
  sysFlag?: number;
  storeHost?: Buffer;
  reconsumeTimes?: number;
  preparedTransactionOffset?: number;
}

export function copyStoredMessage(stored: MessageExtBrokerInner, to: CopyTarget): MessageExtBrokerInner {
  return {
    topic: to.topic,
    queueId: to.queueId,
    flag: stored.flag,
    body: stored.body,
    propertiesString: encodeProperties(to.properties),
    tagsCode: tagsString2tagsCode(to.properties.get(MessageConst.PROPERTY_TAGS)),
    sysFlag: to.sysFlag ?? stored.sysFlag,
    bornTimestamp: stored.bornTimestamp,
    bornHost: stored.bornHost,
    storeHost: to.storeHost ?? stored.storeHost,
    reconsumeTimes: to.reconsumeTimes ?? stored.reconsumeTimes,
    preparedTransactionOffset: to.preparedTransactionOffset ?? stored.preparedTransactionOffset,
  };
}

/** REAL_TOPIC / REAL_QID of a message parked on a system topic (schedule, timer, half), else its own. */
export function realAddress(
  stored: { topic: string },
  properties: ReadonlyMap<string, string>,
): { topic: string; queueId: number } {
  return {
    topic: properties.get(MessageConst.PROPERTY_REAL_TOPIC) ?? stored.topic,
    queueId: Number(properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID) ?? 0),
  };
}
