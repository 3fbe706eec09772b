// IEEE 802.2 Logical Link Control and SNAP (after an 802.3 length, a VLAN length or Linux SLL type 4).
// IEEE 802.2-1998 clause 3; RFC 1042 (SNAP); Wireshark epan/dissectors/packet-llc.c and packet-xdlc.c.
// The control field is one byte for U frames and two for I and S frames. SNAP with OUI 00-00-00 (or Cisco's and
// Apple's bridge OUIs) carries an ethertype, handed straight to its dissector (tshark: eth:llc:ip).

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { u16, u24 } from "./bytes.js";

const SAP_SNAP = 0xaa;
const SAP_IP = 0x06;
const U_FRAME = 3;
const UI = 0x03;
const OUI_ENCAP_ETHER = 0x000000, OUI_CISCO_90 = 0x0000f8, OUI_APPLE_ATALK = 0x080007;
const carriesEthertype = (oui: number) => oui === OUI_ENCAP_ETHER || oui === OUI_CISCO_90 || oui === OUI_APPLE_ATALK;
export const SAP_NAMES = { 0x00: "NULL LSAP", 0x06: "TCP/IP", 0x42: "Spanning Tree BPDU", 0xaa: "SNAP", 0xe0: "NetWare", 0xf0: "NetBIOS", 0xfe: "ISO Network Layer" };

// Byte offsets (IEEE 802.2 clause 3.2).
const DSAP = 0;
const SSAP = 1;
const CONTROL = 2;
export const LLC_MIN_LEN = CONTROL + 1;

const isU = (b: Uint8Array, o: number) => (b[o + CONTROL] & 3) === U_FRAME;
const controlLen = (b: Uint8Array, o: number) => (isU(b, o) ? 1 : 2);
const headerLen = (b: Uint8Array, o: number) => CONTROL + controlLen(b, o);
const whole = (b: Uint8Array, o: number, e: number) => e - o >= LLC_MIN_LEN && e - o >= headerLen(b, o);
const isSnap = (b: Uint8Array, o: number, e: number) => whole(b, o, e) && b[o + DSAP] === SAP_SNAP && b[o + SSAP] === SAP_SNAP && isU(b, o) && e - o >= headerLen(b, o) + 5;
const snapAt = (b: Uint8Array, o: number) => o + headerLen(b, o);
const f = (n: number, read: (b: Uint8Array, o: number) => number): Getter => (b, o, e) => (e - o >= n ? read(b, o) : undefined);
const ctl = (read: (b: Uint8Array, o: number) => number, when: (b: Uint8Array, o: number) => boolean = () => true): Getter =>
  (b, o, e) => (whole(b, o, e) && when(b, o) ? read(b, o) : undefined);
const isCmd = (b: Uint8Array, o: number) => (b[o + SSAP] & 1) === 0;

export const FIELDS: readonly FieldDef[] = [
  protocolField("llc", "Logical-Link Control", "IEEE 802.2 LLC header (with SNAP when DSAP = SSAP = 0xAA)"),
  { abbrev: "llc.dsap", name: "DSAP", type: "uint8", base: "hex", values: SAP_NAMES, description: "Destination service access point", get: f(1, (b, o) => b[o + DSAP]) },
  { abbrev: "llc.dsap.sap", name: "SAP", type: "uint8", mask: 0xfe, values: SAP_NAMES, description: "DSAP without its I/G bit", get: f(1, (b, o) => b[o + DSAP] & 0xfe) },
  { abbrev: "llc.dsap.ig", name: "IG Bit", type: "bool", mask: 0x01, description: "Group (1) or individual (0) DSAP", get: f(1, (b, o) => b[o + DSAP] & 1) },
  { abbrev: "llc.ssap", name: "SSAP", type: "uint8", base: "hex", values: SAP_NAMES, description: "Source service access point", get: f(2, (b, o) => b[o + SSAP]) },
  { abbrev: "llc.ssap.sap", name: "SAP", type: "uint8", mask: 0xfe, values: SAP_NAMES, description: "SSAP without its C/R bit", get: f(2, (b, o) => b[o + SSAP] & 0xfe) },
  { abbrev: "llc.ssap.cr", name: "CR Bit", type: "bool", mask: 0x01, description: "Response (1) or command (0)", get: f(2, (b, o) => b[o + SSAP] & 1) },
  { abbrev: "llc.control", name: "Control", type: "uint16", base: "hex", description: "Control field (one byte for U frames, two for I and S frames)", get: ctl((b, o) => (isU(b, o) ? b[o + CONTROL] : u16(b, o + CONTROL))) },
  { abbrev: "llc.control.ftype", name: "Frame type", type: "uint16", base: "hex", mask: 0x03, description: "0 I frame, 1 S frame, 3 U frame", get: ctl((b, o) => ((b[o + CONTROL] & 1) === 0 ? 0 : b[o + CONTROL] & 3)) },
  { abbrev: "llc.control.u_modifier_cmd", name: "Command", type: "uint8", base: "hex", mask: 0xec, description: "U frame command (0x00 UI, 0x2c TEST …)", get: ctl((b, o) => b[o + CONTROL] & 0xec, (b, o) => isU(b, o) && isCmd(b, o)) },
  { abbrev: "llc.control.u_modifier_resp", name: "Response", type: "uint8", base: "hex", mask: 0xec, description: "U frame response", get: ctl((b, o) => b[o + CONTROL] & 0xec, (b, o) => isU(b, o) && !isCmd(b, o)) },
  { abbrev: "llc.control.n_r", name: "N(R)", type: "uint16", mask: 0xfe00, description: "Receive sequence number (I and S frames)", get: ctl((b, o) => b[o + CONTROL + 1] >> 1, (b, o) => !isU(b, o)) },
  { abbrev: "llc.control.n_s", name: "N(S)", type: "uint16", mask: 0x00fe, description: "Send sequence number (I frames)", get: ctl((b, o) => b[o + CONTROL] >> 1, (b, o) => (b[o + CONTROL] & 1) === 0) },
  { abbrev: "llc.control.s_ftype", name: "Supervisory frame type", type: "uint16", base: "hex", mask: 0x0c, description: "0 RR, 1 RNR, 2 REJ", get: ctl((b, o) => (b[o + CONTROL] >> 2) & 3, (b, o) => (b[o + CONTROL] & 3) === 1) },
  { abbrev: "llc.oui", name: "Organization Code", type: "uint24", description: "SNAP organisationally unique identifier", get: (b, o, e) => (isSnap(b, o, e) ? u24(b, snapAt(b, o)) : undefined) },
  { abbrev: "llc.type", name: "Type", type: "uint16", base: "hex", description: "SNAP ethertype (OUI 00-00-00 and the bridge OUIs)", get: (b, o, e) => (isSnap(b, o, e) && carriesEthertype(u24(b, snapAt(b, o))) ? u16(b, snapAt(b, o) + 3) : undefined) },
  { abbrev: "llc.pid", name: "Protocol ID", type: "uint16", base: "hex", description: "SNAP protocol id under another OUI", get: (b, o, e) => (isSnap(b, o, e) && !carriesEthertype(u24(b, snapAt(b, o))) ? u16(b, snapAt(b, o) + 3) : undefined) },
];

/** The view + hand-off: SNAP ethertypes go straight to their dissector, SAP 0x06 to ip, the rest to data. */
export const llc: Dissector = {
  proto: "llc",
  name: "Logical-Link Control",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (end - o < LLC_MIN_LEN || end - o < headerLen(b, o)) {
      ctx.malformed("llc", "header cut short");
      return null;
    }
    const data = ctx.tables.data;
    let p = o + headerLen(b, o);
    if (b[o + DSAP] === SAP_SNAP && b[o + SSAP] === SAP_SNAP) {
      if (end - p < 5) { ctx.malformed("llc", "SNAP header cut short"); return null; }
      const oui = u24(b, p), pid = u16(b, p + 3);
      p += 5;
      const next = carriesEthertype(oui) && b[o + CONTROL] === UI ? ctx.tables.ethertype[pid] : undefined;
      return handOff(ctx, next ?? data, p, end, rep - (p - o));
    }
    const next = b[o + DSAP] === SAP_IP ? ctx.tables.byName.get("ip") : undefined;
    return p < end ? handOff(ctx, next ?? data, p, end, rep - (p - o)) : null;
  },
};
