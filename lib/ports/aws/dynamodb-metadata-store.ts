/**
 * The MetadataStore on one DynamoDB table (docs/adr/0004): pk/sk string keys, the value as JSON text,
 * an integer version, an optional expiry with a TTL attribute. Every conditional write is a
 * ConditionExpression on the version (or on the item's absence); transactions are TransactWriteItems;
 * reads are strongly consistent. ConditionalCheckFailed is an outcome, not an error.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
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
import { awsErrorName, configurationProblem, unavailable } from "./aws-clients.js";
import { METADATA_ATTRIBUTES as A, TTL_GRACE_SECONDS } from "./definitions.js";

/** DynamoDB's BatchWriteItem maximum. */
const BATCH_WRITE_ITEMS = 25;
/** Batch requests in flight at once. */
const BATCH_CONCURRENCY = 4;
/** Rounds of retrying UnprocessedItems (or a TransactionConflict) before giving up. */
const RETRY_ROUNDS = 8;
const RETRY_BASE_MS = 25;

export interface DynamoDbMetadataStoreOptions {
  /** The store owns it: close() destroys it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;

function keyAttrs(key: ItemKey): Item {
  return { [A.partitionKey]: { S: key.pk }, [A.sortKey]: { S: key.sk } };
}

function toAttrs(key: ItemKey, value: JsonValue, version: number, expiresAtMs: number | undefined): Item {
  const item: Item = {
    ...keyAttrs(key),
    [A.value]: { S: encodeMetadataValue(key, value) },
    [A.version]: { N: String(version) },
  };
  if (expiresAtMs !== undefined) {
    item[A.expiresAtMs] = { N: String(expiresAtMs) };
    item[A.timeToLive] = { N: String(Math.ceil(expiresAtMs / 1000) + TTL_GRACE_SECONDS) };
  }
  return item;
}

function fromAttrs(item: Item): MetadataItem {
  const exp = item[A.expiresAtMs]?.N;
  const base: MetadataItem = {
    key: { pk: item[A.partitionKey]?.S ?? "", sk: item[A.sortKey]?.S ?? "" },
    value: JSON.parse(item[A.value]?.S ?? "null") as JsonValue,
    version: Number(item[A.version]?.N ?? "0"),
  };
  return exp === undefined ? base : { ...base, expiresAtMs: Number(exp) };
}

/** ConditionExpression + values for a condition. */
function conditionOf(condition: WriteCondition): {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
} {
  if ("absent" in condition) {
    return {
      ConditionExpression: "attribute_not_exists(#pk)",
      ExpressionAttributeNames: { "#pk": A.partitionKey },
    };
  }
  return {
    ConditionExpression: "#ver = :ver",
    ExpressionAttributeNames: { "#ver": A.version },
    ExpressionAttributeValues: { ":ver": { N: String(condition.version) } },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (round: number) => sleep(RETRY_BASE_MS * 2 ** round * (0.5 + Math.random()));

export class DynamoDbMetadataStore implements MetadataStore {
  private readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(options: DynamoDbMetadataStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async verify(): Promise<void> {
    let schema: { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined;
    try {
      const res = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      schema = res.Table?.KeySchema;
    } catch (e) {
      const fix =
        configurationProblem(e) ??
        (awsErrorName(e) === "ResourceNotFoundException"
          ? `DynamoDB table ${this.tableName} does not exist: create it (localstack/provision.mjs does for local endpoints; the CDK stack in AWS) or name an existing one`
          : undefined);
      if (fix) throw new StratusError("CONFIG_INVALID", fix, { cause: e });
      throw unavailable("METADATA_UNAVAILABLE", `DynamoDB table ${this.tableName}`, e);
    }
    const hash = schema?.find((k) => k.KeyType === "HASH")?.AttributeName;
    const range = schema?.find((k) => k.KeyType === "RANGE")?.AttributeName;
    if (hash !== A.partitionKey || range !== A.sortKey) {
      throw new StratusError(
        "CONFIG_INVALID",
        `DynamoDB table ${this.tableName} has keys ${hash}/${range}; Stratus needs partition key ${A.partitionKey} (S) and sort key ${A.sortKey} (S)`,
      );
    }
  }

  async get(key: ItemKey): Promise<MetadataItem | undefined> {
    validateItemKey(key);
    const res = await this.call(`get ${key.pk} ${key.sk}`, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(key), ConsistentRead: true }),
      ),
    );
    return res.Item ? fromAttrs(res.Item) : undefined;
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
    const input = {
      TableName: this.tableName,
      Key: keyAttrs(key),
      ...conditionOf({ version: expectedVersion }),
    };
    return this.conditional(`delete ${key.pk} ${key.sk}`, expectedVersion, () =>
      this.client.send(new DeleteItemCommand(input)),
    );
  }

  async query(pk: string, options?: QueryOptions): Promise<QueryPage> {
    validateKeyString("partition key", pk);
    const limit = queryPageSize(options);
    const range = querySortKeyRange(options);
    if (!range) return { items: [] };
    const values: Item = { ":pk": { S: pk } };
    let skCondition = "";
    if (range.low !== undefined && range.high !== undefined) {
      skCondition = " AND #sk BETWEEN :low AND :high";
    } else if (range.low !== undefined) skCondition = " AND #sk >= :low";
    else if (range.high !== undefined) skCondition = " AND #sk <= :high";
    if (range.low !== undefined) values[":low"] = { S: range.low };
    if (range.high !== undefined) values[":high"] = { S: range.high };
    const res = await this.call(`query ${pk}`, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `#pk = :pk${skCondition}`,
          ExpressionAttributeNames: { "#pk": A.partitionKey, ...(skCondition ? { "#sk": A.sortKey } : {}) },
          ExpressionAttributeValues: values,
          ScanIndexForward: options?.reverse !== true,
          Limit: limit,
          ConsistentRead: true,
          ...(options?.cursor !== undefined
            ? { ExclusiveStartKey: keyAttrs({ pk, sk: decodeCursor(options.cursor) }) }
            : {}),
        }),
      ),
    );
    const items = (res.Items ?? []).map(fromAttrs);
    const lastSk = res.LastEvaluatedKey?.[A.sortKey]?.S;
    return lastSk === undefined ? { items } : { items, cursor: encodeCursor(lastSk) };
  }

  async batchWrite(ops: readonly BatchOp[]): Promise<void> {
    validateBatch(ops);
    const requests: WriteRequest[] = lastOpPerKey(ops).map((op) =>
      op.op === "delete"
        ? { DeleteRequest: { Key: keyAttrs(op.key) } }
        : { PutRequest: { Item: toAttrs(op.key, op.value, 0, op.expiresAtMs) } },
    );
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS)
      chunks.push(requests.slice(i, i + BATCH_WRITE_ITEMS));
    let next = 0;
    const worker = async () => {
      for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) await this.writeChunk(chunk);
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, chunks.length) }, worker));
  }

  async transactWrite(ops: readonly TransactOp[]): Promise<TransactOutcome> {
    validateTransact(ops);
    const items: TransactWriteItem[] = ops.map((op) => {
      const base = { TableName: this.tableName, ...conditionOf(op.condition) };
      if (op.op === "check") return { ConditionCheck: { ...base, Key: keyAttrs(op.key) } };
      if (op.op === "delete") return { Delete: { ...base, Key: keyAttrs(op.key) } };
      const next = "version" in op.condition ? op.condition.version + 1 : 1;
      return { Put: { ...base, Item: toAttrs(op.key, op.value, next, op.expiresAtMs) } };
    });
    for (let round = 0; ; round++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return { ok: true, versions: ops.map(versionAfter) };
      } catch (e) {
        const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (awsErrorName(e) === "TransactionCanceledException") {
          const failedIndex = reasons.findIndex((r) => r.Code === "ConditionalCheckFailed");
          if (failedIndex >= 0) return { ok: false, reason: "CONDITION_FAILED", failedIndex };
          if (reasons.length === 0) return { ok: false, reason: "CONDITION_FAILED" };
        }
        // Another transaction held an item: try again, the conditions are then evaluated afresh.
        const conflict =
          awsErrorName(e) === "TransactionConflictException" ||
          reasons.some((r) => r.Code === "TransactionConflict");
        if (!conflict || round >= RETRY_ROUNDS) {
          throw unavailable("METADATA_UNAVAILABLE", `DynamoDB ${this.tableName}: transactWrite`, e);
        }
        await backoff(round);
      }
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async writeChunk(chunk: WriteRequest[]): Promise<void> {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      if (round > RETRY_ROUNDS) {
        throw new StratusError(
          "METADATA_UNAVAILABLE",
          `DynamoDB ${this.tableName}: ${pending.length} batch writes still unprocessed after ${RETRY_ROUNDS} retries`,
        );
      }
      if (round > 0) await backoff(round);
      const res = await this.call("batchWrite", () =>
        this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } })),
      );
      pending = res.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  private async conditionalPut(
    key: ItemKey,
    value: JsonValue,
    condition: WriteCondition,
    options: WriteOptions | undefined,
  ): Promise<WriteOutcome> {
    validateItemKey(key);
    validateExpiry(options?.expiresAtMs);
    const version = "version" in condition ? condition.version + 1 : 1;
    const input = {
      TableName: this.tableName,
      Item: toAttrs(key, value, version, options?.expiresAtMs),
      ...conditionOf(condition),
    };
    return this.conditional(`put ${key.pk} ${key.sk}`, version, () =>
      this.client.send(new PutItemCommand(input)),
    );
  }

  private async conditional(
    what: string,
    version: number,
    send: () => Promise<unknown>,
  ): Promise<WriteOutcome> {
    try {
      await send();
      return { ok: true, version };
    } catch (e) {
      if (awsErrorName(e) === "ConditionalCheckFailedException") return CONDITION_FAILED;
      throw unavailable("METADATA_UNAVAILABLE", `DynamoDB ${this.tableName}: ${what}`, e);
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw unavailable("METADATA_UNAVAILABLE", `DynamoDB ${this.tableName}: ${what}`, e);
    }
  }
}

function versionAfter(op: TransactOp): number {
  if (op.op === "put") return "version" in op.condition ? op.condition.version + 1 : 1;
  return "version" in op.condition ? op.condition.version : 0;
}
