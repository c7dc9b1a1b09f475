/**
 * The embedded ObjectStore for `stratus dev`: one file per object under `<root>/objects`.
 *
 * Layout: each key segment is percent-encoded (encodeURIComponent plus "~", so an encoded segment holds no
 * "/" and no "~"; "." and ".." are refused as keys); directories keep the encoded segment as their name and
 * the object file adds FILE_SUFFIX, so keys "a" and "a/b" coexist (file "a~obj", directory "a") and no
 * directory name can collide with an object file.
 *   <root>/objects/tier/b%231/00000000000000000000~obj   key "tier/b#1/00000000000000000000"
 *   <root>/tmp/<random>                               a put in progress
 *
 * A put writes a temporary file, fsyncs it, renames it into place and fsyncs the directory: readers see the
 * old object or the new one, and an acknowledged put survives a machine crash. Ranges are read with pread.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { StratusError } from "../../common/errors.js";
import {
  type ByteRange,
  checkReadSize,
  compareObjectKeys,
  type ListOptions,
  type ListPage,
  listPageSize,
  type ObjectInfo,
  type ObjectStore,
  validateByteRange,
  validateObjectBody,
  validateObjectKey,
  validateObjectPrefix,
} from "../object-store.js";

const FILE_SUFFIX = "~obj";

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Ranges up to this size are read without an fstat first (a tier block is 1 MiB); larger ones are sized. */
const UNSTATTED_RANGE_MAX_BYTES = 16 * 1024 * 1024;

/** Reads from `position` into `out` until it is full or the file ends; returns the bytes read. */
async function readFully(fh: FileHandle, out: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < out.length) {
    const { bytesRead } = await fh.read(out, done, out.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** The object, or `range` of it clamped to its size, which fstat gives before anything is allocated. */
async function readSized(fh: FileHandle, key: string, range: ByteRange | undefined): Promise<Buffer> {
  const size = (await fh.stat()).size;
  const start = Math.min(range?.start ?? 0, size);
  const end = Math.min(range?.end ?? size, size);
  checkReadSize(key, end - start);
  const out = Buffer.allocUnsafe(end - start);
  if ((await readFully(fh, out, start)) < out.length)
    throw new StratusError("STORE_IO", `object ${key} shrank while being read`);
  return out;
}

/**
 * A bounded range without an fstat (objects are immutable once renamed into place): reads until the range
 * is full or the file ends, and returns what lies inside the object, as S3 clamps a range to the object.
 */
async function readRange(fh: FileHandle, key: string, range: ByteRange): Promise<Buffer> {
  const length = Math.max(0, range.end - range.start);
  checkReadSize(key, length);
  const out = Buffer.allocUnsafe(length);
  const done = await readFully(fh, out, range.start);
  return done === length ? out : out.subarray(0, done);
}

export class FileObjectStore implements ObjectStore {
  private readonly objectsDir: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.objectsDir = join(root, "objects");
    this.tmpDir = join(root, "tmp");
  }

  async verify(): Promise<void> {
    try {
      await mkdir(this.objectsDir, { recursive: true });
      await mkdir(this.tmpDir, { recursive: true });
      const probe = join(this.tmpDir, `verify-${randomBytes(6).toString("hex")}`);
      const fh = await open(probe, "wx");
      await fh.close();
      await unlink(probe);
    } catch (e) {
      throw new StratusError(
        "CONFIG_INVALID",
        `object store directory ${this.root} is not writable: ${String(e)}`,
        {
          cause: e,
        },
      );
    }
  }

  async put(key: string, body: Buffer): Promise<void> {
    validateObjectKey(key);
    validateObjectBody(key, body);
    const target = this.pathOf(key);
    const dir = join(target, "..");
    await this.io(`put ${key}`, async () => {
      await mkdir(this.tmpDir, { recursive: true });
      await mkdir(dir, { recursive: true });
      const tmp = join(this.tmpDir, randomBytes(12).toString("hex"));
      const fh = await open(tmp, "wx");
      try {
        await fh.writeFile(body);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      await syncDir(dir);
    });
  }

  async get(key: string, range?: ByteRange): Promise<Buffer | undefined> {
    validateObjectKey(key);
    if (range) validateByteRange(range);
    return this.io(`get ${key}`, async () => {
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(this.pathOf(key), constants.O_RDONLY);
      } catch (e) {
        if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return undefined;
        throw e;
      }
      try {
        return range !== undefined && range.end - range.start <= UNSTATTED_RANGE_MAX_BYTES
          ? await readRange(fh, key, range)
          : await readSized(fh, key, range);
      } finally {
        await fh.close();
      }
    });
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    validateObjectKey(key);
    return this.io(`head ${key}`, async () => {
      try {
        const st = await stat(this.pathOf(key));
        return st.isFile() ? { size: st.size } : undefined;
      } catch (e) {
        if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return undefined;
        throw e;
      }
    });
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    validateObjectPrefix(prefix);
    const maxKeys = listPageSize(options);
    const after =
      options?.continuationToken === undefined ? undefined : decodeToken(options.continuationToken);
    const all = await this.io(`list ${prefix}`, () => this.collect(prefix));
    all.sort((a, b) => compareObjectKeys(a.key, b.key));
    const from = after === undefined ? 0 : all.findIndex((o) => compareObjectKeys(o.key, after) > 0);
    const rest = from < 0 ? [] : all.slice(from);
    const objects = rest.slice(0, maxKeys);
    const last = objects[objects.length - 1];
    return rest.length > maxKeys && last
      ? { objects, continuationToken: encodeToken(last.key) }
      : { objects };
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.io(`delete ${key}`, async () => {
      try {
        await unlink(this.pathOf(key));
      } catch (e) {
        if (errnoOf(e) !== "ENOENT" && errnoOf(e) !== "ENOTDIR") throw e;
      }
    });
  }

  async close(): Promise<void> {}

  /** Removes leftovers of puts interrupted by a crash. */
  async clearTemporaryFiles(): Promise<void> {
    await this.io("clear tmp", () => rm(this.tmpDir, { recursive: true, force: true }));
  }

  private pathOf(key: string): string {
    const segments = key.split("/").map(encodeSegment);
    const file = `${segments.pop()}${FILE_SUFFIX}`;
    return join(this.objectsDir, ...segments, file);
  }

  /** Every object whose key starts with `prefix`: walks only the directory the prefix fixes. */
  private async collect(prefix: string): Promise<ObjectInfo[]> {
    const fixed = prefix.split("/").slice(0, -1);
    // Whole segments of the prefix that no valid key has ("a//", "./"): nothing can match.
    if (fixed.some((s) => s === "" || s === "." || s === "..")) return [];
    const out: ObjectInfo[] = [];
    await this.walk(join(this.objectsDir, ...fixed.map(encodeSegment)), fixed, prefix, out);
    return out;
  }

  private async walk(dir: string, keyParts: string[], prefix: string, out: ObjectInfo[]): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        const parts = [...keyParts, decodeURIComponent(entry.name)];
        const dirKey = `${parts.join("/")}/`;
        if (dirKey.startsWith(prefix) || prefix.startsWith(dirKey)) {
          await this.walk(join(dir, entry.name), parts, prefix, out);
        }
      } else if (entry.isFile() && entry.name.endsWith(FILE_SUFFIX)) {
        const name = decodeURIComponent(entry.name.slice(0, -FILE_SUFFIX.length));
        const key = [...keyParts, name].join("/");
        if (!key.startsWith(prefix)) continue;
        const st = await stat(join(dir, entry.name)).catch(() => undefined);
        if (st) out.push({ key, size: st.size });
      }
    }
  }

  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StratusError) throw e;
      throw new StratusError("OBJECT_STORE_UNAVAILABLE", `object store ${this.root}: ${what}: ${String(e)}`, {
        cause: e,
      });
    }
  }
}

/** encodeURIComponent leaves "~" alone; escaping it too keeps FILE_SUFFIX unambiguous. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replaceAll("~", "%7E");
}

/** A continuation token is the last key listed, marked so that a token from elsewhere is refused. */
const TOKEN_MARK = "stratus-list:";

function encodeToken(lastKey: string): string {
  return Buffer.from(TOKEN_MARK + lastKey, "utf8").toString("base64url");
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString("utf8");
  const key = text.startsWith(TOKEN_MARK) ? text.slice(TOKEN_MARK.length) : "";
  if (key.length === 0) {
    throw new StratusError("ILLEGAL_ARGUMENT", "continuation token is not one this store gave");
  }
  validateObjectPrefix(key);
  return key;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
