/** Build and start a broker from a BrokerConfig (used by `stratus broker` and `stratus dev`). */

import type { BrokerConfig } from "../broker/broker-config.js";
import { BrokerController } from "../broker/broker-controller.js";
import { DefaultMessageStore, defaultMessageStoreConfig } from "../store/default-message-store.js";

export function messageStoreConfigFrom(c: BrokerConfig) {
  return {
    ...defaultMessageStoreConfig(c.storePathRootDir),
    mappedFileSizeCommitLog: c.mappedFileSizeCommitLog,
    mappedFileSizeConsumeQueue: c.mappedFileSizeConsumeQueue,
    flushDiskType: c.flushDiskType as "ASYNC_FLUSH" | "SYNC_FLUSH",
    flushIntervalCommitLog: c.flushIntervalCommitLog,
    syncFlushTimeout: c.syncFlushTimeout,
    fileReservedTime: c.fileReservedTime,
    maxCommitLogBytes: c.maxCommitLogBytes,
    maxHashSlotNum: c.maxHashSlotNum,
    maxIndexNum: c.maxIndexNum,
    messageIndexEnable: c.messageIndexEnable,
    messageDelayLevel: c.messageDelayLevel,
  };
}

export async function startBroker(config: BrokerConfig, bindHost: string): Promise<BrokerController> {
  const store = new DefaultMessageStore(messageStoreConfigFrom(config));
  const broker = new BrokerController({ config, store, bindHost });
  await broker.start();
  return broker;
}
