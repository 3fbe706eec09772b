// IEEE 802.1Q VLAN tag and 802.1ad (QinQ) service tag: ethertypes 0x8100, 0x88a8 and the pre-standard 0x9100.
// IEEE 802.1Q-2018 clause 9.6; Wireshark epan/dissectors/packet-vlan.c. Each tag is its own `vlan` layer followed by
// an `ethertype` layer, as tshark 4.0 shows it (eth:ethertype:vlan:ethertype:ip). A type value of 1500 or less is an
// 802.3 length, and an LLC (or raw IPX) payload follows.

import { ETHERTYPE_NAMES } from "./ethertype-names.js";
import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { u16 } from "./bytes.js";
import { etherKey, ethertype, keyPktLen } from "./ethertype.js";
import { OWNER_VLAN, trailerAux, trailerField } from "./link-trailer.js";

/** Largest 802.3 length value. */
const MAX_LENGTH = 1500;

// Byte offsets within the 4-byte tag that follows the TPID (the TPID itself is the previous layer's type).
const TCI = 0;
const TYPE = 2;
export const VLAN_HEADER_LEN = TYPE + 2;

const PRIORITY_NAMES = {
  0: "Best Effort (default)", 1: "Background", 2: "Excellent Effort", 3: "Critical Applications",
  4: "Video, < 100ms latency and jitter", 5: "Voice, < 10ms latency and jitter", 6: "Internetwork Control", 7: "Network Control",
};

const tagged = (o: number, end: number) => end - o >= VLAN_HEADER_LEN;

export const FIELDS: readonly FieldDef[] = [
  protocolField("vlan", "802.1Q Virtual LAN", "One VLAN tag (802.1Q C-tag or 802.1ad S-tag); stacked tags are separate layers"),
  { abbrev: "vlan.priority", name: "Priority", type: "uint16", mask: 0xe000, values: PRIORITY_NAMES, description: "Priority code point (PCP)", get: (b, o, e) => (tagged(o, e) ? b[o + TCI] >> 5 : undefined) },
  { abbrev: "vlan.dei", name: "DEI", type: "bool", mask: 0x1000, description: "Drop eligible indicator (formerly CFI)", get: (b, o, e) => (tagged(o, e) ? (b[o + TCI] >> 4) & 1 : undefined) },
  { abbrev: "vlan.id", name: "ID", type: "uint16", mask: 0x0fff, description: "VLAN identifier", get: (b, o, e) => (tagged(o, e) ? u16(b, o + TCI) & 0xfff : undefined) },
  { abbrev: "vlan.etype", name: "Type", type: "uint16", base: "hex", values: ETHERTYPE_NAMES, description: "Ethertype of what follows the tag", get: (b, o, e) => (tagged(o, e) && u16(b, o + TYPE) > MAX_LENGTH ? u16(b, o + TYPE) : undefined) },
  { abbrev: "vlan.len", name: "Length", type: "uint16", description: "802.3 length of the LLC payload after the tag", get: (b, o, e) => (tagged(o, e) && u16(b, o + TYPE) <= MAX_LENGTH ? u16(b, o + TYPE) : undefined) },
  trailerField({ abbrev: "vlan.trailer", name: "Trailer", type: "bytes", description: "Bytes after the payload of a tagged frame that are not padding" }, ["ethertype", "vlan"], OWNER_VLAN, "trailer"),
];

/** The view + hand-off: the inner ethertype goes to `ethertype` (key carries the frame length on); a length to LLC. */
export const vlan: Dissector = {
  proto: "vlan",
  name: "802.1Q Virtual LAN",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const pktLen = keyPktLen(ctx.key);
    if (end - o < VLAN_HEADER_LEN) {
      ctx.layer(this, o, end, rep);
      ctx.malformed("vlan", "tag shorter than 4 bytes");
      return null;
    }
    const type = u16(b, o + TYPE), p = o + VLAN_HEADER_LEN;
    if (type > MAX_LENGTH) {
      ctx.layer(this, o, end, rep);
      ctx.key = etherKey(type, OWNER_VLAN, pktLen);
      return handOff(ctx, ethertype, p, end, rep - VLAN_HEADER_LEN);
    }
    let len = type;
    if (len > rep - VLAN_HEADER_LEN) {
      ctx.malformed("vlan", "length field value goes past the end of the payload");
      len = rep - VLAN_HEADER_LEN;
    }
    ctx.layer(this, o, end, rep, trailerAux(b, o, end, rep, VLAN_HEADER_LEN + len, pktLen, OWNER_VLAN, 0));
    const next = end - p >= 2 && u16(b, p) === 0xffff ? ctx.tables.byName.get("ipx") : ctx.tables.byName.get("llc");
    return handOff(ctx, next ?? ctx.tables.data, p, Math.min(end, p + len), len);
  },
};

/** Info-column summary: "PRI: 0  DEI: 0  ID: 100". */
export function summary(b: Uint8Array, o: number): string {
  return `PRI: ${b[o] >> 5}  DEI: ${(b[o] >> 4) & 1}  ID: ${u16(b, o) & 0xfff}`;
}
