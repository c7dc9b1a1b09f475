import { describe, expect, it } from "vitest";
import {
  type BrokerSettings,
  brokerConfigFor,
  CONTAINER_STORE_PATH,
  readFargateSettings,
} from "../../broker-fargate/fargate-settings.js";
import { isStratusError } from "../../lib/common/errors.js";

function broker(env: Record<string, string>): BrokerSettings {
  const s = readFargateSettings({ STRATUS_ROLE: "broker", ...env });
  if (s.role !== "broker") throw new Error("expected broker settings");
  return s;
}

function configError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isStratusError(e, "CONFIG_INVALID")) return e.message;
    throw e;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("readFargateSettings", () => {
  it("refuses a missing or unknown STRATUS_ROLE", () => {
    expect(configError(() => readFargateSettings({}))).toContain(
      "STRATUS_ROLE must be 'namesrv' or 'broker'",
    );
    expect(configError(() => readFargateSettings({ STRATUS_ROLE: "proxy" }))).toContain("got 'proxy'");
  });

  it("reads a NameServer's port, health port and expiry with defaults", () => {
    expect(readFargateSettings({ STRATUS_ROLE: "namesrv" })).toEqual({
      role: "namesrv",
      healthPort: 8080,
      bindHost: "0.0.0.0",
      port: 9876,
      brokerExpiredMs: 120_000,
      metadataTable: undefined,
    });
    expect(readFargateSettings({ STRATUS_ROLE: "namesrv", STRATUS_NAMESRV_PORT: "19876" })).toMatchObject({
      port: 19876,
    });
  });

  it("refuses an unknown STRATUS_ variable by name, and a broker variable given to a NameServer", () => {
    expect(configError(() => broker({ STRATUS_DRAIN_SECONDS: "3" }))).toContain(
      "unknown variable STRATUS_DRAIN_SECONDS",
    );
    expect(
      configError(() => readFargateSettings({ STRATUS_ROLE: "namesrv", STRATUS_CONF_brokerName: "b" })),
    ).toContain("unknown variable STRATUS_CONF_brokerName for STRATUS_ROLE=namesrv");
  });

  it("ignores variables outside the STRATUS_ namespace", () => {
    expect(() =>
      broker({ AWS_REGION: "us-east-1", ECS_CONTAINER_METADATA_URI_V4: "http://x" }),
    ).not.toThrow();
  });

  it("refuses numbers out of range or not integers, naming the variable", () => {
    expect(configError(() => broker({ STRATUS_DRAIN_MS: "120001" }))).toContain("STRATUS_DRAIN_MS must be");
    expect(configError(() => broker({ STRATUS_HEALTH_PORT: "80a" }))).toContain("STRATUS_HEALTH_PORT");
    expect(configError(() => broker({ STRATUS_HEALTH_PORT: "-1" }))).toContain("STRATUS_HEALTH_PORT");
  });

  it("refuses an unknown broker.conf key in STRATUS_CONF_ at start, naming it", () => {
    expect(configError(() => broker({ STRATUS_CONF_brokerNmae: "b" }))).toContain("unknown key 'brokerNmae'");
    expect(configError(() => broker({ STRATUS_CONF_flushDiskType: "NEVER" }))).toContain("flushDiskType");
  });

  it("parses STRATUS_NAMESRV_DNS as host:port", () => {
    expect(broker({ STRATUS_NAMESRV_DNS: "namesrv.prod.stratus.internal:9876" }).namesrvDns).toEqual({
      host: "namesrv.prod.stratus.internal",
      port: 9876,
    });
    expect(configError(() => broker({ STRATUS_NAMESRV_DNS: "namesrv" }))).toContain("must be host:port");
    expect(configError(() => broker({ STRATUS_NAMESRV_DNS: "n:70000" }))).toContain("must be host:port");
  });

  it("records the cluster's table and bucket", () => {
    expect(broker({ STRATUS_METADATA_TABLE: "t", STRATUS_TIER_BUCKET: "b" }).cloud).toEqual({
      metadataTable: "t",
      tierBucket: "b",
    });
  });
});

describe("brokerConfigFor", () => {
  it("keeps the broker's disk on the container's data volume unless told otherwise", () => {
    expect(brokerConfigFor(broker({}), undefined, {}).config.storePathRootDir).toBe(CONTAINER_STORE_PATH);
  });

  it("layers defaults < discovered < broker.conf file < STRATUS_CONF_ variables", () => {
    const s = broker({ STRATUS_CONF_listenPort: "30911", STRATUS_CONF_brokerName: "broker-env" });
    const conf = "brokerName=broker-file\nbrokerClusterName=prod\nnamesrvAddr=10.0.0.9:9876\n";
    const { config } = brokerConfigFor(s, conf, { brokerIP1: "10.0.1.7", namesrvAddr: "10.0.0.1:9876" });
    expect(config).toMatchObject({
      brokerName: "broker-env",
      brokerClusterName: "prod",
      listenPort: 30911,
      brokerIP1: "10.0.1.7",
      namesrvAddr: "10.0.0.9:9876",
    });
  });

  it("reports Apache keys that have no effect instead of failing", () => {
    const { ignoredKeys } = brokerConfigFor(broker({}), "sendMessageThreadPoolNums=16\n", {});
    expect(ignoredKeys).toEqual(["sendMessageThreadPoolNums"]);
  });
});
