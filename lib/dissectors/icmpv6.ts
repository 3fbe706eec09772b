// Internet Control Message Protocol for IPv6 (ip.proto 58). RFC 4443; RFC 4861 (neighbour discovery, options in
// icmpv6-nd.ts); RFC 3810 (MLDv2 reports); Wireshark epan/dissectors/packet-icmpv6.c. Errors quote the offending
// packet, which goes back to `ipv6` marked "in error". The checksum (over the RFC 8200 pseudo-header) is verified as
// Wireshark does by default unless the message is cut short, an unreassembled fragment or itself quoted.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter, type MultiGetter } from "./field.js";
import { copy, u16, u32 } from "./bytes.js";
import { ND_OPTION_FIELDS } from "./icmpv6-nd.js";
import { netFrame, onesSum } from "./net-state.js";

export const ICMPV6_TYPES = {
  1: "Destination Unreachable", 2: "Packet Too Big", 3: "Time Exceeded", 4: "Parameter Problem", 128: "Echo (ping) request",
  129: "Echo (ping) reply", 130: "Multicast Listener Query", 131: "Multicast Listener Report", 132: "Multicast Listener Done",
  133: "Router Solicitation", 134: "Router Advertisement", 135: "Neighbor Solicitation", 136: "Neighbor Advertisement",
  137: "Redirect", 143: "Multicast Listener Report Message v2",
};
const UNREACH = 1, TOO_BIG = 2, TIME_EXCEEDED = 3, PARAM_PROBLEM = 4, ECHO_REQUEST = 128, ECHO_REPLY = 129;
const RS = 133, RA = 134, NS = 135, NA = 136, REDIRECT = 137, MLDV2_REPORT = 143;
const IPPROTO_ICMPV6 = 58;
const isError = (t: number) => t >= UNREACH && t <= PARAM_PROBLEM;

// Byte offsets (RFC 4443 section 2.1; RFC 4861 section 4).
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const BODY = 4;
export const ICMPV6_HEADER_LEN = BODY + 4;
const ECHO_ID = 4;
const ECHO_SEQ = 6;
const RA_HOPLIMIT = 4;
const RA_FLAGS = 5;
const RA_LIFETIME = 6;
const RA_REACHABLE = 8;
const RA_RETRANS = 12;
const ND_TARGET = 8;
const RD_DESTINATION = 24;
const MLDR_RECORDS = 6;
const MLDR_FIRST = 8;

const has = (o: number, e: number, n: number) => e - o >= n;
const ofType = (types: readonly number[], n: number, read: (b: Uint8Array, o: number) => number | Uint8Array): Getter =>
  (b, o, e) => (has(o, e, n) && types.includes(b[o + TYPE]) ? read(b, o) : undefined);

/** MLDv2 report records: type, aux length, source count, multicast address, sources (RFC 3810 section 5.2). */
function mldRecords(pick: (b: Uint8Array, r: number, emit: (v: number | Uint8Array) => void) => void): MultiGetter {
  return (b, o, e, _r, _a, emit) => {
    if (!has(o, e, MLDR_FIRST) || b[o] !== MLDV2_REPORT) return;
    let r = o + MLDR_FIRST;
    for (let k = u16(b, o + MLDR_RECORDS); k > 0 && r + 20 <= e; k--) {
      pick(b, r, emit);
      r += 20 + 16 * u16(b, r + 2) + 4 * b[r + 1];
    }
  };
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("icmpv6", "Internet Control Message Protocol v6", "An ICMPv6 message"),
  { abbrev: "icmpv6.type", name: "Type", type: "uint8", values: ICMPV6_TYPES, description: "Message type (128 echo request, 135 neighbour solicitation …)", get: (b, o, e) => (has(o, e, 1) ? b[o + TYPE] : undefined) },
  { abbrev: "icmpv6.code", name: "Code", type: "uint8", description: "Message subtype", get: (b, o, e) => (has(o, e, 2) ? b[o + CODE] : undefined) },
  { abbrev: "icmpv6.checksum", name: "Checksum", type: "uint16", base: "hex", description: "Checksum as sent", get: (b, o, e) => (has(o, e, 4) ? u16(b, o + CHECKSUM) : undefined) },
  { abbrev: "icmpv6.checksum.status", name: "Checksum Status", type: "uint8", values: { 0: "Bad", 1: "Good", 2: "Unverified" }, description: "Checksum verdict (unverified when cut short, fragmented or quoted)", get: (_b, o, e, _r, a) => (has(o, e, 4) ? a & 3 : undefined) },
  {
    abbrev: "icmpv6.reserved", name: "Reserved", type: "bytes", description: "Reserved bytes (errors, solicitations, redirects, MLDv2 reports)",
    get: (b, o, e) => (has(o, e, 8) && [UNREACH, TIME_EXCEEDED, RS, NS, REDIRECT].includes(b[o]) ? copy(b, o + BODY, 4) : has(o, e, 6) && b[o] === MLDV2_REPORT ? copy(b, o + BODY, 2) : undefined),
  },
  { abbrev: "icmpv6.mtu", name: "MTU", type: "uint32", description: "Packet Too Big: next-hop MTU", get: ofType([TOO_BIG], 8, (b, o) => u32(b, o + BODY)) },
  { abbrev: "icmpv6.pointer", name: "Pointer", type: "uint32", description: "Parameter Problem: offset of the error in the quoted packet", get: ofType([PARAM_PROBLEM], 8, (b, o) => u32(b, o + BODY)) },
  { abbrev: "icmpv6.echo.identifier", name: "Identifier", type: "uint16", base: "hex", description: "Echo identifier", get: ofType([ECHO_REQUEST, ECHO_REPLY], 6, (b, o) => u16(b, o + ECHO_ID)) },
  { abbrev: "icmpv6.echo.sequence_number", name: "Sequence", type: "uint16", description: "Echo sequence number", get: ofType([ECHO_REQUEST, ECHO_REPLY], 8, (b, o) => u16(b, o + ECHO_SEQ)) },
  { abbrev: "icmpv6.nd.ra.cur_hop_limit", name: "Cur hop limit", type: "uint8", description: "Hop limit hosts should use", get: ofType([RA], 16, (b, o) => b[o + RA_HOPLIMIT]) },
  { abbrev: "icmpv6.nd.ra.flag", name: "Flags", type: "uint8", base: "hex", description: "Router advertisement flags", get: ofType([RA], 16, (b, o) => b[o + RA_FLAGS]) },
  { abbrev: "icmpv6.nd.ra.flag.m", name: "Managed address configuration", type: "bool", mask: 0x80, description: "Addresses come from DHCPv6", get: ofType([RA], 16, (b, o) => b[o + RA_FLAGS] >> 7) },
  { abbrev: "icmpv6.nd.ra.flag.o", name: "Other configuration", type: "bool", mask: 0x40, description: "Other configuration comes from DHCPv6", get: ofType([RA], 16, (b, o) => (b[o + RA_FLAGS] >> 6) & 1) },
  { abbrev: "icmpv6.nd.ra.flag.h", name: "Home Agent", type: "bool", mask: 0x20, description: "Router is a Mobile IPv6 home agent", get: ofType([RA], 16, (b, o) => (b[o + RA_FLAGS] >> 5) & 1) },
  { abbrev: "icmpv6.nd.ra.flag.prf", name: "Prf (Default Router Preference)", type: "uint8", mask: 0x18, values: { 0: "Medium", 1: "High", 2: "Reserved", 3: "Low" }, description: "Default router preference (RFC 4191)", get: ofType([RA], 16, (b, o) => (b[o + RA_FLAGS] >> 3) & 3) },
  { abbrev: "icmpv6.nd.ra.flag.p", name: "Proxy", type: "bool", mask: 0x04, description: "Proxied advertisement (RFC 4389)", get: ofType([RA], 16, (b, o) => (b[o + RA_FLAGS] >> 2) & 1) },
  { abbrev: "icmpv6.nd.ra.flag.rsv", name: "Reserved", type: "uint8", mask: 0x03, description: "Reserved flag bits", get: ofType([RA], 16, (b, o) => b[o + RA_FLAGS] & 3) },
  { abbrev: "icmpv6.nd.ra.router_lifetime", name: "Router lifetime (s)", type: "uint16", description: "Seconds the router may be a default router", get: ofType([RA], 16, (b, o) => u16(b, o + RA_LIFETIME)) },
  { abbrev: "icmpv6.nd.ra.reachable_time", name: "Reachable time (ms)", type: "uint32", description: "Neighbour reachable time", get: ofType([RA], 16, (b, o) => u32(b, o + RA_REACHABLE)) },
  { abbrev: "icmpv6.nd.ra.retrans_timer", name: "Retrans timer (ms)", type: "uint32", description: "Time between retransmitted solicitations", get: ofType([RA], 16, (b, o) => u32(b, o + RA_RETRANS)) },
  { abbrev: "icmpv6.nd.ns.target_address", name: "Target Address", type: "ipv6", description: "Neighbour solicitation: address being resolved", get: ofType([NS], 24, (b, o) => copy(b, o + ND_TARGET, 16)) },
  { abbrev: "icmpv6.nd.na.flag", name: "Flags", type: "uint32", base: "hex", description: "Neighbour advertisement flags word", get: ofType([NA], 24, (b, o) => u32(b, o + BODY)) },
  { abbrev: "icmpv6.nd.na.flag.r", name: "Router", type: "bool", mask: 0x80000000, description: "Sender is a router", get: ofType([NA], 24, (b, o) => b[o + BODY] >> 7) },
  { abbrev: "icmpv6.nd.na.flag.s", name: "Solicited", type: "bool", mask: 0x40000000, description: "Sent in answer to a solicitation", get: ofType([NA], 24, (b, o) => (b[o + BODY] >> 6) & 1) },
  { abbrev: "icmpv6.nd.na.flag.o", name: "Override", type: "bool", mask: 0x20000000, description: "Override an existing cache entry", get: ofType([NA], 24, (b, o) => (b[o + BODY] >> 5) & 1) },
  { abbrev: "icmpv6.nd.na.target_address", name: "Target Address", type: "ipv6", description: "Neighbour advertisement: the address advertised", get: ofType([NA], 24, (b, o) => copy(b, o + ND_TARGET, 16)) },
  { abbrev: "icmpv6.nd.rd.target_address", name: "Target Address", type: "ipv6", description: "Redirect: the better first hop", get: ofType([REDIRECT], 40, (b, o) => copy(b, o + ND_TARGET, 16)) },
  { abbrev: "icmpv6.rd.na.destination_address", name: "Destination Address", type: "ipv6", description: "Redirect: the destination redirected", get: ofType([REDIRECT], 40, (b, o) => copy(b, o + RD_DESTINATION, 16)) },
  ...ND_OPTION_FIELDS,
  { abbrev: "icmpv6.mldr.nb_mcast_records", name: "Number of Multicast Address Records", type: "uint16", description: "MLDv2 report: record count", get: ofType([MLDV2_REPORT], 8, (b, o) => u16(b, o + MLDR_RECORDS)) },
  { abbrev: "icmpv6.mldr.mar.record_type", name: "Record Type", type: "uint8", description: "MLDv2 record type (1 include … 6 block old sources)", each: mldRecords((b, r, emit) => emit(b[r])) },
  { abbrev: "icmpv6.mldr.mar.aux_data_len", name: "Aux Data Len", type: "uint8", description: "MLDv2 record auxiliary data length (32-bit words)", each: mldRecords((b, r, emit) => emit(b[r + 1])) },
  { abbrev: "icmpv6.mldr.mar.nb_sources", name: "Number of Sources", type: "uint16", description: "MLDv2 record source count", each: mldRecords((b, r, emit) => emit(u16(b, r + 2))) },
  { abbrev: "icmpv6.mldr.mar.multicast_address", name: "Multicast Address", type: "ipv6", description: "MLDv2 record group", each: mldRecords((b, r, emit) => emit(copy(b, r + 4, 16))) },
];

/** The RFC 8200 section 8.1 checksum over the pseudo-header of the IPv6 header before us. */
function checksumOk(v6: Uint8Array, vo: number, b: Uint8Array, o: number, len: number): boolean {
  let sum = onesSum(v6, vo + 8, 32);
  sum += (len >>> 16) + (len & 0xffff) + IPPROTO_ICMPV6;
  return onesSum(b, o, len, sum) === 0xffff;
}

/** The view + hand-off: errors quote an IPv6 packet (to ipv6, in error); echo data goes to data. */
export const icmpv6: Dissector = {
  proto: "icmpv6",
  name: "Internet Control Message Protocol v6",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const st = netFrame(ctx);
    const n = end - o;
    if (n < 4) {
      ctx.layer(this, o, end, rep, 2);
      ctx.malformed("icmpv6", "message shorter than 4 bytes");
      return null;
    }
    const verify = !st.fragmented && !st.inError && n >= rep && st.v6buf !== null;
    const aux = verify ? (checksumOk(st.v6buf!, st.v6off, b, o, rep) ? 1 : 0) : 2;
    ctx.layer(this, o, end, rep, aux);
    const t = b[o + TYPE], data = ctx.tables.data;
    if (n < ICMPV6_HEADER_LEN) {
      if (t < RS || t > REDIRECT) ctx.malformed("icmpv6", "message cut short");
      return null;
    }
    if (isError(t)) {
      st.inError = true;
      return handOff(ctx, ctx.tables.byName.get("ipv6") ?? data, o + ICMPV6_HEADER_LEN, end, rep - ICMPV6_HEADER_LEN);
    }
    if ((t === ECHO_REQUEST || t === ECHO_REPLY) && n > ICMPV6_HEADER_LEN) return handOff(ctx, data, o + ICMPV6_HEADER_LEN, end, rep - ICMPV6_HEADER_LEN);
    return null;
  },
};

/** Info-column summary: the type name. */
export function summary(b: Uint8Array, o: number): string {
  return ICMPV6_TYPES[b[o] as keyof typeof ICMPV6_TYPES] ?? `Unknown ICMPv6 (type ${b[o]})`;
}
