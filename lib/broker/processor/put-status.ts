/** Map a store PutMessageStatus to the send response code (Apache SendMessageProcessor.handlePutMessageResult). */
import { ResponseCode } from "../../protocol/response-code.js";
import type { PutMessageResult } from "../../store/message-store.js";

export function putStatusToResponse(result: PutMessageResult): {
  code: number;
  remark?: string;
  stored: boolean;
} {
  switch (result.status) {
    case "PUT_OK":
      return { code: ResponseCode.SUCCESS, stored: true };
    case "FLUSH_DISK_TIMEOUT":
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT, stored: true };
    case "MESSAGE_ILLEGAL":
    case "PROPERTIES_SIZE_EXCEEDED":
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: result.remark ?? "the message is illegal",
        stored: false,
      };
    case "SERVICE_NOT_AVAILABLE":
      return {
        code: ResponseCode.SERVICE_NOT_AVAILABLE,
        remark: result.remark ?? "service not available now, maybe disk full or the broker is shutting down",
        stored: false,
      };
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: result.remark ?? "UNKNOWN_ERROR", stored: false };
  }
}
