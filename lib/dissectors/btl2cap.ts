// Bluetooth L2CAP basic frames over BLE (Bluetooth Core 5.3 Vol 3 Part A §3.1): length, channel id, payload.
// Wireshark epan/dissectors/packet-btl2cap.c. Fixed LE channels: 0x0004 ATT, 0x0005 LE signaling, 0x0006 SMP.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { copy, u16le } from "./bytes.js";
import { btatt } from "./btatt.js";
import { btsmp } from "./btsmp.js";

export const CID_ATT = 0x0004, CID_LE_SIGNALING = 0x0005, CID_SMP = 0x0006;
export const CIDS = { 0x0004: "Attribute Protocol", 0x0005: "Low Energy L2CAP Signaling Channel", 0x0006: "Security Manager Protocol" } as const;

// Byte offsets.
const LENGTH = 0;
const CID = 2;
export const L2CAP_HEADER_LEN = CID + 2;

const has = (o: number, e: number) => e - o >= L2CAP_HEADER_LEN;

export const FIELDS: readonly FieldDef[] = [
  protocolField("btl2cap", "Bluetooth L2CAP Protocol", "L2CAP basic frame"),
  { abbrev: "btl2cap.length", name: "Length", type: "uint16", base: "dec", description: "Payload length (excluding this header)", get: (b, o, e) => (has(o, e) ? u16le(b, o + LENGTH) : undefined) },
  { abbrev: "btl2cap.cid", name: "CID", type: "uint16", base: "hex", values: CIDS, description: "Channel id: 4 ATT, 5 LE signaling, 6 SMP", get: (b, o, e) => (has(o, e) ? u16le(b, o + CID) : undefined) },
  {
    abbrev: "btl2cap.payload", name: "Payload", type: "bytes", description: "Payload of a channel without a dissector",
    get: (b, o, e) => { if (!has(o, e)) return undefined; const c = u16le(b, o + CID); return c === CID_ATT || c === CID_SMP ? undefined : copy(b, o + L2CAP_HEADER_LEN, Math.min(e, o + L2CAP_HEADER_LEN + u16le(b, o)) - o - L2CAP_HEADER_LEN); },
  },
];

/** The view + hand-off by channel id. */
export const btl2cap: Dissector = {
  proto: "btl2cap",
  name: "Bluetooth L2CAP Protocol",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (!has(o, end)) {
      ctx.malformed("btl2cap", "shorter than the 4-byte L2CAP header");
      return null;
    }
    const len = u16le(b, o + LENGTH), p = o + L2CAP_HEADER_LEN;
    if (len > rep - L2CAP_HEADER_LEN) ctx.malformed("btl2cap", "length field goes past the end of the PDU");
    const n = Math.min(len, rep - L2CAP_HEADER_LEN), stop = Math.min(end, p + n);
    const cid = u16le(b, o + CID);
    return handOff(ctx, cid === CID_ATT ? btatt : cid === CID_SMP ? btsmp : null, p, stop, n);
  },
};

/** Info-column summary. */
export function summary(b: Uint8Array, o: number): string {
  return `L2CAP CID 0x${u16le(b, o + CID).toString(16).padStart(4, "0")}`;
}
