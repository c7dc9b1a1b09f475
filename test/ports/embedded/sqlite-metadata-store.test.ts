import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { SqliteMetadataStore } from "../../../lib/ports/embedded/sqlite-metadata-store.js";
import { describeMetadataStoreContract } from "../metadata-store.contract.js";

describeMetadataStoreContract("embedded SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-metadata-"));
  const path = join(dir, "metadata.sqlite");
  return {
    propertyRuns: 100,
    open: async () => new SqliteMetadataStore(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe("SqliteMetadataStore", () => {
  it("keeps what it wrote across a reopen of the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-metadata-"));
    try {
      const path = join(dir, "nested", "metadata.sqlite");
      const first = new SqliteMetadataStore(path);
      await first.putIfAbsent({ pk: "p", sk: "s" }, { kept: true }, { expiresAtMs: 99 });
      await first.close();
      const second = new SqliteMetadataStore(path);
      expect(await second.get({ pk: "p", sk: "s" })).toEqual({
        key: { pk: "p", sk: "s" },
        value: { kept: true },
        version: 1,
        expiresAtMs: 99,
      });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails to open with CONFIG_INVALID naming a file that is not a database", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-metadata-"));
    try {
      const path = join(dir, "metadata.sqlite");
      writeFileSync(
        path,
        "this is not an SQLite database, just text long enough to have a header".repeat(10),
      );
      let error: unknown;
      try {
        new SqliteMetadataStore(path);
      } catch (e) {
        error = e;
      }
      expect(isStratusError(error, "CONFIG_INVALID") && error.message).toContain(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
