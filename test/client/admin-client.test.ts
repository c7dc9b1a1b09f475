import { describe, expect, it } from "vitest";
import { AdminClient, brokerAddress, matchesQuery } from "../../lib/client/admin-client.js";
import { isStratusError } from "../../lib/common/errors.js";
import type { MessageExt } from "../../lib/protocol/message-record.js";
import { freePort } from "../integration/stratus-process.js";

function message(topic: string, msgId: string, keys?: string): MessageExt {
  const properties = new Map<string, string>();
  if (keys !== undefined) properties.set("KEYS", keys);
  return { topic, msgId, properties } as MessageExt;
}

describe("brokerAddress", () => {
  it("asks the master, else the lowest broker id, else nobody", () => {
    expect(
      brokerAddress(
        new Map([
          [1, "s:1"],
          [0, "m:1"],
        ]),
      ),
    ).toBe("m:1");
    expect(
      brokerAddress(
        new Map([
          [3, "s3:1"],
          [2, "s2:1"],
        ]),
      ),
    ).toBe("s2:1");
    expect(brokerAddress(new Map())).toBeUndefined();
  });
});

describe("matchesQuery", () => {
  it("keeps a key query's messages whose KEYS hold the whole key, on the topic asked", () => {
    expect(matchesQuery(message("T", "M", "a b"), "T", "b", false)).toBe(true);
    expect(matchesQuery(message("T", "M", "ab"), "T", "b", false)).toBe(false);
    expect(matchesQuery(message("U", "M", "b"), "T", "b", false)).toBe(false);
    expect(matchesQuery(message("T", "M"), "T", "b", false)).toBe(false);
  });

  it("keeps a unique-key query's messages whose msgId is the key (index hash collisions dropped)", () => {
    expect(matchesQuery(message("T", "M1", "M2"), "T", "M1", true)).toBe(true);
    expect(matchesQuery(message("T", "M1", "M2"), "T", "M2", true)).toBe(false);
  });
});

describe("AdminClient", () => {
  it("refuses an empty NameServer list", () => {
    let error: unknown;
    try {
      new AdminClient({ namesrvAddr: " ; " });
    } catch (e) {
      error = e;
    }
    expect(isStratusError(error, "ILLEGAL_ARGUMENT")).toBe(true);
  });

  it("fails CONNECTION_CLOSED naming every NameServer when none can be reached", async () => {
    const [a, b] = [await freePort(), await freePort()];
    const admin = new AdminClient({ namesrvAddr: `127.0.0.1:${a};127.0.0.1:${b}` });
    try {
      const e = await admin.getRouteInfo("T").catch((err: unknown) => err);
      expect(isStratusError(e, "CONNECTION_CLOSED"), String(e)).toBe(true);
      expect(String((e as Error).message)).toContain(`127.0.0.1:${a}`);
      expect(String((e as Error).message)).toContain(`127.0.0.1:${b}`);
    } finally {
      admin.close();
    }
  });

  it("answers undefined for an id that is not an offset message id, without asking anyone", async () => {
    const admin = new AdminClient({ namesrvAddr: "127.0.0.1:1" });
    try {
      expect(await admin.viewMessage("order-77")).toBeUndefined();
    } finally {
      admin.close();
    }
  });
});
