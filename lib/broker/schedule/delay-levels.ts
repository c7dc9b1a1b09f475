/** messageDelayLevel ("1s 5s 10s 30s 1m ... 2h"): level i (1-based) ↔ the i-th duration. */
import { StratusError } from "../../common/errors.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Most delay levels a configuration may define. */
export const MAX_DELAY_LEVELS = 64;

export function parseDelayLevels(text: string): number[] {
  const parts = text
    .trim()
    .split(/\s+/)
    .filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > MAX_DELAY_LEVELS) {
    throw new StratusError(
      "CONFIG_INVALID",
      `messageDelayLevel must list 1..${MAX_DELAY_LEVELS} durations, got '${text}'`,
    );
  }
  return parts.map((p) => {
    const m = /^(\d+)([smhd])$/.exec(p);
    const unit = m?.[2] ? UNIT_MS[m[2]] : undefined;
    if (!m?.[1] || unit === undefined) {
      throw new StratusError(
        "CONFIG_INVALID",
        `messageDelayLevel: '${p}' is not a duration like 10s, 1m, 2h or 1d`,
      );
    }
    return Number(m[1]) * unit;
  });
}
