/**
 * The NameServer's KV config table (Apache `KVConfigManager`): namespace -> key -> value. Clients read the
 * ORDER_TOPIC_CONFIG namespace (key = topic, value = "brokerName:queueNums;...") for order topics; mqadmin
 * writes it. Kept in memory behind a port so it can move to the MetadataStore with the route table.
 */
import { StratusError } from "../common/errors.js";
import { MAX_KV_CONFIG_ENTRIES } from "../common/limits.js";

/** Apache NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

export interface KVConfigManager {
  putKVConfig(namespace: string, key: string, value: string): Promise<void>;
  getKVConfig(namespace: string, key: string): Promise<string | undefined>;
  deleteKVConfig(namespace: string, key: string): Promise<void>;
  /**
   * The namespace's table, or undefined if the namespace was never written. As in Apache, a namespace whose
   * keys were all deleted still exists (and lists as an empty table).
   */
  getKVListByNamespace(namespace: string): Promise<Record<string, string> | undefined>;
}

export class MemoryKVConfigManager implements KVConfigManager {
  private readonly table = new Map<string, Map<string, string>>();
  private entries = 0;

  async putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    let kv = this.table.get(namespace);
    if (kv?.has(key) !== true && this.entries >= MAX_KV_CONFIG_ENTRIES) {
      throw new StratusError("LIMIT_EXCEEDED", `more than ${MAX_KV_CONFIG_ENTRIES} KV config entries`);
    }
    if (kv === undefined) {
      kv = new Map();
      this.table.set(namespace, kv);
    }
    if (!kv.has(key)) this.entries++;
    kv.set(key, value);
  }

  async getKVConfig(namespace: string, key: string): Promise<string | undefined> {
    return this.table.get(namespace)?.get(key);
  }

  async deleteKVConfig(namespace: string, key: string): Promise<void> {
    if (this.table.get(namespace)?.delete(key)) this.entries--;
  }

  async getKVListByNamespace(namespace: string): Promise<Record<string, string> | undefined> {
    const kv = this.table.get(namespace);
    return kv === undefined ? undefined : Object.fromEntries(kv);
  }
}
