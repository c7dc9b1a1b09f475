/** END_TRANSACTION (37) request header, and CHECK_TRANSACTION_STATE (39) header the broker sends. */
import {
  type ExtFields,
  extString,
  optionalBoolean,
  optionalString,
  requireNumber,
  requireString,
} from "./ext-fields.js";

export interface EndTransactionRequestHeader {
  producerGroup: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  /** 8 COMMIT, 12 ROLLBACK, 0 UNKNOWN (MessageSysFlag transaction types). */
  commitOrRollback: number;
  fromTransactionCheck: boolean;
  msgId: string;
  transactionId: string | undefined;
}

export function decodeEndTransactionRequestHeader(ext: ExtFields): EndTransactionRequestHeader {
  return {
    producerGroup: requireString(ext, "producerGroup"),
    tranStateTableOffset: requireNumber(ext, "tranStateTableOffset"),
    commitLogOffset: requireNumber(ext, "commitLogOffset"),
    commitOrRollback: requireNumber(ext, "commitOrRollback"),
    fromTransactionCheck: optionalBoolean(ext, "fromTransactionCheck") ?? false,
    msgId: optionalString(ext, "msgId") ?? "",
    transactionId: optionalString(ext, "transactionId"),
  };
}

export interface CheckTransactionStateRequestHeader {
  tranStateTableOffset: number;
  commitLogOffset: number;
  msgId: string;
  transactionId: string;
  offsetMsgId: string;
  topic: string;
  brokerName: string;
}

export function encodeCheckTransactionStateRequestHeader(
  h: CheckTransactionStateRequestHeader,
): Record<string, string> {
  return {
    tranStateTableOffset: extString(h.tranStateTableOffset),
    commitLogOffset: extString(h.commitLogOffset),
    msgId: h.msgId,
    transactionId: h.transactionId,
    offsetMsgId: h.offsetMsgId,
    topic: h.topic,
    bname: h.brokerName,
  };
}
