/**
 * REGISTER_BROKER (103): request header, body (Apache `RegisterBrokerBody`) and response header.
 *
 * Body, uncompressed (header `compressed` false; what Java brokers send by default): fastjson bean JSON
 *   {"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":<DataVersion>,
 *     "topicConfigTable":{"<topic>":<TopicConfig bean>,...}}}
 *   5.x adds `topicQueueMappingInfoMap`/`mappingDataVersion` inside the wrapper (static topics; ignored here).
 *   Brokers older than V3_0_11 (version 37) send the bare wrapper; `decodeTopicConfigSerializeWrapper` reads it.
 *
 * Body, compressed (`compressed` true, broker config compressedRegister): a zlib (Deflater) stream of
 *   offset  size  field
 *   0       4     dataVersionLength (int, big-endian)        then dataVersionLength bytes of DataVersion JSON
 *   ..      4     topicCount                                 then per topic:
 *                   4  length                               then length bytes of the TopicConfig text form
 *                                                            ("name read write perm filterType {attrs}")
 *   ..      4     filterServerListLength                     then that many bytes of JSON array of strings
 *   ..      4     mappingCount (5.x only; absent in 4.9.x)   then per mapping: 4 length + TopicQueueMappingInfo JSON
 *   The text form does not carry topicSysFlag/order: they decode as 0/false, as in Java.
 *
 * Header `bodyCrc32`: when non-zero it must equal crc32(body) & 0x7fffffff (`registerBrokerBodyCrc32`).
 * Response header: haServerAddr and masterAddr of the master, set only when a slave registers.
 */
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { StratusError } from "../common/errors.js";
import { MAX_REGISTER_BODY_INFLATED_BYTES } from "../common/limits.js";
import {
  type DataVersion,
  dataVersionBean,
  decodeDataVersionValue,
  EMPTY_DATA_VERSION,
} from "./data-version.js";
import { expectObject, optionalObject, parseFastjson, stringList, toFastjson } from "./fastjson.js";
import {
  type ExtFields,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireNumber,
  requireString,
} from "./header/ext-fields.js";
import { toExtFields } from "./namesrv-headers.js";
import {
  decodeTopicConfig,
  decodeTopicConfigText,
  encodeTopicConfigText,
  type TopicConfig,
  topicConfigBean,
} from "./topic-config.js";

/** MQVersion V3_0_11: from this broker version on the body is a RegisterBrokerBody, before it the bare wrapper. */
export const REGISTER_BROKER_BODY_MIN_VERSION = 37;

export interface TopicConfigSerializeWrapper {
  dataVersion: DataVersion;
  topicConfigTable: ReadonlyMap<string, TopicConfig>;
}

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

export interface RegisterBrokerRequestHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  haServerAddr: string;
  brokerId: number;
  /** 5.x: liveness timeout for this broker; absent means the NameServer default. */
  heartbeatTimeoutMillis?: number | undefined;
  /** 5.x: absent means an "old" broker (no acting master support). */
  enableActingMaster?: boolean | undefined;
  compressed: boolean;
  /** 0 means "not checked". */
  bodyCrc32: number;
}

export interface RegisterBrokerResponseHeader {
  haServerAddr?: string | undefined;
  masterAddr?: string | undefined;
}

/** Java UtilAll.crc32: CRC-32 of the body, masked to a non-negative int. */
export function registerBrokerBodyCrc32(body: Buffer): number {
  return crc32(body) & 0x7fffffff;
}

export function encodeRegisterBrokerRequestHeader(h: RegisterBrokerRequestHeader): Record<string, string> {
  return toExtFields({ ...h });
}

export function decodeRegisterBrokerRequestHeader(ext: ExtFields): RegisterBrokerRequestHeader {
  return {
    brokerName: requireString(ext, "brokerName"),
    brokerAddr: requireString(ext, "brokerAddr"),
    clusterName: requireString(ext, "clusterName"),
    haServerAddr: requireString(ext, "haServerAddr"),
    brokerId: requireNumber(ext, "brokerId"),
    heartbeatTimeoutMillis: optionalNumber(ext, "heartbeatTimeoutMillis"),
    enableActingMaster: optionalBoolean(ext, "enableActingMaster"),
    compressed: optionalBoolean(ext, "compressed") ?? false,
    bodyCrc32: optionalNumber(ext, "bodyCrc32") ?? 0,
  };
}

export function encodeRegisterBrokerResponseHeader(h: RegisterBrokerResponseHeader): Record<string, string> {
  return toExtFields({ haServerAddr: h.haServerAddr, masterAddr: h.masterAddr });
}

export function decodeRegisterBrokerResponseHeader(ext: ExtFields): RegisterBrokerResponseHeader {
  return { haServerAddr: optionalString(ext, "haServerAddr"), masterAddr: optionalString(ext, "masterAddr") };
}

function wrapperBean(w: TopicConfigSerializeWrapper): Record<string, unknown> {
  const table = new Map<string, unknown>();
  for (const [topic, tc] of w.topicConfigTable) table.set(topic, topicConfigBean(tc));
  return { dataVersion: dataVersionBean(w.dataVersion), topicConfigTable: table };
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

function lengthPrefixed(text: string): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  return [int32(bytes.length), bytes];
}

function encodeCompressed(body: RegisterBrokerBody): Buffer {
  const w = body.topicConfigSerializeWrapper;
  const parts: Buffer[] = [
    ...lengthPrefixed(toFastjson(dataVersionBean(w.dataVersion))),
    int32(w.topicConfigTable.size),
  ];
  for (const tc of w.topicConfigTable.values()) parts.push(...lengthPrefixed(encodeTopicConfigText(tc)));
  parts.push(...lengthPrefixed(toFastjson(body.filterServerList)), int32(0));
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

/** The body a broker sends; `compressed` must match the header's `compressed` flag. */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Buffer {
  if (compressed) return encodeCompressed(body);
  const bean = {
    filterServerList: body.filterServerList,
    topicConfigSerializeWrapper: wrapperBean(body.topicConfigSerializeWrapper),
  };
  return Buffer.from(toFastjson(bean), "utf8");
}

function decodeWrapperValue(v: unknown, path: string): TopicConfigSerializeWrapper {
  const o = optionalObject(v, path) ?? {};
  const dv = optionalObject(o.dataVersion, `${path}.dataVersion`);
  const table = new Map<string, TopicConfig>();
  const rawTable = optionalObject(o.topicConfigTable, `${path}.topicConfigTable`) ?? {};
  for (const topic of Object.keys(rawTable)) {
    const tc = decodeTopicConfig(rawTable[topic], `${path}.topicConfigTable.${topic}`, topic);
    table.set(tc.topicName, tc);
  }
  return {
    dataVersion:
      dv === undefined ? { ...EMPTY_DATA_VERSION } : decodeDataVersionValue(dv, `${path}.dataVersion`),
    topicConfigTable: table,
  };
}

/** The bare TopicConfigSerializeWrapper JSON that brokers older than V3_0_11 send. */
export function decodeTopicConfigSerializeWrapper(
  body: Buffer,
  what = "TopicConfigSerializeWrapper",
): TopicConfigSerializeWrapper {
  return decodeWrapperValue(parseFastjson(body.toString("utf8"), what), what);
}

/** Sequential reads over the inflated compressed body; every length is checked before it is used. */
class Reader {
  private at = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  atEnd(): boolean {
    return this.at >= this.buf.length;
  }

  int(field: string): number {
    if (this.at + 4 > this.buf.length) throw this.truncated(field);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  text(field: string): string {
    const len = this.int(`${field} length`);
    if (len < 0 || len > this.buf.length - this.at) throw this.truncated(field);
    const s = this.buf.toString("utf8", this.at, this.at + len);
    this.at += len;
    return s;
  }

  count(field: string): number {
    const n = this.int(field);
    if (n < 0 || n > (this.buf.length - this.at) / 4) {
      throw new StratusError("ILLEGAL_ARGUMENT", `${this.what}: ${field} ${n} does not fit the body`);
    }
    return n;
  }

  private truncated(field: string): StratusError {
    return new StratusError("ILLEGAL_ARGUMENT", `${this.what}: truncated at ${field} (offset ${this.at})`);
  }
}

function inflate(body: Buffer, what: string): Buffer {
  try {
    return inflateSync(body, { maxOutputLength: MAX_REGISTER_BODY_INFLATED_BYTES });
  } catch (e) {
    throw new StratusError("ILLEGAL_ARGUMENT", `${what}: cannot inflate (${(e as Error).message})`);
  }
}

function decodeCompressed(body: Buffer, what: string): RegisterBrokerBody {
  const r = new Reader(inflate(body, what), what);
  const dataVersion = decodeDataVersionValue(
    parseFastjson(r.text("dataVersion"), what),
    `${what}.dataVersion`,
  );
  const topicConfigTable = new Map<string, TopicConfig>();
  const topics = r.count("topicCount");
  for (let i = 0; i < topics; i++) {
    const tc = decodeTopicConfigText(r.text(`topic ${i}`), `${what}.topic[${i}]`);
    topicConfigTable.set(tc.topicName, tc);
  }
  const filterServerList = stringList(
    parseFastjson(r.text("filterServerList"), what),
    `${what}.filterServerList`,
  );
  if (!r.atEnd()) {
    const mappings = r.count("mappingCount");
    for (let i = 0; i < mappings; i++) r.text(`mapping ${i}`);
  }
  return { topicConfigSerializeWrapper: { dataVersion, topicConfigTable }, filterServerList };
}

/** Decode a REGISTER_BROKER body in either form. Failures are StratusError("ILLEGAL_ARGUMENT"). */
export function decodeRegisterBrokerBody(
  body: Buffer,
  compressed: boolean,
  what = "RegisterBrokerBody",
): RegisterBrokerBody {
  if (compressed) return decodeCompressed(body, what);
  const o = expectObject(parseFastjson(body.toString("utf8"), what), what);
  return {
    topicConfigSerializeWrapper: decodeWrapperValue(
      o.topicConfigSerializeWrapper,
      `${what}.topicConfigSerializeWrapper`,
    ),
    filterServerList: stringList(o.filterServerList, `${what}.filterServerList`),
  };
}
