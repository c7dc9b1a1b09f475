/**
 * The embedded MetadataStore for `stratus dev`: one SQLite file (better-sqlite3), WAL journal, full sync.
 * Several processes may open the same file (two NameServers and a broker): every conditional write runs in
 * a BEGIN IMMEDIATE transaction, so its read and its write see no other writer in between, and a writer
 * that finds the file locked waits up to BUSY_TIMEOUT_MS.
 *
 * Schema: items(pk, sk, val JSON text, ver integer, exp integer|null), primary key (pk, sk), without rowid.
 * SQLite compares TEXT with memcmp (BINARY collation), the same bytewise order DynamoDB uses for keys.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StratusError } from "../../common/errors.js";
import {
  type BatchOp,
  CONDITION_FAILED,
  decodeCursor,
  encodeCursor,
  encodeMetadataValue,
  type ItemKey,
  type JsonValue,
  lastOpPerKey,
  type MetadataItem,
  type MetadataStore,
  type QueryOptions,
  type QueryPage,
  queryPageSize,
  querySortKeyRange,
  type TransactOp,
  type TransactOutcome,
  validateBatch,
  validateExpiry,
  validateItemKey,
  validateKeyString,
  validateTransact,
  validateVersion,
  type WriteCondition,
  type WriteOptions,
  type WriteOutcome,
} from "../metadata-store.js";

/** How long a writer waits for another process's transaction before failing. */
const BUSY_TIMEOUT_MS = 10_000;

interface Row {
  pk: string;
  sk: string;
  val: string;
  ver: number;
  exp: number | null;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS items (
  pk TEXT NOT NULL, sk TEXT NOT NULL, val TEXT NOT NULL, ver INTEGER NOT NULL, exp INTEGER,
  PRIMARY KEY (pk, sk)) WITHOUT ROWID`;

function toItem(row: Row): MetadataItem {
  const item: MetadataItem = {
    key: { pk: row.pk, sk: row.sk },
    value: JSON.parse(row.val) as JsonValue,
    version: row.ver,
  };
  return row.exp === null ? item : { ...item, expiresAtMs: row.exp };
}

export class SqliteMetadataStore implements MetadataStore {
  private readonly db: Database.Database;
  private readonly stmt: {
    get: Database.Statement<[string, string], Row>;
    upsert: Database.Statement<[string, string, string, number, number | null]>;
    del: Database.Statement<[string, string]>;
  };

  /** Opens (creating if needed) the database file at `path`. */
  constructor(readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      this.db.exec(SCHEMA);
      this.stmt = {
        get: this.db.prepare("SELECT pk, sk, val, ver, exp FROM items WHERE pk = ? AND sk = ?"),
        upsert: this.db.prepare(
          "INSERT INTO items (pk, sk, val, ver, exp) VALUES (?, ?, ?, ?, ?) " +
            "ON CONFLICT (pk, sk) DO UPDATE SET val = excluded.val, ver = excluded.ver, exp = excluded.exp",
        ),
        del: this.db.prepare("DELETE FROM items WHERE pk = ? AND sk = ?"),
      };
    } catch (e) {
      throw new StratusError("CONFIG_INVALID", `metadata database ${path} cannot be opened: ${String(e)}`, {
        cause: e,
      });
    }
  }

  async verify(): Promise<void> {
    try {
      this.db.prepare("SELECT count(*) FROM items WHERE pk = ''").get();
    } catch (e) {
      throw new StratusError("CONFIG_INVALID", `metadata database ${this.path} is not usable: ${String(e)}`, {
        cause: e,
      });
    }
  }

  async get(key: ItemKey): Promise<MetadataItem | undefined> {
    validateItemKey(key);
    const row = this.run(() => this.stmt.get.get(key.pk, key.sk));
    return row ? toItem(row) : undefined;
  }

  async putIfAbsent(key: ItemKey, value: JsonValue, options?: WriteOptions): Promise<WriteOutcome> {
    return this.conditionalPut(key, value, { absent: true }, options);
  }

  async putIfVersion(
    key: ItemKey,
    value: JsonValue,
    expectedVersion: number,
    options?: WriteOptions,
  ): Promise<WriteOutcome> {
    validateVersion(expectedVersion);
    return this.conditionalPut(key, value, { version: expectedVersion }, options);
  }

  async deleteIfVersion(key: ItemKey, expectedVersion: number): Promise<WriteOutcome> {
    validateItemKey(key);
    validateVersion(expectedVersion);
    return this.immediate(() => {
      if (!this.holds(key, { version: expectedVersion })) return CONDITION_FAILED;
      this.stmt.del.run(key.pk, key.sk);
      return { ok: true, version: expectedVersion };
    });
  }

  async query(pk: string, options?: QueryOptions): Promise<QueryPage> {
    validateKeyString("partition key", pk);
    const limit = queryPageSize(options);
    const range = querySortKeyRange(options);
    if (!range) return { items: [] };
    const reverse = options?.reverse === true;
    const where = ["pk = ?"];
    const args: (string | number)[] = [pk];
    if (range.low !== undefined) {
      where.push("sk >= ?");
      args.push(range.low);
    }
    if (range.high !== undefined) {
      where.push("sk <= ?");
      args.push(range.high);
    }
    if (options?.cursor !== undefined) {
      where.push(reverse ? "sk < ?" : "sk > ?");
      args.push(decodeCursor(options.cursor));
    }
    const sql = `SELECT pk, sk, val, ver, exp FROM items WHERE ${where.join(" AND ")} ORDER BY sk ${
      reverse ? "DESC" : "ASC"
    } LIMIT ?`;
    const rows = this.run(() => this.db.prepare<unknown[], Row>(sql).all(...args, limit + 1));
    const page = rows.slice(0, limit).map(toItem);
    const last = page[page.length - 1];
    return rows.length > limit && last ? { items: page, cursor: encodeCursor(last.key.sk) } : { items: page };
  }

  async batchWrite(ops: readonly BatchOp[]): Promise<void> {
    validateBatch(ops);
    const unique = lastOpPerKey(ops);
    this.immediate(() => {
      for (const op of unique) {
        if (op.op === "delete") this.stmt.del.run(op.key.pk, op.key.sk);
        else {
          const val = encodeMetadataValue(op.key, op.value);
          this.stmt.upsert.run(op.key.pk, op.key.sk, val, 0, op.expiresAtMs ?? null);
        }
      }
    });
  }

  async transactWrite(ops: readonly TransactOp[]): Promise<TransactOutcome> {
    validateTransact(ops);
    return this.immediate((): TransactOutcome => {
      const failedIndex = ops.findIndex((op) => !this.holds(op.key, op.condition));
      if (failedIndex >= 0) return { ok: false, reason: "CONDITION_FAILED", failedIndex };
      const versions = ops.map((op) => {
        const next = "version" in op.condition ? op.condition.version + 1 : 1;
        if (op.op === "put") {
          const val = encodeMetadataValue(op.key, op.value);
          this.stmt.upsert.run(op.key.pk, op.key.sk, val, next, op.expiresAtMs ?? null);
          return next;
        }
        if (op.op === "delete") this.stmt.del.run(op.key.pk, op.key.sk);
        return "version" in op.condition ? op.condition.version : 0;
      });
      return { ok: true, versions };
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private conditionalPut(
    key: ItemKey,
    value: JsonValue,
    condition: WriteCondition,
    options: WriteOptions | undefined,
  ): WriteOutcome {
    validateItemKey(key);
    validateExpiry(options?.expiresAtMs);
    const val = encodeMetadataValue(key, value);
    return this.immediate(() => {
      if (!this.holds(key, condition)) return CONDITION_FAILED;
      const version = "version" in condition ? condition.version + 1 : 1;
      this.stmt.upsert.run(key.pk, key.sk, val, version, options?.expiresAtMs ?? null);
      return { ok: true, version };
    });
  }

  private holds(key: ItemKey, condition: WriteCondition): boolean {
    const row = this.stmt.get.get(key.pk, key.sk);
    return "absent" in condition ? row === undefined : row !== undefined && row.ver === condition.version;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction (takes the write lock before reading). */
  private immediate<T>(fn: () => T): T {
    return this.run(() => this.db.transaction(fn).immediate());
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StratusError) throw e;
      if (e instanceof Database.SqliteError) {
        throw new StratusError(
          "METADATA_UNAVAILABLE",
          `metadata database ${this.path}: ${e.code} ${e.message}`,
          {
            cause: e,
          },
        );
      }
      throw e;
    }
  }
}
