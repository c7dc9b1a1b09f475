/**
 * Who is connected: consumer groups (channels, subscriptions, model) and producer groups, kept from HEART_BEAT.
 * A consumer group's membership change sends NOTIFY_CONSUMER_IDS_CHANGED to every member (so they rebalance).
 */
import type { Clock } from "../common/clock.js";
import type { ConsumerData, SubscriptionData } from "../protocol/body/heartbeat-data.js";
import { createRequest } from "../protocol/remoting-command.js";
import { RequestCode } from "../protocol/request-code.js";
import type { Connection } from "../remoting/connection.js";

export interface ClientChannelInfo {
  connection: Connection;
  clientId: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}

export interface ConsumerGroupInfo {
  groupName: string;
  channels: Map<string, ClientChannelInfo>;
  subscriptionTable: Map<string, SubscriptionData>;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  lastUpdateTimestamp: number;
}

export class ConsumerManager {
  private readonly groups = new Map<string, ConsumerGroupInfo>();

  constructor(
    private readonly clock: Clock,
    private readonly channelExpiredTimeoutMs: number,
    private readonly notifyEnabled: (group: string) => boolean,
  ) {}

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Register or refresh one client of a group; notifies the group when its members or subscribed topics changed. */
  registerConsumer(data: ConsumerData, channel: Omit<ClientChannelInfo, "lastUpdateTimestamp">): void {
    const now = this.clock.nowMs();
    let info = this.groups.get(data.groupName);
    if (!info) {
      info = {
        groupName: data.groupName,
        channels: new Map(),
        subscriptionTable: new Map(),
        consumeType: data.consumeType,
        messageModel: data.messageModel,
        consumeFromWhere: data.consumeFromWhere,
        lastUpdateTimestamp: now,
      };
      this.groups.set(data.groupName, info);
    }
    const joined = !info.channels.has(channel.clientId);
    info.channels.set(channel.clientId, { ...channel, lastUpdateTimestamp: now });
    info.consumeType = data.consumeType;
    info.messageModel = data.messageModel;
    info.consumeFromWhere = data.consumeFromWhere;
    info.lastUpdateTimestamp = now;
    const subsChanged = this.updateSubscriptions(info, data.subscriptionDataSet);
    if ((joined || subsChanged) && info.messageModel !== "BROADCASTING") this.notifyIdsChanged(info);
  }

  private updateSubscriptions(info: ConsumerGroupInfo, subs: SubscriptionData[]): boolean {
    let changed = false;
    const seen = new Set<string>();
    for (const sub of subs) {
      seen.add(sub.topic);
      const old = info.subscriptionTable.get(sub.topic);
      if (!old) {
        info.subscriptionTable.set(sub.topic, sub);
        changed = true;
      } else if (sub.subVersion > old.subVersion) {
        // a newer subscription replaces the old one without a rebalance; an older one (a member still on a
        // previous expression) is ignored, so mixed members cannot flip it back and forth (Apache's rule)
        info.subscriptionTable.set(sub.topic, sub);
      }
    }
    for (const topic of [...info.subscriptionTable.keys()]) {
      if (!seen.has(topic)) {
        info.subscriptionTable.delete(topic);
        changed = true;
      }
    }
    return changed;
  }

  unregisterConsumer(group: string, clientId: string): void {
    const info = this.groups.get(group);
    if (!info?.channels.delete(clientId)) return;
    this.afterRemoval(info);
  }

  /** A connection closed: drop it from every group it belonged to. */
  doChannelCloseEvent(connection: Connection): void {
    for (const info of [...this.groups.values()]) {
      let removed = false;
      for (const [clientId, ch] of info.channels) {
        if (ch.connection === connection) {
          info.channels.delete(clientId);
          removed = true;
        }
      }
      if (removed) this.afterRemoval(info);
    }
  }

  /** Drop channels that stopped heartbeating (channelExpiredTimeout). */
  scanNotActiveChannel(): void {
    const now = this.clock.nowMs();
    for (const info of [...this.groups.values()]) {
      let removed = false;
      for (const [clientId, ch] of info.channels) {
        if (now - ch.lastUpdateTimestamp > this.channelExpiredTimeoutMs || ch.connection.isClosed()) {
          info.channels.delete(clientId);
          ch.connection.close();
          removed = true;
        }
      }
      if (removed) this.afterRemoval(info);
    }
  }

  private afterRemoval(info: ConsumerGroupInfo): void {
    if (info.channels.size === 0) {
      this.groups.delete(info.groupName);
      return;
    }
    if (info.messageModel !== "BROADCASTING") this.notifyIdsChanged(info);
  }

  private notifyIdsChanged(info: ConsumerGroupInfo): void {
    if (!this.notifyEnabled(info.groupName)) return;
    for (const ch of info.channels.values()) {
      if (ch.connection.isClosed()) continue;
      const req = createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: info.groupName });
      ch.connection.invokeOneway(req);
    }
  }

  /** Groups subscribed to `topic`. */
  queryTopicConsumeByWho(topic: string): string[] {
    return [...this.groups.values()].filter((g) => g.subscriptionTable.has(topic)).map((g) => g.groupName);
  }

  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.groups.get(group)?.subscriptionTable.get(topic);
  }

  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    return this.groups.get(group)?.channels.get(clientId);
  }
}

export class ProducerManager {
  /** group → clientId → channel */
  private readonly groups = new Map<string, Map<string, ClientChannelInfo>>();

  constructor(
    private readonly clock: Clock,
    private readonly channelExpiredTimeoutMs: number,
  ) {}

  registerProducer(group: string, channel: Omit<ClientChannelInfo, "lastUpdateTimestamp">): void {
    let m = this.groups.get(group);
    if (!m) {
      m = new Map();
      this.groups.set(group, m);
    }
    m.set(channel.clientId, { ...channel, lastUpdateTimestamp: this.clock.nowMs() });
  }

  unregisterProducer(group: string, clientId: string): void {
    const m = this.groups.get(group);
    m?.delete(clientId);
    if (m?.size === 0) this.groups.delete(group);
  }

  doChannelCloseEvent(connection: Connection): void {
    for (const [group, m] of [...this.groups]) {
      for (const [id, ch] of m) if (ch.connection === connection) m.delete(id);
      if (m.size === 0) this.groups.delete(group);
    }
  }

  scanNotActiveChannel(): void {
    const now = this.clock.nowMs();
    for (const [group, m] of [...this.groups]) {
      for (const [id, ch] of m) {
        if (now - ch.lastUpdateTimestamp > this.channelExpiredTimeoutMs || ch.connection.isClosed())
          m.delete(id);
      }
      if (m.size === 0) this.groups.delete(group);
    }
  }

  getGroup(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  /** A live channel of the group, for CHECK_TRANSACTION_STATE. */
  getAvailableChannel(group: string): ClientChannelInfo | undefined {
    return this.getGroup(group).find((c) => !c.connection.isClosed());
  }
}
