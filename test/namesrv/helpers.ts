/** Builders shared by the NameServer tests: a context over a manual clock, and broker registrations. */
import { ManualClock } from "../../lib/common/clock.js";
import { MemoryKVConfigManager } from "../../lib/namesrv/kv-config-manager.js";
import { MemoryRouteInfoManager } from "../../lib/namesrv/memory-route-info-manager.js";
import { DEFAULT_NAMESRV_CONFIG, type NamesrvConfig } from "../../lib/namesrv/namesrv-config.js";
import type { NamesrvContext } from "../../lib/namesrv/processors/context.js";
import type { BrokerChannel, BrokerRegistration } from "../../lib/namesrv/route-info-manager.js";
import {
  encodeRegisterBrokerBody,
  encodeRegisterBrokerRequestHeader,
} from "../../lib/protocol/register-broker-body.js";
import { createRequest, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import type { TopicConfig } from "../../lib/protocol/topic-config.js";

export function topicConfig(topicName: string, queueNums = 4, perm = 6, topicSysFlag = 0): TopicConfig {
  return {
    topicName,
    readQueueNums: queueNums,
    writeQueueNums: queueNums,
    perm,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag,
    order: false,
    attributes: {},
  };
}

export interface TestContext extends NamesrvContext {
  readonly clock: ManualClock;
  readonly routes: MemoryRouteInfoManager;
}

export function testContext(config: Partial<NamesrvConfig> = {}): TestContext {
  const clock = new ManualClock();
  return {
    routes: new MemoryRouteInfoManager({ clock, brokerChannelExpiredTimeMs: 120_000 }),
    kv: new MemoryKVConfigManager(),
    config: { current: { ...DEFAULT_NAMESRV_CONFIG, ...config } },
    clock,
    startedAtMs: clock.monotonicMs(),
  };
}

/** A channel that records whether it was closed. */
export function testChannel(id = "conn-test"): BrokerChannel & { closed: boolean } {
  const channel = {
    id,
    closed: false,
    close() {
      channel.closed = true;
    },
  };
  return channel;
}

export interface BrokerSpec {
  brokerName?: string;
  brokerAddr?: string;
  clusterName?: string;
  brokerId?: number;
  haServerAddr?: string;
  topics?: TopicConfig[];
  counter?: number;
  stateVersion?: number;
  enableActingMaster?: boolean;
  heartbeatTimeoutMillis?: number;
}

/** A registration as MemoryRouteInfoManager takes it: broker-a master on 127.0.0.1:10911 unless told. */
export function registration(spec: BrokerSpec = {}, channel?: BrokerChannel): BrokerRegistration {
  const topics = spec.topics ?? [topicConfig("TopicA"), topicConfig("TBW102", 8, 7)];
  return {
    clusterName: spec.clusterName ?? "DefaultCluster",
    brokerAddr: spec.brokerAddr ?? "127.0.0.1:10911",
    brokerName: spec.brokerName ?? "broker-a",
    brokerId: spec.brokerId ?? 0,
    haServerAddr: spec.haServerAddr ?? "127.0.0.1:10912",
    enableActingMaster: spec.enableActingMaster,
    heartbeatTimeoutMillis: spec.heartbeatTimeoutMillis,
    topicConfigWrapper: {
      dataVersion: {
        counter: spec.counter ?? 1,
        stateVersion: spec.stateVersion ?? 0,
        timestamp: 1_700_000_000_000,
      },
      topicConfigTable: new Map(topics.map((t) => [t.topicName, t])),
    },
    filterServerList: [],
    channel,
  };
}

/** The same registration as a REGISTER_BROKER request (JSON body unless `compressed`). */
export function registerRequest(spec: BrokerSpec = {}, compressed = false): RemotingCommand {
  const r = registration(spec);
  const header = encodeRegisterBrokerRequestHeader({
    brokerName: r.brokerName,
    brokerAddr: r.brokerAddr,
    clusterName: r.clusterName,
    haServerAddr: r.haServerAddr,
    brokerId: r.brokerId,
    heartbeatTimeoutMillis: r.heartbeatTimeoutMillis,
    enableActingMaster: r.enableActingMaster,
    compressed,
    bodyCrc32: 0,
  });
  const body = encodeRegisterBrokerBody(
    { topicConfigSerializeWrapper: r.topicConfigWrapper, filterServerList: r.filterServerList },
    compressed,
  );
  return createRequest(RequestCode.REGISTER_BROKER, header, body);
}
