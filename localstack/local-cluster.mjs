// `npm run local:cluster`: a NameServer and a broker (`stratus dev --cloud aws`, in this process) on the local
// cloud `npm run local:up` started: routes, topics, groups, offsets and the tier manifest in its DynamoDB table,
// the CommitLog tiered to its S3 bucket.
//
//   npm run local:cluster [-- --endpoint URL] [--namesrv-port 9876] [--broker-port 10911] [--host 127.0.0.1]
//                         [--data-dir .stratus/local-cluster] [--config broker.conf] [--table NAME] [--bucket NAME]
//
// The endpoint is --endpoint, else AWS_ENDPOINT_URL, else http://127.0.0.1:4566. Before starting it checks that
// the endpoint answers and holds the table and bucket, and says what to do when not. Region and credentials come
// from the AWS environment, else us-east-1 and the local test credentials. Ctrl-C/SIGTERM stops it the way
// `stratus dev` stops: unregister, flush, upload the CommitLog tail to the bucket. Needs `npm run build`.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exitOnFailure, parsePort, portInUse, UsageError } from "./cli.mjs";
import { LOCAL_CREDENTIALS, LOCAL_REGION, loadDist, localClientOptions } from "./provision.mjs";

const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";
const DEFAULTS = {
  host: "127.0.0.1",
  namesrvPort: "9876",
  brokerPort: "10911",
  dataDir: ".stratus/local-cluster",
};

const note = (/** @type {string} */ line) => process.stderr.write(`local:cluster: ${line}\n`);

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      endpoint: { type: "string" },
      host: { type: "string", default: DEFAULTS.host },
      "namesrv-port": { type: "string", default: DEFAULTS.namesrvPort },
      "broker-port": { type: "string", default: DEFAULTS.brokerPort },
      "data-dir": { type: "string", default: DEFAULTS.dataDir },
      config: { type: "string" },
      table: { type: "string" },
      bucket: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  for (const flag of ["namesrv-port", "broker-port"]) parsePort(`--${flag}`, values[flag]);
  return values;
}

/** Any HTTP answer means the endpoint is up; a refused or timed-out connection means it is not. */
async function checkEndpointUp(endpoint) {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3_000) });
  } catch (e) {
    const why = e?.cause?.code ?? e?.name ?? String(e);
    throw new UsageError(
      `no local cloud answers at ${endpoint} (${why}): start it with \`npm run local:up\` in another terminal, ` +
        "or point --endpoint / AWS_ENDPOINT_URL at a running one",
    );
  }
}

/** The table and bucket must exist: local:up creates them; this never does, so a wrong endpoint shows. */
async function checkProvisioned(endpoint, tableName, bucketName) {
  const clients = await loadDist("lib/ports/aws/aws-clients.js");
  const { DynamoDbMetadataStore } = await loadDist("lib/ports/aws/dynamodb-metadata-store.js");
  const { S3ObjectStore } = await loadDist("lib/ports/aws/s3-object-store.js");
  const o = localClientOptions(endpoint);
  const table = new DynamoDbMetadataStore({ client: clients.createDynamoDbClient(o), tableName });
  const bucket = new S3ObjectStore({ client: clients.createS3Client(o), bucket: bucketName });
  try {
    for (const [what, store] of [
      [`table ${tableName}`, table],
      [`bucket ${bucketName}`, bucket],
    ]) {
      try {
        await store.verify();
      } catch (e) {
        throw new UsageError(
          `${endpoint}: ${what}: ${e instanceof Error ? e.message : e}. Run \`npm run local:up\` (it creates the table ` +
            "and bucket), or pass the --table/--bucket it was given",
        );
      }
    }
  } finally {
    await table.close();
    await bucket.close?.();
  }
}

async function checkPortFree(host, port, flag) {
  if (await portInUse(host, port)) {
    throw new UsageError(
      `${host}:${port} is already in use (another NameServer or broker?): stop it, or pass ${flag} with a free port`,
    );
  }
}

async function main(argv) {
  const o = options(argv);
  if (o.help) {
    process.stdout.write(
      "usage: npm run local:cluster [-- --endpoint URL] [--namesrv-port N] [--broker-port N] [--host H]\n" +
        "                             [--data-dir D] [--config broker.conf] [--table NAME] [--bucket NAME]\n",
    );
    return 0;
  }
  const endpoint = o.endpoint ?? process.env.AWS_ENDPOINT_URL ?? DEFAULT_ENDPOINT;
  // The SDK clients of `stratus dev` read these.
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? LOCAL_REGION;
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  }
  process.env.AWS_EC2_METADATA_DISABLED ??= "true";
  const defs = await loadDist("lib/ports/aws/definitions.js");
  const tableName = o.table ?? process.env.STRATUS_METADATA_TABLE ?? defs.DEFAULT_METADATA_TABLE_NAME;
  const bucketName = o.bucket ?? process.env.STRATUS_TIER_BUCKET ?? defs.DEFAULT_BUCKET_NAME;
  await checkEndpointUp(endpoint);
  await checkProvisioned(endpoint, tableName, bucketName);
  const brokerPort = Number(o["broker-port"]);
  await checkPortFree(o.host, Number(o["namesrv-port"]), "--namesrv-port");
  await checkPortFree(o.host, brokerPort, "--broker-port");
  if (brokerPort > 2)
    await checkPortFree(o.host, brokerPort - 2, "--broker-port (the broker also listens on it minus 2)");
  note(
    `NameServer ${o.host}:${o["namesrv-port"]} and broker ${o.host}:${brokerPort} on ${endpoint} ` +
      `(DynamoDB table ${tableName}, S3 bucket ${bucketName}); clients use namesrvAddr=${o.host}:${o["namesrv-port"]}`,
  );
  const { main: stratus } = await loadDist("lib/cli/main.js");
  const args = ["dev", "--cloud", "aws", "--host", o.host, "--namesrv-port", o["namesrv-port"]];
  args.push("--broker-port", String(brokerPort), "--data-dir", o["data-dir"]);
  args.push("--metadata-table", tableName, "--bucket", bucketName);
  if (o.config !== undefined) args.push("--config", o.config);
  return stratus(args);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Like bin/stratus.js: `stratus dev` never resolves while it runs; a resolved code means it is over.
  main(process.argv.slice(2)).then(
    (code) => process.exit(typeof code === "number" ? code : 0),
    exitOnFailure("local:cluster"),
  );
}
