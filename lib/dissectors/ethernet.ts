// Ethernet II and IEEE 802.3 (LINKTYPE_ETHERNET = 1).
// IEEE 802.3-2018 clause 3.2; Wireshark epan/dissectors/packet-eth.c; gopacket layers/ethernet.go.
// A type/length value >= 0x0600 is an ethertype (Ethernet II); <= 1500 is an 802.3 length followed by LLC.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { mac, u16, u24 } from "./bytes.js";
import { ethertype } from "./ethertype.js";

// Byte offsets (IEEE 802.3 clause 3.1.1).
const DST = 0;
const SRC = 6;
const TYPE = 12;
export const ETH_HEADER_LEN = TYPE + 2;

/** Largest 802.3 length value; type/length values from 0x0600 up are ethertypes. */
const MAX_LENGTH = 1500;
const MIN_ETHERTYPE = 0x0600;

const isType = (b: Uint8Array, o: number) => u16(b, o + TYPE) >= MIN_ETHERTYPE;

export const FIELDS: readonly FieldDef[] = [
  protocolField("eth", "Ethernet", "Ethernet II or IEEE 802.3 frame"),
  { abbrev: "eth.dst", name: "Destination", type: "ether", description: "Destination MAC address", get: (b, o) => mac(b, o + DST) },
  { abbrev: "eth.src", name: "Source", type: "ether", description: "Source MAC address", get: (b, o) => mac(b, o + SRC) },
  {
    abbrev: "eth.addr", name: "Address", type: "ether", description: "Source or destination MAC address (matches either)",
    each: (b, o, _e, _r, _a, emit) => { emit(mac(b, o + DST)); emit(mac(b, o + SRC)); },
  },
  { abbrev: "eth.dst.oui", name: "Destination OUI", type: "uint24", description: "Organisationally unique identifier of the destination", get: (b, o) => u24(b, o + DST) },
  { abbrev: "eth.src.oui", name: "Source OUI", type: "uint24", description: "Organisationally unique identifier of the source", get: (b, o) => u24(b, o + SRC) },
  { abbrev: "eth.dst.lg", name: "LG bit", type: "bool", mask: 0x02, description: "Destination is a locally administered address", get: (b, o) => (b[o + DST] >> 1) & 1 },
  { abbrev: "eth.dst.ig", name: "IG bit", type: "bool", mask: 0x01, description: "Destination is a group (multicast) address", get: (b, o) => b[o + DST] & 1 },
  { abbrev: "eth.src.lg", name: "LG bit", type: "bool", mask: 0x02, description: "Source is a locally administered address", get: (b, o) => (b[o + SRC] >> 1) & 1 },
  { abbrev: "eth.src.ig", name: "IG bit", type: "bool", mask: 0x01, description: "Source is a group address (invalid on the wire)", get: (b, o) => b[o + SRC] & 1 },
  {
    abbrev: "eth.type", name: "Type", type: "uint16", base: "hex", description: "Ethertype of the payload (Ethernet II only)",
    get: (b, o) => (isType(b, o) ? u16(b, o + TYPE) : undefined),
  },
  {
    abbrev: "eth.len", name: "Length", type: "uint16", description: "Payload length of an IEEE 802.3 frame",
    get: (b, o) => (isType(b, o) ? undefined : u16(b, o + TYPE)),
  },
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
    ctx.layer(this, o, end, rep);
    const tl = u16(b, o + TYPE);
    const p = o + ETH_HEADER_LEN;
    if (tl >= MIN_ETHERTYPE) {
      ctx.key = tl;
      return handOff(ctx, ethertype, p, end, rep - ETH_HEADER_LEN);
    }
    if (tl > MAX_LENGTH) {
      ctx.malformed("eth", `invalid length/type 0x${tl.toString(16).padStart(4, "0")}`);
      return null;
    }
    // 802.3: the length bounds the LLC payload; what follows is padding.
    const llc = ctx.tables.byName.get("llc") ?? null;
    return handOff(ctx, llc, p, Math.min(end, p + tl), tl);
  },
};

/** Info-column summary: "src → dst". */
export function summary(b: Uint8Array, o: number): string {
  const hex = (v: number) => v.toString(16).padStart(12, "0").replace(/(..)(?!$)/g, "$1:");
  return `${hex(mac(b, o + SRC))} → ${hex(mac(b, o + DST))}`;
}
