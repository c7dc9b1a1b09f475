/**
 * A tiered store for tests: a DefaultMessageStore with small files over the embedded ports (files + SQLite in a
 * temp dir), wrapped so tests can take the object store or the MetadataStore "down" and count requests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { Clock } from "../../lib/common/clock.js";
import { StratusError } from "../../lib/common/errors.js";
import { seededRandom } from "../../lib/common/random.js";
import { FileObjectStore } from "../../lib/ports/embedded/file-object-store.js";
import { SqliteMetadataStore } from "../../lib/ports/embedded/sqlite-metadata-store.js";
import type {
  BatchOp,
  ItemKey,
  JsonValue,
  MetadataStore,
  QueryOptions,
  TransactOp,
  WriteOptions,
} from "../../lib/ports/metadata-store.js";
import type { ByteRange, ListOptions, ObjectStore } from "../../lib/ports/object-store.js";
import { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import type { MessageStoreConfig } from "../../lib/store/message-store.js";
import type { TierConfig } from "../../lib/tier/tier-config.js";
import { TierService } from "../../lib/tier/tier-service.js";
import { smallConfig } from "../store/store-fixtures.js";

export const SEG = 64 * 1024;

/** An ObjectStore that fails every call while `down`, and counts calls. */
export class FaultyObjectStore implements ObjectStore {
  down = false;
  puts = 0;
  gets = 0;
  getBytes = 0;
  constructor(readonly inner: ObjectStore) {}
  private check(what: string): void {
    if (this.down) throw new StratusError("OBJECT_STORE_UNAVAILABLE", `test: object store down (${what})`);
  }
  async verify() {
    this.check("verify");
    return this.inner.verify();
  }
  async put(key: string, body: Buffer) {
    this.check("put");
    this.puts++;
    return this.inner.put(key, body);
  }
  async get(key: string, range?: ByteRange) {
    this.check("get");
    this.gets++;
    const b = await this.inner.get(key, range);
    this.getBytes += b?.length ?? 0;
    return b;
  }
  async head(key: string) {
    this.check("head");
    return this.inner.head(key);
  }
  async list(prefix: string, options?: ListOptions) {
    this.check("list");
    return this.inner.list(prefix, options);
  }
  async delete(key: string) {
    this.check("delete");
    return this.inner.delete(key);
  }
  async close() {
    return this.inner.close();
  }
}

/** A MetadataStore that fails every call while `down`. */
export class FaultyMetadataStore implements MetadataStore {
  down = false;
  constructor(readonly inner: MetadataStore) {}
  private check(): void {
    if (this.down) throw new StratusError("METADATA_UNAVAILABLE", "test: metadata store down");
  }
  async verify() {
    this.check();
    return this.inner.verify();
  }
  async get(key: ItemKey) {
    this.check();
    return this.inner.get(key);
  }
  async putIfAbsent(key: ItemKey, value: JsonValue, options?: WriteOptions) {
    this.check();
    return this.inner.putIfAbsent(key, value, options);
  }
  async putIfVersion(key: ItemKey, value: JsonValue, v: number, options?: WriteOptions) {
    this.check();
    return this.inner.putIfVersion(key, value, v, options);
  }
  async deleteIfVersion(key: ItemKey, v: number) {
    this.check();
    return this.inner.deleteIfVersion(key, v);
  }
  async query(pk: string, options?: QueryOptions) {
    this.check();
    return this.inner.query(pk, options);
  }
  async batchWrite(ops: readonly BatchOp[]) {
    this.check();
    return this.inner.batchWrite(ops);
  }
  async transactWrite(ops: readonly TransactOp[]) {
    this.check();
    return this.inner.transactWrite(ops);
  }
  async close() {
    return this.inner.close();
  }
}

export interface Cloud {
  dir: string;
  objects: FaultyObjectStore;
  metadata: FaultyMetadataStore;
  close(): Promise<void>;
}

export function openCloud(dir: string): Cloud {
  const objects = new FaultyObjectStore(new FileObjectStore(join(dir, "cloud")));
  const metadata = new FaultyMetadataStore(new SqliteMetadataStore(join(dir, "cloud", "metadata.sqlite")));
  return {
    dir,
    objects,
    metadata,
    close: async () => {
      await metadata.close();
      await objects.close();
    },
  };
}

export function tierConfig(over: Partial<TierConfig> = {}): TierConfig {
  return {
    brokerClusterName: "TestCluster",
    brokerName: "broker-t",
    chunkBytes: 16 * 1024,
    chunkMaxAgeMs: 60_000,
    commitLingerMs: 2,
    localBudgetBytes: 64 * 1024 * 1024, // backpressure tests set their own; the rest must never meet it
    objectStoreRetentionHours: 0,
    readCacheBytes: 4 * 1024 * 1024,
    delayLevels: [1000, 5000],
    ...over,
  };
}

export interface Tiered {
  store: DefaultMessageStore;
  tier: TierService;
  warnings: string[];
  close(): Promise<void>;
}

export async function openTiered(
  storeDir: string,
  cloud: Cloud,
  options: { store?: Partial<MessageStoreConfig>; tier?: Partial<TierConfig>; clock?: Clock } = {},
): Promise<Tiered> {
  const store = new DefaultMessageStore(
    smallConfig(storeDir, { maxCommitLogBytes: SEG, ...options.store }),
    options.clock,
  );
  const warnings: string[] = [];
  const tier = new TierService({
    log: store,
    objects: cloud.objects,
    metadata: cloud.metadata,
    config: tierConfig(options.tier),
    random: seededRandom(7),
    warn: (m) => warnings.push(m),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await tier.load();
  store.attachTier(tier);
  await store.start();
  tier.start();
  let closed = false;
  return {
    store,
    tier,
    warnings,
    close: async () => {
      if (closed) return;
      closed = true;
      await tier.shutdown();
      await store.shutdown();
    },
  };
}

export function tempRoot(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stratus-tier-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `cond` every 10 ms until true or `ms` passed. */
export async function eventually(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fresh temp dir and embedded cloud per test, and the tiered stores a test opened, all closed after it. */
export interface TierSandbox {
  readonly cloud: Cloud;
  readonly dir: string;
  /** Opens a tiered store in `dir/name` over the sandbox's cloud; closed after the test. */
  tiered(name: string, options?: Parameters<typeof openTiered>[2]): Promise<Tiered>;
  /** Leaves `t` unclosed after the test (a process that died). */
  forget(t: Tiered): void;
}

/** Registers the beforeEach/afterEach hooks of a TierSandbox in the calling test file. */
export function tierSandbox(): TierSandbox {
  let root: ReturnType<typeof tempRoot> | undefined;
  let cloud: Cloud | undefined;
  const open: Tiered[] = [];
  beforeEach(() => {
    root = tempRoot();
    cloud = openCloud(root.dir);
  });
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    await cloud?.close();
    root?.cleanup();
  });
  const sandbox: TierSandbox = {
    get cloud(): Cloud {
      if (!cloud) throw new Error("tierSandbox is used outside a test");
      return cloud;
    },
    get dir(): string {
      if (!root) throw new Error("tierSandbox is used outside a test");
      return root.dir;
    },
    async tiered(name, options = {}) {
      const t = await openTiered(join(sandbox.dir, name), sandbox.cloud, options);
      open.push(t);
      return t;
    },
    forget(t) {
      const i = open.indexOf(t);
      if (i >= 0) open.splice(i, 1);
    },
  };
  return sandbox;
}
