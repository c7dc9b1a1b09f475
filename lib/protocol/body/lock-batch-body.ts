/** LOCK_BATCH_MQ (41) / UNLOCK_BATCH_MQ (42) request bodies and the LockBatchResponseBody. */

import { StratusError } from "../../common/errors.js";
import { MAX_QUEUE_NUMS } from "../../common/limits.js";
import {
  decodeMessageQueue,
  jsonArray,
  jsonBoolean,
  jsonString,
  type MessageQueue,
  parseJsonBody,
} from "./json-body.js";

export interface LockBatchRequestBody {
  clientId: string;
  consumerGroup: string;
  mqSet: MessageQueue[];
  onlyThisBroker: boolean;
}

/** Most queues in one lock/unlock request. */
export const MAX_LOCK_BATCH_QUEUES = MAX_QUEUE_NUMS * 16;

export function decodeLockBatchRequestBody(body: Buffer | undefined, what: string): LockBatchRequestBody {
  const o = parseJsonBody(body, what);
  const mqs = jsonArray(o.mqSet);
  if (mqs.length > MAX_LOCK_BATCH_QUEUES) {
    throw new StratusError("LIMIT_EXCEEDED", `${what}: more than ${MAX_LOCK_BATCH_QUEUES} queues`);
  }
  return {
    clientId: jsonString(o.clientId),
    consumerGroup: jsonString(o.consumerGroup),
    mqSet: mqs.map(decodeMessageQueue),
    onlyThisBroker: jsonBoolean(o.onlyThisBroker),
  };
}

export function encodeLockBatchResponseBody(lockOKMQSet: MessageQueue[]): Buffer {
  const set = lockOKMQSet.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic }));
  return Buffer.from(JSON.stringify({ lockOKMQSet: set }));
}
