/**
 * The NameServer KV config table in the MetadataStore, shared by every NameServer over the store: one item
 * per key (namespace partitions) and one marker per namespace, so that a namespace whose keys were all
 * deleted still exists, as in Apache. Writes are last-writer-wins (blind batch writes): mqadmin overwrites a
 * value, it never reads-modifies-writes one. Reads go through a cache of whole namespaces with the route
 * table's short TTL; writes made here invalidate it.
 */
import type { Clock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import { MAX_KV_CONFIG_ENTRIES } from "../common/limits.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { KVConfigManager } from "./kv-config-manager.js";
import { ROUTE_CACHE_STALE_IF_ERROR_MS, ROUTE_CACHE_TTL_MS } from "./metadata-route-info-manager.js";
import { kvKey, kvNamespaceKey, readKVNamespace } from "./namesrv-records.js";
import { TtlCache } from "./ttl-cache.js";

/** Namespaces kept cached (Apache knows a handful; each is read whole). */
const KV_CACHE_NAMESPACES = 256;

export interface MetadataKVConfigOptions {
  store: MetadataStore;
  clock: Clock;
  cacheTtlMs?: number;
}

export class MetadataKVConfigManager implements KVConfigManager {
  private readonly store: MetadataStore;
  private readonly cache: TtlCache<string, Map<string, string> | undefined>;

  constructor(options: MetadataKVConfigOptions) {
    this.store = options.store;
    this.cache = new TtlCache(
      options.clock,
      options.cacheTtlMs ?? ROUTE_CACHE_TTL_MS,
      KV_CACHE_NAMESPACES,
      ROUTE_CACHE_STALE_IF_ERROR_MS,
    );
  }

  private namespace(namespace: string): Promise<Map<string, string> | undefined> {
    return this.cache.get(namespace, () => readKVNamespace(this.store, namespace));
  }

  /** One namespace holds at most MAX_KV_CONFIG_ENTRIES keys (counted on a fresh read before adding one). */
  async putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    if ((await this.store.get(kvKey(namespace, key))) === undefined) {
      const current = await readKVNamespace(this.store, namespace);
      if ((current?.size ?? 0) >= MAX_KV_CONFIG_ENTRIES) {
        throw new StratusError(
          "LIMIT_EXCEEDED",
          `more than ${MAX_KV_CONFIG_ENTRIES} KV config entries in namespace ${namespace}`,
        );
      }
    }
    try {
      await this.store.batchWrite([
        { op: "put", key: kvNamespaceKey(namespace), value: {} },
        { op: "put", key: kvKey(namespace, key), value: { value } },
      ]);
    } finally {
      this.cache.invalidate(namespace);
    }
  }

  async getKVConfig(namespace: string, key: string): Promise<string | undefined> {
    return (await this.namespace(namespace))?.get(key);
  }

  async deleteKVConfig(namespace: string, key: string): Promise<void> {
    try {
      await this.store.batchWrite([{ op: "delete", key: kvKey(namespace, key) }]);
    } finally {
      this.cache.invalidate(namespace);
    }
  }

  async getKVListByNamespace(namespace: string): Promise<Record<string, string> | undefined> {
    const table = await this.namespace(namespace);
    return table === undefined ? undefined : Object.fromEntries(table);
  }
}
