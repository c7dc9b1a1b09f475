/** The manifest head carries what the broker records with each chunk (schedule progress), across a lost disk. */
import { expect, it } from "vitest";
import type { JsonObject } from "../../lib/ports/records/record-codec.js";
import { msg } from "../store/store-fixtures.js";
import { eventually, tierSandbox } from "./tier-fixtures.js";

const box = tierSandbox();

it("records the source's report for each chunk's end and hands it to the next process", async () => {
  const a = await box.tiered("a");
  expect(a.tier.headDetails()).toEqual({});
  const ends: number[] = [];
  a.tier.recordWithChunks({
    progressAt: (end): JsonObject => {
      ends.push(end);
      return ends.length === 1 ? { first: end, last: end } : { last: end };
    },
    unrecorded: () => false,
  });
  for (let i = 0; i < 20; i++) await a.store.putMessage(msg({ body: Buffer.alloc(2000) }));
  expect(await a.tier.drain(5000)).toBe(true);
  expect(ends.length).toBeGreaterThan(1);
  const committed = a.tier.status().committedOffset;

  const b = await box.tiered("b"); // an empty disk
  // the last chunk's report, with what it left out carried forward from the head before
  expect(b.tier.headDetails()).toEqual({ first: ends[0], last: committed });
});

it("writes the head on its own when news comes with no chunk to carry it, and keeps uploading after", async () => {
  const a = await box.tiered("a");
  let news = 0;
  let recorded = 0;
  const changed = a.tier.recordWithChunks({
    progressAt: (): JsonObject => {
      recorded = news;
      return { news };
    },
    unrecorded: () => recorded < news,
  });
  for (let i = 0; i < 10; i++) await a.store.putMessage(msg({ body: Buffer.alloc(2000) }));
  expect(await a.tier.drain(5000)).toBe(true);
  const chunks = a.tier.status().chunks;
  news = 3;
  changed();
  changed(); // reports close together share one write
  await eventually(() => recorded === 3, 3000);
  const b = await box.tiered("b");
  expect(b.tier.headDetails()).toEqual({ news: 3 });
  expect(b.tier.status().chunks).toBe(chunks);
  await b.close();
  // the head-only write moved the version this process expects: chunks still commit
  for (let i = 0; i < 10; i++) await a.store.putMessage(msg({ body: Buffer.alloc(2000) }));
  expect(await a.tier.drain(5000)).toBe(true);
  expect(a.tier.status().fenced).toBeUndefined();
  expect(a.tier.status().chunks).toBeGreaterThan(chunks);
});
