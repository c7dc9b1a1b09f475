/**
 * LanguageCode (RocketMQ `LanguageCode` enum): JSON headers carry the name, ROCKETMQ binary
 * headers carry the number in one byte. Names are RocketMQ's, verbatim.
 *
 * NODE_JS (13) exists only in 5.x. A number or name we do not know must never break decoding:
 * it maps to OTHER.
 */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;

export type LanguageCodeName = keyof typeof LanguageCode;

const NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(LanguageCode)) names[code] = name;
  return names;
})();

/** The enum name for a binary language byte; unknown values become "OTHER". */
export function languageCodeToName(code: number): string {
  return NAMES[code] ?? "OTHER";
}

/** The binary language byte for an enum name; unknown names become OTHER (7). */
export function languageNameToCode(name: string): number {
  return Object.hasOwn(LanguageCode, name) ? LanguageCode[name as LanguageCodeName] : LanguageCode.OTHER;
}
