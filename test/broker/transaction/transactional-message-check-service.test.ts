/**
 * The transaction back-check over the real DefaultMessageStore and a ManualClock: which half messages get a
 * CHECK_TRANSACTION_STATE on which pass, with CHECK_IMMUNITY_TIME_IN_SECONDS in play.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TransactionalMessageCheckService } from "../../../lib/broker/transaction/transactional-message-check-service.js";
import { TransactionalMessageService } from "../../../lib/broker/transaction/transactional-message-service.js";
import { decodeProperties, MessageConst } from "../../../lib/protocol/message-properties.js";
import { decodeMessageRecord, decodeMessageRecords } from "../../../lib/protocol/message-record.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { DefaultMessageStore } from "../../../lib/store/default-message-store.js";
import { msg, smallConfig } from "../../store/store-fixtures.js";
import { type AdminFixture, createAdminFixture, FakeConnection } from "../processor/admin-fixture.js";

const GROUP = "pg_tx";
const TOPIC = "TopicTx";
const TIMEOUT_MS = 1000;
const INTERVAL_MS = 2000;
const START_MS = 1_700_000_000_000;

let f: AdminFixture;
let store: DefaultMessageStore;
let tx: TransactionalMessageService;
let checker: TransactionalMessageCheckService;
let producer: FakeConnection;

beforeEach(async () => {
  f = createAdminFixture(
    [
      ["transactionTimeOut", String(TIMEOUT_MS)],
      ["transactionCheckInterval", String(INTERVAL_MS)],
      ["transactionCheckMax", "3"],
    ],
    {},
    (dir, clock) => {
      store = new DefaultMessageStore(smallConfig(dir), clock);
      return store;
    },
  );
  await store.start();
  tx = new TransactionalMessageService(f.ctx);
  checker = new TransactionalMessageCheckService(f.ctx, tx);
  producer = new FakeConnection();
  f.ctx.producerManager.registerProducer(GROUP, {
    connection: producer.asConnection(),
    clientId: "producer-1",
    language: "JAVA",
    version: 409,
  });
});

afterEach(async () => {
  await store.shutdown();
  f.cleanup();
});

/** Stores a half message the way SEND_MESSAGE does for a TransactionMQProducer; returns its offsets. */
async function prepare(key: string, immunitySec?: number) {
  const props: Record<string, string> = {
    KEYS: key,
    [MessageConst.PROPERTY_TRANSACTION_PREPARED]: "true",
    [MessageConst.PROPERTY_PRODUCER_GROUP]: GROUP,
  };
  if (immunitySec !== undefined)
    props[MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS] = String(immunitySec);
  const inner = { ...msg({ topic: TOPIC, keys: key, props }), bornTimestamp: f.clock.nowMs() };
  const put = await tx.prepare(inner, decodeProperties(inner.propertiesString));
  const a = put.appended[0];
  if (!a) throw new Error(`prepare ${key}: ${put.status}`);
  return { commitLogOffset: a.wroteOffset, queueOffset: a.queueOffset };
}

/** Advances the clock by `ms`, one check pass per interval; returns "key@seconds" per check sent. */
async function passes(ms: number): Promise<string[]> {
  const before = producer.oneway.length;
  const checks: string[] = [];
  for (let t = 0; t < ms; t += INTERVAL_MS) {
    f.clock.advance(Math.min(INTERVAL_MS, ms - t));
    await checker.check();
    for (const r of producer.oneway.slice(before + checks.length)) {
      expect(r.code).toBe(RequestCode.CHECK_TRANSACTION_STATE);
      const key = decodeMessageRecord(r.body ?? Buffer.alloc(0)).properties.get("KEYS") ?? "?";
      checks.push(`${key}@${(f.clock.nowMs() - START_MS) / 1000}`);
    }
  }
  return checks;
}

function delivered(key: string): number {
  const r = store.getMessage(TOPIC, 0, 0, 64, 1 << 20);
  return decodeMessageRecords(Buffer.concat(r.messages)).filter((m) => m.properties.get("KEYS") === key)
    .length;
}

describe("TransactionalMessageCheckService", () => {
  it("checks a half message queued behind an immune one without waiting for that immunity", async () => {
    await prepare("immune", 30);
    await prepare("plain");
    // Unanswered, "plain" is checked on every pass until transactionCheckMax (3).
    expect(await passes(30_000)).toEqual(["plain@2", "plain@4", "plain@6", "immune@30"]);
  });

  it("does not check a message within its immunity, however many passes go by", async () => {
    await prepare("immune", 20);
    expect(await passes(18_000)).toEqual([]);
    expect(await passes(2_000)).toEqual(["immune@20"]);
  });

  it("finishes the re-appended copies of an immune message its producer committed meanwhile", async () => {
    const first = await prepare("immune", 20);
    expect(await passes(3 * INTERVAL_MS)).toEqual([]);
    const half = tx.lookHalf(GROUP, first.commitLogOffset, first.queueOffset);
    if (typeof half === "string") throw new Error(half);
    expect(await tx.commit(half)).toEqual({ ok: true });
    expect(await passes(30_000)).toEqual([]);
    expect(delivered("immune")).toBe(1);
  });

  it("still checks an undecided message transactionCheckMax times, then drops it", async () => {
    await prepare("undecided");
    expect(await passes(20_000)).toEqual(["undecided@2", "undecided@4", "undecided@6"]);
  });
});
