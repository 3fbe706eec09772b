// Ethernet II and IEEE 802.3 (LINKTYPE_ETHERNET = 1).
// IEEE 802.3-2018 clause 3.2; Wireshark epan/dissectors/packet-eth.c; gopacket layers/ethernet.go.
// A type/length value >= 0x0600 is an ethertype (Ethernet II); <= 1500 is an 802.3 length followed by LLC.

import { ETHERTYPE_NAMES } from "./ethertype-names.js";
import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { mac, u16, u24 } from "./bytes.js";
import { etherKey, ethertype } from "./ethertype.js";
import { FCS_HEURISTIC, OWNER_ETH, trailerAux, trailerField } from "./link-trailer.js";

// Byte offsets (IEEE 802.3 clause 3.1.1).
const DST = 0;
const SRC = 6;
const TYPE = 12;
export const ETH_HEADER_LEN = TYPE + 2;

/** Largest 802.3 length value; type/length values from 0x0600 up are ethertypes. */
const MAX_LENGTH = 1500;
const MIN_ETHERTYPE = 0x0600;

const isType = (b: Uint8Array, o: number) => u16(b, o + TYPE) >= MIN_ETHERTYPE;
// A truncated header is still recorded as a layer: each getter checks that its bytes were captured.
const hasDst = (o: number, end: number) => end - o >= SRC;
const hasSrc = (o: number, end: number) => end - o >= TYPE;
const hasType = (o: number, end: number) => end - o >= ETH_HEADER_LEN;

export const FIELDS: readonly FieldDef[] = [
  protocolField("eth", "Ethernet", "Ethernet II or IEEE 802.3 frame"),
  { abbrev: "eth.dst", name: "Destination", type: "ether", description: "Destination MAC address", get: (b, o, e) => (hasDst(o, e) ? mac(b, o + DST) : undefined) },
  { abbrev: "eth.src", name: "Source", type: "ether", description: "Source MAC address", get: (b, o, e) => (hasSrc(o, e) ? mac(b, o + SRC) : undefined) },
  {
    abbrev: "eth.addr", name: "Address", type: "ether", description: "Source or destination MAC address (matches either)",
    each: (b, o, e, _r, _a, emit) => { if (hasDst(o, e)) emit(mac(b, o + DST)); if (hasSrc(o, e)) emit(mac(b, o + SRC)); },
  },
  { abbrev: "eth.dst.oui", name: "Destination OUI", type: "uint24", description: "Organisationally unique identifier of the destination", get: (b, o, e) => (hasDst(o, e) ? u24(b, o + DST) : undefined) },
  { abbrev: "eth.src.oui", name: "Source OUI", type: "uint24", description: "Organisationally unique identifier of the source", get: (b, o, e) => (hasSrc(o, e) ? u24(b, o + SRC) : undefined) },
  { abbrev: "eth.dst.lg", name: "LG bit", type: "bool", mask: 0x02, description: "Destination is a locally administered address", get: (b, o, e) => (hasDst(o, e) ? (b[o + DST] >> 1) & 1 : undefined) },
  { abbrev: "eth.dst.ig", name: "IG bit", type: "bool", mask: 0x01, description: "Destination is a group (multicast) address", get: (b, o, e) => (hasDst(o, e) ? b[o + DST] & 1 : undefined) },
  { abbrev: "eth.src.lg", name: "LG bit", type: "bool", mask: 0x02, description: "Source is a locally administered address", get: (b, o, e) => (hasSrc(o, e) ? (b[o + SRC] >> 1) & 1 : undefined) },
  { abbrev: "eth.src.ig", name: "IG bit", type: "bool", mask: 0x01, description: "Source is a group address (invalid on the wire)", get: (b, o, e) => (hasSrc(o, e) ? b[o + SRC] & 1 : undefined) },
  {
    abbrev: "eth.addr.oui", name: "Address OUI", type: "uint24", description: "OUI of the destination, then of the source",
    each: (b, o, e, _r, _a, emit) => { if (hasDst(o, e)) emit(u24(b, o + DST)); if (hasSrc(o, e)) emit(u24(b, o + SRC)); },
  },
  {
    abbrev: "eth.lg", name: "LG bit", type: "bool", mask: 0x02, description: "Locally administered bit of the destination, then of the source",
    each: (b, o, e, _r, _a, emit) => { if (hasDst(o, e)) emit((b[o + DST] >> 1) & 1); if (hasSrc(o, e)) emit((b[o + SRC] >> 1) & 1); },
  },
  {
    abbrev: "eth.ig", name: "IG bit", type: "bool", mask: 0x01, description: "Group bit of the destination, then of the source",
    each: (b, o, e, _r, _a, emit) => { if (hasDst(o, e)) emit(b[o + DST] & 1); if (hasSrc(o, e)) emit(b[o + SRC] & 1); },
  },
  {
    abbrev: "eth.type", name: "Type", type: "uint16", base: "hex", values: ETHERTYPE_NAMES, description: "Ethertype of the payload (Ethernet II only)",
    get: (b, o, e) => (hasType(o, e) && isType(b, o) ? u16(b, o + TYPE) : undefined),
  },
  {
    abbrev: "eth.len", name: "Length", type: "uint16", description: "Payload length of an IEEE 802.3 frame",
    get: (b, o, e) => (hasType(o, e) && u16(b, o + TYPE) <= MAX_LENGTH ? u16(b, o + TYPE) : undefined),
  },
  {
    abbrev: "eth.invalid_lentype", name: "Invalid length/type", type: "uint16", base: "hex", description: "A type/length value between 1501 and 1535: neither a length nor an ethertype",
    get: (b, o, e) => { if (!hasType(o, e)) return undefined; const v = u16(b, o + TYPE); return v > MAX_LENGTH && v < MIN_ETHERTYPE ? v : undefined; },
  },
  // Padding, trailer and FCS depend on the payload's own length: derived from the layer table (link-trailer.ts).
  trailerField({ abbrev: "eth.padding", name: "Padding", type: "bytes", description: "Zero bytes padding a short frame up to 60 bytes" }, ["ethertype", "eth", "vlan"], -1, "padding"),
  trailerField({ abbrev: "eth.trailer", name: "Trailer", type: "bytes", description: "Bytes after the payload that are neither padding nor FCS" }, ["ethertype", "eth"], OWNER_ETH, "trailer"),
  trailerField({ abbrev: "eth.fcs", name: "Frame check sequence", type: "uint32", base: "hex", description: "Ethernet CRC-32, when the frame seems to carry one" }, ["ethertype", "eth"], OWNER_ETH, "fcs"),
  trailerField({ abbrev: "eth.fcs.status", name: "FCS Status", type: "uint8", values: { 0: "Bad", 1: "Good", 2: "Unverified" }, description: "2 (unverified): the FCS is shown but not checked" }, ["ethertype", "eth"], OWNER_ETH, "fcs.status"),
];

/** The view + hand-off: Ethernet II hands the ethertype on; 802.3 hands its length-bounded payload to LLC. */
export const ethernet: Dissector = {
  proto: "eth",
  name: "Ethernet II",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    if (end - o < ETH_HEADER_LEN) {
      ctx.layer(this, o, end, rep);
      ctx.malformed("eth", "frame shorter than the 14-byte Ethernet header");
      return null;
    }
    const tl = u16(b, o + TYPE);
    const p = o + ETH_HEADER_LEN;
    if (tl >= MIN_ETHERTYPE) {
      ctx.layer(this, o, end, rep);
      // The frame's reported length rides along for the padding rule (Wireshark's pinfo->fd->pkt_len).
      ctx.key = etherKey(tl, OWNER_ETH, rep);
      return handOff(ctx, ethertype, p, end, rep - ETH_HEADER_LEN);
    }
    if (tl > MAX_LENGTH) {
      ctx.layer(this, o, end, rep);
      ctx.malformed("eth", `invalid length/type 0x${tl.toString(16).padStart(4, "0")}`);
      return handOff(ctx, ctx.tables.data, p, end, rep - ETH_HEADER_LEN);
    }
    // 802.3: the length bounds the LLC payload; what follows is padding, trailer and maybe an FCS.
    let len = tl;
    if (len > rep - ETH_HEADER_LEN) {
      ctx.malformed("eth", "length field value goes past the end of the payload");
      len = rep - ETH_HEADER_LEN;
    }
    ctx.layer(this, o, end, rep, trailerAux(b, o, end, rep, ETH_HEADER_LEN + len, rep, OWNER_ETH, FCS_HEURISTIC));
    const next = u16(b, p) === 0xffff ? ctx.tables.byName.get("ipx") : ctx.tables.byName.get("llc");
    return handOff(ctx, next ?? ctx.tables.data, p, Math.min(end, p + len), len);
  },
};

/** Info-column summary: "src → dst". */
export function summary(b: Uint8Array, o: number): string {
  const hex = (v: number) => v.toString(16).padStart(12, "0").replace(/(..)(?!$)/g, "$1:");
  return `${hex(mac(b, o + SRC))} → ${hex(mac(b, o + DST))}`;
}
