/**
 * Wires a broker: store, managers, processors, the remoting server (listenPort and the VIP channel
 * listenPort - 2), NameServer registration every registerNameServerPeriod, housekeeping timers, clean shutdown.
 */
import type { Clock } from "../common/clock.js";
import { systemClock } from "../common/clock.js";
import { type Random, systemRandom } from "../common/random.js";
import type { JsonObject } from "../ports/records/record-codec.js";
import { encodeSocketAddress } from "../protocol/message-id.js";
import { RequestCode } from "../protocol/request-code.js";
import { RequestDispatcher } from "../remoting/dispatcher.js";
import { RemotingServer } from "../remoting/server.js";
import type { MessageStore } from "../store/message-store.js";
import { type BrokerConfig, brokerAddress } from "./broker-config.js";
import type { BrokerContext } from "./broker-context.js";
import { BrokerOuterAPI } from "./broker-outer-api.js";
import { BrokerStats } from "./broker-stats.js";
import { ConsumerManager, ProducerManager } from "./client-manager.js";
import { type BrokerConfigStores, flushWithin } from "./config-stores.js";
import { ConsumerOffsetManager } from "./consumer-offset-manager.js";
import { checkExpression, expressionMessageFilter } from "./expression-message-filter.js";
import { registerAdminProcessors } from "./processor/admin-broker-processor.js";
import { ClientManageProcessor, type ExpressionChecker } from "./processor/client-manage-processor.js";
import { ConsumerManageProcessor } from "./processor/consumer-manage-processor.js";
import { EndTransactionProcessor } from "./processor/end-transaction-processor.js";
import { type FilterFactory, PullMessageProcessor } from "./processor/pull-message-processor.js";
import { SendMessageProcessor } from "./processor/send-message-processor.js";
import { SendMsgBackProcessor } from "./processor/send-msg-back-processor.js";
import { PullRequestHoldService } from "./pull-request-hold-service.js";
import { ScheduleMessageService } from "./schedule/schedule-message-service.js";
import { DurableScheduleProgress } from "./schedule/schedule-progress.js";
import { TIMER_TOPIC, TimerMessageService } from "./schedule/timer-message-service.js";
import { SubscriptionGroupManager } from "./subscription-group-manager.js";
import { TopicConfigManager } from "./topic-config-manager.js";
import { TransactionalMessageCheckService } from "./transaction/transactional-message-check-service.js";
import { TransactionalMessageService } from "./transaction/transactional-message-service.js";
import { UniqKeyGenerator } from "./uniq-key.js";

/** How often dead client channels are scanned for (Apache: 10 s). */
const CLIENT_SCAN_INTERVAL_MS = 10_000;
/** How long topic changes may take to persist before the NameServers hear of them anyway. */
const CONFIG_PERSIST_WAIT_MS = 3_000;
/** How long shutdown waits for topic and group changes to persist (the store may be down). */
const CONFIG_FLUSH_AT_SHUTDOWN_MS = 10_000;

/** The CommitLog's tier to the object store (lib/tier TierService), already attached to the store. */
export interface BrokerTier {
  /** Reads the manifest; runs before the store starts (the store continues after the tier's end). */
  load(): Promise<void>;
  start(): void;
  /** Uploads what the object store lacks, for at most `timeoutMs`; whether everything went. */
  drain(timeoutMs: number): Promise<boolean>;
  shutdown(): Promise<void>;
  /** The manifest head's details load() found (the schedule progress recorded with the last chunk). */
  headDetails?(): JsonObject | undefined;
  /**
   * Records `source.progressAt(end)` in the manifest head with each chunk ending at CommitLog offset `end`;
   * returns what to call when the source has news (the head is then written even if no chunk comes).
   */
  recordWithChunks?(source: {
    progressAt(end: number): JsonObject;
    unrecorded(end: number): boolean;
  }): () => void;
  /** pendingBytes: CommitLog bytes not yet committed to the object store (the upload backlog). */
  status(): { readonly pendingBytes: number };
}

export interface BrokerControllerOptions {
  config: BrokerConfig;
  store: MessageStore;
  clock?: Clock;
  random?: Random;
  /** SQL92 support: builds filters and validates expressions (installed by the filter layer). */
  filterFactory?: FilterFactory;
  checkExpression?: ExpressionChecker;
  /** Address the remoting server binds (default 0.0.0.0). */
  bindHost?: string;
  /**
   * Where topics, subscription groups and consumer offsets persist: files under storePathRootDir/config
   * unless given (metadataConfigStores() keeps them in the MetadataStore, by brokerName).
   */
  configStores?: BrokerConfigStores;
  /** Tiering of the CommitLog to the object store (docs/adr/0006). */
  tier?: BrokerTier;
}

export class BrokerController {
  readonly ctx: BrokerContext;
  private readonly server: RemotingServer;
  private readonly hold: PullRequestHoldService;
  private readonly outerApi: BrokerOuterAPI;
  readonly schedule: ScheduleMessageService;
  readonly timer: TimerMessageService;
  private readonly tx: TransactionalMessageService;
  private readonly txCheck: TransactionalMessageCheckService;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The registration scheduled for the next tick and not started yet, which later changes can join. */
  private pendingRegister: Promise<void> | undefined;

  constructor(private readonly options: BrokerControllerOptions) {
    const clock = options.clock ?? systemClock;
    const config = options.config;
    this.ctx = {
      config,
      clock,
      random: options.random ?? systemRandom,
      store: options.store,
      topicConfigManager: new TopicConfigManager(config, clock, options.configStores?.topics),
      subscriptionGroupManager: new SubscriptionGroupManager(config, options.configStores?.groups),
      consumerOffsetManager: new ConsumerOffsetManager(config, options.configStores?.offsets),
      consumerManager: new ConsumerManager(clock, config.channelExpiredTimeout, (g) => this.notifyEnabled(g)),
      producerManager: new ProducerManager(clock, config.channelExpiredTimeout),
      stats: new BrokerStats(clock),
      storeHost: encodeSocketAddress(brokerAddress(config)),
      brokerAddr: brokerAddress(config),
      bootTimestamp: clock.nowMs(),
      registerBrokerAll: () => this.persistThenRegister(),
    };
    this.hold = new PullRequestHoldService(clock, (t, q) => options.store.getMaxOffsetInQueue(t, q));
    this.outerApi = new BrokerOuterAPI(this.ctx);
    this.schedule = new ScheduleMessageService(this.ctx);
    this.timer = new TimerMessageService(this.ctx);
    this.tx = new TransactionalMessageService(this.ctx);
    this.txCheck = new TransactionalMessageCheckService(this.ctx, this.tx);
    const dispatcher = this.buildDispatcher();
    this.server = new RemotingServer({
      host: options.bindHost ?? "0.0.0.0",
      ports: [config.listenPort, config.listenPort - 2],
      handler: dispatcher.handle,
    });
    this.server.onConnectionClose((c) => {
      this.ctx.consumerManager.doChannelCloseEvent(c);
      this.ctx.producerManager.doChannelCloseEvent(c);
    });
  }

  private notifyEnabled(group: string): boolean {
    if (!this.ctx.config.notifyConsumerIdsChangedEnable) return false;
    return this.ctx.subscriptionGroupManager.get(group)?.notifyConsumerIdsChangedEnable ?? true;
  }

  private buildDispatcher(): RequestDispatcher {
    const ctx = this.ctx;
    const d = new RequestDispatcher();
    const uniqKeys = new UniqKeyGenerator(ctx.storeHost, ctx.clock, ctx.random);
    const send = new SendMessageProcessor(ctx, uniqKeys, this.schedule, this.tx, this.timer);
    const sendBack = new SendMsgBackProcessor(ctx, this.schedule);
    const endTx = new EndTransactionProcessor(this.tx);
    const pull = new PullMessageProcessor(
      ctx,
      this.hold,
      this.options.filterFactory ?? expressionMessageFilter,
    );
    const consumer = new ConsumerManageProcessor(ctx);
    const client = new ClientManageProcessor(ctx, this.options.checkExpression ?? checkExpression);
    for (const code of [
      RequestCode.SEND_MESSAGE,
      RequestCode.SEND_MESSAGE_V2,
      RequestCode.SEND_BATCH_MESSAGE,
    ]) {
      d.register(code, (r, c) => send.process(r, c));
    }
    d.register(RequestCode.PULL_MESSAGE, (r, c) => pull.process(r, c));
    d.register(RequestCode.LITE_PULL_MESSAGE, (r, c) => pull.process(r, c));
    d.register(RequestCode.QUERY_CONSUMER_OFFSET, (r) => consumer.queryConsumerOffset(r));
    d.register(RequestCode.UPDATE_CONSUMER_OFFSET, (r) => consumer.updateConsumerOffset(r));
    d.register(RequestCode.GET_MAX_OFFSET, (r) => consumer.getMaxOffset(r));
    d.register(RequestCode.GET_MIN_OFFSET, (r) => consumer.getMinOffset(r));
    d.register(RequestCode.GET_EARLIEST_MSG_STORETIME, (r) => consumer.getEarliestMsgStoretime(r));
    d.register(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (r) => consumer.searchOffsetByTimestamp(r));
    d.register(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (r) => consumer.getConsumerListByGroup(r));
    d.register(RequestCode.CONSUMER_SEND_MSG_BACK, (r) => sendBack.process(r));
    d.register(RequestCode.END_TRANSACTION, (r) => endTx.process(r));
    d.register(RequestCode.HEART_BEAT, (r, c) => client.heartBeat(r, c));
    d.register(RequestCode.UNREGISTER_CLIENT, (r) => client.unregisterClient(r));
    d.register(RequestCode.CHECK_CLIENT_CONFIG, (r) => client.checkClientConfig(r));
    registerAdminProcessors(d, ctx, { scheduleOffsetTable: () => this.schedule.offsetTable() });
    return d;
  }

  async start(): Promise<void> {
    const ctx = this.ctx;
    await ctx.topicConfigManager.load();
    await ctx.subscriptionGroupManager.load();
    await ctx.consumerOffsetManager.load();
    this.schedule.load();
    const tier = this.options.tier;
    await tier?.load();
    // delay cursors and timer progress also live in the object store, for a broker that lost its disk
    const progress = tier?.recordWithChunks && new DurableScheduleProgress(tier.headDetails?.());
    if (progress) {
      progress.onNote = tier?.recordWithChunks?.(progress);
      this.schedule.restore(progress);
    }
    await ctx.store.start();
    tier?.start();
    await this.timer.load(progress);
    ctx.store.setMessageArrivingListener((topic, queueId, logicOffset, tagsCode) => {
      // logicOffset is the queue max offset after the append (Apache semantics): the message sits at logicOffset - 1.
      if (topic === TIMER_TOPIC) this.timer.onArrived(logicOffset - 1, tagsCode);
      this.hold.notifyMessageArriving(topic, queueId, logicOffset, tagsCode);
    });
    ctx.consumerOffsetManager.start();
    this.hold.start();
    this.schedule.start();
    this.timer.start();
    this.txCheck.start();
    await this.server.start();
    this.every(CLIENT_SCAN_INTERVAL_MS, () => {
      ctx.consumerManager.scanNotActiveChannel();
      ctx.producerManager.scanNotActiveChannel();
    });
    this.every(1000, () => ctx.stats.sample());
    await this.outerApi.registerBrokerAll();
    this.every(ctx.config.registerNameServerPeriod, () => void this.outerApi.registerBrokerAll());
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Topic changes reach their store (within a bound) before the NameServers hear of them. */
  private async persistThenRegister(): Promise<void> {
    await flushWithin(CONFIG_PERSIST_WAIT_MS, [this.ctx.topicConfigManager.flush()]);
    return this.scheduleRegister();
  }

  /**
   * Coalesce many topic changes into one re-registration on the next tick. The registration body is built
   * when it starts, so a change made while one is in flight schedules another.
   */
  private scheduleRegister(): Promise<void> {
    this.pendingRegister ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pendingRegister = undefined;
        this.outerApi.registerBrokerAll().then(resolve, reject);
      });
    });
    return this.pendingRegister;
  }

  listenPorts(): number[] {
    return this.server.boundPorts();
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.schedule.shutdown();
    this.timer.shutdown();
    this.txCheck.shutdown();
    this.hold.shutdown();
    await this.outerApi.unregisterBrokerAll();
    this.outerApi.close();
    await this.server.close();
    await flushWithin(CONFIG_FLUSH_AT_SHUTDOWN_MS, [
      this.ctx.topicConfigManager.flush(),
      this.ctx.subscriptionGroupManager.flush(),
    ]);
    await this.ctx.consumerOffsetManager.shutdown().catch((e: unknown) => {
      process.stderr.write(`stratus broker: consumer offsets not saved at shutdown: ${String(e)}\n`);
    });
    await this.drainTier();
    await this.ctx.store.shutdown();
  }

  /** Bytes of CommitLog waiting for the object store; undefined when the broker does not tier. */
  tierBacklogBytes(): number | undefined {
    return this.options.tier?.status().pendingBytes;
  }

  /** Sends have stopped: upload what the object store lacks (bounded by drainTimeoutMs), then stop tiering. */
  private async drainTier(): Promise<void> {
    const tier = this.options.tier;
    if (!tier) return;
    const complete = await tier.drain(this.ctx.config.drainTimeoutMs).catch(() => false);
    if (!complete)
      process.stderr.write(
        `stratus broker: not everything reached the object store within drainTimeoutMs=${this.ctx.config.drainTimeoutMs}; the rest stays on local disk\n`,
      );
    await tier.shutdown();
  }
}
