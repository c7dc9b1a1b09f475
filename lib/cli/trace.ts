/**
 * `stratus trace <msgId|key> [--namesrv host:port] [--trace-topic T] [--begin-ms N] [--end-ms N] [--json]`:
 * what happened to a message, from the traces Java clients with message trace on write. Prints tables by
 * default, the whole TraceQueryResult as JSON with --json.
 *
 * Exit codes: 0 found, 1 nothing found, 2 bad usage, 3 the NameServer (or every broker) could not be reached.
 */

import { queryTrace, RMQ_SYS_TRACE_TOPIC, type TraceQueryResult } from "../client/trace/query-trace.js";
import { formatTraceTable } from "../client/trace/trace-table.js";
import { isStratusError } from "../common/errors.js";
import { type FlagSpec, parseFlags, usage } from "./args.js";

export const TRACE_EXIT = { FOUND: 0, NOT_FOUND: 1, USAGE: 2, UNREACHABLE: 3 } as const;

const TRACE_FLAGS: FlagSpec = {
  namesrv: {
    description: "NameServer address(es), host:port[;host:port] (default $NAMESRV_ADDR or 127.0.0.1:9876)",
  },
  "trace-topic": { description: "the topic clients write traces to", default: RMQ_SYS_TRACE_TOPIC },
  "begin-ms": { description: "only trace messages stored at or after this epoch ms" },
  "end-ms": { description: "only trace messages stored at or before this epoch ms" },
  "timeout-ms": { description: "per request", default: "5000" },
  json: { description: "print the result as JSON", boolean: true },
};

const USAGE = `Usage: stratus trace <msgId|offsetMsgId|key> [flags]\n${usage("trace", TRACE_FLAGS).split("\n").slice(1).join("\n")}`;

/** The one positional argument (the id or key) and the flags around it. */
function splitPositional(argv: readonly string[]): { positional: string[]; flags: string[] } {
  const positional: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    flags.push(arg);
    const name = arg.slice(2).split("=")[0] ?? "";
    const takesValue = !arg.includes("=") && TRACE_FLAGS[name] !== undefined && !TRACE_FLAGS[name].boolean;
    if (takesValue && i + 1 < argv.length) flags.push(argv[++i] ?? "");
  }
  return { positional, flags };
}

function optionalMs(flags: Map<string, string>, name: string): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw new Error(`--${name} must be epoch milliseconds, got '${raw}'`);
  return Number(raw);
}

function fail(code: number, message: string): number {
  process.stderr.write(`stratus trace: ${message}\n`);
  return code;
}

function notFoundMessage(r: TraceQueryResult, namesrv: string): string {
  if (!r.traceTopicRouted)
    return (
      `nothing found for '${r.query}': the NameServer at ${namesrv} has no route for trace topic ` +
      `${r.traceTopic} (no client has written traces there yet, or --trace-topic is wrong)`
    );
  return (
    `nothing found for '${r.query}' in ${r.traceTopic} (${r.traceMessages} trace message(s) read). ` +
    `Check the id or key, that the clients run with message trace on, and that traces have been flushed.`
  );
}

export async function traceCommand(argv: string[]): Promise<number> {
  const { positional, flags: flagArgs } = splitPositional(argv);
  let flags: Map<string, string>;
  let beginMs: number | undefined;
  let endMs: number | undefined;
  try {
    flags = parseFlags("trace", flagArgs, TRACE_FLAGS);
    beginMs = optionalMs(flags, "begin-ms");
    endMs = optionalMs(flags, "end-ms");
    if (!/^\d{1,9}$/.test(flags.get("timeout-ms") ?? "")) throw new Error("--timeout-ms must be a number");
  } catch (e) {
    return fail(TRACE_EXIT.USAGE, `${(e as Error).message}\n${USAGE}`);
  }
  const [idOrKey, ...extra] = positional;
  if (idOrKey === undefined || idOrKey === "" || extra.length > 0)
    return fail(TRACE_EXIT.USAGE, `give exactly one msgId or key.\n${USAGE}`);
  const namesrv = flags.get("namesrv") ?? process.env.NAMESRV_ADDR ?? "127.0.0.1:9876";
  let result: TraceQueryResult;
  try {
    result = await queryTrace(namesrv, idOrKey, {
      traceTopic: flags.get("trace-topic"),
      beginMs,
      endMs,
      timeoutMs: Number(flags.get("timeout-ms")),
    });
  } catch (e) {
    if (isStratusError(e, "ILLEGAL_ARGUMENT")) return fail(TRACE_EXIT.USAGE, `${e.message}\n${USAGE}`);
    if (isStratusError(e)) return fail(TRACE_EXIT.UNREACHABLE, e.message);
    throw e;
  }
  if (flags.get("json") === "true") process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (result.messages.length > 0) {
    if (flags.get("json") !== "true") process.stdout.write(`${formatTraceTable(result)}\n`);
    return TRACE_EXIT.FOUND;
  }
  if (result.traceTopicRouted && result.traceMessages === 0 && result.brokerErrors.length > 0) {
    const why = result.brokerErrors.map((b) => `${b.brokerName} (${b.brokerAddr}): ${b.message}`).join("; ");
    return fail(TRACE_EXIT.UNREACHABLE, `no broker of ${result.traceTopic} answered: ${why}`);
  }
  return fail(TRACE_EXIT.NOT_FOUND, notFoundMessage(result, namesrv));
}
