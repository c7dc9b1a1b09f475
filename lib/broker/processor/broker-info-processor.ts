/**
 * GET_BROKER_RUNTIME_INFO (28), GET_BROKER_CONFIG (26), UPDATE_BROKER_CONFIG (25) — protocol §7.6.
 *
 * Runtime info is a KVTable of strings. Its keys come in three layers, later ones winning: figures computed here
 * from the broker's counters and the disk (so no key the tools read is ever missing), then whatever the store
 * reports (`MessageStore.runtimeInfo()`, Apache's store keys), then the broker-level keys Apache's broker adds
 * after the store's (version, day totals, thread-pool and timer figures).
 */
import { statfsSync } from "node:fs";
import { StratusError } from "../../common/errors.js";
import { formatProperties, parseProperties } from "../../common/properties.js";
import { encodeKVTable } from "../../protocol/cluster-info.js";
import { type DataVersion, dataVersionBean, nextDataVersion } from "../../protocol/data-version.js";
import { toFastjson } from "../../protocol/fastjson.js";
import { readRecordStoreTimestamp } from "../../protocol/message-record.js";
import {
  createResponse,
  type RemotingCommand,
  STRATUS_REMOTING_VERSION,
} from "../../protocol/remoting-command.js";
import { ResponseCode } from "../../protocol/response-code.js";
import { buildBrokerConfig } from "../broker-config.js";
import type { BrokerContext } from "../broker-context.js";
import { TopicValidator } from "../topic-validator.js";

/** Delay level → ConsumeQueue offset the schedule service has delivered up to. */
export type ScheduleOffsetTable = () => ReadonlyMap<number, number>;

/** What the broker reports as its version (MQVersion V4_9_8; `brokerVersion` is its ordinal). */
export const BROKER_VERSION_DESC = "V4_9_8";

/** Keys UPDATE_BROKER_CONFIG refuses: they name the broker or lay out its files and cannot change while it runs. */
export const READ_ONLY_BROKER_KEYS: ReadonlySet<string> = new Set([
  "brokerName",
  "brokerClusterName",
  "brokerId",
  "brokerIP1",
  "listenPort",
  "storePathRootDir",
  "mappedFileSizeCommitLog",
  "mappedFileSizeConsumeQueue",
  "brokerRole",
]);

/** Java's MixAll.humanReadableByteCount(bytes, false): "512 B", "1.5 KiB", "20.0 GiB". */
export function humanReadableByteCount(bytes: number): string {
  const unit = 1024;
  if (bytes < unit) return `${bytes} B`;
  const exp = Math.min(6, Math.floor(Math.log(bytes) / Math.log(unit)));
  return `${(bytes / unit ** exp).toFixed(1)} ${"KMGTPE".charAt(exp - 1)}iB`;
}

/** Java's `Double.toString` shape for the figures: always a fractional part. */
function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return "0.0";
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** StoreStatsService's "runtime" text. */
export function formatRuntime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return `[ ${days} days, ${hours} hours, ${minutes} minutes, ${s % 60} seconds ]`;
}

/** Used share of the partition holding `path`, rounded up to 0.01 as Apache does; undefined when unreadable. */
function diskFigures(path: string): { ratio: number; total: number; free: number } | undefined {
  try {
    const fs = statfsSync(path);
    const total = fs.blocks * fs.bsize;
    const used = total - fs.bfree * fs.bsize;
    const entire = used + fs.bavail * fs.bsize;
    if (total <= 0 || entire <= 0) return undefined;
    return { ratio: Math.ceil((used * 100) / entire) / 100, total, free: fs.bfree * fs.bsize };
  } catch {
    return undefined;
  }
}

export class BrokerInfoProcessor {
  /** Version of the broker configuration (GET_BROKER_CONFIG `version`); bumped by every update. */
  private configVersion: DataVersion;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly scheduleOffsetTable?: ScheduleOffsetTable,
  ) {
    this.configVersion = { timestamp: ctx.clock.nowMs(), counter: 0, stateVersion: 0 };
  }

  getBrokerRuntimeInfo(request: RemotingCommand): RemotingCommand {
    const body = encodeKVTable({ table: this.runtimeInfo() });
    return createResponse(request, ResponseCode.SUCCESS, undefined, {}, body);
  }

  /** The KVTable GET_BROKER_RUNTIME_INFO answers (see the file comment for the layering). */
  runtimeInfo(): Record<string, string> {
    const table: Record<string, string> = { ...this.computedStoreFigures() };
    const fromStore = this.ctx.store.runtimeInfo();
    Object.assign(table, fromStore);
    // 4.x tools read "getTransferedTps", 5.x tools "getTransferredTps": whichever the store gave, answer both.
    const transferred = fromStore.getTransferredTps ?? fromStore.getTransferedTps;
    if (transferred !== undefined) {
      table.getTransferedTps = transferred;
      table.getTransferredTps = transferred;
    }
    Object.assign(table, this.brokerFigures());
    return table;
  }

  private earliestMessageTimeStamp(): number {
    const store = this.ctx.store;
    if (store.getMaxPhyOffset() <= store.getMinPhyOffset()) return -1;
    try {
      const record = store.lookMessageByOffset(store.getMinPhyOffset());
      return record ? readRecordStoreTimestamp(record) : -1;
    } catch (e) {
      if (e instanceof StratusError) return -1;
      throw e;
    }
  }

  /** Apache's store-level keys, computed from what the broker can see; the store's own report overrides them. */
  private computedStoreFigures(): Record<string, string> {
    const { ctx } = this;
    const stats = ctx.stats;
    const tps = (kind: "put" | "get") => [10, 60, 600].map((s) => javaDouble(stats.tps(kind, s))).join(" ");
    const transferred = tps("get");
    const out: Record<string, string> = {
      bootTimestamp: String(ctx.bootTimestamp),
      runtime: formatRuntime(ctx.clock.nowMs() - ctx.bootTimestamp),
      putMessageTimesTotal: String(stats.putMessageTimesTotal),
      putMessageSizeTotal: String(stats.putMessageSizeTotal),
      putMessageAverageSize: String(
        Math.floor(stats.putMessageSizeTotal / Math.max(1, stats.putMessageTimesTotal)),
      ),
      putTps: tps("put"),
      getTransferedTps: transferred,
      getTransferredTps: transferred,
      commitLogMinOffset: String(ctx.store.getMinPhyOffset()),
      commitLogMaxOffset: String(ctx.store.getMaxPhyOffset()),
      dispatchBehindBytes: "0",
      commitLogDiskRatio: "-1.0",
      consumeQueueDiskRatio: "-1.0",
    };
    const disk = diskFigures(ctx.config.storePathRootDir);
    if (disk) {
      out.commitLogDiskRatio = javaDouble(disk.ratio);
      out.consumeQueueDiskRatio = javaDouble(disk.ratio);
      out.commitLogDirCapacity = `Total : ${humanReadableByteCount(disk.total)}, Free : ${humanReadableByteCount(disk.free)}.`;
    }
    for (const [level, offset] of this.scheduleOffsetTable?.() ?? []) {
      const max = ctx.store.getMaxOffsetInQueue(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, level - 1);
      out[`scheduleMessageOffset_${level}`] = `${offset},${max}`;
    }
    return out;
  }

  /** Keys Apache's broker sets after the store's. Node serves requests without thread-pool queues: those are 0. */
  private brokerFigures(): Record<string, string> {
    const out: Record<string, string> = {
      brokerVersionDesc: BROKER_VERSION_DESC,
      brokerVersion: String(STRATUS_REMOTING_VERSION),
      brokerActive: "true",
      pageCacheLockTimeMills: "0",
      earliestMessageTimeStamp: String(this.earliestMessageTimeStamp()),
      startAcceptSendRequestTimeStamp: "0",
      timerReadBehind: "0",
      timerOffsetBehind: "0",
      timerCongestNum: "0",
      timerEnqueueTps: "0.0",
      timerDequeueTps: "0.0",
    };
    for (const pool of ["send", "pull", "query", "litePull", "ack"]) {
      out[`${pool}ThreadPoolQueueSize`] = "0";
      out[`${pool}ThreadPoolQueueHeadWaitTimeMills`] = "0";
    }
    for (const [key, value] of Object.entries(this.ctx.stats.dayCounters())) out[key] = String(value);
    return out;
  }

  getBrokerConfig(request: RemotingCommand): RemotingCommand {
    const config = this.ctx.config as Readonly<Record<string, string | number | boolean>>;
    const entries = Object.keys(config)
      .sort()
      .map((k) => [k, String(config[k])] as const);
    const body = Buffer.from(formatProperties(entries), "utf8");
    const version = toFastjson(dataVersionBean(this.configVersion));
    return createResponse(request, ResponseCode.SUCCESS, undefined, { version }, body);
  }

  /**
   * Applies the `key=value` lines of the body over the current config. Unknown keys, bad values and read-only
   * keys change nothing and are named in the remark. A change of brokerPermission re-registers at once.
   */
  updateBrokerConfig(request: RemotingCommand): RemotingCommand {
    if (!request.body || request.body.length === 0) return createResponse(request, ResponseCode.SUCCESS);
    const props = parseProperties(request.body.toString("utf8"));
    if (props.has("brokerConfigPath"))
      return createResponse(request, ResponseCode.NO_PERMISSION, "Can not update config path");
    for (const key of props.keys()) {
      if (READ_ONLY_BROKER_KEYS.has(key)) {
        return createResponse(
          request,
          ResponseCode.NO_PERMISSION,
          `Can not update ${key} while the broker runs`,
        );
      }
    }
    let updated: BrokerContext["config"];
    try {
      updated = buildBrokerConfig("UPDATE_BROKER_CONFIG", props, this.ctx.config).config;
    } catch (e) {
      if (e instanceof StratusError) return createResponse(request, ResponseCode.SYSTEM_ERROR, e.message);
      throw e;
    }
    this.ctx.config = updated;
    const now = this.ctx.clock.nowMs();
    this.configVersion = nextDataVersion(this.configVersion, now);
    if (props.has("brokerPermission")) {
      // The NameServer re-reads a broker's topics only when their DataVersion moved (Apache bumps it here too).
      const dv = this.ctx.topicConfigManager.dataVersion;
      Object.assign(dv, nextDataVersion(dv, now));
      this.ctx.registerBrokerAll();
    }
    return createResponse(request, ResponseCode.SUCCESS);
  }
}
