/**
 * The object store goes away for 30 s while producers send under SYNC_FLUSH (in-process broker over the
 * embedded ports, the object store wrapped so the test can take it down; clients over real sockets). No
 * acknowledged send is lost, nothing is deleted locally before it is uploaded, and the backlog is uploaded
 * once the store returns: a fresh broker disk rebuilt from the manifest serves every message.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBrokerConfig } from "../../lib/broker/broker-config.js";
import { BrokerController } from "../../lib/broker/broker-controller.js";
import { attachBrokerTier, tieredStoreConfig } from "../../lib/cli/broker-tier.js";
import { messageStoreConfigFrom } from "../../lib/cli/run-broker.js";
import { NameServer } from "../../lib/namesrv/namesrv.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import type { TierService } from "../../lib/tier/tier-service.js";
import { type Cloud, eventually, openCloud, openTiered, tempRoot } from "../tier/tier-fixtures.js";
import { pullAll, sendV2 } from "./raw-client.js";
import { freeBrokerPort } from "./stratus-process.js";

const TOPIC = "TierFaultTopic";
const QUEUES = 4;
const OUTAGE_MS = 30_000;

interface Running {
  broker: BrokerController;
  store: DefaultMessageStore;
  tier: TierService;
  addr: string;
}

async function startBroker(root: string, cloud: Cloud, namesrvAddr: string): Promise<Running> {
  const port = await freeBrokerPort();
  const { config } = buildBrokerConfig(
    "test",
    [
      ["flushDiskType", "SYNC_FLUSH"],
      ["mappedFileSizeCommitLog", String(64 * 1024)],
      ["tierChunkBytes", String(16 * 1024)],
      ["tierChunkMaxAgeMs", "500"],
      ["tierLocalRetentionBytes", String(64 * 1024)],
      ["tierLocalBudgetBytes", String(64 * 1024 * 1024)],
    ],
    {
      brokerName: "broker-f",
      listenPort: port,
      namesrvAddr,
      storePathRootDir: join(root, "broker"),
    },
  );
  const ports = { metadataStore: cloud.metadata, objectStore: cloud.objects };
  const store = new DefaultMessageStore(tieredStoreConfig(config, messageStoreConfigFrom(config), ports));
  const tier = attachBrokerTier(config, store, ports) as TierService;
  const broker = new BrokerController({ config, store, tier, bindHost: "127.0.0.1" });
  await broker.start();
  return { broker, store, tier, addr: `127.0.0.1:${port}` };
}

describe("object store outage under SYNC_FLUSH load", () => {
  const root = tempRoot();
  const cloud = openCloud(root.dir);
  const client = new RemotingClient();
  let namesrv: NameServer | undefined;
  let running: Running | undefined;
  afterAll(async () => {
    client.close();
    await running?.broker.shutdown();
    await namesrv?.shutdown();
    await cloud.close();
    root.cleanup();
  });

  it("loses no acknowledged send, deletes nothing not uploaded, and uploads the backlog", async () => {
    namesrv = new NameServer({ host: "127.0.0.1", port: 0 });
    await namesrv.start();
    const r = await startBroker(root.dir, cloud, namesrv.address());
    running = r;
    const acked = new Map<string, string>();
    let stop = false;
    let violations = 0;
    const sender = async (s: number) => {
      for (let seq = 0; !stop; seq++) {
        const queueId = (s + seq) % QUEUES;
        const body = Buffer.concat([Buffer.from(`s${s}-${seq}|`), Buffer.alloc(900, seq & 0xff)]);
        const res = await sendV2(client, r.addr, TOPIC, queueId, body, { KEYS: `s${s}-${seq}` }, 5000).catch(
          () => undefined,
        );
        if (res?.code === 0) acked.set(`s${s}-${seq}`, `${queueId}/${res.extFields.queueOffset}`);
        await new Promise((w) => setTimeout(w, 15));
      }
    };
    const guard = setInterval(() => {
      // retention never runs ahead of the tier
      if (r.store.getMinPhyOffset() > r.tier.status().committedOffset) violations++;
    }, 200);
    const senders = Array.from({ length: 4 }, (_, s) => sender(s));
    await new Promise((w) => setTimeout(w, 3000));
    const beforeOutage = acked.size;
    cloud.objects.down = true;
    await new Promise((w) => setTimeout(w, OUTAGE_MS));
    const duringOutage = acked.size - beforeOutage;
    expect(r.tier.status().lastError).toMatch(/OBJECT_STORE_UNAVAILABLE/);
    expect(r.tier.status().pendingBytes).toBeGreaterThan(1024 * 1024);
    cloud.objects.down = false;
    await new Promise((w) => setTimeout(w, 3000));
    stop = true;
    await Promise.all(senders);
    await eventually(() => r.tier.status().pendingBytes === 0, 30_000);
    clearInterval(guard);
    expect(duringOutage).toBeGreaterThan(1000);
    expect(violations).toBe(0);
    r.store.runRetention();
    expect(r.store.getMinPhyOffset()).toBeGreaterThan(0);

    // every acknowledged message is served from offset 0 by the broker, in order
    const served = new Map<string, string>();
    for (let q = 0; q < QUEUES; q++) {
      const msgs = await pullAll(client, r.addr, TOPIC, q);
      msgs.forEach((m, i) => {
        expect(m.queueOffset).toBe(i);
        served.set(m.body.toString("latin1").split("|")[0] as string, `${q}/${m.queueOffset}`);
      });
    }
    for (const [name, where] of acked) expect(served.get(name)).toBe(where);

    // and the object store alone holds all of it: a new disk rebuilt from the manifest
    const fresh = await openTiered(join(root.dir, "fresh"), cloud, { tier: { brokerName: "broker-f" } });
    try {
      let count = 0;
      for (let q = 0; q < QUEUES; q++) {
        let offset = 0;
        for (;;) {
          const g = await fresh.store.getMessageAsync(TOPIC, q, offset, 64, 1 << 20);
          count += g.messages.length;
          for (const rec of g.messages) decodeMessageRecord(rec, 0, { checkCRC: true });
          if (g.nextBeginOffset >= g.maxOffset || g.nextBeginOffset === offset) break;
          offset = g.nextBeginOffset;
        }
      }
      expect(count).toBe(served.size);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});
