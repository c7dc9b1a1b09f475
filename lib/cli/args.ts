/** Minimal strict flag parsing: `--name value` or `--name=value`; unknown flags are an error naming the flag. */
import { StratusError } from "../common/errors.js";

export interface FlagSpec {
  [flag: string]: { description: string; default?: string; boolean?: boolean };
}

export function parseFlags(command: string, argv: string[], spec: FlagSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.default !== undefined) out.set(name, s.default);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      throw new StratusError(
        "CONFIG_INVALID",
        `stratus ${command}: unexpected argument '${arg}'. ${usage(command, spec)}`,
      );
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[name];
    if (!s)
      throw new StratusError(
        "CONFIG_INVALID",
        `stratus ${command}: unknown flag --${name}. ${usage(command, spec)}`,
      );
    if (s.boolean) {
      out.set(name, eq >= 0 ? arg.slice(eq + 1) : "true");
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined)
      throw new StratusError("CONFIG_INVALID", `stratus ${command}: --${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

export function usage(command: string, spec: FlagSpec): string {
  const lines = Object.entries(spec).map(
    ([n, s]) =>
      `  --${n}${s.boolean ? "" : " VALUE"}  ${s.description}${s.default !== undefined ? ` (default ${s.default})` : ""}`,
  );
  return `Usage: stratus ${command} [flags]\n${lines.join("\n")}`;
}

export function portFlag(command: string, flags: Map<string, string>, name: string): number {
  const raw = flags.get(name) ?? "";
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    throw new StratusError(
      "CONFIG_INVALID",
      `stratus ${command}: --${name} must be a port number 0..65535, got '${raw}'`,
    );
  }
  return n;
}
