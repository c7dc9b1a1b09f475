import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isInherited,
  isPriority,
  isReadable,
  isValidPerm,
  isWriteable,
  PermName,
  perm2String,
} from "../../lib/protocol/perm-name.js";

describe("PermName", () => {
  it("uses Apache's bit values", () => {
    expect(PermName).toEqual({ PERM_PRIORITY: 8, PERM_READ: 4, PERM_WRITE: 2, PERM_INHERIT: 1 });
  });

  it("reads each bit independently", () => {
    expect([isReadable(6), isWriteable(6), isInherited(6)]).toEqual([true, true, false]);
    expect([isReadable(2), isWriteable(2), isInherited(2)]).toEqual([false, true, false]);
    expect([isReadable(5), isWriteable(5), isInherited(5)]).toEqual([true, false, true]);
    expect(isPriority(8 | 6)).toBe(true);
    expect(isPriority(7)).toBe(false);
  });

  it("prints R, W and X in tool order", () => {
    expect(perm2String(7)).toBe("RWX");
    expect(perm2String(6)).toBe("RW-");
    expect(perm2String(4)).toBe("R--");
    expect(perm2String(1)).toBe("--X");
    expect(perm2String(0)).toBe("---");
  });

  it("treats only 0..7 as a valid topic perm", () => {
    expect(isValidPerm(0)).toBe(true);
    expect(isValidPerm(7)).toBe(true);
    expect(isValidPerm(8)).toBe(false);
    expect(isValidPerm(-1)).toBe(false);
    expect(isValidPerm(2.5)).toBe(false);
  });

  it("prints a W exactly when the write bit is set", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), (perm) => {
        expect(perm2String(perm).charAt(1) === "W").toBe((perm & 2) !== 0);
      }),
    );
  });
});
