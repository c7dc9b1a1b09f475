/**
 * The NameServer process: a remoting server whose dispatcher serves the NameServer commands (everything
 * else gets REQUEST_CODE_NOT_SUPPORTED), a sweep that drops brokers which stopped registering, and the
 * removal of a broker as soon as the connection it registered on closes (as Apache does).
 *
 * Given a MetadataStore, the NameServer is stateless: routes, leases and the KV table live in the store
 * (MetadataRouteInfoManager), so several NameServers answer alike and a restart loses nothing. Its own
 * shutdown closes every broker connection; those closes are not broker departures and remove nothing.
 */
import { type Clock, systemClock } from "../common/clock.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import { RequestDispatcher } from "../remoting/dispatcher.js";
import { RemotingServer } from "../remoting/server.js";
import { type KVConfigManager, MemoryKVConfigManager } from "./kv-config-manager.js";
import { MemoryRouteInfoManager } from "./memory-route-info-manager.js";
import { MetadataKVConfigManager } from "./metadata-kv-config-manager.js";
import { MetadataRouteInfoManager } from "./metadata-route-info-manager.js";
import { applyNamesrvConfig, DEFAULT_NAMESRV_CONFIG, type NamesrvConfig } from "./namesrv-config.js";
import { adminProcessors } from "./processors/admin-processors.js";
import { brokerProcessors } from "./processors/broker-processors.js";
import type { NamesrvContext } from "./processors/context.js";
import { routeProcessors } from "./processors/route-processors.js";
import type { RouteInfoManager } from "./route-info-manager.js";

export type { NamesrvConfig } from "./namesrv-config.js";

export interface NameServerOptions {
  host: string;
  /** 0 picks a free port; address() tells which. */
  port: number;
  /** Drop a broker after this long without REGISTER_BROKER / BROKER_HEARTBEAT, ms (default 120 000). */
  brokerChannelExpiredTime?: number;
  clock?: Clock;
  /** Other NamesrvConfig settings (listenPort/bindAddress come from host/port). */
  config?: Partial<NamesrvConfig>;
  /**
   * Keep routes, broker leases and the KV table here (shared with other NameServers) instead of in memory.
   * The NameServer does not close it.
   */
  metadataStore?: MetadataStore;
  /** How long routes read from the metadataStore are served before reading again (ms). */
  routeCacheTtlMs?: number;
  /** Route table and KV store, when neither in-memory nor metadataStore-backed ones are wanted. */
  routes?: RouteInfoManager;
  kv?: KVConfigManager;
}

function buildTables(
  options: NameServerOptions,
  config: Readonly<NamesrvConfig>,
  clock: Clock,
): { routes: RouteInfoManager; kv: KVConfigManager } {
  const common = {
    clock,
    brokerChannelExpiredTimeMs: config.brokerChannelExpiredTime,
    deleteTopicWithBrokerRegistration: config.deleteTopicWithBrokerRegistration,
  };
  const store = options.metadataStore;
  const routes =
    options.routes ??
    (store === undefined
      ? new MemoryRouteInfoManager(common)
      : new MetadataRouteInfoManager({ ...common, store, cacheTtlMs: options.routeCacheTtlMs }));
  const kv =
    options.kv ??
    (store === undefined
      ? new MemoryKVConfigManager()
      : new MetadataKVConfigManager({ store, clock, cacheTtlMs: options.routeCacheTtlMs }));
  return { routes, kv };
}

function buildConfig(options: NameServerOptions): Readonly<NamesrvConfig> {
  const merged: NamesrvConfig = {
    ...DEFAULT_NAMESRV_CONFIG,
    ...options.config,
    listenPort: options.port,
    bindAddress: options.host,
    brokerChannelExpiredTime:
      options.brokerChannelExpiredTime ??
      options.config?.brokerChannelExpiredTime ??
      DEFAULT_NAMESRV_CONFIG.brokerChannelExpiredTime,
  };
  return applyNamesrvConfig(
    "NameServer options",
    Object.entries(merged).map(([k, v]) => [k, String(v)] as const),
  ).config;
}

export class NameServer {
  private readonly host: string;
  private readonly context: NamesrvContext;
  private readonly server: RemotingServer;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  private shuttingDown = false;
  /** The last failure of the expiry sweep, if any (it is retried on the next tick). */
  lastScanError: unknown;

  constructor(options: NameServerOptions) {
    this.host = options.host;
    const clock = options.clock ?? systemClock;
    const config = buildConfig(options);
    const { routes, kv } = buildTables(options, config, clock);
    this.context = {
      routes,
      kv,
      config: { current: config },
      clock,
      startedAtMs: clock.monotonicMs(),
    };
    const dispatcher = new RequestDispatcher();
    for (const [code, processor] of [
      ...brokerProcessors(this.context),
      ...routeProcessors(this.context),
      ...adminProcessors(this.context),
    ]) {
      dispatcher.register(code, processor);
    }
    this.server = new RemotingServer({
      host: options.host,
      ports: [options.port],
      handler: dispatcher.handle,
    });
    this.server.onConnectionClose((connection) => {
      if (this.shuttingDown) return;
      void routes.onChannelDestroy(connection).catch((e: unknown) => {
        this.lastScanError = e;
      });
    });
  }

  async start(): Promise<void> {
    await this.server.start();
    const interval = this.context.config.current.scanNotActiveBrokerInterval;
    this.scanTimer = setInterval(() => void this.scanNotActiveBroker(), interval);
    this.scanTimer.unref();
  }

  /** One expiry sweep (the timer runs it every scanNotActiveBrokerInterval); returns the dropped addresses. */
  async scanNotActiveBroker(): Promise<string[]> {
    if (this.scanning) return [];
    this.scanning = true;
    try {
      return await this.context.routes.scanNotActiveBroker();
    } catch (e) {
      this.lastScanError = e;
      return [];
    } finally {
      this.scanning = false;
    }
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.scanTimer !== undefined) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    await this.server.close();
  }

  /** "host:port" actually bound. */
  address(): string {
    const port = this.server.boundPorts()[0] ?? this.context.config.current.listenPort;
    return this.host.includes(":") ? `[${this.host}]:${port}` : `${this.host}:${port}`;
  }

  /** The live configuration (UPDATE_NAMESRV_CONFIG may have changed it). */
  config(): Readonly<NamesrvConfig> {
    return this.context.config.current;
  }
}
