// Internet Control Message Protocol (ip.proto 1). RFC 792, RFC 950 (address mask), RFC 1256 (router discovery),
// RFC 1191 (next-hop MTU); Wireshark epan/dissectors/packet-icmp.c. Error messages quote the offending datagram:
// it goes back to `ip` marked "in error", so the quoted ip.* fields occur a second time, as tshark shows them.
// The checksum is verified, as Wireshark does by default, unless the message is cut short, a fragment that was not
// reassembled, or itself quoted; the verdict is kept in the layer's aux with the echo-timestamp finding.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { copy, u16, u16le, u32, u32le } from "./bytes.js";
import { netFrame, onesSum } from "./net-state.js";

export const ICMP_TYPES = {
  0: "Echo (ping) reply", 3: "Destination unreachable", 4: "Source quench (flow control)", 5: "Redirect", 8: "Echo (ping) request",
  9: "Router advertisement", 10: "Router solicitation", 11: "Time-to-live exceeded", 12: "Parameter problem", 13: "Timestamp request",
  14: "Timestamp reply", 15: "Information request", 16: "Information reply", 17: "Address mask request", 18: "Address mask reply",
};
const ECHO_REPLY = 0, UNREACH = 3, SOURCE_QUENCH = 4, REDIRECT = 5, ECHO = 8, ROUTER_ADVERT = 9, TIME_EXCEEDED = 11;
const PARAM_PROBLEM = 12, TSTAMP = 13, TSTAMP_REPLY = 14, IREQ = 15, IREQ_REPLY = 16, MASK_REQ = 17, MASK_REPLY = 18;
const FRAG_NEEDED = 4;
const isEchoLike = (t: number) => t === ECHO_REPLY || t === ECHO || (t >= TSTAMP && t <= MASK_REPLY);
const isError = (t: number) => t === UNREACH || t === SOURCE_QUENCH || t === REDIRECT || t === TIME_EXCEEDED || t === PARAM_PROBLEM;

// Byte offsets (RFC 792).
const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4; // ident/seq, unused, gateway, pointer …
const IDENT = 4;
const SEQ = 6;
export const ICMP_HEADER_LEN = SEQ + 2;
const ORIGINATE = 8;
const RECEIVE = 12;
const TRANSMIT = 16;
const MASK = 8;
const DATA_TIME = 8;
const DAY = 86400;

// aux: bits 0-1 checksum status (0 bad, 1 good, 2 unverified); bit 2 the echo data starts with a timestamp;
// bit 3 that timestamp is little-endian.
const AUX_TIME = 4, AUX_TIME_LE = 8;

const has = (o: number, e: number, n: number) => e - o >= n;
const type = (b: Uint8Array, o: number) => b[o + TYPE];
const ifType = (n: number, when: (t: number, b: Uint8Array, o: number) => boolean, read: (b: Uint8Array, o: number) => number | Uint8Array): Getter =>
  (b, o, e) => (has(o, e, n) && when(type(b, o), b, o) ? read(b, o) : undefined);

export const FIELDS: readonly FieldDef[] = [
  protocolField("icmp", "Internet Control Message Protocol", "An ICMP message"),
  { abbrev: "icmp.type", name: "Type", type: "uint8", values: ICMP_TYPES, description: "Message type (8 echo request, 0 reply, 3 unreachable, 11 TTL exceeded …)", get: (b, o, e) => (has(o, e, 1) ? b[o + TYPE] : undefined) },
  { abbrev: "icmp.code", name: "Code", type: "uint8", description: "Message subtype (for type 3: 0 net, 1 host, 3 port unreachable, 4 fragmentation needed …)", get: (b, o, e) => (has(o, e, 2) ? b[o + CODE] : undefined) },
  { abbrev: "icmp.checksum", name: "Checksum", type: "uint16", base: "hex", description: "Checksum as sent", get: (b, o, e) => (has(o, e, 4) ? u16(b, o + CHECKSUM) : undefined) },
  { abbrev: "icmp.checksum.status", name: "Checksum Status", type: "uint8", values: { 0: "Bad", 1: "Good", 2: "Unverified" }, description: "Checksum verdict (unverified when cut short, fragmented or quoted)", get: (_b, o, e, _r, a) => (has(o, e, 4) ? a & 3 : undefined) },
  { abbrev: "icmp.ident", name: "Identifier (BE)", type: "uint16", description: "Echo/timestamp identifier read big-endian", get: ifType(6, isEchoLike, (b, o) => u16(b, o + IDENT)) },
  { abbrev: "icmp.ident_le", name: "Identifier (LE)", type: "uint16", description: "The same identifier read little-endian (as Windows counts it)", get: ifType(6, isEchoLike, (b, o) => u16le(b, o + IDENT)) },
  { abbrev: "icmp.seq", name: "Sequence Number (BE)", type: "uint16", description: "Echo/timestamp sequence number read big-endian", get: ifType(8, isEchoLike, (b, o) => u16(b, o + SEQ)) },
  { abbrev: "icmp.seq_le", name: "Sequence Number (LE)", type: "uint16", description: "The same sequence number read little-endian", get: ifType(8, isEchoLike, (b, o) => u16le(b, o + SEQ)) },
  { abbrev: "icmp.unused", name: "Unused", type: "bytes", description: "Unused word of an error message", get: ifType(8, (t, b, o) => (t === UNREACH && b[o + CODE] !== FRAG_NEEDED) || t === SOURCE_QUENCH || t === TIME_EXCEEDED, (b, o) => copy(b, o + REST, 4)) },
  { abbrev: "icmp.mtu", name: "MTU of next hop", type: "uint16", description: "Next-hop MTU of a fragmentation-needed message (RFC 1191)", get: ifType(8, (t, b, o) => t === UNREACH && b[o + CODE] === FRAG_NEEDED, (b, o) => u16(b, o + SEQ)) },
  { abbrev: "icmp.redir_gw", name: "Gateway Address", type: "ipv4", description: "Gateway a redirect points to", get: ifType(8, (t) => t === REDIRECT, (b, o) => u32(b, o + REST)) },
  { abbrev: "icmp.pointer", name: "Pointer", type: "uint32", description: "Byte of the quoted header where the parameter problem lies", get: ifType(5, (t) => t === PARAM_PROBLEM, (b, o) => b[o + REST]) },
  { abbrev: "icmp.originate_timestamp", name: "Originate Timestamp", type: "uint32", description: "Milliseconds since midnight UT when the request was sent", get: ifType(ORIGINATE + 4, (t) => t === TSTAMP || t === TSTAMP_REPLY, (b, o) => u32(b, o + ORIGINATE)) },
  { abbrev: "icmp.receive_timestamp", name: "Receive Timestamp", type: "uint32", description: "When the request was received", get: ifType(RECEIVE + 4, (t) => t === TSTAMP || t === TSTAMP_REPLY, (b, o) => u32(b, o + RECEIVE)) },
  { abbrev: "icmp.transmit_timestamp", name: "Transmit Timestamp", type: "uint32", description: "When the reply was sent", get: ifType(TRANSMIT + 4, (t) => t === TSTAMP || t === TSTAMP_REPLY, (b, o) => u32(b, o + TRANSMIT)) },
  { abbrev: "icmp.address_mask", name: "Address Mask", type: "ipv4", description: "Subnet mask (RFC 950)", get: ifType(MASK + 4, (t) => t === MASK_REQ || t === MASK_REPLY, (b, o) => u32(b, o + MASK)) },
  { abbrev: "icmp.num_addrs", name: "Number of addresses", type: "uint8", description: "Router advertisement: address count", get: ifType(5, (t) => t === ROUTER_ADVERT, (b, o) => b[o + 4]) },
  { abbrev: "icmp.addr_entry_size", name: "Address entry size", type: "uint8", description: "Router advertisement: words per entry", get: ifType(6, (t) => t === ROUTER_ADVERT, (b, o) => b[o + 5]) },
  { abbrev: "icmp.lifetime", name: "Lifetime", type: "uint16", description: "Router advertisement: seconds the addresses are valid", get: ifType(8, (t) => t === ROUTER_ADVERT, (b, o) => u16(b, o + 6)) },
  {
    abbrev: "icmp.data_time", name: "Timestamp from icmp data", type: "abs_time", description: "Send time a ping put at the start of its data, when it looks like one",
    get: (b, o, e, _r, a) => ((a & AUX_TIME) === 0 ? undefined : (a & AUX_TIME_LE ? u32le(b, o + DATA_TIME) + u32le(b, o + DATA_TIME + 4) / 1e6 : u32(b, o + DATA_TIME) + u32(b, o + DATA_TIME + 4) / 1e6)),
  },
];

/** Wireshark's echo-timestamp heuristic: seconds within a day of the frame's, microseconds below a million. */
function timeAux(b: Uint8Array, o: number, frameSecs: number): number {
  const near = (s: number, us: number) => us < 1e6 && Math.abs((s - frameSecs) | 0) < DAY;
  if (near(u32(b, o + DATA_TIME), u32(b, o + DATA_TIME + 4))) return AUX_TIME;
  if (near(u32le(b, o + DATA_TIME), u32le(b, o + DATA_TIME + 4))) return AUX_TIME | AUX_TIME_LE;
  return 0;
}

/** The view + hand-off: errors quote an IP datagram (to ip, in error); echo data goes to data. */
export const icmp: Dissector = {
  proto: "icmp",
  name: "Internet Control Message Protocol",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const st = netFrame(ctx);
    const n = end - o;
    if (n < 4) {
      ctx.layer(this, o, end, rep, 2);
      ctx.malformed("icmp", "message shorter than 4 bytes");
      return null;
    }
    const verify = !st.fragmented && !st.inError && n >= rep;
    let aux = verify ? (onesSum(b, o, rep) === 0xffff ? 1 : 0) : 2;
    const t = b[o + TYPE], data = ctx.tables.data;
    if (isError(t)) {
      ctx.layer(this, o, end, rep, aux);
      if (n < ICMP_HEADER_LEN) { ctx.malformed("icmp", "error message cut short"); return null; }
      st.inError = true;
      return handOff(ctx, ctx.tables.byName.get("ip") ?? data, o + ICMP_HEADER_LEN, end, rep - ICMP_HEADER_LEN);
    }
    if (t === ECHO || t === ECHO_REPLY) {
      if (n - ICMP_HEADER_LEN >= 8) aux |= timeAux(b, o, Math.floor(ctx.time));
      ctx.layer(this, o, end, rep, aux);
      if (n < ICMP_HEADER_LEN) { ctx.malformed("icmp", "echo message cut short"); return null; }
      const skip = ICMP_HEADER_LEN + (aux & AUX_TIME ? 8 : 0);
      return n > ICMP_HEADER_LEN ? handOff(ctx, data, o + skip, end, rep - skip) : null;
    }
    ctx.layer(this, o, end, rep, aux);
    return null;
  },
};

/** Info-column summary: the type name. */
export function summary(b: Uint8Array, o: number): string {
  return ICMP_TYPES[b[o] as keyof typeof ICMP_TYPES] ?? `Unknown ICMP (type ${b[o]})`;
}

export { IREQ, IREQ_REPLY };
