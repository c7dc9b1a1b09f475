/**
 * The ObjectStore contract: every implementation (files, S3 on moto or LocalStack) passes these same tests.
 * Each test works under its own random key prefix, so tests share one store without seeing each other.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { compareObjectKeys, type ObjectStore } from "../../lib/ports/object-store.js";

export interface ObjectStoreHarness {
  readonly store: ObjectStore;
  /** A body size that takes the implementation's multipart path (where it has one), with >2 parts. */
  readonly largeObjectBytes: number;
  /** Part size, for ranges across part boundaries (largeObjectBytes where there are no parts). */
  readonly partBytes: number;
  /** fast-check runs for the property tests (fewer where each run is a network round trip). */
  readonly propertyRuns: number;
  cleanup(): Promise<void>;
}

function freshPrefix(): string {
  return `t-${randomBytes(6).toString("hex")}/`;
}

async function listAll(store: ObjectStore, prefix: string, maxKeys?: number): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await store.list(prefix, { continuationToken: token, maxKeys });
    pages.push(page.objects.map((o) => o.key));
    token = page.continuationToken;
  } while (token !== undefined);
  return pages;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isStratusError(e) ? e.code : e).toBe(code);
}

export function describeObjectStoreContract(name: string, open: () => Promise<ObjectStoreHarness>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: ObjectStoreHarness;
    let store: ObjectStore;
    beforeAll(async () => {
      h = await open();
      store = h.store;
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it("verifies a usable configuration", async () => {
      await expect(store.verify()).resolves.toBeUndefined();
    });

    it("returns the bytes it stored, including an empty object", async () => {
      const p = freshPrefix();
      const body = randomBytes(70_001);
      await store.put(`${p}a`, body);
      await store.put(`${p}empty`, Buffer.alloc(0));
      expect((await store.get(`${p}a`))?.equals(body)).toBe(true);
      expect(await store.get(`${p}empty`)).toEqual(Buffer.alloc(0));
      expect(await store.head(`${p}a`)).toEqual({ size: body.length });
      expect(await store.head(`${p}empty`)).toEqual({ size: 0 });
    });

    it("answers undefined for a missing key from get, ranged get and head", async () => {
      const p = freshPrefix();
      expect(await store.get(`${p}missing`)).toBeUndefined();
      expect(await store.get(`${p}missing`, { start: 0, end: 10 })).toBeUndefined();
      expect(await store.get(`${p}missing`, { start: 3, end: 3 })).toBeUndefined();
      expect(await store.head(`${p}missing`)).toBeUndefined();
    });

    it("replaces an object whole on a second put of the same key", async () => {
      const p = freshPrefix();
      await store.put(`${p}k`, Buffer.from("first version, longer"));
      await store.put(`${p}k`, Buffer.from("second"));
      expect((await store.get(`${p}k`))?.toString()).toBe("second");
      expect(await store.head(`${p}k`)).toEqual({ size: 6 });
    });

    it("reads byte ranges [start, end), clipped to the object", async () => {
      const p = freshPrefix();
      const body = Buffer.from("0123456789abcdef");
      await store.put(`${p}r`, body);
      const read = async (start: number, end: number) =>
        (await store.get(`${p}r`, { start, end }))?.toString();
      expect(await read(0, 4)).toBe("0123");
      expect(await read(5, 9)).toBe("5678");
      expect(await read(15, 16)).toBe("f");
      expect(await read(10, 1000)).toBe("abcdef");
      expect(await read(7, 7)).toBe("");
      expect(await read(16, 20)).toBe("");
      expect(await read(100, 200)).toBe("");
    });

    it("refuses a range that is not a range", async () => {
      const p = freshPrefix();
      await store.put(`${p}r`, Buffer.from("abc"));
      await expectCode(store.get(`${p}r`, { start: 2, end: 1 }), "ILLEGAL_ARGUMENT");
      await expectCode(store.get(`${p}r`, { start: -1, end: 1 }), "ILLEGAL_ARGUMENT");
      await expectCode(store.get(`${p}r`, { start: 0.5, end: 1 }), "ILLEGAL_ARGUMENT");
    });

    it("lists keys by plain string prefix, in UTF-8 byte order, in pages", async () => {
      const p = freshPrefix();
      // U+FFFD sorts before U+1F600 in UTF-8 (S3's order) but after it in UTF-16 (JS string order).
      const keys = [`${p}a`, `${p}a/b`, `${p}a/c/d`, `${p}ab`, `${p}b`, `${p}z\u{1F600}`, `${p}z\uFFFD`];
      for (const k of [...keys].reverse()) await store.put(k, Buffer.from(k));
      const expected = [`${p}a`, `${p}a/b`, `${p}a/c/d`, `${p}ab`, `${p}b`, `${p}z\uFFFD`, `${p}z\u{1F600}`];
      const pages = await listAll(store, p, 2);
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
      expect((await listAll(store, `${p}a`)).flat()).toEqual(expected.slice(0, 4));
      expect((await listAll(store, `${p}a/`)).flat()).toEqual([`${p}a/b`, `${p}a/c/d`]);
      expect((await listAll(store, `${p}a/c`)).flat()).toEqual([`${p}a/c/d`]);
      expect((await listAll(store, `${p}q`)).flat()).toEqual([]);
      const first = await store.list(p, { maxKeys: 1 });
      expect(first.objects).toEqual([{ key: `${p}a`, size: Buffer.byteLength(`${p}a`) }]);
    });

    it("refuses a page size outside 1..1000", async () => {
      await expectCode(store.list("x", { maxKeys: 0 }), "ILLEGAL_ARGUMENT");
      await expectCode(store.list("x", { maxKeys: 1001 }), "ILLEGAL_ARGUMENT");
    });

    it("deletes objects, and deleting a missing key is not an error", async () => {
      const p = freshPrefix();
      await store.put(`${p}d`, Buffer.from("x"));
      await store.put(`${p}d/child`, Buffer.from("y"));
      await store.delete(`${p}d`);
      await store.delete(`${p}never`);
      expect(await store.get(`${p}d`)).toBeUndefined();
      expect(await store.head(`${p}d`)).toBeUndefined();
      expect((await listAll(store, p)).flat()).toEqual([`${p}d/child`]);
    });

    it("round-trips a large object and reads ranges across its parts", async () => {
      const p = freshPrefix();
      const body = randomBytes(h.largeObjectBytes);
      await store.put(`${p}large`, body);
      expect(await store.head(`${p}large`)).toEqual({ size: body.length });
      expect((await store.get(`${p}large`))?.equals(body)).toBe(true);
      const cut = h.partBytes;
      const across = await store.get(`${p}large`, { start: cut - 100, end: cut + 100 });
      expect(across?.equals(body.subarray(cut - 100, cut + 100))).toBe(true);
      const tail = await store.get(`${p}large`, { start: body.length - 7, end: body.length + 7 });
      expect(tail?.equals(body.subarray(body.length - 7))).toBe(true);
    }, 120_000);

    it("gives a concurrent reader one whole version of an object being replaced", async () => {
      const p = freshPrefix();
      const a = Buffer.alloc(300_000, 0x61);
      const b = Buffer.alloc(200_000, 0x62);
      await store.put(`${p}swap`, a);
      const reads = await Promise.all([
        store.put(`${p}swap`, b).then(() => undefined),
        ...Array.from({ length: 6 }, () => store.get(`${p}swap`)),
      ]);
      for (const r of reads.slice(1)) expect(r?.equals(a) || r?.equals(b)).toBe(true);
      expect((await store.get(`${p}swap`))?.equals(b)).toBe(true);
    });

    it("lists exactly the keys with a prefix, in UTF-8 byte order, for any keys and page size", async () => {
      const segment = fc.string({
        unit: fc.constantFrom("a", "b", "é", "\u{1F600}", "\uFFFD", "~", "%", " "),
        minLength: 1,
        maxLength: 3,
      });
      const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(key, { minLength: 1, maxLength: 12 }),
          fc.string({ unit: fc.constantFrom("a", "b", "/", "é"), maxLength: 3 }),
          fc.integer({ min: 1, max: 5 }),
          async (keys, sub, maxKeys) => {
            const p = freshPrefix();
            await Promise.all(keys.map((k) => store.put(p + k, Buffer.from(k))));
            const expected = keys
              .map((k) => p + k)
              .filter((k) => k.startsWith(p + sub))
              .sort(compareObjectKeys);
            expect((await listAll(store, p + sub, maxKeys)).flat()).toEqual(expected);
          },
        ),
        { numRuns: h.propertyRuns },
      );
    }, 120_000);

    it("refuses a continuation token it did not give with a StratusError", async () => {
      const e = await store.list("", { continuationToken: "bm90IGEgdG9rZW4" }).catch((err: unknown) => err);
      expect(isStratusError(e)).toBe(true);
    });

    it("refuses keys that are empty, have empty/./.. segments, control characters or are too long", async () => {
      for (const key of [
        "",
        "a//b",
        "/a",
        "a/",
        "./a",
        "a/../b",
        "a\u0000b",
        "a\nb",
        "x".repeat(1025),
        "\uD800",
      ]) {
        await expectCode(store.put(key, Buffer.from("x")), "ILLEGAL_ARGUMENT");
        await expectCode(store.get(key), "ILLEGAL_ARGUMENT");
      }
      await expectCode(store.list("a\u0001"), "ILLEGAL_ARGUMENT");
    });

    it("accepts keys with spaces, percent signs, tildes and non-ASCII characters", async () => {
      const p = freshPrefix();
      const keys = [`${p}a b`, `${p}100%`, `${p}x~obj`, `${p}x~obj/y`, `${p}x`, `${p}é/ü`, `${p}%2F`];
      for (const k of keys) await store.put(k, Buffer.from(k));
      for (const k of keys) expect((await store.get(k))?.toString()).toBe(k);
      expect((await listAll(store, p)).flat().sort()).toEqual([...keys].sort());
    });
  });
}
