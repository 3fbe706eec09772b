// Linux Netfilter NFLOG (LINKTYPE_NFLOG = 239), as Wireshark 4.0's epan/dissectors/packet-nflog.c decodes it.
// https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html; attribute types from <linux/netfilter/nfnetlink_log.h>.
// A 4-byte header (address family, version, resource id in network order), then TLVs: a 2-byte length that counts
// the 4-byte TLV header, a 2-byte type (top bit NLA_F_NESTED, masked off), the value, padding to 4 bytes. Length and
// type are in the capturing host's byte order; Wireshark 4.0 reads them as ENC_HOST_ENDIAN (little-endian on every
// host we run on, and wiretap swaps them for a byte-swapped pcap), so they are read little-endian here. Values are
// big-endian. The NFULA_PAYLOAD value is the packet: handed to the ethertype of NFULA_PACKET_HDR's hw protocol when
// that is non-zero, else to IPv4 or IPv6 by the family, else to data.
// Getters re-walk the TLVs (a handful per packet); the walk stops where Wireshark's does: a length below 4, or a
// TLV running past the captured bytes.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type Emit, type FieldDef, type FieldValue } from "./field.js";
import { copy, u16, u16le, u32 } from "./bytes.js";

export const LINKTYPE_NFLOG = 239;

/** NFPROTO_* families (Wireshark's nfproto_family_vals). */
export const NFPROTO_FAMILIES = { 0: "Unspecified", 1: "INET", 2: "IPv4", 3: "ARP", 5: "Netdev", 7: "Bridge", 10: "IPv6", 12: "DECnet" };
const NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10;
const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd;

/** Netfilter hooks (Wireshark's netfilter_hooks_vals). */
export const NF_HOOKS = { 0: "Pre-routing", 1: "Local in", 2: "Forward", 3: "Local out", 4: "Post-routing" };

// nfulnl_attr_type
const NFULA_PACKET_HDR = 1, NFULA_TIMESTAMP = 3, NFULA_IFINDEX_INDEV = 4, NFULA_IFINDEX_OUTDEV = 5;
const NFULA_IFINDEX_PHYSINDEV = 6, NFULA_IFINDEX_PHYSOUTDEV = 7, NFULA_PAYLOAD = 9, NFULA_PREFIX = 10;
const NFULA_UID = 11, NFULA_GID = 14;
export const NFULA_TYPES = {
  0: "NFULA_UNSPEC", 1: "NFULA_PACKET_HDR", 2: "NFULA_MARK", 3: "NFULA_TIMESTAMP", 4: "NFULA_IFINDEX_INDEV",
  5: "NFULA_IFINDEX_OUTDEV", 6: "NFULA_IFINDEX_PHYSINDEV", 7: "NFULA_IFINDEX_PHYSOUTDEV", 8: "NFULA_HWADDR",
  9: "NFULA_PAYLOAD", 10: "NFULA_PREFIX", 11: "NFULA_UID", 12: "NFULA_SEQ", 13: "NFULA_SEQ_GLOBAL", 14: "NFULA_GID",
  15: "NFULA_HWTYPE", 16: "NFULA_HWHEADER", 17: "NFULA_HWLEN",
};
const TYPE_MASK = 0x7fff;

// Byte offsets: header, then each TLV.
const FAMILY = 0;
const VERSION = 1;
const RES_ID = 2;
export const NFLOG_HEADER_LEN = RES_ID + 2;
const TLV_LEN = 0;
const TLV_TYPE = 2;
const TLV_VALUE = 4;
// NFULA_PACKET_HDR value: hw protocol (network order), hook, pad.
const HDR_HWPROTOCOL = 0;
const HDR_HOOK = 2;

const tlvLen = (b: Uint8Array, p: number) => u16le(b, p + TLV_LEN);
const tlvType = (b: Uint8Array, p: number) => u16le(b, p + TLV_TYPE) & TYPE_MASK;
const align4 = (n: number) => (n + 3) & ~3;

/**
 * Where the TLV at p ends, or -1 when the walk stops there: fewer than 4 bytes left, a length below 4, or a TLV
 * running past the captured bytes (Wireshark: return, or an exception before the TLV is shown).
 */
function tlvEnd(b: Uint8Array, p: number, end: number): number {
  if (end - p < TLV_VALUE) return -1;
  const n = tlvLen(b, p);
  return n < TLV_VALUE || n > end - p ? -1 : p + n;
}

/** Offset of the first complete TLV of `type` whose value is `size` bytes (any size when size < 0), or -1. */
function find(b: Uint8Array, o: number, end: number, type: number, size: number): number {
  for (let p = o + NFLOG_HEADER_LEN, e = tlvEnd(b, p, end); e >= 0; p += align4(e - p), e = tlvEnd(b, p, end)) {
    if (tlvType(b, p) === type && (size < 0 || e - p - TLV_VALUE === size)) return p;
  }
  return -1;
}

/** Emits pick(b, p, e) for every complete TLV b[p..e) where it is defined. */
function eachTlv(b: Uint8Array, o: number, end: number, emit: Emit, pick: (b: Uint8Array, p: number, e: number) => FieldValue): void {
  for (let p = o + NFLOG_HEADER_LEN, e = tlvEnd(b, p, end); e >= 0; p += align4(e - p), e = tlvEnd(b, p, end)) {
    const v = pick(b, p, e);
    if (v !== undefined) emit(v);
  }
}

/** The types Wireshark 4.0 decodes into a field of their own; any other type's value shows as nflog.tlv_value. */
function handled(type: number, valueLen: number): boolean {
  switch (type) {
    case NFULA_PAYLOAD: return true;
    case NFULA_PREFIX: return valueLen >= 1;
    case NFULA_TIMESTAMP: return valueLen === 16;
    case NFULA_PACKET_HDR: case NFULA_IFINDEX_INDEV: case NFULA_IFINDEX_OUTDEV: case NFULA_IFINDEX_PHYSINDEV:
    case NFULA_IFINDEX_PHYSOUTDEV: case NFULA_UID: case NFULA_GID:
      return valueLen === 4;
    default: return false;
  }
}

/** A field read from the value of the first TLV of `type` with a `size`-byte value. */
const attr = (type: number, size: number, read: (b: Uint8Array, v: number, n: number) => FieldValue) =>
  (b: Uint8Array, o: number, end: number): FieldValue => {
    const p = find(b, o, end, type, size);
    return p < 0 ? undefined : read(b, p + TLV_VALUE, tlvLen(b, p) - TLV_VALUE);
  };

/** FT_STRINGZ with ENC_ASCII as Wireshark 4.0 shows it: up to the first NUL, bytes above 0x7f as U+FFFD. */
function stringz(b: Uint8Array, v: number, n: number): string {
  let s = "";
  for (let i = 0; i < n && b[v + i] !== 0; i++) s += b[v + i] < 0x80 ? String.fromCharCode(b[v + i]) : "\ufffd";
  return s;
}

/** NFULA_TIMESTAMP: 64-bit seconds and 64-bit microseconds, big-endian (ENC_TIME_SECS_USECS). */
const timestamp = (b: Uint8Array, v: number): number =>
  (u32(b, v) * 4294967296 + u32(b, v + 4)) + (u32(b, v + 8) * 4294967296 + u32(b, v + 12)) / 1e6;

export const FIELDS: readonly FieldDef[] = [
  protocolField("nflog", "Linux Netfilter NFLOG", "Packet logged by the Linux netfilter NFLOG target"),
  { abbrev: "nflog.family", name: "Family", type: "uint8", values: NFPROTO_FAMILIES, description: "Netfilter protocol family (NFPROTO_*) of the logged packet", get: (b, o, e) => (e - o > FAMILY ? b[o + FAMILY] : undefined) },
  { abbrev: "nflog.version", name: "Version", type: "uint8", description: "nfnetlink version", get: (b, o, e) => (e - o > VERSION ? b[o + VERSION] : undefined) },
  { abbrev: "nflog.res_id", name: "Resource id", type: "uint16", description: "NFLOG group (network byte order)", get: (b, o, e) => (e - o >= NFLOG_HEADER_LEN ? u16(b, o + RES_ID) : undefined) },
  { abbrev: "nflog.tlv", name: "TLV", type: "bytes", description: "One whole TLV (header and value, without padding)", each: (b, o, e, _r, _a, emit) => eachTlv(b, o, e, emit, (b, p, q) => copy(b, p, q - p)) },
  { abbrev: "nflog.tlv_length", name: "Length", type: "uint16", description: "TLV Length", each: (b, o, e, _r, _a, emit) => eachTlv(b, o, e, emit, (_b, p, q) => q - p) },
  { abbrev: "nflog.tlv_type", name: "Type", type: "uint16", mask: TYPE_MASK, values: NFULA_TYPES, description: "TLV Type", each: (b, o, e, _r, _a, emit) => eachTlv(b, o, e, emit, tlvType) },
  { abbrev: "nflog.protocol", name: "HW protocol", type: "uint16", base: "hex", description: "Ethertype of the logged packet (NFULA_PACKET_HDR)", get: attr(NFULA_PACKET_HDR, 4, (b, v) => u16(b, v + HDR_HWPROTOCOL)) },
  { abbrev: "nflog.hook", name: "Netfilter hook", type: "uint8", values: NF_HOOKS, description: "Netfilter hook the packet was logged at (NFULA_PACKET_HDR)", get: attr(NFULA_PACKET_HDR, 4, (b, v) => b[v + HDR_HOOK]) },
  { abbrev: "nflog.ifindex_indev", name: "IFINDEX_INDEV", type: "uint32", description: "Index of the input interface", get: attr(NFULA_IFINDEX_INDEV, 4, u32) },
  { abbrev: "nflog.ifindex_outdev", name: "IFINDEX_OUTDEV", type: "uint32", description: "Index of the output interface", get: attr(NFULA_IFINDEX_OUTDEV, 4, u32) },
  { abbrev: "nflog.ifindex_physindev", name: "IFINDEX_PHYSINDEV", type: "uint32", description: "Index of the physical input interface (bridge)", get: attr(NFULA_IFINDEX_PHYSINDEV, 4, u32) },
  { abbrev: "nflog.ifindex_physoutdev", name: "IFINDEX_PHYSOUTDEV", type: "uint32", description: "Index of the physical output interface (bridge)", get: attr(NFULA_IFINDEX_PHYSOUTDEV, 4, u32) },
  { abbrev: "nflog.prefix", name: "Prefix", type: "string", description: "TLV Prefix Value", get: attr(NFULA_PREFIX, -1, (b, v, n) => (n >= 1 ? stringz(b, v, n) : undefined)) },
  { abbrev: "nflog.uid", name: "UID", type: "int32", description: "TLV UID Value", get: attr(NFULA_UID, 4, (b, v) => u32(b, v) | 0) },
  { abbrev: "nflog.gid", name: "GID", type: "int32", description: "TLV GID Value", get: attr(NFULA_GID, 4, (b, v) => u32(b, v) | 0) },
  { abbrev: "nflog.timestamp", name: "Timestamp", type: "abs_time", description: "TLV Timestamp Value", get: attr(NFULA_TIMESTAMP, 16, timestamp) },
  {
    abbrev: "nflog.tlv_value", name: "Value", type: "bytes", description: "TLV Value (types without a field of their own)",
    each: (b, o, e, _r, _a, emit) => eachTlv(b, o, e, emit, (b, p, q) => (handled(tlvType(b, p), q - p - TLV_VALUE) ? undefined : copy(b, p + TLV_VALUE, q - p - TLV_VALUE))),
  },
];

/** The view + hand-off: walks the TLVs once, then hands NFULA_PAYLOAD (the last one) on. Never throws. */
export const nflog: Dissector = {
  proto: "nflog",
  name: "Linux Netfilter NFLOG",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (end - o < NFLOG_HEADER_LEN) {
      ctx.malformed("nflog", `frame shorter than the ${NFLOG_HEADER_LEN}-byte NFLOG header`);
      return null;
    }
    const repEnd = o + rep;
    let hw = 0, payload = -1, payloadLen = 0, p = o + NFLOG_HEADER_LEN;
    while (end - p >= TLV_VALUE) {
      const n = tlvLen(b, p), type = tlvType(b, p);
      if (n < TLV_VALUE) {
        ctx.malformed("nflog", `TLV length ${n} at offset ${p - o} is below the 4-byte TLV header`);
        break;
      }
      if (n > end - p) {
        // Wireshark 4.0 raises an exception adding the TLV, so a payload cut by the snap length is not handed on.
        ctx.malformed("nflog", p + n > repEnd ? `TLV of length ${n} at offset ${p - o} runs past the end of the packet`
          : `TLV of length ${n} at offset ${p - o} cut off by the snap length`);
        break;
      }
      if (type === NFULA_PACKET_HDR && n === TLV_VALUE + 4) hw = u16(b, p + TLV_VALUE + HDR_HWPROTOCOL);
      else if (type === NFULA_PAYLOAD) { payload = p + TLV_VALUE; payloadLen = n - TLV_VALUE; }
      p += align4(n);
    }
    if (payload < 0) return null;
    const data = ctx.tables.data;
    const family = b[o + FAMILY];
    const next = hw !== 0 ? ctx.tables.ethertype[hw] ?? data
      : family === NFPROTO_IPV4 ? ctx.tables.ethertype[ETHERTYPE_IPV4] ?? data
      : family === NFPROTO_IPV6 ? ctx.tables.ethertype[ETHERTYPE_IPV6] ?? data
      : data;
    return handOff(ctx, next, payload, payload + payloadLen, payloadLen);
  },
};

/** Info-column summary: the family and the prefix, if any. */
export function summary(b: Uint8Array, o: number, end: number): string {
  const fam = end - o > FAMILY ? b[o + FAMILY] : -1;
  const prefix = attr(NFULA_PREFIX, -1, (b, v, n) => stringz(b, v, n))(b, o, end);
  const name = NFPROTO_FAMILIES[fam as keyof typeof NFPROTO_FAMILIES] ?? `family ${fam}`;
  return prefix ? `NFLOG ${name} "${prefix}"` : `NFLOG ${name}`;
}
