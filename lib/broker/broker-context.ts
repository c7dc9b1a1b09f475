/** Everything a broker processor needs, wired once by the BrokerController. */
import type { Clock } from "../common/clock.js";
import type { Random } from "../common/random.js";
import type { MessageStore } from "../store/message-store.js";
import type { BrokerConfig } from "./broker-config.js";
import type { BrokerStats } from "./broker-stats.js";
import type { ConsumerManager, ProducerManager } from "./client-manager.js";
import type { ConsumerOffsetManager } from "./consumer-offset-manager.js";
import type { SubscriptionGroupManager } from "./subscription-group-manager.js";
import type { TopicConfigManager } from "./topic-config-manager.js";

export interface BrokerContext {
  /** Mutable at runtime through UPDATE_BROKER_CONFIG; processors read it on every request. */
  config: BrokerConfig;
  readonly clock: Clock;
  readonly random: Random;
  readonly store: MessageStore;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly stats: BrokerStats;
  /** The broker's advertised address as socket-address bytes (written as storeHost). */
  readonly storeHost: Buffer;
  /** "ip:port" the broker advertises. */
  readonly brokerAddr: string;
  readonly bootTimestamp: number;
  /**
   * Ask for an immediate re-registration with every NameServer (after topic changes). Resolves once every
   * NameServer has answered (or failed) a registration that includes the changes made before the call;
   * callers that answer a client only after that (UPDATE_AND_CREATE_TOPIC, as Apache does) await it.
   */
  registerBrokerAll(): Promise<void>;
}
