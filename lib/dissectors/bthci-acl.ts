// Bluetooth HCI ACL data packets (Bluetooth Core 5.3 Vol 4 Part E §5.4.2): connection handle with the packet
// boundary and broadcast flags, data total length, then L2CAP. Wireshark epan/dissectors/packet-bthci_acl.c.
// Little-endian. A first (or complete) fragment whose L2CAP length fits goes to btl2cap; fragments spread over
// several ACL packets are not reassembled here (Wireshark reassembles them per connection handle).

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { u16le } from "./bytes.js";
import { btl2cap } from "./btl2cap.js";
import { L2CAP_HEADER_LEN } from "./btl2cap.js";

/** Packet boundary flag values (pb_flag). */
export const PB_FIRST_NON_FLUSHABLE = 0, PB_CONTINUING = 1, PB_FIRST_FLUSHABLE = 2, PB_COMPLETE = 3;
export const PB_FLAGS = {
  0: "First Non-automatically-flushable Packet", 1: "Continuing Fragment", 2: "First Automatically Flushable Packet", 3: "Complete L2CAP PDU",
} as const;
export const BC_FLAGS = { 0: "Point-To-Point", 1: "Active Broadcast", 2: "Piconet Broadcast", 3: "Reserved for Future Use" } as const;

// Byte offsets.
const HANDLE = 0;
const LENGTH = HANDLE + 2;
export const ACL_HEADER_LEN = LENGTH + 2;

const has = (o: number, e: number) => e - o >= ACL_HEADER_LEN;
const word = (read: (w: number) => number): Getter => (b, o, e) => (has(o, e) ? read(u16le(b, o + HANDLE)) : undefined);

export const FIELDS: readonly FieldDef[] = [
  protocolField("bthci_acl", "Bluetooth HCI ACL Packet", "HCI ACL data packet"),
  { abbrev: "bthci_acl.chandle", name: "Connection Handle", type: "uint16", base: "hex", mask: 0x0fff, description: "Connection handle", get: word((w) => w & 0xfff) },
  { abbrev: "bthci_acl.pb_flag", name: "PB Flag", type: "uint16", base: "dec", mask: 0x3000, values: PB_FLAGS, description: "Packet Boundary Flag", get: word((w) => (w >> 12) & 3) },
  { abbrev: "bthci_acl.bc_flag", name: "BC Flag", type: "uint16", base: "dec", mask: 0xc000, values: BC_FLAGS, description: "Broadcast Flag", get: word((w) => w >> 14) },
  { abbrev: "bthci_acl.length", name: "Data Total Length", type: "uint16", base: "dec", description: "Length of the data after this header", get: (b, o, e) => (has(o, e) ? u16le(b, o + LENGTH) : undefined) },
];

/** The view + hand-off: a whole L2CAP PDU to btl2cap. */
export const bthciAcl: Dissector = {
  proto: "bthci_acl",
  name: "Bluetooth HCI ACL Packet",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (!has(o, end)) {
      ctx.malformed("bthci_acl", "shorter than the 4-byte ACL header");
      return null;
    }
    const pb = (u16le(b, o + HANDLE) >> 12) & 3, len = u16le(b, o + LENGTH), p = o + ACL_HEADER_LEN;
    if (len > rep - ACL_HEADER_LEN) {
      ctx.malformed("bthci_acl", "data total length goes past the end of the packet");
      return null;
    }
    // packet-bthci_acl.c: a start fragment holding its whole L2CAP PDU is handed on directly.
    if (pb === PB_CONTINUING || len < L2CAP_HEADER_LEN || p + 2 > end || u16le(b, p) + L2CAP_HEADER_LEN !== len) return null;
    return handOff(ctx, btl2cap, p, Math.min(end, p + len), len);
  },
};

/** Info-column summary. */
export function summary(b: Uint8Array, o: number): string {
  return `ACL handle 0x${(u16le(b, o) & 0xfff).toString(16).padStart(4, "0")}`;
}
