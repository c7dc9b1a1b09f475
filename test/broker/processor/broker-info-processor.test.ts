import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  formatRuntime,
  humanReadableByteCount,
} from "../../../lib/broker/processor/broker-info-processor.js";
import { parseProperties } from "../../../lib/common/properties.js";
import { decodeKVTable } from "../../../lib/protocol/cluster-info.js";
import { decodeDataVersion } from "../../../lib/protocol/data-version.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

/** Keys mqadmin clusterList / brokerStatus (4.9.8 and 5.3.3) and the dashboards read. */
const TOOL_KEYS = [
  "brokerVersionDesc",
  "brokerVersion",
  "msgPutTotalYesterdayMorning",
  "msgPutTotalTodayMorning",
  "msgPutTotalTodayNow",
  "msgGetTotalYesterdayMorning",
  "msgGetTotalTodayMorning",
  "msgGetTotalTodayNow",
  "putTps",
  "getTransferedTps",
  "getTransferredTps",
  "sendThreadPoolQueueSize",
  "pullThreadPoolQueueSize",
  "sendThreadPoolQueueHeadWaitTimeMills",
  "pullThreadPoolQueueHeadWaitTimeMills",
  "pageCacheLockTimeMills",
  "earliestMessageTimeStamp",
  "commitLogDiskRatio",
  "brokerActive",
  "timerReadBehind",
  "timerOffsetBehind",
  "timerCongestNum",
  "timerEnqueueTps",
  "timerDequeueTps",
  "ackThreadPoolQueueSize",
  "bootTimestamp",
  "runtime",
  "putMessageTimesTotal",
  "putMessageSizeTotal",
  "dispatchBehindBytes",
  "commitLogMaxOffset",
  "commitLogMinOffset",
  "consumeQueueDiskRatio",
  "startAcceptSendRequestTimeStamp",
];

let f: AdminFixture;
beforeEach(() => {
  f = createAdminFixture([], { scheduleOffsetTable: () => new Map([[3, 2]]) });
});
afterEach(() => f.cleanup());

async function runtimeInfo(): Promise<Record<string, string>> {
  const r = await f.call(RequestCode.GET_BROKER_RUNTIME_INFO);
  expect(r.code).toBe(ResponseCode.SUCCESS);
  return decodeKVTable(r.body ?? Buffer.alloc(0)).table;
}

describe("GET_BROKER_RUNTIME_INFO", () => {
  it("answers every key the tools read, all as strings", async () => {
    const table = await runtimeInfo();
    for (const key of TOOL_KEYS) expect(table[key], key).toBeTypeOf("string");
    expect(table.brokerVersionDesc).toBe("V4_9_8");
    expect(table.brokerVersion).toBe("409");
    expect(table.brokerActive).toBe("true");
  });

  it("reports the broker's counters, TPS triples the tools can parse, and the CommitLog bounds", async () => {
    f.ctx.stats.sample();
    f.ctx.stats.recordPut(30, 3000);
    f.ctx.stats.recordGet(12);
    f.clock.advance(10_000);
    f.ctx.stats.sample();
    const m = f.store.put("TopicA", 0, { storeTimestamp: 1_699_999_000_000 });
    const table = await runtimeInfo();
    expect(table.msgPutTotalTodayNow).toBe("30");
    expect(table.msgGetTotalTodayNow).toBe("12");
    expect(table.putMessageSizeTotal).toBe("3000");
    expect(table.putTps?.split(" ").map(Number)).toEqual([3, 3, 3]);
    expect(table.putTps).toBe("3.0 3.0 3.0");
    expect(Number(table.getTransferedTps?.split(" ")[0])).toBeCloseTo(1.2);
    expect(table.getTransferredTps).toBe(table.getTransferedTps);
    expect(table.commitLogMaxOffset).toBe(String(m.record.length));
    expect(table.earliestMessageTimeStamp).toBe("1699999000000");
    expect(table.runtime).toBe("[ 0 days, 0 hours, 0 minutes, 10 seconds ]");
  });

  it("reports the disk usage of the store's partition as a ratio and a capacity text", async () => {
    const table = await runtimeInfo();
    const ratio = Number(table.commitLogDiskRatio);
    expect(ratio).toBeGreaterThanOrEqual(0);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(table.commitLogDirCapacity).toMatch(/^Total : [\d.]+ [KMGTPE]?i?B, Free : [\d.]+ [KMGTPE]?i?B\.$/);
  });

  it("answers -1 as the earliest message time of an empty store", async () => {
    expect((await runtimeInfo()).earliestMessageTimeStamp).toBe("-1");
  });

  it("lets the store's figures override computed ones, but not the broker-level keys", async () => {
    f.store.runtime = {
      commitLogDiskRatio: "0.42",
      remainHowManyDataToFlush: "1.5 KiB",
      brokerVersionDesc: "nope",
    };
    const table = await runtimeInfo();
    expect(table.commitLogDiskRatio).toBe("0.42");
    expect(table.remainHowManyDataToFlush).toBe("1.5 KiB");
    expect(table.brokerVersionDesc).toBe("V4_9_8");
  });

  it("reports each delay level's delivered and max offsets as scheduleMessageOffset_<level>", async () => {
    for (let i = 0; i < 4; i++) f.store.put("SCHEDULE_TOPIC_XXXX", 2, { storeTimestamp: 1 });
    expect((await runtimeInfo()).scheduleMessageOffset_3).toBe("2,4");
  });
});

describe("GET_BROKER_CONFIG", () => {
  it("answers the config as properties text and its DataVersion in the version header", async () => {
    const r = await f.call(RequestCode.GET_BROKER_CONFIG);
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const props = parseProperties(r.body?.toString() ?? "");
    expect(props.get("brokerName")).toBe("broker-a");
    expect(props.get("brokerPermission")).toBe("6");
    expect(props.get("autoCreateTopicEnable")).toBe("true");
    expect(props.size).toBe(Object.keys(f.ctx.config).length);
    expect(r.extFields.version).toMatch(/^\{"counter":0,"stateVersion":0,"timestamp":\d+\}$/);
  });
});

describe("UPDATE_BROKER_CONFIG", () => {
  it("applies the keys, bumps the config version, and re-registers with a new topic DataVersion on brokerPermission", async () => {
    const topicCounter = f.ctx.topicConfigManager.dataVersion.counter;
    const r = await f.call(
      RequestCode.UPDATE_BROKER_CONFIG,
      {},
      "brokerPermission=4\nlongPollingEnable=false\n",
    );
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(f.ctx.config.brokerPermission).toBe(4);
    expect(f.ctx.config.longPollingEnable).toBe(false);
    expect(Object.isFrozen(f.ctx.config)).toBe(true);
    expect(f.registrations()).toBe(1);
    expect(f.ctx.topicConfigManager.dataVersion.counter).toBe(topicCounter + 1);
    const version = (await f.call(RequestCode.GET_BROKER_CONFIG)).extFields.version ?? "";
    expect(decodeDataVersion(Buffer.from(version)).counter).toBe(1);
  });

  it("does not re-register for keys other than brokerPermission", async () => {
    await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "shortPollingTimeMills=2000");
    expect(f.ctx.config.shortPollingTimeMills).toBe(2000);
    expect(f.registrations()).toBe(0);
  });

  it("refuses an unknown key by name and changes nothing", async () => {
    const before = f.ctx.config;
    const r = await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "brokerPermission=4\nnoSuchKey=1\n");
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("unknown key 'noSuchKey'");
    expect(f.ctx.config).toBe(before);
  });

  it("refuses a bad value with the validation message", async () => {
    const r = await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "brokerPermission=9");
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("brokerPermission");
    const r2 = await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "defaultTopicQueueNums=many");
    expect(r2.remark).toContain("must be a number");
    expect(f.ctx.config.brokerPermission).toBe(6);
  });

  it("refuses the config path and the keys that cannot change at runtime with NO_PERMISSION", async () => {
    const r = await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "brokerConfigPath=/tmp/x");
    expect(r.code).toBe(ResponseCode.NO_PERMISSION);
    expect(r.remark).toBe("Can not update config path");
    const r2 = await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "listenPort=1234");
    expect(r2.code).toBe(ResponseCode.NO_PERMISSION);
    expect(r2.remark).toContain("listenPort");
    expect(f.ctx.config.listenPort).toBe(10911);
  });

  it("accepts Apache keys Stratus ignores, and an empty body", async () => {
    expect((await f.call(RequestCode.UPDATE_BROKER_CONFIG, {}, "sendMessageThreadPoolNums=16")).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await f.call(RequestCode.UPDATE_BROKER_CONFIG)).code).toBe(ResponseCode.SUCCESS);
  });
});

describe("formatting helpers", () => {
  it("formats byte counts as Java's humanReadableByteCount(bytes, false)", () => {
    expect(humanReadableByteCount(512)).toBe("512 B");
    expect(humanReadableByteCount(1536)).toBe("1.5 KiB");
    expect(humanReadableByteCount(20 * 1024 ** 3)).toBe("20.0 GiB");
  });

  it("formats the runtime as StoreStatsService does", () => {
    expect(formatRuntime(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000)).toBe(
      "[ 2 days, 3 hours, 4 minutes, 5 seconds ]",
    );
  });
});
