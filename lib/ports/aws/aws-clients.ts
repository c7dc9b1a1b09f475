/**
 * AWS SDK v3 clients for the S3 and DynamoDB ports, configured from the standard AWS environment and config
 * files (AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL and the
 * per-service AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB), with explicit overrides for tests.
 * A local endpoint (moto, LocalStack) gets path-style S3 addressing, which needs no wildcard DNS.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { StratusError, type StratusErrorCode } from "../../common/errors.js";

export interface AwsClientOptions {
  /** Overrides the environment's region. */
  readonly region?: string | undefined;
  /** Overrides AWS_ENDPOINT_URL(_S3|_DYNAMODB); setting one turns on S3 path-style addressing. */
  readonly endpoint?: string | undefined;
  /** Static credentials instead of the default provider chain. */
  readonly credentials?:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
    | undefined;
  /** Attempts per request, the first included (SDK standard retry mode, exponential backoff). */
  readonly maxAttempts?: number | undefined;
  /** Per-request socket timeout. */
  readonly requestTimeoutMs?: number | undefined;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const CONNECTION_TIMEOUT_MS = 3_000;

type Env = Readonly<Record<string, string | undefined>>;

function endpointFor(service: "S3" | "DYNAMODB", options: AwsClientOptions, env: Env): string | undefined {
  return options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? undefined;
}

function common(options: AwsClientOptions) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
    },
  };
}

export function createS3Client(options: AwsClientOptions = {}, env: Env = process.env): S3Client {
  const endpoint = endpointFor("S3", options, env);
  return new S3Client({
    ...common(options),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

export function createDynamoDbClient(options: AwsClientOptions = {}, env: Env = process.env): DynamoDBClient {
  const endpoint = endpointFor("DYNAMODB", options, env);
  return new DynamoDBClient({ ...common(options), ...(endpoint ? { endpoint } : {}) });
}

/** The error's name (SDK service exceptions and credential/region errors all carry one). */
export function awsErrorName(e: unknown): string {
  return e instanceof Error ? e.name : "";
}

export function httpStatusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * When `e` says the client is misconfigured (no region, no credentials, credentials refused), what to fix;
 * undefined for anything else.
 */
export function configurationProblem(e: unknown): string | undefined {
  const name = awsErrorName(e);
  const message = e instanceof Error ? e.message : String(e);
  if (/region is missing/i.test(message))
    return "no AWS region: set AWS_REGION (or a region in ~/.aws/config)";
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where a role is available";
  }
  if (
    [
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "UnrecognizedClientException",
      "InvalidSignatureException",
      "ExpiredToken",
      "ExpiredTokenException",
    ].includes(name)
  ) {
    return `AWS refused the credentials (${name}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE`;
  }
  return undefined;
}

/** Wraps a failure of the backing service; StratusErrors pass through. */
export function unavailable(code: StratusErrorCode, what: string, e: unknown): StratusError {
  if (e instanceof StratusError) return e;
  // DynamoDB's word for a request it will never accept (a bug or an argument past its limits): not retriable.
  if (awsErrorName(e) === "ValidationException") {
    return new StratusError("ILLEGAL_ARGUMENT", `${what}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  const detail =
    configurationProblem(e) ?? `${awsErrorName(e) || "error"}: ${e instanceof Error ? e.message : String(e)}`;
  return new StratusError(code, `${what}: ${detail}`, { cause: e });
}
