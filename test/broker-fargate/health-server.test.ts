import { afterEach, describe, expect, it } from "vitest";
import { HealthServer, probeHealth } from "../../broker-fargate/health-server.js";

const servers: HealthServer[] = [];

async function started(role: string): Promise<{ server: HealthServer; port: number }> {
  const server = new HealthServer(role);
  servers.push(server);
  return { server, port: await server.listen("127.0.0.1", 0) };
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("HealthServer", () => {
  it("answers 503 while starting, 200 while serving and 503 again while draining", async () => {
    const { server, port } = await started("broker");
    const status = async () => (await fetch(`http://127.0.0.1:${port}/health`)).status;
    expect(await status()).toBe(503);
    server.set("serving", { brokerName: "broker-a" });
    expect(await status()).toBe(200);
    server.set("draining");
    expect(await status()).toBe(503);
  });

  it("reports its role, state and details as JSON, keeping earlier details", async () => {
    const { server, port } = await started("broker");
    server.set("serving", { brokerName: "broker-a", awsPortsWired: false });
    server.set("draining");
    const res = await fetch(`http://127.0.0.1:${port}/health?verbose=1`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({
      state: "draining",
      role: "broker",
      detail: { brokerName: "broker-a", awsPortsWired: false },
    });
  });

  it("answers 404 to other paths and methods", async () => {
    const { server, port } = await started("namesrv");
    server.set("serving");
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/health`, { method: "POST", body: "x" })).status).toBe(404);
  });
});

describe("probeHealth (the container health check)", () => {
  it("exits 0 only when the endpoint answers 200", async () => {
    const { server, port } = await started("namesrv");
    expect(await probeHealth(port)).toBe(1);
    server.set("serving");
    expect(await probeHealth(port)).toBe(0);
  });

  it("exits 1 when nothing listens", async () => {
    const { server, port } = await started("namesrv");
    await server.close();
    servers.length = 0;
    expect(await probeHealth(port, 500)).toBe(1);
  });
});
