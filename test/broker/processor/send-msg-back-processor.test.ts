/**
 * CONSUMER_SEND_MSG_BACK over a real store: the dead-letter copy Apache writes (DELAY=0, one more reconsume,
 * RETRY_TOPIC, ORIGIN_MESSAGE_ID = the failed record's offset message id, the body and born fields of the
 * failed message) and the retry copy parked on SCHEDULE_TOPIC_XXXX at level 3 + reconsumeTimes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SendMsgBackProcessor } from "../../../lib/broker/processor/send-msg-back-processor.js";
import { ScheduleMessageService } from "../../../lib/broker/schedule/schedule-message-service.js";
import { TopicValidator } from "../../../lib/broker/topic-validator.js";
import { MessageConst } from "../../../lib/protocol/message-properties.js";
import { decodeMessageRecords, type MessageExt } from "../../../lib/protocol/message-record.js";
import { createRequest } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { DefaultMessageStore } from "../../../lib/store/default-message-store.js";
import { msg, smallConfig } from "../../store/store-fixtures.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

const GROUP = "cg_back";

let f: AdminFixture;
let store: DefaultMessageStore;
let processor: SendMsgBackProcessor;

beforeEach(async () => {
  f = createAdminFixture([], {}, (dir, clock) => {
    store = new DefaultMessageStore(smallConfig(dir), clock);
    return store;
  });
  await store.start();
  f.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(GROUP);
  processor = new SendMsgBackProcessor(f.ctx, new ScheduleMessageService(f.ctx));
});

afterEach(async () => {
  await store.shutdown();
  f.cleanup();
});

async function failed(reconsumeTimes: number): Promise<{ offset: number; stored: MessageExt }> {
  const put = await store.putMessage({
    ...msg({ tags: "TagF", keys: "k1", uniqKey: "UNIQ0001", body: "failed body" }),
    reconsumeTimes,
  });
  const a = put.appended[0];
  if (!a) throw new Error(`put failed: ${put.status}`);
  const got = store.getMessage("TopicTest", 0, a.queueOffset, 1, 1 << 20);
  const [stored] = decodeMessageRecords(Buffer.concat(got.messages));
  if (!stored) throw new Error("stored message not found");
  return { offset: a.wroteOffset, stored };
}

async function sendBack(offset: number, delayLevel: number, maxReconsumeTimes = 16) {
  const request = createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
    offset: String(offset),
    group: GROUP,
    delayLevel: String(delayLevel),
    originMsgId: "UNIQ0001",
    originTopic: "TopicTest",
    unitMode: "false",
    maxReconsumeTimes: String(maxReconsumeTimes),
  });
  return processor.process({ ...request, version: 409 });
}

function only(topic: string, queueId = 0): MessageExt {
  const got = store.getMessage(topic, queueId, 0, 8, 1 << 20);
  const msgs = decodeMessageRecords(Buffer.concat(got.messages));
  expect(msgs).toHaveLength(1);
  return msgs[0] as MessageExt;
}

describe("CONSUMER_SEND_MSG_BACK", () => {
  it("writes the dead-letter copy with DELAY=0 once maxReconsumeTimes is reached", async () => {
    const { offset, stored } = await failed(2);
    const r = await sendBack(offset, 0, 2);
    expect(stored.offsetMsgId).not.toBe("UNIQ0001");
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    const dlq = only(`%DLQ%${GROUP}`);
    expect(dlq.properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe("0");
    expect(dlq.properties.get(MessageConst.PROPERTY_RETRY_TOPIC)).toBe("TopicTest");
    expect(dlq.properties.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)).toBe(stored.offsetMsgId);
    expect(dlq.properties.get(MessageConst.PROPERTY_TAGS)).toBe("TagF");
    expect(dlq.reconsumeTimes).toBe(3);
    expect(dlq.body.toString()).toBe("failed body");
    expect(dlq.bornTimestamp).toBe(stored.bornTimestamp);
    expect(dlq.bornHost).toEqual(stored.bornHost);
    expect(dlq.storeHost).toEqual(f.ctx.storeHost);
    expect(dlq.preparedTransactionOffset).toBe(0);
  });

  it("sends to the DLQ with DELAY=0 when the consumer asks for a negative delay level", async () => {
    const { offset } = await failed(0);
    const r = await sendBack(offset, -1);
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    const dlq = only(`%DLQ%${GROUP}`);
    expect(dlq.properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe("0");
    expect(dlq.reconsumeTimes).toBe(1);
  });

  it("parks a retry on SCHEDULE_TOPIC_XXXX at level 3 + reconsumeTimes, bound for %RETRY%group", async () => {
    const { offset, stored } = await failed(1);
    const r = await sendBack(offset, 0);
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    const parked = only(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 3);
    expect(parked.properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe("4");
    expect(parked.properties.get(MessageConst.PROPERTY_REAL_TOPIC)).toBe(`%RETRY%${GROUP}`);
    expect(parked.properties.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)).toBe(stored.offsetMsgId);
    expect(parked.reconsumeTimes).toBe(2);
    expect(store.getMaxOffsetInQueue(`%DLQ%${GROUP}`, 0)).toBe(0);
  });
});
