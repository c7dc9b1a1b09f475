import {
  closeSync,
  cpSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../lib/common/clock.js";
import { encodeSocketAddress } from "../../lib/protocol/message-id.js";
import { encodeProperties } from "../../lib/protocol/message-properties.js";
import type { MessageExtBrokerInner } from "../../lib/protocol/message-record.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";
import {
  DefaultMessageStore,
  defaultMessageStoreConfig,
  type MessageStoreHooks,
} from "../../lib/store/default-message-store.js";
import type { MessageStoreConfig } from "../../lib/store/message-store.js";

export const STORE_HOST = encodeSocketAddress("10.0.0.7:10911");
export const BORN_HOST = encodeSocketAddress("192.168.1.20:51234");

/** A fresh temp directory; `cleanup` removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stratus-store-"));
  const cleanup = () => {
    for (let i = 0; i < crashCopies; i++) rmSync(`${dir}-crash-${i}`, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, cleanup };
}

/** Small files so tests cross segment boundaries quickly. */
export function smallConfig(dir: string, over: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...defaultMessageStoreConfig(dir),
    mappedFileSizeCommitLog: 64 * 1024,
    mappedFileSizeConsumeQueue: 50 * 20,
    maxHashSlotNum: 64,
    maxIndexNum: 200,
    ...over,
  };
}

export interface MsgOptions {
  topic?: string;
  queueId?: number;
  body?: string | Buffer;
  tags?: string;
  keys?: string;
  uniqKey?: string;
  sysFlag?: number;
  props?: Record<string, string>;
}

export function msg(o: MsgOptions = {}): MessageExtBrokerInner {
  const props = new Map<string, string>();
  if (o.tags !== undefined) props.set("TAGS", o.tags);
  if (o.keys !== undefined) props.set("KEYS", o.keys);
  if (o.uniqKey !== undefined) props.set("UNIQ_KEY", o.uniqKey);
  for (const [k, v] of Object.entries(o.props ?? {})) props.set(k, v);
  return {
    topic: o.topic ?? "TopicTest",
    queueId: o.queueId ?? 0,
    flag: 0,
    body: typeof o.body === "string" || o.body === undefined ? Buffer.from(o.body ?? "hello") : o.body,
    propertiesString: encodeProperties(props),
    tagsCode: tagsString2tagsCode(o.tags),
    sysFlag: o.sysFlag ?? 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: BORN_HOST,
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

export async function openStore(
  config: MessageStoreConfig,
  clock?: Clock,
  hooks?: MessageStoreHooks,
): Promise<DefaultMessageStore> {
  const store = new DefaultMessageStore(config, clock, hooks);
  await store.start();
  return store;
}

/**
 * What a process crash leaves behind: a copy of the store directory taken while the store runs (the abort file
 * is still there, the checkpoint holds whatever it last held). Returns the copy's path.
 */
export function crashCopy(dir: string): string {
  const copy = `${dir}-crash-${crashCopies++}`;
  cpSync(dir, copy, { recursive: true });
  return copy;
}
let crashCopies = 0;

/** Path of the CommitLog file holding `phy` in `dir`. */
export function commitLogFile(dir: string, phy: number, segmentSize: number): string {
  return join(dir, "commitlog", String(phy - (phy % segmentSize)).padStart(20, "0"));
}

/** Overwrites CommitLog bytes at `phy` (within one file). */
export function overwriteCommitLog(dir: string, phy: number, segmentSize: number, bytes: Buffer): void {
  const fd = openSync(commitLogFile(dir, phy, segmentSize), "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, phy % segmentSize);
  } finally {
    closeSync(fd);
  }
}

/** A torn tail: zeroes the CommitLog from `phy` to the end of its file and deletes later files. */
export function tearCommitLog(dir: string, phy: number, segmentSize: number): void {
  overwriteCommitLog(dir, phy, segmentSize, Buffer.alloc(segmentSize - (phy % segmentSize)));
  const start = phy - (phy % segmentSize);
  for (const name of readdirSync(join(dir, "commitlog"))) {
    if (Number(name) > start) unlinkSync(join(dir, "commitlog", name));
  }
}
