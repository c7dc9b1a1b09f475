/**
 * Socket addresses as stored in records, and offset message ids (protocol §8.5).
 *
 * Socket address bytes (big-endian):
 *   IPv4:  [0..4)  address   [4..8)   int port        = 8 bytes
 *   IPv6:  [0..16) address   [16..20) int port        = 20 bytes
 *
 * Offset message id = uppercase hex of: storeHost address + int port + long commitLogOffset
 *   = 16 bytes / 32 hex chars (IPv4) or 28 bytes / 56 hex chars (IPv6). "32 chars ⇒ IPv4".
 *
 * Text form of an address is Java's: "a.b.c.d:port" and, for IPv6, the uncompressed groups followed by
 * ":port" ("0:0:0:0:0:0:0:1:10911"); "[v6]:port" and compressed "::" forms are accepted on input.
 */
import { StratusError } from "../common/errors.js";

export const IPV4_SOCKET_ADDRESS_BYTES = 8;
export const IPV6_SOCKET_ADDRESS_BYTES = 20;
const IPV4_ADDRESS_BYTES = 4;
const IPV6_ADDRESS_BYTES = 16;
const OFFSET_BYTES = 8;
export const IPV4_OFFSET_MSG_ID_LENGTH = (IPV4_SOCKET_ADDRESS_BYTES + OFFSET_BYTES) * 2;
export const IPV6_OFFSET_MSG_ID_LENGTH = (IPV6_SOCKET_ADDRESS_BYTES + OFFSET_BYTES) * 2;
const TWO_POW_32 = 0x1_0000_0000;

function illegal(what: string): StratusError {
  return new StratusError("ILLEGAL_ARGUMENT", what);
}

function parseIpv4(s: string, out: Buffer, at: number): boolean {
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? "";
    if (!/^\d{1,3}$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

function parseGroups(s: string): number[] | undefined {
  if (s === "") return [];
  const groups: number[] = [];
  for (const g of s.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

function parseIpv6(text: string, out: Buffer): boolean {
  let s = text;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".", lastColon)) {
    // an embedded IPv4 tail ("::ffff:1.2.3.4") becomes its two hex groups
    const tail = Buffer.alloc(IPV4_ADDRESS_BYTES);
    if (!parseIpv4(s.slice(lastColon + 1), tail, 0)) return false;
    s = `${s.slice(0, lastColon + 1)}${tail.readUInt16BE(0).toString(16)}:${tail.readUInt16BE(2).toString(16)}`;
  }
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return false;
  const head = parseGroups(dbl >= 0 ? s.slice(0, dbl) : s);
  const rest = dbl >= 0 ? parseGroups(s.slice(dbl + 2)) : [];
  if (!head || !rest) return false;
  const missing = 8 - head.length - rest.length;
  if (dbl >= 0 ? missing < 1 : missing !== 0) return false;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  groups.forEach((g, i) => {
    out.writeUInt16BE(g, i * 2);
  });
  return true;
}

/** Splits "host:port" (host may be IPv6, bracketed or not) at the last colon. */
function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(":");
  if (i <= 0) throw illegal(`socket address without a port: ${JSON.stringify(addr)}`);
  let host = addr.slice(0, i);
  const portText = addr.slice(i + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw illegal(`bad port in socket address ${JSON.stringify(addr)}`);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, Number(portText)];
}

/** "ip:port" → 8 bytes (IPv4) or 20 bytes (IPv6). Throws ILLEGAL_ARGUMENT on anything else. */
export function encodeSocketAddress(addr: string): Buffer {
  const [host, port] = splitHostPort(addr);
  if (!host.includes(":")) {
    const buf = Buffer.alloc(IPV4_SOCKET_ADDRESS_BYTES);
    if (!parseIpv4(host, buf, 0)) throw illegal(`not an IPv4 address: ${JSON.stringify(host)}`);
    buf.writeInt32BE(port, IPV4_ADDRESS_BYTES);
    return buf;
  }
  const buf = Buffer.alloc(IPV6_SOCKET_ADDRESS_BYTES);
  if (!parseIpv6(host, buf)) throw illegal(`not an IPv6 address: ${JSON.stringify(host)}`);
  buf.writeInt32BE(port, IPV6_ADDRESS_BYTES);
  return buf;
}

/** 8 or 20 socket-address bytes → Java-style "ip:port". Throws RECORD_MALFORMED on any other length. */
export function decodeSocketAddress(buf: Buffer): string {
  if (buf.length === IPV4_SOCKET_ADDRESS_BYTES) {
    return `${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}:${buf.readInt32BE(IPV4_ADDRESS_BYTES)}`;
  }
  if (buf.length === IPV6_SOCKET_ADDRESS_BYTES) {
    const groups: string[] = [];
    for (let i = 0; i < IPV6_ADDRESS_BYTES; i += 2) groups.push(buf.readUInt16BE(i).toString(16));
    return `${groups.join(":")}:${buf.readInt32BE(IPV6_ADDRESS_BYTES)}`;
  }
  throw new StratusError("RECORD_MALFORMED", `socket address of ${buf.length} bytes (want 8 or 20)`);
}

/** Offset message id: uppercase hex of storeHost bytes + the commit-log offset as a long. */
export function createOffsetMessageId(storeHost: Buffer, commitLogOffset: number): string {
  if (storeHost.length !== IPV4_SOCKET_ADDRESS_BYTES && storeHost.length !== IPV6_SOCKET_ADDRESS_BYTES)
    throw illegal(`storeHost of ${storeHost.length} bytes (want 8 or 20)`);
  if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0)
    throw illegal(`commit-log offset ${commitLogOffset} is not a safe non-negative integer`);
  const buf = Buffer.allocUnsafe(storeHost.length + OFFSET_BYTES);
  storeHost.copy(buf, 0);
  buf.writeUInt32BE(Math.floor(commitLogOffset / TWO_POW_32), storeHost.length);
  buf.writeUInt32BE(commitLogOffset % TWO_POW_32, storeHost.length + 4);
  return buf.toString("hex").toUpperCase();
}

/** The store address and commit-log offset inside an offset message id, or undefined if it is not one. */
export function decodeOffsetMessageId(id: string): { address: string; offset: number } | undefined {
  if (id.length !== IPV4_OFFSET_MSG_ID_LENGTH && id.length !== IPV6_OFFSET_MSG_ID_LENGTH) return undefined;
  if (!/^[0-9A-Fa-f]*$/.test(id)) return undefined;
  const buf = Buffer.from(id, "hex");
  const hostLen = buf.length - OFFSET_BYTES;
  const hi = buf.readUInt32BE(hostLen);
  const lo = buf.readUInt32BE(hostLen + 4);
  const offset = hi * TWO_POW_32 + lo;
  if (!Number.isSafeInteger(offset)) return undefined;
  return { address: decodeSocketAddress(buf.subarray(0, hostLen)), offset };
}
