/**
 * The RemotingCommand value every codec and processor speaks. Pure data: encoding lives in frame.ts.
 */
export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType];

/** flag bit 0: the frame is a response. */
export const RPC_TYPE_RESPONSE = 1;
/** flag bit 1: the request is oneway (no response is ever sent). */
export const RPC_ONEWAY = 2;

/** The `version` Stratus puts in every frame it sends: MQVersion V4_9_8 (>= 232 so SQL92 pulls are allowed). */
export const STRATUS_REMOTING_VERSION = 409;

export interface RemotingCommand {
  code: number;
  /** LanguageCode enum name, e.g. "JAVA". Binary headers carry the number; the codec maps it. */
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark?: string | undefined;
  /** Custom header fields; values always strings (the codec normalises numbers and booleans). */
  extFields: Record<string, string>;
  body?: Buffer | undefined;
  /**
   * A body made of pieces that go on the wire back to back (a pull's records, each a view into what the
   * store read): the connection writes them with one vectored write instead of joining them. Set it
   * instead of `body`, never with it; bodyLength() counts either.
   */
  bodyParts?: readonly Buffer[] | undefined;
  /** How the header was (or will be) serialized. */
  serializeType: SerializeTypeValue;
}

/** Bytes of the command's body, whether it is one buffer or pieces. */
export function bodyLength(cmd: RemotingCommand): number {
  if (cmd.bodyParts === undefined) return cmd.body?.length ?? 0;
  let n = 0;
  for (const part of cmd.bodyParts) n += part.length;
  return n;
}

/**
 * The pieces with every run of back-to-back views of one memory block merged into a single view (no
 * bytes copied): records read together lie side by side in their block, and each piece costs the socket
 * one entry of its vectored write.
 */
export function coalesceParts(parts: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  // the current run: its first piece and its length so far; a merged view is made once, when the run ends
  let head: Buffer | undefined;
  let length = 0;
  const flush = () => {
    if (head !== undefined)
      out.push(length === head.length ? head : Buffer.from(head.buffer, head.byteOffset, length));
  };
  for (const part of parts) {
    if (part.length === 0) continue;
    if (head !== undefined && head.buffer === part.buffer && head.byteOffset + length === part.byteOffset) {
      length += part.length;
      continue;
    }
    flush();
    head = part;
    length = part.length;
  }
  flush();
  return out;
}

/** The body as one buffer (pieces joined); for code that must hold it whole, never on the hot path. */
export function bodyBytes(cmd: RemotingCommand): Buffer | undefined {
  return cmd.bodyParts === undefined ? cmd.body : Buffer.concat(cmd.bodyParts);
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_TYPE_RESPONSE) !== 0;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_ONEWAY) !== 0;
}

let nextOpaque = 1;
/** Opaques are per sender; one process-wide counter is enough. */
export function allocateOpaque(): number {
  const v = nextOpaque;
  nextOpaque = nextOpaque >= 0x7fffffff ? 1 : nextOpaque + 1;
  return v;
}

export function createRequest(
  code: number,
  extFields: Record<string, string> = {},
  body?: Buffer,
  oneway = false,
): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version: STRATUS_REMOTING_VERSION,
    opaque: allocateOpaque(),
    flag: oneway ? RPC_ONEWAY : 0,
    extFields,
    body,
    serializeType: SerializeType.JSON,
  };
}

/** A response to `request`: same opaque, response bit set, answered in the request's serialization. */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields: Record<string, string> = {},
  body?: Buffer,
): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version: STRATUS_REMOTING_VERSION,
    opaque: request.opaque,
    flag: RPC_TYPE_RESPONSE,
    remark,
    extFields,
    body,
    serializeType: request.serializeType,
  };
}
