/**
 * The one error type Stratus throws for failures. Expected outcomes (not found, segment full,
 * condition failed) are return values, never StratusError; bugs use `assert` and are never caught.
 */
export type StratusErrorCode =
  | "FRAME_TOO_LARGE"
  | "FRAME_MALFORMED"
  | "HEADER_MALFORMED"
  | "RECORD_MALFORMED"
  | "LIMIT_EXCEEDED"
  | "TIMEOUT"
  | "CONNECTION_CLOSED"
  | "CONFIG_INVALID"
  | "STORE_IO"
  | "STORE_CORRUPT"
  | "METADATA_UNAVAILABLE"
  | "OBJECT_STORE_UNAVAILABLE"
  | "ILLEGAL_ARGUMENT"
  | "SHUTTING_DOWN";

const RETRIABLE: ReadonlySet<StratusErrorCode> = new Set<StratusErrorCode>([
  "TIMEOUT",
  "CONNECTION_CLOSED",
  "METADATA_UNAVAILABLE",
  "OBJECT_STORE_UNAVAILABLE",
]);

export class StratusError extends Error {
  readonly code: StratusErrorCode;
  readonly retriable: boolean;

  constructor(code: StratusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StratusError";
    this.code = code;
    this.retriable = RETRIABLE.has(code);
  }
}

export function isStratusError(e: unknown, code?: StratusErrorCode): e is StratusError {
  return e instanceof StratusError && (code === undefined || e.code === code);
}
