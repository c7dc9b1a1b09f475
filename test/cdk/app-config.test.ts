import { describe, expect, it } from "vitest";
import { DEFAULT_APP_CONFIG, readAppConfig } from "../../cdk/app-config.js";

describe("readAppConfig", () => {
  it("defaults to one cluster 'stratus' with two brokers and two NameServers", () => {
    expect(readAppConfig({})).toEqual(DEFAULT_APP_CONFIG);
    expect(DEFAULT_APP_CONFIG).toMatchObject({ clusters: ["stratus"], brokerCount: 2, namesrvCount: 2 });
  });

  it("reads -c strings and cdk.json values alike", () => {
    const c = readAppConfig({
      clusters: "prod, staging",
      brokerCount: "3",
      namesrvCount: 3,
      deletionProtection: "false",
      pointInTimeRecovery: false,
      durability: "SYNC_FLUSH",
      logRetentionDays: "90",
    });
    expect(c).toMatchObject({
      clusters: ["prod", "staging"],
      brokerCount: 3,
      namesrvCount: 3,
      deletionProtection: false,
      pointInTimeRecovery: false,
      durability: "SYNC_FLUSH",
      logRetentionDays: 90,
    });
  });

  it("passes CDK's own context keys through untouched", () => {
    expect(() =>
      readAppConfig({ "@aws-cdk/core:newStyleStackSynthesis": true, "aws:cdk:version-reporting": false }),
    ).not.toThrow();
  });

  it("refuses an unknown key by name", () => {
    expect(() => readAppConfig({ brokerCnt: "3" })).toThrow(/context 'brokerCnt': unknown key/);
  });

  it("refuses values of the wrong type or out of range, naming the key", () => {
    expect(() => readAppConfig({ brokerCount: "three" })).toThrow(
      /'brokerCount': must be a non-negative integer/,
    );
    expect(() => readAppConfig({ deletionProtection: "yes" })).toThrow(
      /'deletionProtection': must be true or false/,
    );
    expect(() => readAppConfig({ durability: "SYNC_MASTER" })).toThrow(
      /'durability': must be ASYNC_FLUSH, SYNC_FLUSH, objectStore/,
    );
    expect(() => readAppConfig({ brokerStorageGiB: "20" })).toThrow(/'brokerStorageGiB': must be 21..200/);
    expect(() => readAppConfig({ logRetentionDays: "31" })).toThrow(/'logRetentionDays'/);
    expect(() => readAppConfig({ namesrvCount: "0" })).toThrow(/'namesrvCount'/);
    expect(() => readAppConfig({ clusters: "prod,prod" })).toThrow(/names a cluster twice/);
    expect(() => readAppConfig({ clusters: "Prod" })).toThrow(/cluster name 'Prod'/);
  });
});
