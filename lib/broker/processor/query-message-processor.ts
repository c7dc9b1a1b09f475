/**
 * QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33), protocol §7.1-7.2: look messages up by key (or UNIQ_KEY) in
 * the index, or by CommitLog offset, and answer with the raw stored records back to back. A store with a cold
 * tier (getMessage's *Async reads) also finds what left local disk.
 */
import { isStratusError } from "../../common/errors.js";
import { MAX_QUERY_BODY_BYTES, MAX_QUERY_RESULTS } from "../../common/limits.js";
import { extString } from "../../protocol/header/ext-fields.js";
import {
  decodeQueryMessageRequestHeader,
  decodeViewMessageRequestHeader,
} from "../../protocol/header/query-message-headers.js";
import { createResponse, type RemotingCommand } from "../../protocol/remoting-command.js";
import { RequestCode } from "../../protocol/request-code.js";
import { ResponseCode } from "../../protocol/response-code.js";
import type { RequestDispatcher } from "../../remoting/dispatcher.js";
import type { BrokerContext } from "../broker-context.js";

/** Results of a UNIQ_KEY query, whatever maxNum says (Apache defaultQueryMaxNum). */
export const DEFAULT_QUERY_MAX_NUM = 32;

export class QueryMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /**
   * Records whose index key matches, stored within [beginTimestamp, endTimestamp]; at most MAX_QUERY_RESULTS and
   * MAX_QUERY_BODY_BYTES. The index's last update is reported in the header whether or not anything matched.
   */
  async queryMessage(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeQueryMessageRequestHeader(request.extFields);
    const maxNum = Math.max(
      0,
      Math.min(h.uniqueKeyQuery ? DEFAULT_QUERY_MAX_NUM : h.maxNum, MAX_QUERY_RESULTS),
    );
    const store = this.ctx.store;
    const result = store.queryMessageAsync
      ? await store.queryMessageAsync(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp)
      : store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
    const header = {
      indexLastUpdateTimestamp: extString(result.indexLastUpdateTimestamp),
      indexLastUpdatePhyoffset: extString(result.indexLastUpdatePhyoffset),
    };
    const records: Buffer[] = [];
    let bytes = 0;
    for (const record of result.messages.slice(0, maxNum)) {
      if (bytes + record.length > MAX_QUERY_BODY_BYTES && records.length > 0) break;
      records.push(record);
      bytes += record.length;
    }
    if (records.length === 0) {
      const remark = "can not find message, maybe time range not correct";
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, remark, header);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, header, Buffer.concat(records, bytes));
  }

  /** The record at a CommitLog offset (decoded from an offset message id by the client). */
  async viewMessageById(request: RemotingCommand): Promise<RemotingCommand> {
    const { offset } = decodeViewMessageRequestHeader(request.extFields);
    const store = this.ctx.store;
    let record: Buffer | undefined;
    try {
      if (offset >= 0)
        record = store.lookMessageByOffsetAsync
          ? await store.lookMessageByOffsetAsync(offset)
          : store.lookMessageByOffset(offset);
    } catch (e) {
      // An offset that is not the start of a record reads as garbage: report it as not found.
      if (!isStratusError(e)) throw e;
    }
    if (!record) {
      return createResponse(
        request,
        ResponseCode.SYSTEM_ERROR,
        `can not find message by the offset, ${offset}`,
      );
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, record);
  }
}

export function registerQueryMessageProcessors(dispatcher: RequestDispatcher, ctx: BrokerContext): void {
  const p = new QueryMessageProcessor(ctx);
  dispatcher.register(RequestCode.QUERY_MESSAGE, (r) => p.queryMessage(r));
  dispatcher.register(RequestCode.VIEW_MESSAGE_BY_ID, (r) => p.viewMessageById(r));
}
