/** Environment switches of the compatibility harness (no imports, so every launcher can use them). */

export type CompatTarget = "stratus" | "apache";

/** Apache server line used for each client line: 4.9.8's own server is not on Maven Central. */
const APACHE_SERVER_FOR_MAJOR: Record<string, string> = { "4": "4.9.7", "5": "5.3.3" };

export function compatTarget(env: NodeJS.ProcessEnv = process.env): CompatTarget {
  const value = env.STRATUS_COMPAT_TARGET ?? "stratus";
  if (value === "stratus" || value === "apache") return value;
  throw new Error(`STRATUS_COMPAT_TARGET must be 'stratus' or 'apache', got '${value}'`);
}

/**
 * The Apache server version that judges a given client/tools version: STRATUS_APACHE_VERSION when set,
 * else the same major line (4.x clients against 4.9.7, 5.x against 5.3.3).
 */
export function apacheServerFor(clientVersion: string, env: NodeJS.ProcessEnv = process.env): string {
  const forced = env.STRATUS_APACHE_VERSION;
  if (forced) return forced;
  const major = clientVersion.split(".")[0] ?? "";
  const server = APACHE_SERVER_FOR_MAJOR[major];
  if (!server) throw new Error(`no Apache server line known for client ${clientVersion}`);
  return server;
}

export function keepDataDirs(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.STRATUS_COMPAT_KEEP === "1";
}
