/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42), protocol §5.8: orderly consumers lock the queues they were
 * assigned before consuming them. Stratus has no replicas, so `onlyThisBroker` and strict mode change nothing.
 */
import { StratusError } from "../../common/errors.js";
import {
  decodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
} from "../../protocol/body/lock-batch-body.js";
import { createResponse, isOneway, type RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { RequestDispatcher } from "../../remoting/dispatcher.js";
import type { RebalanceLockManager } from "../rebalance-lock-manager.js";

function decode(request: RemotingCommand, what: string) {
  const body = decodeLockBatchRequestBody(request.body, what);
  if (body.consumerGroup === "")
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: consumerGroup is missing`);
  if (body.clientId === "") throw new StratusError("ILLEGAL_ARGUMENT", `${what}: clientId is missing`);
  return body;
}

export class QueueLockProcessor {
  constructor(private readonly locks: RebalanceLockManager) {}

  /** Answers the queues the client holds after the call (`lockOKMQSet`). */
  lockBatchMQ(request: RemotingCommand): RemotingCommand {
    const body = decode(request, "LOCK_BATCH_MQ");
    const locked = this.locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, encodeLockBatchResponseBody(locked));
  }

  /** Releases the client's queues; a oneway request (the client's shutdown path) gets no answer. */
  unlockBatchMQ(request: RemotingCommand): RemotingCommand | undefined {
    const body = decode(request, "UNLOCK_BATCH_MQ");
    this.locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return isOneway(request) ? undefined : createResponse(request, ResponseCode.SUCCESS);
  }
}

export function registerQueueLockProcessors(
  dispatcher: RequestDispatcher,
  locks: RebalanceLockManager,
): void {
  const p = new QueueLockProcessor(locks);
  dispatcher.register(RequestCode.LOCK_BATCH_MQ, (r) => p.lockBatchMQ(r));
  dispatcher.register(RequestCode.UNLOCK_BATCH_MQ, (r) => p.unlockBatchMQ(r));
}
