/**
 * Routes requests to processors by request code. Unknown codes get REQUEST_CODE_NOT_SUPPORTED with
 * Java's remark; a processor that throws or rejects gets SYSTEM_ERROR with the error's message.
 */
import { assert } from "../common/assert.js";
import { createResponse, type RemotingCommand } from "../protocol/remoting-command.js";
import { ResponseCode } from "../protocol/response-code.js";
import { type Connection, errorResponse, isPromiseLike, type RequestHandler } from "./connection.js";

export type Processor = (
  request: RemotingCommand,
  connection: Connection,
) => Promise<RemotingCommand | undefined> | RemotingCommand | undefined;

export class RequestDispatcher {
  private readonly processors = new Map<number, Processor>();

  /** Registers the processor of one request code; registering a code twice is a bug. */
  register(code: number, processor: Processor): void {
    assert(!this.processors.has(code), `request code ${code} registered twice`);
    this.processors.set(code, processor);
  }

  /** A RequestHandler for RemotingServer / RemotingClient (safe to pass unbound). */
  readonly handle: RequestHandler = (request, connection) => {
    const processor = this.processors.get(request.code);
    if (!processor) {
      const remark = ` request type ${request.code} not supported`;
      return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark);
    }
    let result: ReturnType<Processor>;
    try {
      result = processor(request, connection);
    } catch (e) {
      return errorResponse(request, e);
    }
    if (!isPromiseLike(result)) return result;
    return Promise.resolve(result).catch((e: unknown) => errorResponse(request, e));
  };
}
