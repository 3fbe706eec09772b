// IPv6 extension headers as their own layers, as Wireshark shows them (protocols ipv6.hopopts, ipv6.routing,
// ipv6.fraghdr, ipv6.dstopts; tshark: ipv6:ipv6.hopopts:udp). RFC 8200 sections 4.3-4.6; RFC 5095 (type 0
// routing, deprecated); Wireshark epan/dissectors/packet-ipv6.c. Fragments are reassembled like IPv4's.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter, type MultiGetter } from "./field.js";
import { copy, u16, u32 } from "./bytes.js";
import { AUX_COMPLETES, AUX_FRAGMENT, FragmentTable, payloadLength } from "./ipv4-reassembly.js";
import { netFrame } from "./net-state.js";
import { NH_DSTOPTS, NH_FRAGMENT, NH_HOPOPTS, NH_ROUTING } from "./ipv6-options.js";

const NH_NONE = 59;

// Byte offsets common to every extension header: next header, then the length in 8-byte units beyond the first 8.
const NEXT = 0;
const LEN = 1;
// Routing header.
const RT_TYPE = 2;
const RT_SEGLEFT = 3;
const RT0_RESERVED = 4;
const RT0_ADDRS = RT0_RESERVED + 4;
// Fragment header.
const FR_RESERVED = 1;
const FR_OFFSET = 2;
const FR_IDENT = 4;
export const FRAGMENT_HEADER_LEN = FR_IDENT + 4;
const EXT_MIN = 8;

const extLen = (b: Uint8Array, o: number) => (b[o + LEN] + 1) * 8;
const has = (o: number, end: number, n = EXT_MIN) => end - o >= n;
const at8 = (off: number): Getter => (b, o, e) => (has(o, e) ? b[o + off] : undefined);

/** Which dissector follows a next-header value: another extension header, no next header (nothing), or ipProto. */
export function nextAfterIpv6(ctx: DissectContext, nh: number): Dissector | null {
  if (nh === NH_NONE) return null;
  return ctx.tables.ipProto[nh] ?? ctx.tables.data;
}

/** The common shape of hop-by-hop and destination options: next header, length; the options are ipv6.opt.*. */
function optionsHeader(proto: string, name: string): Dissector {
  const fields: FieldDef[] = [
    protocolField(proto, name, `${name} extension header`),
    { abbrev: `${proto}.nxt`, name: "Next Header", type: "uint8", description: "Type of the header that follows", get: at8(NEXT) },
    { abbrev: `${proto}.len`, name: "Length", type: "uint8", description: "Length in 8-byte units, not counting the first 8", get: at8(LEN) },
    { abbrev: `${proto}.len_oct`, name: "Length", type: "uint16", description: "Length in bytes", get: (b, o, e) => (has(o, e) ? extLen(b, o) : undefined) },
  ];
  return {
    proto, name, fields,
    dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
      return extension(this, ctx, b, o, end, rep);
    },
  };
}

/** Records an extension header layer and hands the rest on by its next-header value. */
function extension(d: Dissector, ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number): Dissector | null {
  netFrame(ctx);
  if (!has(o, end, 2) || end - o < extLen(b, o)) {
    ctx.layer(d, o, end, rep);
    ctx.malformed(d.proto, "extension header cut short");
    return null;
  }
  const n = extLen(b, o);
  if (n > rep) {
    ctx.layer(d, o, end, rep);
    ctx.malformed(d.proto, "extension header longer than the payload");
    return null;
  }
  ctx.layer(d, o, o + n, n);
  return handOff(ctx, nextAfterIpv6(ctx, b[o + NEXT]), o + n, end, rep - n);
}

export const hopopts = optionsHeader("ipv6.hopopts", "IPv6 Hop-by-Hop Option");
export const dstopts = optionsHeader("ipv6.dstopts", "Destination Options for IPv6");

const rt0Addrs: MultiGetter = (b, o, e, _r, _a, emit) => {
  if (!has(o, e) || b[o + RT_TYPE] !== 0) return;
  const stop = Math.min(o + extLen(b, o), e);
  for (let p = o + RT0_ADDRS; p + 16 <= stop; p += 16) emit(copy(b, p, 16));
};
const KNOWN_ROUTING = [0, 2, 3, 4, 5];

export const routing: Dissector = {
  proto: "ipv6.routing",
  name: "Routing Header for IPv6",
  fields: [
    protocolField("ipv6.routing", "Routing Header for IPv6", "IPv6 routing extension header"),
    { abbrev: "ipv6.routing.nxt", name: "Next Header", type: "uint8", description: "Type of the header that follows", get: at8(NEXT) },
    { abbrev: "ipv6.routing.len", name: "Length", type: "uint8", description: "Length in 8-byte units, not counting the first 8", get: at8(LEN) },
    { abbrev: "ipv6.routing.len_oct", name: "Length", type: "uint16", description: "Length in bytes", get: (b, o, e) => (has(o, e) ? extLen(b, o) : undefined) },
    { abbrev: "ipv6.routing.type", name: "Type", type: "uint8", values: { 0: "Source Route", 2: "Type 2 Routing", 3: "RPL Source Route", 4: "Segment Routing" }, description: "Routing type", get: at8(RT_TYPE) },
    { abbrev: "ipv6.routing.segleft", name: "Segments Left", type: "uint8", description: "Route segments still to visit", get: at8(RT_SEGLEFT) },
    { abbrev: "ipv6.routing.src.reserved", name: "Reserved", type: "bytes", description: "Type 0: reserved word", get: (b, o, e) => (has(o, e) && b[o + RT_TYPE] === 0 ? copy(b, o + RT0_RESERVED, 4) : undefined) },
    { abbrev: "ipv6.routing.src.addr", name: "Address", type: "ipv6", description: "Type 0: the addresses of the route", each: rt0Addrs },
    {
      abbrev: "ipv6.routing.unknown_data", name: "Type-Specific Data", type: "bytes", description: "Data of a routing type Wireshark does not decode",
      get: (b, o, e) => (has(o, e) && !KNOWN_ROUTING.includes(b[o + RT_TYPE]) && e - o >= extLen(b, o) ? copy(b, o + 4, extLen(b, o) - 4) : undefined),
    },
  ],
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    return extension(this, ctx, b, o, end, rep);
  },
};

const frag = new FragmentTable();
const fr = (read: (b: Uint8Array, o: number) => number): Getter => (b, o, e) => (has(o, e) ? read(b, o) : undefined);

/** The fragment header: non-final fragments show as data; the one that completes the datagram hands it on. */
export const fraghdr: Dissector = {
  proto: "ipv6.fraghdr",
  name: "Fragment Header for IPv6",
  fields: [
    protocolField("ipv6.fraghdr", "Fragment Header for IPv6", "IPv6 fragment extension header"),
    { abbrev: "ipv6.fraghdr.nxt", name: "Next header", type: "uint8", description: "Type of the fragmentable part's first header", get: fr((b, o) => b[o + NEXT]) },
    { abbrev: "ipv6.fraghdr.reserved_octet", name: "Reserved octet", type: "uint8", base: "hex", description: "Reserved", get: fr((b, o) => b[o + FR_RESERVED]) },
    { abbrev: "ipv6.fraghdr.offset", name: "Offset", type: "uint16", mask: 0xfff8, description: "Fragment offset in 8-byte units", get: fr((b, o) => u16(b, o + FR_OFFSET) >> 3) },
    { abbrev: "ipv6.fraghdr.reserved_bits", name: "Reserved bits", type: "uint16", mask: 0x0006, description: "Reserved", get: fr((b, o) => (u16(b, o + FR_OFFSET) >> 1) & 3) },
    { abbrev: "ipv6.fraghdr.more", name: "More Fragments", type: "bool", mask: 0x0001, description: "More fragments follow", get: fr((b, o) => u16(b, o + FR_OFFSET) & 1) },
    { abbrev: "ipv6.fraghdr.ident", name: "Identification", type: "uint32", base: "hex", description: "Identification shared by the fragments", get: fr((b, o) => u32(b, o + FR_IDENT)) },
  ],
  reset() {
    frag.clear();
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const st = netFrame(ctx);
    if (end - o < FRAGMENT_HEADER_LEN) {
      ctx.layer(this, o, end, rep);
      ctx.malformed("ipv6.fraghdr", "fragment header cut short");
      return null;
    }
    const off = u16(b, o + FR_OFFSET), more = (off & 1) === 1, offset = (off >> 3) * 8;
    const p = o + FRAGMENT_HEADER_LEN, payRep = rep - FRAGMENT_HEADER_LEN, data = ctx.tables.data;
    const nh = b[o + NEXT];
    if (offset === 0 && !more) {
      // An atomic fragment (RFC 6946): nothing to reassemble.
      ctx.layer(this, o, p, FRAGMENT_HEADER_LEN);
      return handOff(ctx, nextAfterIpv6(ctx, nh), p, end, payRep);
    }
    if (!st.inError && st.v6buf !== null && end - p === payRep) {
      const v = st.v6buf, vo = st.v6off;
      let key = "";
      for (let i = 8; i < 40; i++) key += String.fromCharCode(v[vo + i]);
      key += u32(b, o + FR_IDENT);
      const whole = frag.add(key, b, p, payRep, offset, !more, ctx.frame);
      if (whole === null) {
        ctx.layer(this, o, p, FRAGMENT_HEADER_LEN, AUX_FRAGMENT);
        st.fragmented = true;
        return handOff(ctx, data, p, end, payRep);
      }
      ctx.layer(this, o, p, FRAGMENT_HEADER_LEN, AUX_FRAGMENT | AUX_COMPLETES);
      st.fragmented = false;
      const total = payloadLength(whole);
      ctx.useBuffer(whole);
      return handOff(ctx, nextAfterIpv6(ctx, nh), 0, total, total);
    }
    ctx.layer(this, o, p, FRAGMENT_HEADER_LEN);
    st.fragmented = true;
    return handOff(ctx, offset === 0 ? nextAfterIpv6(ctx, nh) : data, p, end, payRep);
  },
};

export { NH_DSTOPTS, NH_FRAGMENT, NH_HOPOPTS, NH_ROUTING };
