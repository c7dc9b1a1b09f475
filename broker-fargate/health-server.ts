/**
 * The HTTP health endpoint that ECS container health checks and the NameServer load balancer's target group
 * poll: GET /health answers 200 while the process serves and 503 while it starts or drains, with a small JSON
 * body. Anything else is 404; request bodies are never read.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type HealthState = "starting" | "serving" | "draining" | "stopped";

export interface HealthReport {
  readonly state: HealthState;
  readonly role: string;
  /** Facts worth seeing from outside (addresses, cluster, what is and is not wired). */
  readonly detail: Readonly<Record<string, string | number | boolean>>;
}

export const HEALTH_PATH = "/health";

export class HealthServer {
  private readonly server: Server;
  private state: HealthState = "starting";
  private detail: Record<string, string | number | boolean> = {};

  constructor(private readonly role: string) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "GET" || path !== HEALTH_PATH) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      const report = this.report();
      res
        .writeHead(report.state === "serving" ? 200 : 503, { "content-type": "application/json" })
        .end(`${JSON.stringify(report)}\n`);
    });
    this.server.keepAliveTimeout = 1000;
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  set(state: HealthState, detail: Record<string, string | number | boolean> = {}): void {
    this.state = state;
    this.detail = { ...this.detail, ...detail };
  }

  report(): HealthReport {
    return { state: this.state, role: this.role, detail: { ...this.detail } };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Exit code for a container health check: 0 when GET /health answers 200 within `timeoutMs`. */
export async function probeHealth(port: number, timeoutMs = 3000): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${HEALTH_PATH}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}
