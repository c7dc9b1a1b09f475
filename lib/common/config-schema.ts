/**
 * A tiny strict schema for flat configs (broker.conf and friends): every key has a default whose type is the
 * key's type; unknown keys are rejected by name; values are validated once, then the config is frozen.
 */
import { StratusError } from "./errors.js";

export type ConfigValue = string | number | boolean;
export type ConfigShape = Record<string, ConfigValue>;

function closest(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => k.toLowerCase().includes(lower));
}

function coerce(source: string, key: string, raw: string, like: ConfigValue): ConfigValue {
  if (typeof like === "number") {
    const v = raw.trim();
    if (!/^-?\d+(\.\d+)?$/.test(v)) {
      throw new StratusError("CONFIG_INVALID", `${source}: '${key}' must be a number, got '${raw}'`);
    }
    return Number(v);
  }
  if (typeof like === "boolean") {
    const v = raw.trim().toLowerCase();
    if (v !== "true" && v !== "false") {
      throw new StratusError("CONFIG_INVALID", `${source}: '${key}' must be true or false, got '${raw}'`);
    }
    return v === "true";
  }
  return raw.trim();
}

/**
 * Apply `entries` over `defaults`. Keys in `ignored` are accepted (Apache keys with no effect in Stratus) and
 * reported back so the caller can say so.
 */
export function applyConfig<T extends ConfigShape>(
  source: string,
  defaults: T,
  entries: Iterable<readonly [string, string]>,
  ignored: ReadonlySet<string> = new Set(),
): { config: Readonly<T>; ignoredKeys: string[] } {
  const out: ConfigShape = { ...defaults };
  const ignoredKeys: string[] = [];
  const known = Object.keys(defaults);
  for (const [key, raw] of entries) {
    const like = defaults[key];
    if (like === undefined) {
      if (ignored.has(key)) {
        ignoredKeys.push(key);
        continue;
      }
      const hint = closest(key, known);
      throw new StratusError(
        "CONFIG_INVALID",
        `${source}: unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ""}`,
      );
    }
    out[key] = coerce(source, key, raw, like);
  }
  return { config: Object.freeze(out as T), ignoredKeys };
}
