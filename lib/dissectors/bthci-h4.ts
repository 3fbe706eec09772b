// Bluetooth HCI UART transport (H4) with the pcap direction pseudo-header (LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201),
// as Android's btsnoop-to-pcap and Linux hcidump captures hold them.
// https://www.tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR.html; Bluetooth Core 5.3 Vol 4 Part A §2;
// Wireshark wiretap/libpcap.c (the pseudo-header), epan/dissectors/packet-hci_h4.c.
// The 4-byte big-endian direction word (bit 0: received) is not part of the packet in Wireshark: it becomes
// pinfo->p2p_dir, shown as hci_h4.direction. Then one packet-type byte and the HCI packet.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { u32 } from "./bytes.js";
import { bluetooth } from "./bluetooth.js";
import { bthciAcl } from "./bthci-acl.js";

export const LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201;
export const HCI_H4_TYPE_CMD = 0x01, HCI_H4_TYPE_ACL = 0x02, HCI_H4_TYPE_SCO = 0x03, HCI_H4_TYPE_EVT = 0x04, HCI_H4_TYPE_ISO = 0x05;
export const HCI_H4_TYPES = { 0x01: "HCI Command", 0x02: "ACL Data", 0x03: "SCO Data", 0x04: "HCI Event", 0x05: "ISO Data" } as const;
export const HCI_H4_DIRECTIONS = { 0: "Sent", 1: "Rcvd" } as const;

// Byte offsets.
const PHDR_DIRECTION = 0;
export const PHDR_LEN = PHDR_DIRECTION + 4;
const TYPE = 0;
export const H4_HEADER_LEN = TYPE + 1;

const DIR_KEY = 0x20000000; // ctx.key mark: the pseudo-header's direction follows in bit 0

export const FIELDS: readonly FieldDef[] = [
  protocolField("hci_h4", "Bluetooth HCI H4", "HCI UART transport packet"),
  { abbrev: "hci_h4.type", name: "HCI Packet Type", type: "uint8", base: "hex", values: HCI_H4_TYPES, description: "Command, ACL data, SCO data, event or ISO data", get: (b, o, e) => (o < e ? b[o + TYPE] : undefined) },
  { abbrev: "hci_h4.direction", name: "Direction", type: "uint8", base: "hex", values: HCI_H4_DIRECTIONS, description: "HCI Packet Direction Sent/Rcvd (from the pseudo-header)", get: (_b, _o, _e, _r, a) => (a === 0 ? undefined : a - 1) },
];

/** The view + hand-off by packet type; the direction comes in ctx.key (from bluetoothH4Phdr). */
export const hciH4: Dissector = {
  proto: "hci_h4",
  name: "Bluetooth HCI H4",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const dir = (ctx.key & DIR_KEY) !== 0 ? 1 + (ctx.key & 1) : 0;
    ctx.key = 0;
    ctx.layer(this, o, end, rep, dir);
    if (end - o < H4_HEADER_LEN) {
      ctx.malformed("hci_h4", "no packet type byte");
      return null;
    }
    const next = b[o + TYPE] === HCI_H4_TYPE_ACL ? bthciAcl : null;
    return handOff(ctx, next, o + H4_HEADER_LEN, end, rep - H4_HEADER_LEN);
  },
};

/**
 * Link type 201's entry: records the "bluetooth" pseudo-layer (as bluetooth.ts does for the LE link types) over the
 * packet after the pseudo-header and hands it to hci_h4 with the direction. Records no layer of its own.
 */
export const bluetoothH4Phdr: Dissector = {
  proto: "bluetooth",
  name: "Bluetooth",
  fields: [],
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    if (end - o < PHDR_LEN) {
      ctx.layer(bluetooth, o, end, rep);
      ctx.malformed("bluetooth", "shorter than the 4-byte direction pseudo-header");
      return null;
    }
    ctx.layer(bluetooth, o + PHDR_LEN, end, rep - PHDR_LEN);
    ctx.key = DIR_KEY | (u32(b, o + PHDR_DIRECTION) & 1);
    return handOff(ctx, hciH4, o + PHDR_LEN, end, rep - PHDR_LEN);
  },
};

/** Info-column summary. */
export function summary(b: Uint8Array, o: number): string {
  const t = b[o];
  return HCI_H4_TYPES[t as keyof typeof HCI_H4_TYPES] ?? `Unknown HCI packet type 0x${t.toString(16)}`;
}
