// What the local-cloud scripts (local-up.mjs, local-cluster.mjs) share as command-line programs.

import net from "node:net";

/** A mistake in how the script was called or in the machine's state that the user can fix: exit 2. */
export class UsageError extends Error {}

/** `text` as a TCP port, or a UsageError naming `flag`. */
export function parsePort(flag, text) {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} needs a port number 1..65535, got '${text}'`);
  }
  return port;
}

/** Whether something already listens on host:port (other bind errors reject). */
export function portInUse(host, port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (e) => (e.code === "EADDRINUSE" ? resolve(true) : reject(e)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The handler of a script's failed main(): the message on stderr, exit 2 for usage errors, else 1. */
export function exitOnFailure(script) {
  return (e) => {
    process.stderr.write(`${script}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError || e?.code?.startsWith?.("ERR_PARSE_ARGS") ? 2 : 1);
  };
}
