/**
 * Build and start a broker from a BrokerConfig (used by `stratus broker` and `stratus dev`), and open the
 * cloud ports it and the NameServers run on.
 *
 * openCloud() is the one place the ports are constructed:
 * - "embedded" (stratus dev): files under `<dir>/objects` and the SQLite file `<dir>/metadata.sqlite`,
 *   `<dir>` being `D/cloud` for `--data-dir D` (ADR 0003);
 * - "aws": S3 and DynamoDB from the standard AWS environment (AWS_REGION, credentials or AWS_PROFILE,
 *   AWS_ENDPOINT_URL for moto/LocalStack); table and bucket from the options, else STRATUS_METADATA_TABLE /
 *   STRATUS_TIER_BUCKET, else the defaults in lib/ports/aws/definitions.ts.
 * Both are verified before anything starts, so bad configuration fails at once with what to fix.
 */
import { join } from "node:path";
import type { BrokerConfig } from "../broker/broker-config.js";
import { BrokerController } from "../broker/broker-controller.js";
import { metadataConfigStores } from "../broker/metadata-config-stores.js";
import { isStratusError, StratusError } from "../common/errors.js";
import { DEFAULT_BUCKET_NAME, DEFAULT_METADATA_TABLE_NAME } from "../ports/aws/definitions.js";
import { FileObjectStore } from "../ports/embedded/file-object-store.js";
import { SqliteMetadataStore } from "../ports/embedded/sqlite-metadata-store.js";
import type { MetadataStore } from "../ports/metadata-store.js";
import type { ObjectStore } from "../ports/object-store.js";
import { DefaultMessageStore, defaultMessageStoreConfig } from "../store/default-message-store.js";
import { attachBrokerTier, tieredStoreConfig } from "./broker-tier.js";

export type CloudKind = "embedded" | "aws";

type Env = Readonly<Record<string, string | undefined>>;

export interface CloudOptions {
  kind: CloudKind;
  /** embedded: the directory holding objects/ and metadata.sqlite (`D/cloud` for `--data-dir D`). */
  dir?: string | undefined;
  /** aws: the DynamoDB table (else STRATUS_METADATA_TABLE, else DEFAULT_METADATA_TABLE_NAME). */
  metadataTableName?: string | undefined;
  /** aws: the S3 bucket (else STRATUS_TIER_BUCKET, else DEFAULT_BUCKET_NAME). */
  bucketName?: string | undefined;
  /** Where the AWS settings come from (default process.env). */
  env?: Env | undefined;
}

export interface CloudMetadata {
  readonly kind: CloudKind;
  readonly metadataStore: MetadataStore;
  /** e.g. "embedded cloud in .stratus/cloud" or "DynamoDB table stratus-metadata, S3 bucket stratus-tier". */
  readonly description: string;
  close(): Promise<void>;
}

export interface Cloud extends CloudMetadata {
  readonly objectStore: ObjectStore;
}

export const METADATA_DB_FILE = "metadata.sqlite";

function embeddedDir(options: CloudOptions): string {
  if (options.dir === undefined) {
    throw new StratusError("CONFIG_INVALID", "--cloud embedded needs a directory (--data-dir)");
  }
  return options.dir;
}

function awsNames(options: CloudOptions): { table: string; bucket: string } {
  const env = options.env ?? process.env;
  return {
    table: options.metadataTableName ?? env.STRATUS_METADATA_TABLE ?? DEFAULT_METADATA_TABLE_NAME,
    bucket: options.bucketName ?? env.STRATUS_TIER_BUCKET ?? DEFAULT_BUCKET_NAME,
  };
}

/** verify(), with the failure saying which setting it is about. */
async function verified(what: string, verify: () => Promise<void>): Promise<void> {
  try {
    await verify();
  } catch (e) {
    if (!isStratusError(e)) throw e;
    const hint =
      e.code === "CONFIG_INVALID" ? "" : " (is the endpoint up? check AWS_ENDPOINT_URL and the network)";
    throw new StratusError("CONFIG_INVALID", `${what}: ${e.message}${hint}`, { cause: e });
  }
}

// The AWS SDK is loaded only for --cloud aws: it is large, and `stratus dev` should start fast.
async function loadAws() {
  // The pinned SDK warns that its releases after January 2027 need Node 22; the project runs on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return {
    clients: await import("../ports/aws/aws-clients.js"),
    ddb: await import("../ports/aws/dynamodb-metadata-store.js"),
    s3: await import("../ports/aws/s3-object-store.js"),
  };
}

async function openMetadata(options: CloudOptions): Promise<{ store: MetadataStore; description: string }> {
  if (options.kind === "embedded") {
    const path = join(embeddedDir(options), METADATA_DB_FILE);
    return { store: new SqliteMetadataStore(path), description: `embedded metadata in ${path}` };
  }
  const { table } = awsNames(options);
  const aws = await loadAws();
  const client = aws.clients.createDynamoDbClient({}, options.env ?? process.env);
  return {
    store: new aws.ddb.DynamoDbMetadataStore({ client, tableName: table }),
    description: `DynamoDB table ${table}`,
  };
}

/** The MetadataStore alone (what a NameServer needs), verified. */
export async function openCloudMetadata(options: CloudOptions): Promise<CloudMetadata> {
  const { store, description } = await openMetadata(options);
  try {
    await verified(`--cloud ${options.kind}`, () => store.verify());
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return { kind: options.kind, metadataStore: store, description, close: () => store.close() };
}

async function openObjects(options: CloudOptions): Promise<{ store: ObjectStore; description: string }> {
  if (options.kind === "embedded") {
    const dir = embeddedDir(options);
    return { store: new FileObjectStore(dir), description: `embedded objects in ${join(dir, "objects")}` };
  }
  const { bucket } = awsNames(options);
  const aws = await loadAws();
  const client = aws.clients.createS3Client({}, options.env ?? process.env);
  return { store: new aws.s3.S3ObjectStore({ client, bucket }), description: `S3 bucket ${bucket}` };
}

/** Both ports (what a broker needs), verified; close() closes both. */
export async function openCloud(options: CloudOptions): Promise<Cloud> {
  const metadata = await openCloudMetadata(options);
  const objects = await openObjects(options);
  try {
    await verified(`--cloud ${options.kind}`, () => objects.store.verify());
  } catch (e) {
    await objects.store.close().catch(() => undefined);
    await metadata.close().catch(() => undefined);
    throw e;
  }
  return {
    kind: options.kind,
    metadataStore: metadata.metadataStore,
    objectStore: objects.store,
    description: `${metadata.description}, ${objects.description}`,
    async close() {
      await objects.store.close();
      await metadata.close();
    },
  };
}

export function messageStoreConfigFrom(c: BrokerConfig) {
  return {
    ...defaultMessageStoreConfig(c.storePathRootDir),
    mappedFileSizeCommitLog: c.mappedFileSizeCommitLog,
    mappedFileSizeConsumeQueue: c.mappedFileSizeConsumeQueue,
    flushDiskType: c.flushDiskType as "ASYNC_FLUSH" | "SYNC_FLUSH",
    flushIntervalCommitLog: c.flushIntervalCommitLog,
    syncFlushTimeout: c.syncFlushTimeout,
    fileReservedTime: c.fileReservedTime,
    maxCommitLogBytes: c.maxCommitLogBytes,
    maxHashSlotNum: c.maxHashSlotNum,
    maxIndexNum: c.maxIndexNum,
    messageIndexEnable: c.messageIndexEnable,
    messageDelayLevel: c.messageDelayLevel,
  };
}

export interface StartBrokerOptions {
  /**
   * The cloud the broker runs on: its topics, subscription groups and consumer offsets live in the
   * MetadataStore under its brokerName. Without one they live in files on its disk, as in Apache.
   */
  cloud?: CloudMetadata | undefined;
}

export async function startBroker(
  config: BrokerConfig,
  bindHost: string,
  options: StartBrokerOptions = {},
): Promise<BrokerController> {
  const store = new DefaultMessageStore(
    tieredStoreConfig(config, messageStoreConfigFrom(config), options.cloud),
  );
  const tier = attachBrokerTier(config, store, options.cloud);
  const configStores =
    options.cloud === undefined
      ? undefined
      : metadataConfigStores(options.cloud.metadataStore, config.brokerName);
  const broker = new BrokerController({ config, store, bindHost, configStores, tier });
  await broker.start();
  return broker;
}
