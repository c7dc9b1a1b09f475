import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, readdir, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { MAX_OBJECT_BYTES } from "../../../lib/common/limits.js";
import { FileObjectStore } from "../../../lib/ports/embedded/file-object-store.js";
import { describeObjectStoreContract } from "../object-store.contract.js";

describeObjectStoreContract("embedded files", async () => {
  const root = mkdtempSync(join(tmpdir(), "stratus-objects-"));
  return {
    store: new FileObjectStore(root),
    largeObjectBytes: 11 * 1024 * 1024 + 123,
    propertyRuns: 60,
    partBytes: 5 * 1024 * 1024,
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});

describe("FileObjectStore", () => {
  const roots: string[] = [];
  const fresh = () => {
    const root = mkdtempSync(join(tmpdir(), "stratus-objects-"));
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it("leaves no temporary file behind after a put", async () => {
    const root = fresh();
    const store = new FileObjectStore(root);
    await store.put("a/b", Buffer.from("x"));
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("ignores files it did not write and clears interrupted puts", async () => {
    const root = fresh();
    const store = new FileObjectStore(root);
    await store.put("k/v", Buffer.from("x"));
    await writeFile(join(root, "objects", "k", "stray-file"), "junk");
    await mkdir(join(root, "tmp"), { recursive: true });
    await writeFile(join(root, "tmp", "half-written"), "partial");
    expect((await store.list("")).objects.map((o) => o.key)).toEqual(["k/v"]);
    await store.clearTemporaryFiles();
    await expect(readdir(join(root, "tmp"))).rejects.toThrow();
  });

  it("fails verify with CONFIG_INVALID when its directory cannot be created", async () => {
    const root = fresh();
    await writeFile(join(root, "file"), "x");
    const store = new FileObjectStore(join(root, "file", "below"));
    const e = await store.verify().catch((err: unknown) => err);
    expect(isStratusError(e, "CONFIG_INVALID") && e.message).toContain(join(root, "file", "below"));
  });

  it("refuses to read an object past MAX_OBJECT_BYTES at once, but serves ranges of it", async () => {
    const root = fresh();
    const store = new FileObjectStore(root);
    await store.put("huge", Buffer.from("head"));
    await truncate(join(root, "objects", "huge~obj"), MAX_OBJECT_BYTES + 1); // sparse: no disk used
    const e = await store.get("huge").catch((err: unknown) => err);
    expect(isStratusError(e, "LIMIT_EXCEEDED")).toBe(true);
    expect((await store.get("huge", { start: 0, end: 4 }))?.toString()).toBe("head");
    expect(await store.head("huge")).toEqual({ size: MAX_OBJECT_BYTES + 1 });
  });

  it("raises OBJECT_STORE_UNAVAILABLE when the disk refuses a write", async () => {
    const root = fresh();
    await writeFile(join(root, "objects"), "a file where the objects directory should be");
    const e = await new FileObjectStore(root).put("a", Buffer.from("x")).catch((err: unknown) => err);
    expect(isStratusError(e, "OBJECT_STORE_UNAVAILABLE") && e.retriable).toBe(true);
  });
});
