/**
 * A BrokerContext over real managers (in a temp dir) and a small in-memory MessageStore, plus helpers to send
 * admin requests through a RequestDispatcher exactly as the remoting layer does.
 * The fake store writes real stored records (encodeMessageRecord) so bodies decode like the real thing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrokerConfig, buildBrokerConfig } from "../../../lib/broker/broker-config.js";
import type { BrokerContext } from "../../../lib/broker/broker-context.js";
import { BrokerStats } from "../../../lib/broker/broker-stats.js";
import { ConsumerManager, ProducerManager } from "../../../lib/broker/client-manager.js";
import { ConsumerOffsetManager } from "../../../lib/broker/consumer-offset-manager.js";
import {
  type AdminProcessorOptions,
  registerAdminProcessors,
} from "../../../lib/broker/processor/admin-broker-processor.js";
import { SubscriptionGroupManager } from "../../../lib/broker/subscription-group-manager.js";
import { TopicConfigManager } from "../../../lib/broker/topic-config-manager.js";
import { ManualClock } from "../../../lib/common/clock.js";
import { seededRandom } from "../../../lib/common/random.js";
import type { ConsumerData, SubscriptionData } from "../../../lib/protocol/body/heartbeat-data.js";
import { encodeSocketAddress } from "../../../lib/protocol/message-id.js";
import { encodeProperties, MessageConst } from "../../../lib/protocol/message-properties.js";
import { encodeMessageRecord } from "../../../lib/protocol/message-record.js";
import { createRequest, type RemotingCommand } from "../../../lib/protocol/remoting-command.js";
import type { Connection } from "../../../lib/remoting/connection.js";
import { RequestDispatcher } from "../../../lib/remoting/dispatcher.js";
import type {
  GetMessageResult,
  MessageStore,
  PutMessageResult,
  QueryMessageResult,
} from "../../../lib/store/message-store.js";

export const BROKER_ADDR = "127.0.0.1:10911";

interface StoredMessage {
  phy: number;
  storeTimestamp: number;
  record: Buffer;
  keys: string[];
  uniqKey: string | undefined;
}

export interface PutOptions {
  keys?: string[];
  uniqKey?: string;
  body?: string;
  storeTimestamp: number;
}

/** In-memory MessageStore for unit tests: queues start at offset 0 unless `minOffsets` says otherwise. */
export class FakeMessageStore implements MessageStore {
  private readonly queues = new Map<string, Map<number, StoredMessage[]>>();
  private readonly byPhy = new Map<number, StoredMessage>();
  private nextPhy = 0;
  readonly minOffsets = new Map<string, number>();
  readonly deleted: string[] = [];
  runtime: Record<string, string> = {};

  put(topic: string, queueId: number, o: PutOptions): StoredMessage {
    const queue = this.queue(topic, queueId, true);
    const props = new Map<string, string>();
    if (o.keys) props.set(MessageConst.PROPERTY_KEYS, o.keys.join(" "));
    if (o.uniqKey) props.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, o.uniqKey);
    const msg = {
      topic,
      queueId,
      flag: 0,
      body: Buffer.from(o.body ?? "hello"),
      propertiesString: encodeProperties(props),
      tagsCode: 0,
      sysFlag: 0,
      bornTimestamp: o.storeTimestamp - 1,
      bornHost: encodeSocketAddress("10.0.0.1:5555"),
      storeHost: encodeSocketAddress(BROKER_ADDR),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    };
    const record = encodeMessageRecord(msg, queue.length, this.nextPhy, o.storeTimestamp);
    const stored = {
      phy: this.nextPhy,
      storeTimestamp: o.storeTimestamp,
      record,
      keys: o.keys ?? [],
      uniqKey: o.uniqKey,
    };
    queue.push(stored);
    this.byPhy.set(stored.phy, stored);
    this.nextPhy += record.length;
    return stored;
  }

  private queue(topic: string, queueId: number, create = false): StoredMessage[] {
    let t = this.queues.get(topic);
    if (!t && create) {
      t = new Map();
      this.queues.set(topic, t);
    }
    let q = t?.get(queueId);
    if (!q && create && t) {
      q = [];
      t.set(queueId, q);
    }
    return q ?? [];
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}
  putMessage(): Promise<PutMessageResult> {
    throw new Error("not used by admin tests");
  }
  putMessages(): Promise<PutMessageResult> {
    throw new Error("not used by admin tests");
  }
  getMessage(topic: string, queueId: number, offset: number, maxMsgNums: number): GetMessageResult {
    const q = this.queue(topic, queueId);
    const messages = q.slice(offset, offset + maxMsgNums).map((m) => m.record);
    const status = messages.length > 0 ? "FOUND" : "NO_MESSAGE_IN_QUEUE";
    return { status, nextBeginOffset: offset + messages.length, minOffset: 0, maxOffset: q.length, messages };
  }
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.queue(topic, queueId).length;
  }
  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.minOffsets.get(`${topic}@${queueId}`) ?? 0;
  }
  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    return this.queue(topic, queueId)[queueOffset]?.storeTimestamp ?? -1;
  }
  getEarliestMessageTime(topic: string, queueId: number): number {
    return this.queue(topic, queueId)[0]?.storeTimestamp ?? -1;
  }
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const q = this.queue(topic, queueId);
    const i = q.findIndex((m) => m.storeTimestamp >= timestamp);
    return i < 0 ? q.length : i;
  }
  lookMessageByOffset(commitLogOffset: number): Buffer | undefined {
    return this.byPhy.get(commitLogOffset)?.record;
  }
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    const all = [...this.byPhy.values()];
    const matches = all
      .filter(
        (m) =>
          (m.keys.includes(key) || m.uniqKey === key) && m.storeTimestamp >= begin && m.storeTimestamp <= end,
      )
      .filter((m) => m.record.includes(Buffer.from(topic)))
      .reverse()
      .slice(0, maxNum);
    const last = all[all.length - 1];
    return {
      messages: matches.map((m) => m.record),
      indexLastUpdateTimestamp: last?.storeTimestamp ?? 0,
      indexLastUpdatePhyoffset: last?.phy ?? 0,
    };
  }
  getMinPhyOffset(): number {
    return 0;
  }
  getMaxPhyOffset(): number {
    return this.nextPhy;
  }
  getTopicQueueTable(): Map<string, number[]> {
    return new Map([...this.queues].map(([t, m]) => [t, [...m.keys()]]));
  }
  deleteTopics(topics: string[]): void {
    for (const t of topics) {
      this.deleted.push(t);
      this.queues.delete(t);
    }
  }
  setMessageArrivingListener(): void {}
  runtimeInfo(): Record<string, string> {
    return { ...this.runtime };
  }
}

/** A stand-in for a client's Connection: records what the broker sends it. */
export class FakeConnection {
  readonly oneway: RemotingCommand[] = [];
  closed = false;
  constructor(readonly remoteAddress = "10.0.0.7:53311") {}
  isClosed(): boolean {
    return this.closed;
  }
  invokeOneway(request: RemotingCommand): void {
    this.oneway.push(request);
  }
  invoke(): Promise<RemotingCommand> {
    return Promise.reject(new Error("FakeConnection.invoke is not wired"));
  }
  close(): void {
    this.closed = true;
  }
  asConnection(): Connection {
    return this as unknown as Connection;
  }
}

export interface AdminFixture {
  ctx: BrokerContext;
  /** The in-memory store (unused when the fixture was built over another store). */
  store: FakeMessageStore;
  clock: ManualClock;
  dir: string;
  registrations: () => number;
  call(
    code: number,
    ext?: Record<string, string>,
    body?: Buffer | string,
    request?: Partial<RemotingCommand>,
  ): Promise<RemotingCommand>;
  heartbeat<C extends FakeConnection | Connection>(
    group: string,
    clientId: string,
    subs: SubscriptionData[],
    conn?: C,
    version?: number,
  ): C | FakeConnection;
  cleanup(): void;
}

export function subscription(topic: string, subString = "*"): SubscriptionData {
  return {
    topic,
    subString,
    tagsSet: [],
    codeSet: [],
    subVersion: 1,
    expressionType: "TAG",
    classFilterMode: false,
  };
}

export function createAdminFixture(
  overrides: Array<readonly [string, string]> = [],
  options: AdminProcessorOptions | ((clock: ManualClock) => AdminProcessorOptions) = {},
  makeStore?: (dir: string, clock: ManualClock) => MessageStore,
): AdminFixture {
  const dir = mkdtempSync(join(tmpdir(), "stratus-admin-"));
  const config: BrokerConfig = buildBrokerConfig("test", [
    ["storePathRootDir", dir],
    ["brokerClusterName", "ClusterT"],
    ["brokerName", "broker-a"],
    ...overrides,
  ]).config;
  const clock = new ManualClock(1_700_000_000_000);
  const fake = new FakeMessageStore();
  const store = makeStore ? makeStore(join(dir, "store"), clock) : fake;
  let registrations = 0;
  const ctx: BrokerContext = {
    config,
    clock,
    random: seededRandom(7),
    store,
    topicConfigManager: new TopicConfigManager(config, clock),
    subscriptionGroupManager: new SubscriptionGroupManager(config),
    consumerOffsetManager: new ConsumerOffsetManager(config),
    consumerManager: new ConsumerManager(clock, config.channelExpiredTimeout, () => false),
    producerManager: new ProducerManager(clock, config.channelExpiredTimeout),
    stats: new BrokerStats(clock),
    storeHost: encodeSocketAddress(BROKER_ADDR),
    brokerAddr: BROKER_ADDR,
    bootTimestamp: clock.nowMs(),
    registerBrokerAll: async () => {
      registrations++;
    },
  };
  ctx.topicConfigManager.load();
  ctx.subscriptionGroupManager.load();
  const dispatcher = new RequestDispatcher();
  registerAdminProcessors(dispatcher, ctx, typeof options === "function" ? options(clock) : options);
  const caller = new FakeConnection("10.0.0.9:40000");
  return {
    ctx,
    store: fake,
    clock,
    dir,
    registrations: () => registrations,
    async call(code, ext = {}, body, request = {}) {
      const buf = typeof body === "string" ? Buffer.from(body) : body;
      const req = { ...createRequest(code, ext, buf), ...request };
      const response = await dispatcher.handle(req, caller.asConnection());
      if (!response) throw new Error(`no response to request code ${code}`);
      return response;
    },
    heartbeat(group, clientId, subs, conn, version = 409) {
      const c = conn ?? new FakeConnection();
      const data: ConsumerData = {
        groupName: group,
        consumeType: "CONSUME_PASSIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
        unitMode: false,
        subscriptionDataSet: subs,
      };
      const connection = c instanceof FakeConnection ? c.asConnection() : (c as Connection);
      ctx.consumerManager.registerConsumer(data, { connection, clientId, language: "JAVA", version });
      return c;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
