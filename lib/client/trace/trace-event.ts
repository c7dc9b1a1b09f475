/**
 * The typed events of a message-trace body (protocol §10.6), one per record type, and the Apache enums
 * their fields carry. Codec: trace-data.ts.
 */
/** Apache MessageType, by ordinal (Order_Msg is 5.x only). */
export const MESSAGE_TYPES = [
  "Normal_Msg",
  "Trans_Msg_Half",
  "Trans_msg_Commit",
  "Delay_Msg",
  "Order_Msg",
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Apache LocalTransactionState names. */
export const LOCAL_TRANSACTION_STATES = ["COMMIT_MESSAGE", "ROLLBACK_MESSAGE", "UNKNOW"] as const;
export type LocalTransactionState = (typeof LOCAL_TRANSACTION_STATES)[number];

/** Apache ConsumeReturnType, by ordinal: SubAfter's contextCode. */
export const CONSUME_RETURN_TYPES = ["SUCCESS", "TIME_OUT", "EXCEPTION", "RETURNNULL", "FAILED"] as const;
export type ConsumeReturnType = (typeof CONSUME_RETURN_TYPES)[number];

/** A producer's send (SendMessageTraceHookImpl). */
export interface PubTraceEvent {
  type: "Pub";
  timestampMs: number;
  regionId: string;
  groupName: string;
  topic: string;
  msgId: string;
  tags: string;
  keys: string;
  /** The broker address the message was sent to. */
  storeHost: string;
  bodyLength: number;
  costTimeMs: number;
  msgType: MessageType;
  /** Absent in the oldest 13-field form. */
  offsetMsgId?: string | undefined;
  success: boolean;
  /** Only in the 15-field form some clients write. */
  clientHost?: string | undefined;
}

/** A consumer about to run its listener on the message (ConsumeMessageTraceHookImpl, before). */
export interface SubBeforeTraceEvent {
  type: "SubBefore";
  timestampMs: number;
  regionId: string;
  groupName: string;
  /** Shared with the matching SubAfter. */
  requestId: string;
  msgId: string;
  retryTimes: number;
  keys: string;
}

/** The listener returned (ConsumeMessageTraceHookImpl, after). */
export interface SubAfterTraceEvent {
  type: "SubAfter";
  requestId: string;
  msgId: string;
  costTimeMs: number;
  success: boolean;
  keys: string;
  /** ConsumeReturnType ordinal (4.9+). */
  contextCode?: number | undefined;
  /** 4.9+ (not in the 5.x CLOUD access channel). */
  timestampMs?: number | undefined;
  /** 5.x. */
  groupName?: string | undefined;
}

/** A transactional producer ended a half message (EndTransactionTraceHookImpl). */
export interface EndTransactionTraceEvent {
  type: "EndTransaction";
  timestampMs: number;
  regionId: string;
  groupName: string;
  topic: string;
  msgId: string;
  tags: string;
  keys: string;
  storeHost: string;
  msgType: MessageType;
  transactionId: string;
  transactionState: LocalTransactionState;
  fromTransactionCheck: boolean;
}

/** A 5.x producer recalled a delayed message. */
export interface RecallTraceEvent {
  type: "Recall";
  timestampMs: number;
  regionId: string;
  groupName: string;
  topic: string;
  msgId: string;
  success: boolean;
}

export type TraceEvent =
  | PubTraceEvent
  | SubBeforeTraceEvent
  | SubAfterTraceEvent
  | EndTransactionTraceEvent
  | RecallTraceEvent;

export type TraceType = TraceEvent["type"];
