import { describe, expect, it } from "vitest";
import {
  DEFAULT_NAMESRV_CONFIG,
  formatNamesrvConfig,
  parseNamesrvConfig,
} from "../../lib/namesrv/namesrv-config.js";

describe("namesrv properties", () => {
  it("defaults to Apache's values", () => {
    expect(parseNamesrvConfig("").config).toEqual(DEFAULT_NAMESRV_CONFIG);
    expect(DEFAULT_NAMESRV_CONFIG.listenPort).toBe(9876);
    expect(DEFAULT_NAMESRV_CONFIG.brokerChannelExpiredTime).toBe(120_000);
  });

  it("reads Apache's keys as spelled and reports the ones without effect", () => {
    const { config, ignoredKeys } = parseNamesrvConfig(
      "# namesrv.properties\nlistenPort=9877\norderMessageEnable = true\nkvConfigPath=/root/kv.json\nserverWorkerThreads: 8\n",
    );
    expect(config.listenPort).toBe(9877);
    expect(config.orderMessageEnable).toBe(true);
    expect(ignoredKeys).toEqual(["kvConfigPath", "serverWorkerThreads"]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("rejects unknown keys by name and out-of-range values", () => {
    expect(() => parseNamesrvConfig("listenPrt=1")).toThrowError(/listenPrt/);
    expect(() => parseNamesrvConfig("listenPort=70000")).toThrowError(/listenPort/);
    expect(() => parseNamesrvConfig("scanNotActiveBrokerInterval=0")).toThrowError(
      /scanNotActiveBrokerInterval/,
    );
    expect(() => parseNamesrvConfig("enableTopicList=yes")).toThrowError(/enableTopicList/);
  });

  it("prints every key once, sorted, in a form it reads back", () => {
    const text = formatNamesrvConfig(DEFAULT_NAMESRV_CONFIG);
    const keys = text
      .trim()
      .split("\n")
      .map((l) => l.split("=")[0]);
    expect(keys).toEqual([...keys].sort());
    expect(keys.length).toBe(Object.keys(DEFAULT_NAMESRV_CONFIG).length);
    expect(parseNamesrvConfig(text).config).toEqual(DEFAULT_NAMESRV_CONFIG);
  });
});
