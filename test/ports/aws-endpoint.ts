/**
 * The S3/DynamoDB API server the AWS port tests run against.
 *
 * Default: moto's server, installed into .cache/moto-venv on first use and started on a free loopback
 * port for the test file (stopped after it). Separately selected: when AWS_ENDPOINT_URL is set (e.g.
 * `AWS_ENDPOINT_URL=http://127.0.0.1:4566 npx vitest run test/ports` with LocalStack running), the same
 * suites run against that endpoint instead and nothing is started.
 */
import { randomBytes } from "node:crypto";
import type { AwsClientOptions } from "../../lib/ports/aws/aws-clients.js";
import { startMoto } from "../../localstack/moto.mjs";

export interface AwsTestEndpoint {
  readonly target: "moto" | "external";
  readonly endpoint: string;
  readonly clientOptions: AwsClientOptions;
  stop(): Promise<void>;
}

// The pinned SDK warns that its releases after January 2027 need Node 22; the project runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Long enough for a first-run install of moto (a cached run takes a second or two). */
export const AWS_ENDPOINT_SETUP_TIMEOUT_MS = 10 * 60_000;

export async function startAwsTestEndpoint(): Promise<AwsTestEndpoint> {
  const external = process.env.AWS_ENDPOINT_URL;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  if (external) {
    const credentials = process.env.AWS_ACCESS_KEY_ID
      ? undefined // the default provider chain reads them
      : { accessKeyId: "test", secretAccessKey: "test" };
    return {
      target: "external",
      endpoint: external,
      clientOptions: { endpoint: external, region, credentials },
      stop: async () => {},
    };
  }
  const moto = await startMoto({ log: (line) => process.stderr.write(`${line}\n`) });
  return {
    target: "moto",
    endpoint: moto.endpoint,
    clientOptions: {
      endpoint: moto.endpoint,
      region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    },
    stop: () => moto.stop(),
  };
}

/**
 * The environment a child process needs to reach `e` with the AWS SDK's default chain: endpoint, region,
 * credentials (the endpoint's own, else the ones this process has), and no instance-metadata lookups.
 */
export function awsProcessEnv(e: AwsTestEndpoint): Record<string, string> {
  const { region, credentials } = e.clientOptions;
  const id = credentials?.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
  const secret = credentials?.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY;
  return {
    AWS_ENDPOINT_URL: e.endpoint,
    AWS_REGION: region ?? "us-east-1",
    ...(id && secret ? { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret } : {}),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** A bucket or table name no other test uses (lowercase, valid for both S3 and DynamoDB). */
export function uniqueResourceName(kind: string): string {
  return `stratus-test-${kind}-${randomBytes(5).toString("hex")}`;
}

/**
 * Runs `fn` with no AWS credentials, region, profile or config files reachable through the environment
 * (and instance metadata off, so nothing leaves the machine), then restores the environment.
 */
export async function withoutAwsEnvironment<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env))
    if (k.startsWith("AWS_") || k === "AWS_PROFILE") delete process.env[k];
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/stratus-aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/stratus-aws-credentials",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
