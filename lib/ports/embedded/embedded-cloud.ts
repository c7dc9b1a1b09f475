/**
 * The embedded cloud of `stratus dev` (docs/adr/0003): both ports under one directory, `D/cloud`.
 *   <cloudDir>/objects/...        FileObjectStore objects
 *   <cloudDir>/tmp/               puts in progress
 *   <cloudDir>/metadata.sqlite    SqliteMetadataStore (+ -wal, -shm)
 */
import { join } from "node:path";
import type { MetadataStore } from "../metadata-store.js";
import type { ObjectStore } from "../object-store.js";
import { FileObjectStore } from "./file-object-store.js";
import { SqliteMetadataStore } from "./sqlite-metadata-store.js";

export const EMBEDDED_METADATA_FILE = "metadata.sqlite";

export interface CloudPorts {
  readonly objectStore: ObjectStore;
  readonly metadataStore: MetadataStore;
}

/** Opens (creating if needed) and verifies the embedded cloud under `cloudDir`. */
export async function openEmbeddedCloud(cloudDir: string): Promise<CloudPorts> {
  const objectStore = new FileObjectStore(cloudDir);
  await objectStore.verify();
  await objectStore.clearTemporaryFiles();
  const metadataStore = new SqliteMetadataStore(join(cloudDir, EMBEDDED_METADATA_FILE));
  await metadataStore.verify();
  return { objectStore, metadataStore };
}
