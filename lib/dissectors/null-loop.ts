// BSD loopback encapsulation: LINKTYPE_NULL (0, a 4-byte address family in the capturing host's byte order) and
// LINKTYPE_LOOP (108, the same in network byte order). https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html;
// Wireshark epan/dissectors/packet-null.c (one protocol, `null`, for both). For NULL, Wireshark reads the header
// in its own (little-endian) order and repairs the other layouts it has met: big-endian writers, IRIX/UNICOS
// 16-bit families, and old Linux captures holding an ethertype. A value above 1500 is an ethertype.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { u16, u32, u32le } from "./bytes.js";

export const LINKTYPE_LOOP = 108;
export const BSD_AF_INET = 2;
export const BSD_AF_INET6_BSD = 24;
export const BSD_AF_INET6_FREEBSD = 28;
export const BSD_AF_INET6_DARWIN = 30;
const FAMILY_NAMES = { 2: "IP", 7: "OSI", 16: "Appletalk", 23: "Netware IPX/SPX", 24: "IPv6", 28: "IPv6", 30: "IPv6" };
const MAX_LENGTH = 1500;
const PPP_HDLC = 0xff03;

// Byte offsets: the family word is all there is.
const FAMILY = 0;
export const NULL_HEADER_LEN = FAMILY + 4;

const swap32 = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/** The family (or ethertype) Wireshark derives from a NULL header read little-endian (packet-null.c). */
export function nullValue(b: Uint8Array, o: number): number {
  let h = u32le(b, o + FAMILY);
  if ((h & 0xffff0000) !== 0) {
    // IRIX/UNICOS 16-bit family in the right order, else a byte-swapped header.
    h = (h & 0xff000000) === 0 && (h & 0x00ff0000) < 0x00060000 ? h >>> 16 : swap32(h);
  } else if ((h & 0xff) === 0 && (h & 0xff00) < 0x0600) {
    h = ((h & 0xff) << 8) | ((h >>> 8) & 0xff);
  }
  return h;
}

/** The header value: LOOP is plain network order; NULL goes through Wireshark's repair. Aux is 1 for LOOP. */
const headerValue = (b: Uint8Array, o: number, loop: number) => (loop ? u32(b, o + FAMILY) : nullValue(b, o));
const whole = (o: number, end: number) => end - o >= NULL_HEADER_LEN;
const isPpp = (b: Uint8Array, o: number, loop: number) => !loop && u16(b, o) === PPP_HDLC;

export const FIELDS: readonly FieldDef[] = [
  protocolField("null", "Null/Loopback", "BSD loopback header (LINKTYPE_NULL and LINKTYPE_LOOP)"),
  {
    abbrev: "null.family", name: "Family", type: "uint32", values: FAMILY_NAMES, description: "BSD address family of the payload (2 IPv4; 24, 28, 30 IPv6)",
    get: (b, o, e, _r, loop) => { if (!whole(o, e) || isPpp(b, o, loop)) return undefined; const v = headerValue(b, o, loop); return loop || v <= MAX_LENGTH ? v : undefined; },
  },
  {
    abbrev: "null.type", name: "Type", type: "uint16", base: "hex", description: "Ethertype, in old Linux captures that put one here",
    get: (b, o, e, _r, loop) => { if (loop || !whole(o, e) || isPpp(b, o, loop)) return undefined; const v = nullValue(b, o); return v > MAX_LENGTH ? v & 0xffff : undefined; },
  },
];

/** The view + hand-off: family 2 to ip, 24/28/30 to ipv6, an ethertype straight to its dissector. */
export const nullLoop: Dissector = {
  proto: "null",
  name: "Null/Loopback",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const loop = ctx.linktype === LINKTYPE_LOOP ? 1 : 0;
    const data = ctx.tables.data;
    if (!loop && end - o >= 2 && u16(b, o) === PPP_HDLC) {
      // PPP in HDLC framing: Wireshark hands the whole frame to PPP and shows no null layer.
      return handOff(ctx, ctx.tables.byName.get("ppp_hdlc") ?? data, o, end, rep);
    }
    ctx.layer(this, o, end, rep, loop);
    if (end - o < NULL_HEADER_LEN) {
      ctx.malformed("null", "frame shorter than the 4-byte loopback header");
      return null;
    }
    const v = headerValue(b, o, loop), p = o + NULL_HEADER_LEN;
    let next: Dissector | null | undefined;
    if (!loop && v > MAX_LENGTH) next = ctx.tables.ethertype[v & 0xffff];
    else if (v === BSD_AF_INET) next = ctx.tables.byName.get("ip");
    else if (v === BSD_AF_INET6_BSD || v === BSD_AF_INET6_FREEBSD || v === BSD_AF_INET6_DARWIN) next = ctx.tables.byName.get("ipv6");
    return handOff(ctx, next ?? data, p, end, rep - NULL_HEADER_LEN);
  },
};

/** Info-column summary. */
export function summary(): string {
  return "Null/Loopback";
}
