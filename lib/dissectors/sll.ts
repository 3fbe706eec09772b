// Linux "cooked" capture headers: SLL v1 (LINKTYPE_LINUX_SLL = 113, 16 bytes) and SLL2 (LINKTYPE_LINUX_SLL2 = 276,
// 20 bytes), both the `sll` protocol as in Wireshark (epan/dissectors/packet-sll.c; tshark 4.0 prints
// "sll:ethertype:ip:…" for either). https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and _SLL2.html.
// A protocol value above 1536 is an ethertype; up to 1536 it is a Linux-internal type (4 = 802.2 LLC).
// The layer's aux is the header version (1 or 2); getters read the right offsets from it.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { copy, mac, u16, u32 } from "./bytes.js";
import { etherKey, ethertype } from "./ethertype.js";
import { OWNER_SLL, trailerField } from "./link-trailer.js";

export const LINKTYPE_LINUX_SLL2 = 276;

export const PACKET_TYPES = {
  0: "Unicast to us", 1: "Broadcast", 2: "Multicast", 3: "Unicast to another host", 4: "Sent by us",
};
/** Linux protocol values (<= 1536) that name a payload rather than an ethertype. */
const LTYPE_802_2 = 0x0004;
const MAX_LTYPE = 1536;
const ARPHRD_IPGRE = 778;
const ADDR_SLOT = 8;

// Byte offsets, SLL v1: packet type, ARPHRD type, address length, address (8 bytes), protocol.
const V1_PKTTYPE = 0;
const V1_HATYPE = 2;
const V1_HALEN = 4;
const V1_ADDR = 6;
const V1_PROTOCOL = V1_ADDR + ADDR_SLOT;
export const SLL_HEADER_LEN = V1_PROTOCOL + 2;
// SLL2: protocol, reserved, interface index, ARPHRD type, packet type, address length, address.
const V2_PROTOCOL = 0;
const V2_IFINDEX = 4;
const V2_HATYPE = 8;
const V2_PKTTYPE = 10;
const V2_HALEN = 11;
const V2_ADDR = 12;
export const SLL2_HEADER_LEN = V2_ADDR + ADDR_SLOT;

const headerLen = (v: number) => (v === 2 ? SLL2_HEADER_LEN : SLL_HEADER_LEN);
const whole = (o: number, end: number, v: number) => end - o >= headerLen(v);
const protocol = (b: Uint8Array, o: number, v: number) => u16(b, o + (v === 2 ? V2_PROTOCOL : V1_PROTOCOL));
const hatype = (b: Uint8Array, o: number, v: number) => u16(b, o + (v === 2 ? V2_HATYPE : V1_HATYPE));
const halen = (b: Uint8Array, o: number, v: number) => (v === 2 ? b[o + V2_HALEN] : u16(b, o + V1_HALEN));
const addrAt = (o: number, v: number) => o + (v === 2 ? V2_ADDR : V1_ADDR);

/** A field read from a complete header of either version. */
const hdr = (read: (b: Uint8Array, o: number, v: number) => number | Uint8Array | undefined): Getter =>
  (b, o, e, _r, v) => (whole(o, e, v) ? read(b, o, v) : undefined);

export const FIELDS: readonly FieldDef[] = [
  protocolField("sll", "Linux cooked-mode capture", "Linux cooked capture header, v1 (16 bytes) or v2 (20 bytes)"),
  { abbrev: "sll.pkttype", name: "Packet type", type: "uint16", values: PACKET_TYPES, description: "Direction and addressing (0 to us, 4 sent by us …)", get: hdr((b, o, v) => (v === 2 ? b[o + V2_PKTTYPE] : u16(b, o + V1_PKTTYPE))) },
  { abbrev: "sll.hatype", name: "Link-layer address type", type: "uint16", values: { 1: "Ethernet", 772: "Loopback" }, description: "ARPHRD_ type of the capturing device", get: hdr(hatype) },
  { abbrev: "sll.halen", name: "Link-layer address length", type: "uint16", description: "Length of the source link-layer address", get: hdr(halen) },
  { abbrev: "sll.src.eth", name: "Source", type: "ether", description: "Source link-layer address (6-byte addresses)", get: hdr((b, o, v) => (halen(b, o, v) === 6 ? mac(b, addrAt(o, v)) : undefined)) },
  { abbrev: "sll.src.ipv4", name: "Source", type: "ipv4", description: "Source link-layer address (4-byte addresses)", get: hdr((b, o, v) => (halen(b, o, v) === 4 ? u32(b, addrAt(o, v)) : undefined)) },
  {
    abbrev: "sll.src.other", name: "Source", type: "bytes", description: "Source link-layer address (other lengths, at most 8 bytes shown)",
    get: hdr((b, o, v) => { const n = halen(b, o, v); return n === 0 || n === 4 || n === 6 ? undefined : copy(b, addrAt(o, v), Math.min(n, ADDR_SLOT)); }),
  },
  { abbrev: "sll.unused", name: "Unused", type: "bytes", description: "Address bytes beyond the address length", get: hdr((b, o, v) => { const n = halen(b, o, v); return n < ADDR_SLOT ? copy(b, addrAt(o, v) + n, ADDR_SLOT - n) : undefined; }) },
  { abbrev: "sll.ifindex", name: "Interface index", type: "uint32", description: "Index of the capturing interface (SLL2 only)", get: hdr((b, o, v) => (v === 2 ? u32(b, o + V2_IFINDEX) : undefined)) },
  { abbrev: "sll.ltype", name: "Protocol", type: "uint16", base: "hex", values: { 1: "Raw 802.3", 4: "802.2 LLC" }, description: "Linux protocol type (values up to 1536)", get: hdr((b, o, v) => (protocol(b, o, v) <= MAX_LTYPE ? protocol(b, o, v) : undefined)) },
  { abbrev: "sll.gretype", name: "Protocol", type: "uint16", base: "hex", description: "GRE protocol type (ARPHRD_IPGRE devices)", get: hdr((b, o, v) => (protocol(b, o, v) > MAX_LTYPE && hatype(b, o, v) === ARPHRD_IPGRE ? protocol(b, o, v) : undefined)) },
  { abbrev: "sll.etype", name: "Protocol", type: "uint16", base: "hex", description: "Ethertype of the payload", get: hdr((b, o, v) => (protocol(b, o, v) > MAX_LTYPE && hatype(b, o, v) !== ARPHRD_IPGRE ? protocol(b, o, v) : undefined)) },
  trailerField({ abbrev: "sll.trailer", name: "Trailer", type: "bytes", description: "Bytes after the payload that are not padding" }, ["ethertype"], OWNER_SLL, "trailer"),
];

/** The view + hand-off: an ethertype goes through `ethertype`; Linux type 4 to LLC; anything else to data. */
export const sll: Dissector = {
  proto: "sll",
  name: "Linux cooked-mode capture",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const v = ctx.linktype === LINKTYPE_LINUX_SLL2 ? 2 : 1, len = headerLen(v);
    ctx.layer(this, o, end, rep, v);
    if (end - o < len) {
      ctx.malformed("sll", `frame shorter than the ${len}-byte cooked header`);
      return null;
    }
    const proto = protocol(b, o, v), p = o + len;
    const data = ctx.tables.data;
    if (proto <= MAX_LTYPE) {
      const next = proto === LTYPE_802_2 ? ctx.tables.byName.get("llc") ?? data : data;
      return handOff(ctx, next, p, end, rep - len);
    }
    if (hatype(b, o, v) === ARPHRD_IPGRE) return handOff(ctx, data, p, end, rep - len);
    ctx.key = etherKey(proto, OWNER_SLL, rep);
    return handOff(ctx, ethertype, p, end, rep - len);
  },
};

/** Info-column summary: the packet type. */
export function summary(b: Uint8Array, o: number, version: number): string {
  const t = version === 2 ? b[o + V2_PKTTYPE] : u16(b, o + V1_PKTTYPE);
  return PACKET_TYPES[t as keyof typeof PACKET_TYPES] ?? `Unknown (${t})`;
}
