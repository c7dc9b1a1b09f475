/**
 * The route-table contract and the shared-NameServer cases on DynamoDB (moto's server on loopback, or the
 * endpoint AWS_ENDPOINT_URL names): the same behaviour as on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/common/clock.js";
import { MetadataKVConfigManager } from "../../../lib/namesrv/metadata-kv-config-manager.js";
import {
  MetadataRouteInfoManager,
  ROUTE_CACHE_TTL_MS,
} from "../../../lib/namesrv/metadata-route-info-manager.js";
import { createDynamoDbClient } from "../../../lib/ports/aws/aws-clients.js";
import { tableDefinitions } from "../../../lib/ports/aws/definitions.js";
import { DynamoDbMetadataStore } from "../../../lib/ports/aws/dynamodb-metadata-store.js";
import { ensureTable } from "../../../lib/ports/aws/provision.js";
import {
  AWS_ENDPOINT_SETUP_TIMEOUT_MS,
  type AwsTestEndpoint,
  startAwsTestEndpoint,
  uniqueResourceName,
} from "../../ports/aws-endpoint.js";
import { registration, testChannel } from "../helpers.js";
import { describeRouteInfoManagerContract } from "../route-info-manager.contract.js";

let endpoint: AwsTestEndpoint;
beforeAll(async () => {
  endpoint = await startAwsTestEndpoint();
}, AWS_ENDPOINT_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await endpoint?.stop();
});

async function newTable(): Promise<string> {
  const tableName = uniqueResourceName("namesrv");
  const admin = createDynamoDbClient(endpoint.clientOptions, {});
  const [def] = tableDefinitions({ metadataTableName: tableName });
  if (!def) throw new Error("no table definition");
  await ensureTable(admin, def);
  admin.destroy();
  return tableName;
}

function openStore(tableName: string): DynamoDbMetadataStore {
  return new DynamoDbMetadataStore({ client: createDynamoDbClient(endpoint.clientOptions, {}), tableName });
}

describeRouteInfoManagerContract("MetadataRouteInfoManager on DynamoDB", async (options) => {
  const clock = new ManualClock();
  const store = openStore(await newTable());
  const routes = new MetadataRouteInfoManager({
    store,
    clock,
    brokerChannelExpiredTimeMs: 120_000,
    ...options,
  });
  return { routes, clock, close: () => store.close() };
});

describe("NameServers sharing one DynamoDB table", () => {
  it("answer identical routes, drop a lapsed broker together and keep the KV table", async () => {
    const tableName = await newTable();
    const clock = new ManualClock();
    const stores = [openStore(tableName), openStore(tableName)];
    const [a, b] = stores.map((store) => new MetadataRouteInfoManager({ store, clock }));
    const [kvA, kvB] = stores.map((store) => new MetadataKVConfigManager({ store, clock }));
    if (!a || !b || !kvA || !kvB) throw new Error("two NameServers expected");
    await a.registerBroker(registration({ heartbeatTimeoutMillis: 30_000 }, testChannel()));
    await kvA.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4");
    expect(await b.pickupTopicRouteData("TopicA")).toEqual(await a.pickupTopicRouteData("TopicA"));
    expect(await kvB.getKVConfig("ORDER_TOPIC_CONFIG", "TopicA")).toBe("broker-a:4");
    clock.advance(ROUTE_CACHE_TTL_MS + 29_000);
    expect(await b.pickupTopicRouteData("TopicA")).toBeDefined();
    clock.advance(1_001);
    expect(await b.pickupTopicRouteData("TopicA")).toBeUndefined();
    expect(await a.scanNotActiveBroker()).toEqual(["127.0.0.1:10911"]);
    for (const s of stores) await s.close();
  });
});
