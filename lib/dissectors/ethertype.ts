// The ethertype dispatch (Wireshark's "ethertype" pseudo-protocol, epan/dissectors/packet-ethertype.c, which tshark 4.0
// lists in frame.protocols as "eth:ethertype:ip:…"). Ethernet, VLAN tags and Linux cooked headers pack the ethertype,
// who they are and the frame's reported length into ctx.key (etherKey) and hand off here.
// Like Wireshark's add_dix_trailer, this layer also works out the padding, trailer and FCS that follow the payload
// once the payload's own length is known (IPv4 total length, IPv6 payload length, ARP size); see link-trailer.ts.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { u16 } from "./bytes.js";
import { trailerAux, FCS_HEURISTIC, type TrailerOwner } from "./link-trailer.js";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_RARP = 0x8035;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;

// ctx.key packing: ethertype + 65536 * (owner + 4 * frame length). Plain arithmetic, so lengths past 2^14 survive;
// below 2^13 (every usual frame) the key is a 31-bit int and the bit operations read it (a floating-point % is a
// library call, once per frame).
const TYPE_SPAN = 65536;
const OWNER_SPAN = 4;
const SMALL = 0x80000000;

/** The key a link layer hands to `ethertype`: the type, who owns the trailer (eth/vlan/sll) and the frame length. */
export function etherKey(type: number, owner: TrailerOwner, pktLen: number): number {
  return pktLen < 8192 ? (type | (owner << 16) | (pktLen << 18)) : type + TYPE_SPAN * (owner + OWNER_SPAN * pktLen);
}
/** The ethertype in a packed key. */
export const keyType = (k: number): number => (k < SMALL ? k & 0xffff : k % TYPE_SPAN);
/** Which link layer made the key (TrailerOwner). */
export const keyOwner = (k: number): TrailerOwner => (k < SMALL ? (k >>> 16) & 3 : Math.floor(k / TYPE_SPAN) % OWNER_SPAN) as TrailerOwner;
/** The reported length of the frame the key came from (Wireshark's pinfo->fd->pkt_len). */
export const keyPktLen = (k: number): number => (k < SMALL ? k >>> 18 : Math.floor(k / (TYPE_SPAN * OWNER_SPAN)));

/**
 * The reported length the payload dissector will claim (Wireshark's set_actual_length), or -1 when it claims none:
 * only IPv4, IPv6 and ARP shorten their tvb, so only they leave a trailer.
 */
export function payloadLength(type: number, b: Uint8Array, o: number, end: number): number {
  switch (type) {
    case ETHERTYPE_IPV4: {
      if (end - o < 4 || b[o] >> 4 !== 4) return -1;
      const len = u16(b, o + 2), hl = (b[o] & 15) * 4;
      return hl >= 20 && len >= hl ? len : -1;
    }
    case ETHERTYPE_IPV6:
      if (end - o < 6 || b[o] >> 4 !== 6) return -1;
      return u16(b, o + 4) === 0 ? -1 : 40 + u16(b, o + 4);
    case ETHERTYPE_ARP: case ETHERTYPE_RARP:
      return end - o < 6 ? -1 : 8 + 2 * b[o + 4] + 2 * b[o + 5];
    default:
      return -1;
  }
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("ethertype", "Ethertype", "Dispatch on an ethertype (present after Ethernet, VLAN and Linux cooked headers)"),
];

/** The dispatch; its layer's aux holds the trailer facts (link-trailer.ts) that eth.padding & co. are derived from. */
export const ethertype: Dissector = {
  proto: "ethertype",
  name: "Ethertype",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const k = ctx.key, type = keyType(k), owner = keyOwner(k), pktLen = keyPktLen(k);
    const plen = payloadLength(type, b, o, end);
    const aux = plen < 0 ? 0 : trailerAux(b, o, end, rep, plen, pktLen, owner, owner === 0 ? FCS_HEURISTIC : 0);
    ctx.layer(this, o, end, rep, aux);
    const next = ctx.tables.ethertype[type] ?? ctx.tables.data;
    return handOff(ctx, next, o, end, rep);
  },
};
