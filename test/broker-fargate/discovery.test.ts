import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_METADATA_BYTES,
  resolveNamesrvAddr,
  taskAddressFromMetadata,
} from "../../broker-fargate/discovery.js";
import { isStratusError } from "../../lib/common/errors.js";

/**
 * The container document as ECS task metadata endpoint v4 serves it in awsvpc mode (the fields Stratus reads,
 * shaped as AWS documents them; the other fields are left out).
 */
const CONTAINER_DOC = {
  DockerId: "cd189a933e5849daa93386466019ab50-2495160603",
  Name: "broker",
  Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.0.2.106"], IPv4SubnetCIDRBlock: "10.0.2.0/24" }],
};

let server: Server;
let base: string;
const routes = new Map<string, { status: number; body: string }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const r = routes.get(req.url ?? "") ?? { status: 404, body: "" };
    res.writeHead(r.status).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set("/v4/ok", { status: 200, body: JSON.stringify(CONTAINER_DOC) });
  routes.set("/v4/bridge", { status: 200, body: JSON.stringify({ Networks: [{ NetworkMode: "bridge" }] }) });
  routes.set("/v4/text", { status: 200, body: "<html>" });
  routes.set("/v4/huge", { status: 200, body: " ".repeat(MAX_METADATA_BYTES + 1) });
  routes.set("/v4/down", { status: 500, body: "" });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function failure(uri: string): Promise<string> {
  try {
    await taskAddressFromMetadata({ ECS_CONTAINER_METADATA_URI_V4: uri });
  } catch (e) {
    if (isStratusError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error("expected a StratusError");
}

describe("taskAddressFromMetadata", () => {
  it("reads the task's private IPv4 from the container document", async () => {
    expect(await taskAddressFromMetadata({ ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/ok` })).toBe(
      "10.0.2.106",
    );
  });

  it("answers undefined outside ECS", async () => {
    expect(await taskAddressFromMetadata({})).toBeUndefined();
  });

  it("fails with CONFIG_INVALID on an error status, non-JSON or a document without an IPv4 address", async () => {
    expect(await failure(`${base}/v4/down`)).toMatch(/^CONFIG_INVALID: .*HTTP 500/);
    expect(await failure(`${base}/v4/text`)).toMatch(/^CONFIG_INVALID: .*is not JSON/);
    expect(await failure(`${base}/v4/bridge`)).toMatch(/^CONFIG_INVALID: .*names no IPv4 address/);
  });

  it("refuses an oversized document", async () => {
    expect(await failure(`${base}/v4/huge`)).toMatch(/^LIMIT_EXCEEDED/);
  });
});

describe("resolveNamesrvAddr", () => {
  it("lists every A record once, sorted, with the port", async () => {
    const addr = await resolveNamesrvAddr({ host: "namesrv.x", port: 9876 }, async () => [
      "10.0.3.9",
      "10.0.1.4",
      "10.0.3.9",
    ]);
    expect(addr).toBe("10.0.1.4:9876;10.0.3.9:9876");
  });

  it("fails with CONFIG_INVALID when the name does not resolve or has no records", async () => {
    await expect(
      resolveNamesrvAddr({ host: "n", port: 1 }, async () => {
        throw new Error("ENOTFOUND");
      }),
    ).rejects.toThrow(/cannot resolve NameServers at n: ENOTFOUND/);
    await expect(resolveNamesrvAddr({ host: "n", port: 1 }, async () => [])).rejects.toThrow(/no A records/);
  });
});
