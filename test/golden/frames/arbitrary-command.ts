import fc from "fast-check";
import { LanguageCode } from "../../../lib/protocol/language-code.js";
import type { RemotingCommand } from "../../../lib/protocol/remoting-command.js";

/** Arbitrary commands that survive a round trip unchanged in the given serialization. */
export function arbitraryCommand(serializeType: 0 | 1): fc.Arbitrary<RemotingCommand> {
  const short = fc.integer({ min: -0x8000, max: 0x7fff });
  const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 });
  return fc.record({
    code: serializeType === 1 ? short : int,
    language: fc.constantFrom(...Object.keys(LanguageCode)),
    version: serializeType === 1 ? short : int,
    opaque: int,
    flag: fc.integer({ min: 0, max: 3 }),
    remark: fc.option(text, { nil: undefined }),
    extFields: fc.dictionary(text, text, { maxKeys: 8 }),
    body: fc.option(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
      { nil: undefined },
    ),
    serializeType: fc.constant(serializeType),
  });
}
