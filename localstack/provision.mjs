// Creates the Stratus bucket and metadata table on a local S3/DynamoDB endpoint (moto, LocalStack) when
// they are missing, from the same definitions the CDK stack uses (lib/ports/aws/definitions.ts).
//
//   AWS_ENDPOINT_URL=http://127.0.0.1:PORT node localstack/provision.mjs [--bucket NAME] [--table NAME]
//
// Needs the compiled library (`npm run build`). Refuses to run without AWS_ENDPOINT_URL: in AWS the CDK
// stack owns these resources. Credentials and region come from the standard AWS environment; a local
// endpoint gets test credentials and us-east-1 when none are set. `npm run local:up` calls provisionLocalCloud.

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The pinned SDK warns that its releases after January 2027 need Node 22; the project runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
export const LOCAL_REGION = "us-east-1";
/** What a local endpoint accepts; never real credentials. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: "test", secretAccessKey: "test" });

/** @param {string[]} argv @param {string} flag */
function option(argv, flag) {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (!value || value.startsWith("--")) throw new Error(`${flag} needs a value`);
  return value;
}

/** Imports a compiled module of the library. @param {string} rel path under dist/ */
export async function loadDist(rel) {
  const file = path.join(ROOT, "dist", rel);
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw new Error(
      `cannot load ${path.relative(ROOT, file)} (${e instanceof Error ? e.message : e}): run npm run build first`,
    );
  }
}

/** Client options for a local endpoint: the environment's region and credentials, else the local ones. */
export function localClientOptions(endpoint, env = process.env) {
  return {
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_REGION,
    credentials: env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE ? undefined : { ...LOCAL_CREDENTIALS },
  };
}

/**
 * Creates the table and bucket when missing (never alters or deletes what exists).
 * @param {{endpoint: string, bucketName?: string, tableName?: string}} options
 */
export async function provisionLocalCloud(options) {
  const clients = await loadDist("lib/ports/aws/aws-clients.js");
  const defs = await loadDist("lib/ports/aws/definitions.js");
  const provision = await loadDist("lib/ports/aws/provision.js");
  const clientOptions = localClientOptions(options.endpoint);
  const bucket = defs.bucketDefinition(options.bucketName);
  const [table] = defs.tableDefinitions(options.tableName ? { metadataTableName: options.tableName } : {});
  const s3 = clients.createS3Client(clientOptions);
  const ddb = clients.createDynamoDbClient(clientOptions);
  try {
    const bucketCreated = await provision.ensureBucket(s3, bucket);
    const tableCreated = await provision.ensureTable(ddb, table);
    return { bucket, bucketCreated, table, tableCreated };
  } finally {
    s3.destroy();
    ddb.destroy();
  }
}

async function main(argv) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint)
    throw new Error(
      "AWS_ENDPOINT_URL is not set: this script provisions local endpoints only (the CDK stack provisions AWS)",
    );
  const made = await provisionLocalCloud({
    endpoint,
    bucketName: option(argv, "--bucket"),
    tableName: option(argv, "--table"),
  });
  process.stdout.write(`bucket ${made.bucket.bucketName}: ${made.bucketCreated ? "created" : "exists"}\n`);
  process.stdout.write(`table ${made.table.tableName}: ${made.tableCreated ? "created" : "exists"}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
