/**
 * DataVersion (Apache `DataVersion`): the version stamp of a broker's topic table. The broker bumps it on every
 * topic change; the NameServer re-reads the topic table only when the registered version differs.
 *
 * JSON (fastjson bean, keys alphabetical): {"counter":<long>,"stateVersion":<long>,"timestamp":<long>}
 * 4.9.x has no stateVersion (it is read as 0). Longs are kept as JS numbers: counters and epoch milliseconds
 * stay far below 2^53, and a value past that is rejected rather than silently rounded.
 */
import { expectObject, fieldLong, parseFastjson, toFastjson } from "./fastjson.js";

export interface DataVersion {
  timestamp: number;
  counter: number;
  stateVersion: number;
}

/** What Java's namesrv uses for a registration without a body: counter 0, timestamp 0. */
export const EMPTY_DATA_VERSION: Readonly<DataVersion> = Object.freeze({
  timestamp: 0,
  counter: 0,
  stateVersion: 0,
});

export function dataVersionBean(v: DataVersion): Record<string, unknown> {
  return { counter: v.counter, stateVersion: v.stateVersion, timestamp: v.timestamp };
}

export function encodeDataVersion(v: DataVersion): Buffer {
  return Buffer.from(toFastjson(dataVersionBean(v)), "utf8");
}

export function decodeDataVersionValue(value: unknown, path: string): DataVersion {
  const o = expectObject(value, path);
  return {
    timestamp: fieldLong(o, "timestamp", path, 0),
    counter: fieldLong(o, "counter", path, 0),
    stateVersion: fieldLong(o, "stateVersion", path, 0),
  };
}

export function decodeDataVersion(body: Buffer, what = "DataVersion"): DataVersion {
  return decodeDataVersionValue(parseFastjson(body.toString("utf8"), what), what);
}

/** Java's `DataVersion.equals`: timestamp and counter; stateVersion does not take part. */
export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp;
}

/** The next version after a change (Java `nextVersion`): counter + 1, timestamp = now. */
export function nextDataVersion(v: DataVersion, nowMs: number): DataVersion {
  return { timestamp: nowMs, counter: v.counter + 1, stateVersion: v.stateVersion };
}
