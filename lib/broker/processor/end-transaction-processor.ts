/** END_TRANSACTION (37): commit or roll back a half message (usually sent oneway by the producer). */
import { isStratusError } from "../../common/errors.js";
import { decodeEndTransactionRequestHeader } from "../../protocol/header/end-transaction-request-header.js";
import { MessageSysFlag } from "../../protocol/message-sys-flag.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { TransactionalMessageService } from "../transaction/transactional-message-service.js";

export class EndTransactionProcessor {
  constructor(private readonly tx: TransactionalMessageService) {}

  async process(request: RemotingCommand): Promise<RemotingCommand> {
    let h: ReturnType<typeof decodeEndTransactionRequestHeader>;
    try {
      h = decodeEndTransactionRequestHeader(request.extFields);
    } catch (e) {
      if (isStratusError(e)) return createResponse(request, ResponseCode.SYSTEM_ERROR, e.message);
      throw e;
    }
    const type = h.commitOrRollback;
    if (
      type !== MessageSysFlag.TRANSACTION_COMMIT_TYPE &&
      type !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
    ) {
      // UNKNOWN (0) or anything else: leave the half message for the back-check.
      return createResponse(request, ResponseCode.SUCCESS);
    }
    const half = this.tx.lookHalf(h.producerGroup, h.commitLogOffset, h.tranStateTableOffset);
    if (typeof half === "string") return createResponse(request, ResponseCode.SYSTEM_ERROR, half);
    const result =
      type === MessageSysFlag.TRANSACTION_COMMIT_TYPE
        ? await this.tx.commit(half)
        : await this.tx.deletePrepareMessage(half);
    return result.ok
      ? createResponse(request, ResponseCode.SUCCESS)
      : createResponse(request, ResponseCode.SYSTEM_ERROR, result.remark);
  }
}
