/**
 * The MetadataStore contract: the SQLite and DynamoDB (moto or LocalStack) implementations pass these same
 * tests. `open()` gives another independent handle on the same backing store (its own connection or
 * client), so races run between handles as they would between processes. Each test uses its own random
 * partition keys.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import {
  decodeCursor,
  type ItemKey,
  type MetadataItem,
  type MetadataStore,
  type WriteOutcome,
} from "../../lib/ports/metadata-store.js";
import { describeMetadataRecordsContract } from "./metadata-records.contract.js";

export interface MetadataStoreHarness {
  /** A new handle on the same backing store. */
  open(): Promise<MetadataStore>;
  /** fast-check runs for the property tests (fewer where each run is a network round trip). */
  readonly propertyRuns: number;
  cleanup(): Promise<void>;
}

const RACERS = 8;

export function freshPartition(): string {
  return `t-${randomBytes(6).toString("hex")}`;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isStratusError(e) ? e.code : e).toBe(code);
}

async function allPages(store: MetadataStore, pk: string, opts: { limit?: number; reverse?: boolean } = {}) {
  const pages: MetadataItem[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query(pk, { ...opts, cursor });
    pages.push([...page.items]);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return pages;
}

const FAILED: WriteOutcome = { ok: false, reason: "CONDITION_FAILED" };

export function describeMetadataStoreContract(
  name: string,
  harness: () => Promise<MetadataStoreHarness>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let h: MetadataStoreHarness;
    let store: MetadataStore;
    const extra: MetadataStore[] = [];
    const peer = async () => {
      const s = await h.open();
      extra.push(s);
      return s;
    };
    beforeAll(async () => {
      h = await harness();
      store = await h.open();
    });
    afterAll(async () => {
      for (const s of [store, ...extra]) await s?.close();
      await h?.cleanup();
    });

    it("verifies a usable configuration", async () => {
      await expect(store.verify()).resolves.toBeUndefined();
    });

    it("answers undefined for a missing item", async () => {
      expect(await store.get({ pk: freshPartition(), sk: "x" })).toBeUndefined();
    });

    it("creates an item once with putIfAbsent, at version 1, value intact", async () => {
      const key = { pk: freshPartition(), sk: "a" };
      const value = {
        s: "héllo \u{1F600}",
        n: 2 ** 53 - 1,
        f: 1.5,
        b: true,
        z: null,
        list: [1, "2", { x: [] }],
      };
      expect(await store.putIfAbsent(key, value)).toEqual({ ok: true, version: 1 });
      expect(await store.putIfAbsent(key, { other: 1 })).toEqual(FAILED);
      expect(await store.get(key)).toEqual({ key, value, version: 1 });
    });

    it("updates only at the expected version, each write adding one", async () => {
      const key = { pk: freshPartition(), sk: "v" };
      expect(await store.putIfVersion(key, 1, 0)).toEqual(FAILED);
      expect(await store.putIfVersion(key, 1, 1)).toEqual(FAILED);
      await store.putIfAbsent(key, "one");
      expect(await store.putIfVersion(key, "two", 1)).toEqual({ ok: true, version: 2 });
      expect(await store.putIfVersion(key, "stale", 1)).toEqual(FAILED);
      expect(await store.putIfVersion(key, "three", 2)).toEqual({ ok: true, version: 3 });
      expect(await store.get(key)).toMatchObject({ value: "three", version: 3 });
    });

    it("deletes only at the expected version", async () => {
      const key = { pk: freshPartition(), sk: "d" };
      expect(await store.deleteIfVersion(key, 1)).toEqual(FAILED);
      await store.putIfAbsent(key, "x");
      expect(await store.deleteIfVersion(key, 2)).toEqual(FAILED);
      expect(await store.get(key)).toBeDefined();
      expect(await store.deleteIfVersion(key, 1)).toEqual({ ok: true, version: 1 });
      expect(await store.get(key)).toBeUndefined();
      expect(await store.putIfAbsent(key, "again")).toEqual({ ok: true, version: 1 });
    });

    it("keeps an expiry with the item and drops it when rewritten without one", async () => {
      const key = { pk: freshPartition(), sk: "e" };
      await store.putIfAbsent(key, "leased", { expiresAtMs: 1_700_000_123_456 });
      expect(await store.get(key)).toMatchObject({ expiresAtMs: 1_700_000_123_456, version: 1 });
      await store.putIfVersion(key, "plain", 1);
      expect((await store.get(key))?.expiresAtMs).toBeUndefined();
    });

    it("queries a partition in sort-key order, by prefix and bounds, both ways", async () => {
      const pk = freshPartition();
      const sks = ["a", "a/1", "a/2", "a/3", "ab", "b", "b/1", "c"];
      for (const sk of [...sks].reverse()) await store.putIfAbsent({ pk, sk }, sk);
      await store.putIfAbsent({ pk: freshPartition(), sk: "a/1" }, "other partition");
      const sksOf = async (opts: Parameters<MetadataStore["query"]>[1]) =>
        (await store.query(pk, opts)).items.map((i) => i.key.sk);
      expect(await sksOf({})).toEqual(sks);
      expect(await sksOf({ prefix: "a/" })).toEqual(["a/1", "a/2", "a/3"]);
      expect(await sksOf({ prefix: "a" })).toEqual(["a", "a/1", "a/2", "a/3", "ab"]);
      expect(await sksOf({ start: "a/2", end: "b" })).toEqual(["a/2", "a/3", "ab", "b"]);
      expect(await sksOf({ prefix: "a/", start: "a/2" })).toEqual(["a/2", "a/3"]);
      expect(await sksOf({ prefix: "a/", end: "a/2" })).toEqual(["a/1", "a/2"]);
      expect(await sksOf({ prefix: "a/", end: "a/2", reverse: true, limit: 1 })).toEqual(["a/2"]);
      expect(await sksOf({ reverse: true })).toEqual([...sks].reverse());
      expect(await sksOf({ start: "c", end: "a" })).toEqual([]);
      expect(await sksOf({ prefix: "zzz" })).toEqual([]);
      expect((await store.query(pk, { prefix: "b" })).items.map((i) => i.value)).toEqual(["b", "b/1"]);
    });

    it("pages through a partition with cursors, every item once, both ways", async () => {
      const pk = freshPartition();
      const sks = Array.from({ length: 23 }, (_, i) => `k${String(i).padStart(3, "0")}`);
      await store.batchWrite(sks.map((sk) => ({ op: "put" as const, key: { pk, sk }, value: sk })));
      const forward = await allPages(store, pk, { limit: 5 });
      expect(forward.flat().map((i) => i.key.sk)).toEqual(sks);
      expect(forward.slice(0, 4).map((p) => p.length)).toEqual([5, 5, 5, 5]);
      const backward = await allPages(store, pk, { limit: 4, reverse: true });
      expect(backward.flat().map((i) => i.key.sk)).toEqual([...sks].reverse());
      const second = await store.query(pk, { prefix: "k01", limit: 3 });
      const rest = await store.query(pk, { prefix: "k01", limit: 100, cursor: second.cursor });
      expect([...second.items, ...rest.items].map((i) => i.key.sk)).toEqual(sks.slice(10, 20));
    });

    it("writes batches larger than one DynamoDB batch, blind, last op per key winning", async () => {
      const pk = freshPartition();
      const puts = Array.from({ length: 60 }, (_, i) => ({
        op: "put" as const,
        key: { pk, sk: `o${i}` },
        value: i,
      }));
      await store.putIfAbsent({ pk, sk: "o1" }, "conditional first");
      await store.batchWrite([
        ...puts,
        { op: "put", key: { pk, sk: "o0" }, value: "again" },
        { op: "delete", key: { pk, sk: "o2" } },
        { op: "delete", key: { pk, sk: "never-existed" } },
      ]);
      const items = (await allPages(store, pk)).flat();
      expect(items).toHaveLength(59);
      expect(items.find((i) => i.key.sk === "o0")).toEqual({
        key: { pk, sk: "o0" },
        value: "again",
        version: 0,
      });
      expect(items.find((i) => i.key.sk === "o1")).toMatchObject({ value: 1, version: 0 });
      expect(items.some((i) => i.key.sk === "o2")).toBe(false);
      expect(await store.putIfVersion({ pk, sk: "o5" }, "now versioned", 0)).toEqual({
        ok: true,
        version: 1,
      });
      await store.batchWrite([]);
    });

    it("applies a transaction whole, with the new version of each item", async () => {
      const pk = freshPartition();
      await store.putIfAbsent({ pk, sk: "head" }, 0);
      await store.putIfAbsent({ pk, sk: "gone" }, "x");
      await store.putIfAbsent({ pk, sk: "guard" }, "g");
      const outcome = await store.transactWrite([
        { op: "put", key: { pk, sk: "chunk/1" }, value: "c1", condition: { absent: true } },
        { op: "put", key: { pk, sk: "head" }, value: 1, condition: { version: 1 }, expiresAtMs: 5 },
        { op: "delete", key: { pk, sk: "gone" }, condition: { version: 1 } },
        { op: "check", key: { pk, sk: "guard" }, condition: { version: 1 } },
      ]);
      expect(outcome).toEqual({ ok: true, versions: [1, 2, 1, 1] });
      expect(await store.get({ pk, sk: "chunk/1" })).toMatchObject({ value: "c1", version: 1 });
      expect(await store.get({ pk, sk: "head" })).toMatchObject({ value: 1, version: 2, expiresAtMs: 5 });
      expect(await store.get({ pk, sk: "gone" })).toBeUndefined();
      expect(await store.get({ pk, sk: "guard" })).toMatchObject({ value: "g", version: 1 });
    });

    it("applies nothing of a transaction when one condition fails, and says which", async () => {
      const pk = freshPartition();
      await store.putIfAbsent({ pk, sk: "head" }, 0);
      await store.putIfAbsent({ pk, sk: "taken" }, "t");
      const failing = async (ops: Parameters<MetadataStore["transactWrite"]>[0], index: number) => {
        const outcome = await store.transactWrite(ops);
        expect(outcome.ok).toBe(false);
        if (!outcome.ok && outcome.failedIndex !== undefined) expect(outcome.failedIndex).toBe(index);
      };
      await failing(
        [
          { op: "put", key: { pk, sk: "new" }, value: 1, condition: { absent: true } },
          { op: "put", key: { pk, sk: "head" }, value: 9, condition: { version: 7 } },
        ],
        1,
      );
      await failing(
        [
          { op: "put", key: { pk, sk: "head" }, value: 9, condition: { version: 1 } },
          { op: "put", key: { pk, sk: "taken" }, value: 1, condition: { absent: true } },
        ],
        1,
      );
      await failing([{ op: "check", key: { pk, sk: "missing" }, condition: { version: 1 } }], 0);
      expect(await store.get({ pk, sk: "new" })).toBeUndefined();
      expect(await store.get({ pk, sk: "head" })).toMatchObject({ value: 0, version: 1 });
    });

    it("refuses malformed keys, values and transactions", async () => {
      const pk = freshPartition();
      const bad: ItemKey[] = [
        { pk: "", sk: "x" },
        { pk, sk: "" },
        { pk, sk: "é" },
        { pk, sk: "a\nb" },
        { pk: "x".repeat(1025), sk: "x" },
      ];
      for (const key of bad) {
        await expectCode(store.get(key), "ILLEGAL_ARGUMENT");
        await expectCode(store.putIfAbsent(key, 1), "ILLEGAL_ARGUMENT");
      }
      await expectCode(store.putIfAbsent({ pk, sk: "big" }, "x".repeat(400 * 1024)), "LIMIT_EXCEEDED");
      await expectCode(store.putIfVersion({ pk, sk: "v" }, 1, -1), "ILLEGAL_ARGUMENT");
      await expectCode(store.transactWrite([]), "ILLEGAL_ARGUMENT");
      await expectCode(
        store.transactWrite([
          { op: "put", key: { pk, sk: "same" }, value: 1, condition: { absent: true } },
          { op: "check", key: { pk, sk: "same" }, condition: { absent: true } },
        ]),
        "ILLEGAL_ARGUMENT",
      );
      await expectCode(store.query(pk, { limit: 0 }), "ILLEGAL_ARGUMENT");
      await expectCode(
        store.query(pk, { cursor: Buffer.from("\u0001").toString("base64url") }),
        "ILLEGAL_ARGUMENT",
      );
    });

    it("pages any query to exactly the matching sort keys, in order, either way", async () => {
      const sk = fc.string({ unit: fc.constantFrom("a", "b", "/", "0", "~"), minLength: 1, maxLength: 4 });
      const bound = fc.option(
        fc.string({ unit: fc.constantFrom("a", "b", "/", "0", "~"), minLength: 1, maxLength: 3 }),
        {
          nil: undefined,
        },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(sk, { minLength: 0, maxLength: 15 }),
          fc.record({
            prefix: bound,
            start: bound,
            end: bound,
            reverse: fc.boolean(),
            limit: fc.integer({ min: 1, max: 4 }),
          }),
          async (sks, q) => {
            const pk = freshPartition();
            await store.batchWrite(sks.map((s) => ({ op: "put" as const, key: { pk, sk: s }, value: s })));
            const expected = sks
              .filter(
                (s) =>
                  (q.prefix === undefined || s.startsWith(q.prefix)) &&
                  (q.start === undefined || s >= q.start),
              )
              .filter((s) => q.end === undefined || s <= q.end)
              .sort();
            if (q.reverse) expected.reverse();
            const got = (await allPages(store, pk, q)).flat().map((i) => i.key.sk);
            expect(got).toEqual(expected);
          },
        ),
        { numRuns: h.propertyRuns },
      );
    }, 120_000);

    it("treats any cursor string as a position after a sort key, or refuses it", async () => {
      const pk = freshPartition();
      const sks = ["0", "A", "a", "b", "~"];
      await store.batchWrite(sks.map((s) => ({ op: "put" as const, key: { pk, sk: s }, value: s })));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string({ maxLength: 12 }), fc.base64String({ maxLength: 12 })),
          async (cursor) => {
            let after: string | undefined;
            try {
              after = decodeCursor(cursor);
            } catch {
              after = undefined;
            }
            const outcome = await store.query(pk, { cursor }).then(
              (page) => page.items.map((i) => i.key.sk),
              (e: unknown) => (isStratusError(e, "ILLEGAL_ARGUMENT") ? "refused" : e),
            );
            expect(outcome).toEqual(after === undefined ? "refused" : sks.filter((s) => s > after));
          },
        ),
        { numRuns: h.propertyRuns * 2 },
      );
    }, 120_000);

    it("counts every increment of racing read-modify-write loops exactly once", async () => {
      const key = { pk: freshPartition(), sk: "n" };
      await store.putIfAbsent(key, 0);
      const writers = await Promise.all(Array.from({ length: 4 }, peer));
      const increments = 5;
      await Promise.all(
        writers.map(async (w) => {
          for (let done = 0; done < increments; ) {
            const cur = await w.get(key);
            const outcome = await w.putIfVersion(key, (cur?.value as number) + 1, cur?.version ?? 0);
            if (outcome.ok) done++;
          }
        }),
      );
      expect(await store.get(key)).toMatchObject({ value: 20, version: 21 });
    }, 60_000);

    it("lets exactly one of racing putIfAbsent writers create the item", async () => {
      const key = { pk: freshPartition(), sk: "race" };
      const writers = await Promise.all(Array.from({ length: RACERS }, peer));
      const outcomes = await Promise.all(writers.map((w, i) => w.putIfAbsent(key, `writer ${i}`)));
      const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      expect((await store.get(key))?.value).toBe(`writer ${winners[0]}`);
    });

    it("lets exactly one of racing read-modify-write writers win each version", async () => {
      const key = { pk: freshPartition(), sk: "counter" };
      await store.putIfAbsent(key, { count: 0, by: [] });
      const writers = await Promise.all(Array.from({ length: RACERS }, peer));
      for (let round = 1; round <= 3; round++) {
        const reads = await Promise.all(writers.map((w) => w.get(key)));
        expect(new Set(reads.map((r) => r?.version))).toEqual(new Set([round]));
        const outcomes = await Promise.all(
          writers.map((w, i) => {
            const v = reads[i]?.value as { count: number; by: number[] };
            return w.putIfVersion(key, { count: v.count + 1, by: [...v.by, i] }, round);
          }),
        );
        expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, version: round + 1 }]);
      }
      const final = await store.get(key);
      expect(final).toMatchObject({ version: 4, value: { count: 3 } });
    });

    it("lets exactly one of racing transactions advance a shared head", async () => {
      const pk = freshPartition();
      await store.putIfAbsent({ pk, sk: "head" }, { next: 0 });
      const writers = await Promise.all(Array.from({ length: RACERS }, peer));
      const outcomes = await Promise.all(
        writers.map((w, i) =>
          w.transactWrite([
            { op: "put", key: { pk, sk: `chunk/${i}` }, value: i, condition: { absent: true } },
            { op: "put", key: { pk, sk: "head" }, value: { next: i }, condition: { version: 1 } },
          ]),
        ),
      );
      const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
      expect(winners).toHaveLength(1);
      const chunks = (await store.query(pk, { prefix: "chunk/" })).items;
      expect(chunks.map((c) => c.value)).toEqual(winners);
      expect(await store.get({ pk, sk: "head" })).toMatchObject({ version: 2, value: { next: winners[0] } });
    });

    it("lets exactly one of racing deleters remove an item", async () => {
      const key = { pk: freshPartition(), sk: "del" };
      await store.putIfAbsent(key, 1);
      const writers = await Promise.all(Array.from({ length: RACERS }, peer));
      const outcomes = await Promise.all(writers.map((w) => w.deleteIfVersion(key, 1)));
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    });

    describeMetadataRecordsContract(() => store);
  });
}
