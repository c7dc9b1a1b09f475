import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEmbeddedCloud } from "../../../lib/ports/embedded/embedded-cloud.js";

describe("openEmbeddedCloud", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("keeps objects and metadata under the cloud directory across a reopen", async () => {
    const root = mkdtempSync(join(tmpdir(), "stratus-cloud-"));
    dirs.push(root);
    const cloud = join(root, "D", "cloud");
    const first = await openEmbeddedCloud(cloud);
    await first.objectStore.put("tier/chunk-0", Buffer.from("bytes"));
    await first.metadataStore.putIfAbsent({ pk: "p", sk: "s" }, "v");
    await first.objectStore.close();
    await first.metadataStore.close();
    expect(existsSync(join(cloud, "metadata.sqlite"))).toBe(true);
    expect(existsSync(join(cloud, "objects", "tier"))).toBe(true);
    const second = await openEmbeddedCloud(cloud);
    expect((await second.objectStore.get("tier/chunk-0"))?.toString()).toBe("bytes");
    expect((await second.metadataStore.get({ pk: "p", sk: "s" }))?.value).toBe("v");
    await second.metadataStore.close();
  });

  it("clears puts a crash interrupted", async () => {
    const root = mkdtempSync(join(tmpdir(), "stratus-cloud-"));
    dirs.push(root);
    await mkdir(join(root, "tmp"), { recursive: true });
    await writeFile(join(root, "tmp", "interrupted"), "half");
    const cloud = await openEmbeddedCloud(root);
    expect(existsSync(join(root, "tmp", "interrupted"))).toBe(false);
    await cloud.metadataStore.close();
  });
});
