/**
 * Workload 5 — catch-up served from the object store (Stratus alone; Apache has no S3 tier).
 *
 * It runs when lib/tier/ has code AND Stratus accepts TIERED_BROKER_CONF (its broker.conf parser refuses
 * unknown keys at start, so a missing tier is detected, not guessed); otherwise it reports why it is not
 * available. The run (runTiered in run.ts): fill the backlog with local retention minimal, stop the broker
 * (SIGTERM uploads what the object store lacks), delete D/broker (the lost-disk case of the layout
 * contract) and restart, so every byte of the catch-up comes from the embedded object store.
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../setup/java-deps.mjs";

/**
 * broker.conf entries for the tiered catch-up (keys of docs/adr/0006-tiering.md): tiering on, small chunks
 * uploaded within a second, and minimal local retention. If a later change renames them, Stratus refuses
 * the key at start and W5 reports "not available" with the key's name instead of a number.
 */
export const TIERED_BROKER_CONF: Record<string, string | number | boolean> = {
  tierEnable: true,
  tierChunkBytes: 8 * 1024 * 1024,
  tierChunkMaxAgeMs: 1000,
  tierLocalRetentionBytes: 8 * 1024 * 1024,
};

export type TieringStatus =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

function hasSources(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith(".ts"));
}

/**
 * Why W5 cannot run when Stratus refused to start with TIERED_BROKER_CONF: a refused key means the broker
 * has no tiering switch under that name yet, which is still "not implemented" as far as the bench goes.
 */
export function refusedTieringReason(startError: string): string {
  const key = startError.match(/unknown key '([^']+)'/)?.[1];
  if (key !== undefined) {
    return `tiering not implemented (stratus refuses broker.conf key '${key}'; see TIERED_BROKER_CONF in test/bench/tiered.ts)`;
  }
  return `stratus did not start with the tiering settings: ${startError.split("\n")[0]}`;
}

/** Whether the tier code exists at all; a refused TIERED_BROKER_CONF is found later, when Stratus starts. */
export function tieringStatus(tierDir = path.join(ROOT, "lib", "tier")): TieringStatus {
  if (!hasSources(tierDir)) return { available: false, reason: "tiering not implemented" };
  return { available: true };
}
