/**
 * NameServer instances over one SQLite MetadataStore, over real sockets: a registration through one is
 * answered by the other, a NameServer's own shutdown unregisters nobody, and a broker's connection closing
 * does (as Apache drops a broker whose channel closed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { ROUTE_CACHE_TTL_MS } from "../../lib/namesrv/metadata-route-info-manager.js";
import { NameServer } from "../../lib/namesrv/namesrv.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import { encodeGetRouteInfoRequestHeader } from "../../lib/protocol/namesrv-headers.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { registerRequest } from "./helpers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sharedStore(): { open(): SqliteMetadataStore } {
  const dir = mkdtempSync(join(tmpdir(), "stratus-stateless-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return {
    open() {
      const store = new SqliteMetadataStore(join(dir, "metadata.sqlite"));
      cleanups.push(() => store.close());
      return store;
    },
  };
}

async function nameServer(store: SqliteMetadataStore, clock: ManualClock): Promise<NameServer> {
  const namesrv = new NameServer({ host: "127.0.0.1", port: 0, clock, metadataStore: store });
  await namesrv.start();
  cleanups.push(() => namesrv.shutdown());
  return namesrv;
}

function client(): RemotingClient {
  const c = new RemotingClient();
  cleanups.push(() => c.close());
  return c;
}

async function routeCode(c: RemotingClient, addr: string, topic: string): Promise<number> {
  const r = await c.invoke(
    addr,
    createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, encodeGetRouteInfoRequestHeader({ topic })),
  );
  return r.code;
}

describe("NameServers sharing a MetadataStore", () => {
  it("answer a route registered through another one, and keep it when that one shuts down", async () => {
    const shared = sharedStore();
    const clock = new ManualClock();
    const a = await nameServer(shared.open(), clock);
    const b = await nameServer(shared.open(), clock);
    const broker = client();
    expect((await broker.invoke(a.address(), registerRequest())).code).toBe(ResponseCode.SUCCESS);
    const reader = client();
    expect(await routeCode(reader, b.address(), "TopicA")).toBe(ResponseCode.SUCCESS);
    await a.shutdown();
    await new Promise((r) => setTimeout(r, 100)); // any delete the closing connections caused has landed
    clock.advance(ROUTE_CACHE_TTL_MS);
    expect(await routeCode(reader, b.address(), "TopicA")).toBe(ResponseCode.SUCCESS);
  });

  it("drop a broker whose connection to the NameServer it registered with closed", async () => {
    const shared = sharedStore();
    const clock = new ManualClock();
    const a = await nameServer(shared.open(), clock);
    const b = await nameServer(shared.open(), clock);
    const broker = new RemotingClient();
    expect((await broker.invoke(a.address(), registerRequest())).code).toBe(ResponseCode.SUCCESS);
    const reader = client();
    expect(await routeCode(reader, b.address(), "TopicA")).toBe(ResponseCode.SUCCESS);
    broker.close();
    const deadline = Date.now() + 5000;
    clock.advance(ROUTE_CACHE_TTL_MS);
    while ((await routeCode(reader, b.address(), "TopicA")) === ResponseCode.SUCCESS) {
      if (Date.now() > deadline) throw new Error("the broker was not dropped within 5 s");
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(ROUTE_CACHE_TTL_MS);
    }
    expect(await routeCode(reader, a.address(), "TopicA")).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});
