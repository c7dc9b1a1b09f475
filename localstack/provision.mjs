// Creates the Stratus bucket and metadata table on a local S3/DynamoDB endpoint (moto, LocalStack) when
// they are missing, from the same definitions the CDK stack uses (lib/ports/aws/definitions.ts).
//
//   AWS_ENDPOINT_URL=http://127.0.0.1:PORT node localstack/provision.mjs [--bucket NAME] [--table NAME]
//
// Needs the compiled library (`npm run build`). Refuses to run without AWS_ENDPOINT_URL: in AWS the CDK
// stack owns these resources. Credentials and region come from the standard AWS environment; a local
// endpoint gets test credentials and us-east-1 when none are set.

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The pinned SDK warns that its releases after January 2027 need Node 22; the project runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

/** @param {string[]} argv @param {string} flag */
function option(argv, flag) {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (!value || value.startsWith("--")) throw new Error(`${flag} needs a value`);
  return value;
}

async function load(rel) {
  const file = path.join(ROOT, "dist", rel);
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw new Error(
      `cannot load ${path.relative(ROOT, file)} (${e instanceof Error ? e.message : e}): run npm run build first`,
    );
  }
}

async function main(argv) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint)
    throw new Error(
      "AWS_ENDPOINT_URL is not set: this script provisions local endpoints only (the CDK stack provisions AWS)",
    );
  const clients = await load("lib/ports/aws/aws-clients.js");
  const defs = await load("lib/ports/aws/definitions.js");
  const provision = await load("lib/ports/aws/provision.js");
  const options = {
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    credentials:
      process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE
        ? undefined
        : { accessKeyId: "test", secretAccessKey: "test" },
  };
  const bucket = defs.bucketDefinition(option(argv, "--bucket"));
  const tableName = option(argv, "--table");
  const [table] = defs.tableDefinitions(tableName ? { metadataTableName: tableName } : {});
  const s3 = clients.createS3Client(options);
  const ddb = clients.createDynamoDbClient(options);
  try {
    const madeBucket = await provision.ensureBucket(s3, bucket);
    const madeTable = await provision.ensureTable(ddb, table);
    process.stdout.write(`bucket ${bucket.bucketName}: ${madeBucket ? "created" : "exists"}\n`);
    process.stdout.write(`table ${table.tableName}: ${madeTable ? "created" : "exists"}\n`);
  } finally {
    s3.destroy();
    ddb.destroy();
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
