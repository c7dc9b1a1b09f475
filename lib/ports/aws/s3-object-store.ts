/**
 * The ObjectStore on S3 (AWS SDK v3). Bodies below the multipart threshold go up in one PutObject; larger
 * ones in parts (CreateMultipartUpload, UploadPart a few at a time, CompleteMultipartUpload; aborted on
 * failure, and the bucket's lifecycle rule aborts what a crash left). Ranges become `Range: bytes=a-b`.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { StratusError } from "../../common/errors.js";
import {
  MAX_OBJECT_BYTES,
  MIN_OBJECT_MULTIPART_PART_BYTES,
  OBJECT_MULTIPART_CONCURRENCY,
  OBJECT_MULTIPART_PART_BYTES,
  OBJECT_MULTIPART_THRESHOLD_BYTES,
} from "../../common/limits.js";
import {
  type ByteRange,
  checkReadSize,
  type ListOptions,
  type ListPage,
  listPageSize,
  type ObjectStore,
  validateByteRange,
  validateObjectBody,
  validateObjectKey,
  validateObjectPrefix,
} from "../object-store.js";
import { awsErrorName, configurationProblem, httpStatusOf, unavailable } from "./aws-clients.js";

export interface S3ObjectStoreOptions {
  /** The store owns it: close() destroys it. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Bodies at least this large go up in parts (default OBJECT_MULTIPART_THRESHOLD_BYTES). */
  readonly multipartThresholdBytes?: number | undefined;
  /** Part size, >= MIN_OBJECT_MULTIPART_PART_BYTES (default OBJECT_MULTIPART_PART_BYTES). */
  readonly partBytes?: number | undefined;
}

function isNotFound(e: unknown): boolean {
  const name = awsErrorName(e);
  return name === "NoSuchKey" || name === "NotFound" || (httpStatusOf(e) === 404 && name !== "NoSuchBucket");
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;
  private readonly thresholdBytes: number;
  private readonly partBytes: number;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.partBytes = options.partBytes ?? OBJECT_MULTIPART_PART_BYTES;
    this.thresholdBytes = options.multipartThresholdBytes ?? OBJECT_MULTIPART_THRESHOLD_BYTES;
    if (this.partBytes < MIN_OBJECT_MULTIPART_PART_BYTES || this.thresholdBytes < this.partBytes) {
      throw new StratusError(
        "CONFIG_INVALID",
        `S3 part size ${this.partBytes} must be >= ${MIN_OBJECT_MULTIPART_PART_BYTES} and <= the multipart threshold ${this.thresholdBytes}`,
      );
    }
  }

  async verify(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const problem = configurationProblem(e);
      const status = httpStatusOf(e);
      let fix: string | undefined = problem;
      if (!fix && (status === 404 || awsErrorName(e) === "NoSuchBucket")) {
        fix = `S3 bucket ${this.bucket} does not exist: create it (localstack/provision.mjs does for local endpoints) or name an existing one`;
      } else if (!fix && status === 403) {
        fix = `access to S3 bucket ${this.bucket} is denied: grant s3:GetObject/PutObject/ListBucket/DeleteObject or check the credentials`;
      }
      if (fix) throw new StratusError("CONFIG_INVALID", fix, { cause: e });
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 bucket ${this.bucket}`, e);
    }
  }

  async put(key: string, body: Buffer): Promise<void> {
    validateObjectKey(key);
    validateObjectBody(key, body);
    if (body.length >= this.thresholdBytes) return this.putMultipart(key, body);
    await this.call(`put ${key}`, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length }),
      ),
    );
  }

  async get(key: string, range?: ByteRange): Promise<Buffer | undefined> {
    validateObjectKey(key);
    if (range) {
      validateByteRange(range);
      // S3 has no empty range: ask whether the object exists instead.
      if (range.end === range.start) return (await this.head(key)) ? Buffer.alloc(0) : undefined;
    }
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
        }),
      );
      if ((res.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        checkReadSize(key, res.ContentLength ?? 0);
      }
      const bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      // 416: the range starts at or past the end of an object that exists.
      if (awsErrorName(e) === "InvalidRange" || httpStatusOf(e) === 416) return Buffer.alloc(0);
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 get ${this.bucket}/${key}`, e);
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    validateObjectKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 head ${this.bucket}/${key}`, e);
    }
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    validateObjectPrefix(prefix);
    const maxKeys = listPageSize(options);
    let res: ListObjectsV2CommandOutput;
    try {
      res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: maxKeys,
          ...(options?.continuationToken ? { ContinuationToken: options.continuationToken } : {}),
        }),
      );
    } catch (e) {
      if (options?.continuationToken && awsErrorName(e) === "InvalidArgument") {
        throw new StratusError("ILLEGAL_ARGUMENT", "continuation token is not one this store gave", {
          cause: e,
        });
      }
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 ${this.bucket}: list ${prefix}`, e);
    }
    const objects = (res.Contents ?? []).map((o) => ({ key: o.Key ?? "", size: o.Size ?? 0 }));
    return res.IsTruncated && res.NextContinuationToken
      ? { objects, continuationToken: res.NextContinuationToken }
      : { objects };
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.call(`delete ${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async putMultipart(key: string, body: Buffer): Promise<void> {
    const created = await this.call(`start multipart ${key}`, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new StratusError("OBJECT_STORE_UNAVAILABLE", `S3 gave no upload id for ${key}`);
    try {
      const parts = await this.uploadParts(key, uploadId, body);
      await this.call(`complete multipart ${key}`, () =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (e) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined); // the bucket's lifecycle rule aborts it later
      throw e;
    }
  }

  /** Uploads the parts OBJECT_MULTIPART_CONCURRENCY at a time; returns them in part-number order. */
  private async uploadParts(
    key: string,
    uploadId: string,
    body: Buffer,
  ): Promise<{ PartNumber: number; ETag: string }[]> {
    const count = Math.ceil(body.length / this.partBytes);
    const parts: { PartNumber: number; ETag: string }[] = new Array(count);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < count && !failed) {
        const index = next++;
        const chunk = body.subarray(index * this.partBytes, (index + 1) * this.partBytes);
        const res = await this.call(`upload part ${index + 1} of ${key}`, () =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: index + 1,
              Body: chunk,
              ContentLength: chunk.length,
            }),
          ),
        );
        if (!res.ETag)
          throw new StratusError("OBJECT_STORE_UNAVAILABLE", `S3 gave no ETag for part ${index + 1}`);
        parts[index] = { PartNumber: index + 1, ETag: res.ETag };
      }
    };
    const guarded = () =>
      worker().catch((e: unknown) => {
        failed = true;
        throw e;
      });
    await Promise.all(Array.from({ length: Math.min(OBJECT_MULTIPART_CONCURRENCY, count) }, guarded));
    return parts;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw unavailable("OBJECT_STORE_UNAVAILABLE", `S3 ${this.bucket}: ${what}`, e);
    }
  }
}
