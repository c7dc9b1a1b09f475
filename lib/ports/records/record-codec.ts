/**
 * Shared plumbing of the typed record helpers: reading every page of a partition, and turning stored JSON
 * back into a record with its shape checked (a malformed item is STORE_CORRUPT, never a TypeError later).
 */
import { StratusError } from "../../common/errors.js";
import type { JsonValue, MetadataItem, MetadataStore, QueryOptions } from "../metadata-store.js";

/** Every item of a partition matching `options` (prefix/start/end/reverse), following cursors. */
export async function queryAll(
  store: MetadataStore,
  pk: string,
  options: Omit<QueryOptions, "cursor" | "limit"> = {},
): Promise<MetadataItem[]> {
  const out: MetadataItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query(pk, { ...options, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

export type JsonObject = { [key: string]: JsonValue };

export function corrupt(item: MetadataItem, why: string): StratusError {
  return new StratusError("STORE_CORRUPT", `metadata item ${item.key.pk} ${item.key.sk}: ${why}`);
}

export function objectValue(item: MetadataItem): JsonObject {
  const v = item.value;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw corrupt(item, "value is not an object");
  return v;
}

export function numberField(item: MetadataItem, o: JsonObject, name: string): number {
  const v = o[name];
  if (typeof v !== "number" || !Number.isFinite(v)) throw corrupt(item, `${name} is not a number`);
  return v;
}

export function stringField(item: MetadataItem, o: JsonObject, name: string): string {
  const v = o[name];
  if (typeof v !== "string") throw corrupt(item, `${name} is not a string`);
  return v;
}

export function objectField(item: MetadataItem, o: JsonObject, name: string): JsonObject {
  const v = o[name];
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw corrupt(item, `${name} is not an object`);
  return v;
}
