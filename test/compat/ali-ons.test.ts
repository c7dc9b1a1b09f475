/**
 * The npm client ali-ons@3.12.0 (JSON-only remoting, raw JS numbers in extFields, route JSON read with
 * JSON2) against a real `stratus dev` process: its Producer sends, its push Consumer receives, a
 * consume failure comes back through CONSUMER_SEND_MSG_BACK → SCHEDULE_TOPIC_XXXX → %RETRY%<group>, and a
 * message sent with `msg.delayTimeLevel = n` (DELAY property) arrives after level n's delay.
 *
 * ali-ons quirks the test works with (they are the client's, and an Apache broker sees the same):
 * - it never creates topics (a route lookup answered TOPIC_NOT_EXIST throws), so topics are created
 *   first with UPDATE_AND_CREATE_TOPIC, as `mqadmin updateTopic` would;
 * - it looks up the route of %RETRY%<group> before its first heartbeat (which is what creates that
 *   topic), so each new group reports "No topic route info ... %RETRY%<group>" once or twice;
 * - `new Message(topic, body)` still sends TAGS=null, so an untagged message drops the TAGS property;
 * - the retry-topic handler ignores ACTION_RETRY, so failures are signalled by throwing.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { createTopicRequest } from "../integration/raw-client.js";
import { removeDir, type StratusDev, startStratusDev } from "../integration/stratus-process.js";

interface OnsMessage {
  topic: string;
  delayTimeLevel: number;
  get tags(): string | null | undefined;
  set tags(value: string | null);
  get keys(): string | undefined;
  set keys(value: string[]);
  body: Buffer;
  msgId: string;
  reconsumeTimes: number;
  originMessageId: string | undefined;
  queueId: number;
  queueOffset: number;
  properties: Record<string, string | null>;
}
interface OnsSendResult {
  sendStatus: string;
  msgId: string;
  messageQueue: { topic: string; brokerName: string; queueId: number | string };
  queueOffset: number;
}
interface OnsClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): void;
}
interface OnsProducer extends OnsClient {
  send(msg: OnsMessage): Promise<OnsSendResult>;
}
interface OnsConsumer extends OnsClient {
  subscribe(topic: string, expression: string, handler: (msg: OnsMessage) => Promise<void>): void;
}
interface OnsModule {
  Producer: (new (options: object) => OnsProducer) & { defaultProducer?: OnsProducer | null };
  Consumer: new (options: object) => OnsConsumer;
  Message: new (topic: string, tags: string | null, body: string | Buffer) => OnsMessage;
}

const ons = createRequire(import.meta.url)("ali-ons") as OnsModule;

const QUEUES = 4;
const MESSAGES = 200;
const TAGS = ["TagA", "TagB", "TagC", null] as const;
/**
 * Level 3 is a consumer's first retry, level 4 its second: 1 s and 2 s here (Apache: 10 s and 30 s).
 * Levels 5 and 6 (3 s and 5 s) are the ones the delay test sends with.
 */
const DELAY_LEVELS = "1s 1s 1s 2s 3s 5s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s";
/** [delayTimeLevel, its delay in ms] per message of the delay test. */
const DELAYED: ReadonlyArray<readonly [number, number]> = [
  [5, 3000],
  [6, 5000],
];
/** A delayed message is due within this long after its level's delay. */
const DELAY_TOLERANCE_MS = 1000;
const DELIVERY_TIMEOUT_MS = 45_000;
const TEST_TIMEOUT_MS = 90_000;
/** ali-ons compresses bodies over 4 KiB (sysFlag bit 0): one message is bigger than that. */
const BIG_BODY_BYTES = 20_000;

/** Expected error texts (see the header comment); anything else an ali-ons client reports fails the test. */
const EXPECTED_ERRORS = [/No topic route info in name server for the topic: %RETRY%/, /deliberate failure/];

interface Expected {
  body: string;
  tags: string | null;
  keys: string | undefined;
}

interface Delivery {
  body: string;
  tags: string | null;
  keys: string | undefined;
  topic: string;
  msgId: string;
  originMessageId: string | undefined;
  reconsumeTimes: number;
  atMs: number;
}

function toDelivery(msg: OnsMessage): Delivery {
  return {
    body: msg.body.toString("utf8"),
    tags: msg.tags ?? null,
    keys: msg.keys,
    topic: msg.topic,
    msgId: msg.msgId,
    originMessageId: msg.originMessageId,
    reconsumeTimes: msg.reconsumeTimes,
    atMs: Date.now(),
  };
}

function bodyFor(i: number): string {
  if (i === 7) return `ons-${i}-${"x".repeat(BIG_BODY_BYTES)}`;
  if (i % 10 === 3) return `ons-${i}-héllo-世界`;
  return `ons-${i}`;
}

function expectedMessages(): Expected[] {
  return Array.from({ length: MESSAGES }, (_, i) => ({
    body: bodyFor(i),
    tags: TAGS[i % TAGS.length] ?? null,
    keys: i % 3 === 0 ? `key-${i} order-${i % 5}` : undefined,
  }));
}

function byBody(deliveries: Delivery[]): Map<string, Delivery[]> {
  const map = new Map<string, Delivery[]>();
  for (const d of deliveries) map.set(d.body, [...(map.get(d.body) ?? []), d]);
  return map;
}

/** Short for failure messages: the big body would drown everything else. */
function short(body: string): string {
  return body.length > 40 ? `${body.slice(0, 40)}…(${body.length} chars)` : body;
}

describe("ali-ons 3.12.0 against stratus dev", () => {
  let dev: StratusDev;
  const admin = new RemotingClient();
  const errors: string[] = [];
  const logLines: string[] = [];
  let producer: OnsProducer;

  function record(err: Error): void {
    errors.push(err.message);
  }
  function unexpectedErrors(): string[] {
    return errors.filter((e) => !EXPECTED_ERRORS.some((re) => re.test(e)));
  }
  const logger = {
    info: (fmt: string, ...args: unknown[]) => logLines.push(`INFO ${fmt} ${args.map(String).join(" ")}`),
    debug: () => {},
    warn: (...args: unknown[]) => logLines.push(`WARN ${args.map(String).join(" ")}`),
    error: (...args: unknown[]) => logLines.push(`ERROR ${args.map(String).join(" ")}`),
  };
  function clientOptions(): Record<string, unknown> {
    return {
      nameSrv: [dev.namesrvAddr],
      // Used only to resolve onsAddr over HTTP, which a nameSrv list replaces; refusing makes that visible.
      httpclient: {
        request: () =>
          Promise.reject(new Error("ali-ons asked for onsAddr over HTTP although nameSrv is set")),
      },
      logger,
      pollNameServerInteval: 1000,
      rebalanceInterval: 1000,
      heartbeatBrokerInterval: 5000,
      persistConsumerOffsetInterval: 1000,
    };
  }

  async function createTopic(topic: string): Promise<void> {
    const r = await admin.invoke(dev.brokerAddr, createTopicRequest(topic, 6, QUEUES), 5000);
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
  }

  async function brokerOffset(code: number, fields: Record<string, string>): Promise<number> {
    const r = await admin.invoke(dev.brokerAddr, createRequest(code, fields), 5000);
    expect(r.code, r.remark).toBe(ResponseCode.SUCCESS);
    return Number(r.extFields.offset);
  }

  async function startConsumer(
    group: string,
    topic: string,
    expression: string,
    handler: (msg: OnsMessage) => Promise<void>,
  ): Promise<OnsConsumer> {
    const consumer = new ons.Consumer({
      ...clientOptions(),
      consumerGroup: group,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.on("error", record);
    consumer.subscribe(topic, expression, handler);
    await consumer.ready();
    return consumer;
  }

  function diagnostics(): string {
    return `errors: ${JSON.stringify(errors.slice(0, 10))}\nclient log tail:\n${logLines.slice(-20).join("\n")}\nstratus output:\n${dev.output().slice(-2000)}`;
  }

  beforeAll(async () => {
    dev = await startStratusDev({ brokerConf: `messageDelayLevel=${DELAY_LEVELS}\n` });
    producer = new ons.Producer({ ...clientOptions(), producerGroup: "ons_compat_producer" });
    producer.on("error", record);
    await producer.ready();
  });

  afterAll(async () => {
    await producer?.close();
    await ons.Producer.defaultProducer?.close();
    ons.Producer.defaultProducer = null;
    admin.close();
    if (dev) {
      await dev.stop();
      removeDir(dev.dataDir);
    }
  });

  it(
    `delivers ${MESSAGES} messages exactly once with their bodies, tags and keys, and filters by tag on the broker`,
    async () => {
      const topic = "OnsRoundTrip";
      await createTopic(topic);
      const expected = expectedMessages();
      const sent: OnsSendResult[] = [];
      for (const e of expected) {
        const msg = new ons.Message(topic, e.tags, e.body);
        if (e.tags === null) delete msg.properties.TAGS;
        if (e.keys !== undefined) msg.keys = e.keys.split(" ");
        sent.push(await producer.send(msg));
      }
      expect(sent.map((s) => s.sendStatus)).toEqual(expected.map(() => "SEND_OK"));
      expect(new Set(sent.map((s) => s.msgId)).size).toBe(MESSAGES);
      for (const s of sent) expect(s.msgId).toMatch(/^[0-9A-F]{32}$/);
      const queuesUsed = new Set(sent.map((s) => Number(s.messageQueue.queueId)));
      expect([...queuesUsed].sort()).toEqual([0, 1, 2, 3]);

      const all: Delivery[] = [];
      const tagged: Delivery[] = [];
      const consumers = [
        await startConsumer("ons_compat_all", topic, "*", async (m) => void all.push(toDelivery(m))),
        await startConsumer(
          "ons_compat_ab",
          topic,
          "TagA || TagB",
          async (m) => void tagged.push(toDelivery(m)),
        ),
      ];
      const wantTagged = expected.filter((e) => e.tags === "TagA" || e.tags === "TagB");
      try {
        await vi.waitFor(
          () => {
            if (all.length < MESSAGES || tagged.length < wantTagged.length) {
              throw new Error(`received ${all.length}/${MESSAGES} and ${tagged.length}/${wantTagged.length}`);
            }
          },
          { timeout: DELIVERY_TIMEOUT_MS, interval: 200 },
        );
        // Anything late (a duplicate, a message the filter should have held back) shows up in this second.
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        for (const c of consumers) await c.close();
      }
      const why = diagnostics();

      const seen = byBody(all);
      const missing = expected.filter((e) => !seen.has(e.body)).map((e) => short(e.body));
      const duplicated = [...seen].filter(([, ds]) => ds.length > 1).map(([b]) => short(b));
      expect(missing, why).toEqual([]);
      expect(duplicated, why).toEqual([]);
      expect(all.length, why).toBe(MESSAGES);
      for (const e of expected) {
        const d = seen.get(e.body)?.[0];
        expect({ body: short(d?.body ?? ""), tags: d?.tags, keys: d?.keys, topic: d?.topic }, why).toEqual({
          body: short(e.body),
          tags: e.tags,
          keys: e.keys,
          topic,
        });
      }
      expect(all.find((d) => d.body.length > BIG_BODY_BYTES)?.body, why).toBe(bodyFor(7));

      expect(tagged.map((d) => d.body).sort(), why).toEqual(wantTagged.map((e) => e.body).sort());
      expect(new Set(tagged.map((d) => d.tags)), why).toEqual(new Set(["TagA", "TagB"]));
      expect(unexpectedErrors(), why).toEqual([]);

      // The offsets ali-ons committed (UPDATE_CONSUMER_OFFSET, oneway, raw JS numbers) reach the queue ends.
      const maxOffsets: number[] = [];
      for (let q = 0; q < QUEUES; q++) {
        maxOffsets.push(await brokerOffset(RequestCode.GET_MAX_OFFSET, { topic, queueId: String(q) }));
      }
      expect(maxOffsets.reduce((a, b) => a + b, 0)).toBe(MESSAGES);
      await vi.waitFor(
        async () => {
          const committed: number[] = [];
          for (let q = 0; q < QUEUES; q++) {
            const fields = { consumerGroup: "ons_compat_all", topic, queueId: String(q) };
            committed.push(await brokerOffset(RequestCode.QUERY_CONSUMER_OFFSET, fields));
          }
          expect(committed).toEqual(maxOffsets);
        },
        { timeout: 10_000, interval: 250 },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "redelivers a message whose consumption failed, through CONSUMER_SEND_MSG_BACK and the delay levels",
    async () => {
      const topic = "OnsRetry";
      const group = "ons_compat_retry";
      await createTopic(topic);
      const deliveries: Delivery[] = [];
      const consumer = await startConsumer(group, topic, "*", async (m) => {
        const d = toDelivery(m);
        deliveries.push(d);
        if (d.body === "fail-twice" && d.reconsumeTimes < 2) {
          throw new Error(`deliberate failure ${d.reconsumeTimes + 1}`);
        }
      });
      const sentIds = new Map<string, string>();
      try {
        for (const body of ["ok-before", "fail-twice", "ok-after"]) {
          sentIds.set(body, (await producer.send(new ons.Message(topic, "TagR", body))).msgId);
        }
        await vi.waitFor(
          () => {
            const n = deliveries.filter((d) => d.body === "fail-twice").length;
            if (n < 3 || deliveries.length < 5) throw new Error(`fail-twice delivered ${n} times so far`);
          },
          { timeout: DELIVERY_TIMEOUT_MS, interval: 200 },
        );
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await consumer.close();
      }
      const why = `${JSON.stringify(deliveries, null, 1)}\n${diagnostics()}`;
      const seen = byBody(deliveries);
      expect(seen.get("ok-before")?.length, why).toBe(1);
      expect(seen.get("ok-after")?.length, why).toBe(1);
      const tries = seen.get("fail-twice") ?? [];
      expect(
        tries.map((d) => d.reconsumeTimes),
        why,
      ).toEqual([0, 1, 2]);
      const [first, second, third] = tries as [Delivery, Delivery, Delivery];
      expect(first.msgId, why).toBe(sentIds.get("fail-twice"));
      // Each retry is a new message in %RETRY%<group> that remembers the original id and topic (ali-ons
      // puts the topic back from RETRY_TOPIC before calling the handler) and keeps its tag.
      for (const retry of [second, third]) {
        expect(retry.msgId, why).not.toBe(first.msgId);
        expect(retry.originMessageId, why).toBe(first.msgId);
        expect(retry.topic, why).toBe(topic);
        expect(retry.tags, why).toBe("TagR");
      }
      expect(second.msgId, why).not.toBe(third.msgId);
      // Delay level 3 (1 s) then 4 (2 s) as configured, not an immediate local resend.
      expect(second.atMs - first.atMs, why).toBeGreaterThanOrEqual(900);
      expect(third.atMs - second.atMs, why).toBeGreaterThanOrEqual(1900);
      const sendBacks = logLines.filter(
        (l) => l.includes("consumerSendMessageBack success") && l.includes(group),
      );
      expect(sendBacks.length, why).toBe(2);
      expect(errors.filter((e) => e.includes("deliberate failure")).length, why).toBe(2);
      expect(unexpectedErrors(), why).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
  it(
    "delivers a message sent with delayTimeLevel no earlier than its level's delay and within 1 s after it",
    async () => {
      const topic = "OnsDelay";
      await createTopic(topic);
      const deliveries: Delivery[] = [];
      const consumer = await startConsumer("ons_compat_delay", topic, "*", async (m) => {
        deliveries.push(toDelivery(m));
      });
      const sent: Array<{ body: string; delayMs: number; msgId: string; before: number; after: number }> = [];
      try {
        // The consumer owns its queues and pulls before anything delayed is sent.
        const warmId = (await producer.send(new ons.Message(topic, "TagD", "warm-up"))).msgId;
        await vi.waitFor(
          () => {
            if (!deliveries.some((d) => d.msgId === warmId)) throw new Error("warm-up not delivered yet");
          },
          { timeout: DELIVERY_TIMEOUT_MS, interval: 100 },
        );
        for (const [level, delayMs] of DELAYED) {
          const body = `delayed-level-${level}`;
          const msg = new ons.Message(topic, "TagD", body);
          msg.delayTimeLevel = level;
          const before = Date.now();
          const r = await producer.send(msg);
          expect(r.sendStatus).toBe("SEND_OK");
          sent.push({ body, delayMs, msgId: r.msgId, before, after: Date.now() });
        }
        await vi.waitFor(
          () => {
            const missing = sent.filter((s) => !deliveries.some((d) => d.body === s.body));
            if (missing.length > 0) throw new Error(`not delivered yet: ${missing.map((m) => m.body)}`);
          },
          { timeout: DELIVERY_TIMEOUT_MS, interval: 50 },
        );
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        await consumer.close();
      }
      const why = `${JSON.stringify({ sent, deliveries }, null, 1)}\n${diagnostics()}`;
      for (const s of sent) {
        const got = deliveries.filter((d) => d.body === s.body);
        expect(got, why).toHaveLength(1);
        const d = got[0] as Delivery;
        // Delivered on its own topic with its tag. (ali-ons names a message by its offset id, and the copy
        // put back at time-up is a new CommitLog record, so the id differs from the send's, as on Apache.)
        expect({ topic: d.topic, tags: d.tags }, why).toEqual({ topic, tags: "TagD" });
        expect(d.atMs - s.before, why).toBeGreaterThanOrEqual(s.delayMs);
        expect(d.atMs - s.after, why).toBeLessThanOrEqual(s.delayMs + DELAY_TOLERANCE_MS);
      }
      expect(unexpectedErrors(), why).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
