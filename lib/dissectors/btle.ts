// Bluetooth Low Energy link layer (LINKTYPE_BLUETOOTH_LE_LL = 251; after btle_rf for 256).
// Bluetooth Core 5.3 Vol 6 Part B §2.3 (advertising physical channel PDUs), §2.4 (data channel PDUs), §2.4.2 (LL
// control PDUs); Wireshark epan/dissectors/packet-btle.c. Multi-byte fields are little-endian; BD_ADDRs are sent
// least significant byte first. Advertising data goes to btcommon-ad.ts, L2CAP to btl2cap.ts.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { copy, u16le, u32le } from "./bytes.js";
import { connection, connectionRef, link, openConnection, resetConnections } from "./btle-conn.js";
import { btcommonAd, CHANNEL_MAP_KEY } from "./btcommon-ad.js";
import { btl2cap } from "./btl2cap.js";
import { CONTROL_FIELDS, CONTROL_OPCODES, controlLength } from "./btle-control.js";

/** The advertising channels' access address. */
export const ACCESS_ADDRESS_ADVERTISING = 0x8e89bed6;

/** Advertising PDU types (Core Vol 6 Part B §2.3); 3, 5 and 7 are also AUX_SCAN_REQ, AUX_CONNECT_REQ, AUX_*. */
export const ADV_IND = 0x0, ADV_DIRECT_IND = 0x1, ADV_NONCONN_IND = 0x2, SCAN_REQ = 0x3, SCAN_RSP = 0x4,
  CONNECT_IND = 0x5, ADV_SCAN_IND = 0x6, ADV_EXT_IND = 0x7, AUX_CONNECT_RSP = 0x8;
export const ADV_PDU_TYPES = {
  0: "ADV_IND", 1: "ADV_DIRECT_IND", 2: "ADV_NONCONN_IND", 3: "SCAN_REQ", 4: "SCAN_RSP", 5: "CONNECT_IND",
  6: "ADV_SCAN_IND", 7: "ADV_EXT_IND", 8: "AUX_CONNECT_RSP",
} as const;
/** LLID of a data channel PDU. */
export const LLID_CONTINUATION = 1, LLID_START = 2, LLID_CONTROL = 3;
export const LLIDS = {
  1: "Continuation fragment of an L2CAP message, or an Empty PDU",
  2: "Start of an L2CAP message or a complete L2CAP message with no fragmentation", 3: "Control PDU",
} as const;
export const SLEEP_CLOCK_ACCURACY = {
  0: "251 ppm to 500 ppm", 1: "151 ppm to 250 ppm", 2: "101 ppm to 150 ppm", 3: "76 ppm to 100 ppm",
  4: "51 ppm to 75 ppm", 5: "31 ppm to 50 ppm", 6: "21 ppm to 30 ppm", 7: "0 ppm to 20 ppm",
} as const;
export { CONTROL_OPCODES };

// ------------------------------------------------------------------ context from the RF header (ctx.key)
const RF_MARK = 0x40000000;
/** Packs the RF header's flags and channel index for btle (set by btle_rf / nordic_ble in ctx.key). */
export const rfKey = (flags: number, channel: number): number => RF_MARK | ((channel & 0xff) << 16) | (flags & 0xffff);

// ------------------------------------------------------------------ aux: what the getters need to know
const KIND_ADV = 0, KIND_DATA = 1, KIND_OTHER = 2;
const AUX_CHSEL = 4; // CONNECT_IND on a primary channel: bit 5 is ChSel
const AUX_CODED = 8; // LE Coded PHY: a coding indicator byte precedes the header
const AUX_REASSEMBLED = 16; // this continuation fragment completed an L2CAP PDU (handed on reassembled)
const kind = (a: number) => a & 3;
const connOf = (a: number) => a >>> 8;

// Byte offsets.
const AA = 0;
const HEADER = AA + 4; // + 1 on the coded PHY
const PAYLOAD = HEADER + 2;
const CRC_LEN = 3;
/** CONNECT_IND payload: InitA, AdvA, LLData (22 bytes). */
const LL_DATA = 12;
const CONNECT_LEN = LL_DATA + 22;

const hdr = (o: number, a: number) => o + HEADER + ((a & AUX_CODED) !== 0 ? 1 : 0);
/** A BD_ADDR (little-endian on the air) as a 48-bit number. */
export const bdAddr = (b: Uint8Array, p: number): number =>
  (b[p + 5] * 65536 + ((b[p + 4] << 8) | b[p + 3])) * 16777216 + ((b[p + 2] << 16) | (b[p + 1] << 8) | b[p]);
const u24le = (b: Uint8Array, p: number) => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
/** Bit-reversed bytes: the CRC goes on the air most significant bit first (Core Vol 6 Part B §1.2). */
const REV = Uint8Array.from({ length: 256 }, (_, v) => { let r = 0; for (let i = 0; i < 8; i++) r |= ((v >> i) & 1) << (7 - i); return r; });

/** The advertising PDU type when this layer is an advertising PDU with its header captured, else -1. */
const advType = (b: Uint8Array, o: number, e: number, a: number) => (kind(a) === KIND_ADV && hdr(o, a) + 2 <= e ? b[hdr(o, a)] & 0xf : -1);
/** Whether TxAdd / RxAdd / ChSel are meaningful for this PDU type (packet-btle.c, the switch before the header). */
function txValid(b: Uint8Array, o: number, e: number, a: number): boolean {
  const t = advType(b, o, e, a);
  if (t === ADV_EXT_IND || t === AUX_CONNECT_RSP) return hdr(o, a) + 3 < e && (b[hdr(o, a) + 3] & 1) !== 0;
  return t >= 0 && t <= 6;
}
function rxValid(b: Uint8Array, o: number, e: number, a: number): boolean {
  const t = advType(b, o, e, a);
  if (t === ADV_EXT_IND || t === AUX_CONNECT_RSP) return hdr(o, a) + 3 < e && (b[hdr(o, a) + 3] & 2) !== 0;
  return t === ADV_DIRECT_IND || t === CONNECT_IND || t === SCAN_REQ;
}
const chSelValid = (b: Uint8Array, o: number, e: number, a: number) => {
  const t = advType(b, o, e, a);
  return t === ADV_IND || ((t === CONNECT_IND || t === ADV_DIRECT_IND) && (a & AUX_CHSEL) !== 0);
};
const headerBit = (test: (b: Uint8Array, o: number, e: number, a: number) => boolean, want: boolean, mask: number, shift: number): Getter =>
  (b, o, e, _r, a) => (advType(b, o, e, a) >= 0 && test(b, o, e, a) === want ? (b[hdr(o, a)] & mask) >> shift : undefined);

/** An address at payload offset `at` of the PDU types in `types`. */
const addr = (types: readonly number[], at: number): Getter => (b, o, e, _r, a) => {
  const t = advType(b, o, e, a);
  const p = hdr(o, a) + 2 + at;
  return types.includes(t) && p + 6 <= e ? bdAddr(b, p) : undefined;
};
/** A CONNECT_IND LLData field at offset `at` of the LLData. */
const ll = (at: number, n: number, read: (b: Uint8Array, p: number) => number | Uint8Array): Getter => (b, o, e, _r, a) => {
  const p = hdr(o, a) + 2 + LL_DATA + at;
  return advType(b, o, e, a) === CONNECT_IND && p + n <= e ? read(b, p) : undefined;
};

// ------------------------------------------------------------------ extended advertising header (types 7, 8)
/** Offset of the extended header's flags byte, or -1 when there is no flags byte. */
function extFlagsAt(b: Uint8Array, o: number, e: number, a: number): number {
  const t = advType(b, o, e, a);
  if (t !== ADV_EXT_IND && t !== AUX_CONNECT_RSP) return -1;
  const p = hdr(o, a) + 2;
  return p + 1 < e && (b[p] & 0x3f) > 0 ? p + 1 : -1;
}
/** Offset of the extended-header item `bit` (0x01 AdvA … 0x40 TxPower), or -1 when absent or cut off. */
function extItem(b: Uint8Array, o: number, e: number, a: number, bit: number, n: number): number {
  const f = extFlagsAt(b, o, e, a);
  if (f < 0) return -1;
  const flags = b[f];
  if ((flags & bit) === 0) return -1;
  let p = f + 1;
  const sizes = [6, 6, 1, 2, 3, 18, 1];
  for (let i = 0, m = 1; m < bit; i++, m <<= 1) if ((flags & m) !== 0) p += sizes[i];
  return p + n <= e ? p : -1;
}
const ext = (bit: number, n: number, read: (b: Uint8Array, p: number) => number): Getter =>
  (b, o, e, _r, a) => { const p = extItem(b, o, e, a, bit, n); return p < 0 ? undefined : read(b, p); };
const extHeader = (read: (b: Uint8Array, p: number) => number): Getter => (b, o, e, _r, a) => {
  const t = advType(b, o, e, a);
  const p = hdr(o, a) + 2;
  return (t === ADV_EXT_IND || t === AUX_CONNECT_RSP) && p < e ? read(b, p) : undefined;
};
const extFlag = (mask: number): Getter => (b, o, e, _r, a) => { const f = extFlagsAt(b, o, e, a); return f < 0 ? undefined : (b[f] & mask) !== 0 ? 1 : 0; };

// ------------------------------------------------------------------ data channel
const dataHdr = (fn: (h: number, len: number) => number | undefined): Getter =>
  (b, o, e, _r, a) => { if (kind(a) !== KIND_DATA) return undefined; const h = hdr(o, a); return h + 2 <= e ? fn(b[h], b[h + 1]) : undefined; };
const cteAt = (b: Uint8Array, o: number, a: number) => ((b[hdr(o, a)] & 0x20) !== 0 ? 1 : 0);
const cte = (fn: (v: number) => number): Getter => (b, o, e, _r, a) => {
  if (kind(a) !== KIND_DATA || hdr(o, a) + 3 > e || cteAt(b, o, a) === 0) return undefined;
  return fn(b[hdr(o, a) + 2]);
};
/** Where the data payload starts (after the header and the CTEInfo byte). */
const dataPayload = (b: Uint8Array, o: number, a: number) => hdr(o, a) + 2 + cteAt(b, o, a);

/** Offset of the CRC (packet-btle.c: after the decoded payload), or -1. */
function crcAt(b: Uint8Array, o: number, e: number, r: number, a: number): number {
  const h = hdr(o, a);
  if (h + 2 > e) return -1;
  let p: number;
  if (kind(a) === KIND_ADV) {
    const t = b[h] & 0xf;
    if (t === ADV_DIRECT_IND || t === SCAN_REQ) p = h + 2 + 12;
    else if (t === CONNECT_IND) p = h + 2 + CONNECT_LEN;
    else p = o + r - CRC_LEN > h + 2 ? o + r - CRC_LEN : h + 2;
  } else if (kind(a) === KIND_DATA) {
    p = dataPayload(b, o, a) + b[h + 1];
    if ((b[h] & 3) === LLID_CONTROL) p = dataPayload(b, o, a) + controlLength(b, dataPayload(b, o, a), e, b[h + 1]);
  } else return -1;
  return p + CRC_LEN <= e ? p : -1;
}

const conn = (read: (c: NonNullable<ReturnType<typeof connection>>) => number): Getter =>
  (_b, _o, _e, _r, a) => { const c = kind(a) === KIND_DATA ? connection(connOf(a)) : undefined; return c === undefined ? undefined : read(c); };

export const FIELDS: readonly FieldDef[] = [
  protocolField("btle", "Bluetooth Low Energy Link Layer", "BLE link-layer packet"),
  { abbrev: "btle.access_address", name: "Access Address", type: "uint32", base: "hex", description: "0x8e89bed6 on advertising channels; the connection's on data channels", get: (b, o, e) => (o + 4 <= e ? u32le(b, o + AA) : undefined) },
  { abbrev: "btle.coding_indicator", name: "Coding Indicator", type: "uint8", base: "dec", mask: 0x3, description: "LE Coded PHY: S=8 (0) or S=2 (1)", get: (b, o, e, _r, a) => ((a & AUX_CODED) !== 0 && o + 5 <= e ? b[o + 4] & 3 : undefined) },
  { abbrev: "btle.master_bd_addr", name: "Master Address", type: "ether", description: "Central's address, from the CONNECT_IND that opened this access address's connection", get: conn((c) => c.master) },
  { abbrev: "btle.slave_bd_addr", name: "Slave Address", type: "ether", description: "Peripheral's address, from the CONNECT_IND", get: conn((c) => c.slave) },
  { abbrev: "btle.length", name: "Length", type: "uint8", base: "dec", description: "Payload length from the PDU header (advertising or data)", get: (b, o, e, _r, a) => (kind(a) !== KIND_OTHER && hdr(o, a) + 2 <= e ? b[hdr(o, a) + 1] : undefined) },
  // Advertising header.
  { abbrev: "btle.advertising_header", name: "Packet Header", type: "uint16", base: "hex", description: "Advertising PDU header", get: (b, o, e, _r, a) => (advType(b, o, e, a) >= 0 ? u16le(b, hdr(o, a)) : undefined) },
  { abbrev: "btle.advertising_header.pdu_type", name: "PDU Type", type: "uint8", base: "hex", mask: 0x0f, values: ADV_PDU_TYPES, description: "ADV_IND, SCAN_REQ, CONNECT_IND, ADV_EXT_IND …", get: (b, o, e, _r, a) => { const t = advType(b, o, e, a); return t < 0 ? undefined : t; } },
  { abbrev: "btle.advertising_header.rfu.1", name: "Reserved", type: "uint8", base: "dec", mask: 0x10, description: "Reserved bit 4", get: headerBit(() => true, true, 0x10, 4) },
  { abbrev: "btle.advertising_header.ch_sel", name: "Channel Selection Algorithm", type: "bool", mask: 0x20, description: "Advertiser/initiator supports channel selection algorithm #2", get: headerBit(chSelValid, true, 0x20, 5) },
  { abbrev: "btle.advertising_header.rfu.2", name: "Reserved", type: "uint8", base: "dec", mask: 0x20, description: "Bit 5 where it is not ChSel", get: headerBit(chSelValid, false, 0x20, 5) },
  { abbrev: "btle.advertising_header.randomized_tx", name: "Tx Address", type: "bool", mask: 0x40, description: "TxAdd: the sender's address is random (1) or public (0)", get: headerBit(txValid, true, 0x40, 6) },
  { abbrev: "btle.advertising_header.rfu.3", name: "Reserved", type: "uint8", base: "dec", mask: 0x40, description: "Bit 6 where it is not TxAdd", get: headerBit(txValid, false, 0x40, 6) },
  { abbrev: "btle.advertising_header.randomized_rx", name: "Rx Address", type: "bool", mask: 0x80, description: "RxAdd: the receiver's address is random (1) or public (0)", get: headerBit(rxValid, true, 0x80, 7) },
  { abbrev: "btle.advertising_header.rfu.4", name: "Reserved", type: "uint8", base: "dec", mask: 0x80, description: "Bit 7 where it is not RxAdd", get: headerBit(rxValid, false, 0x80, 7) },
  { abbrev: "btle.advertising_header.length", name: "Length", type: "uint8", base: "dec", description: "Advertising payload length", get: (b, o, e, _r, a) => (advType(b, o, e, a) >= 0 ? b[hdr(o, a) + 1] : undefined) },
  {
    abbrev: "btle.advertising_address", name: "Advertising Address", type: "ether", description: "AdvA: the advertiser",
    get: (b, o, e, r, a) => addr([ADV_IND, ADV_DIRECT_IND, ADV_NONCONN_IND, SCAN_RSP, ADV_SCAN_IND], 0)(b, o, e, r, a) ?? addr([SCAN_REQ, CONNECT_IND], 6)(b, o, e, r, a) ?? ext(0x01, 6, bdAddr)(b, o, e, r, a),
  },
  { abbrev: "btle.initiator_address", name: "Initiator Address", type: "ether", description: "InitA of a CONNECT_IND", get: addr([CONNECT_IND], 0) },
  { abbrev: "btle.target_address", name: "Target Address", type: "ether", description: "TargetA of an ADV_DIRECT_IND or extended header", get: (b, o, e, r, a) => addr([ADV_DIRECT_IND], 6)(b, o, e, r, a) ?? ext(0x02, 6, bdAddr)(b, o, e, r, a) },
  { abbrev: "btle.scanning_address", name: "Scanning Address", type: "ether", description: "ScanA of a SCAN_REQ", get: addr([SCAN_REQ], 0) },
  {
    abbrev: "btle.scan_responce_data", name: "Scan Response Data", type: "bytes", emptyText: "<MISSING>", description: "ScanRspData of a SCAN_RSP (Wireshark's spelling)",
    get: (b, o, e, r, a) => { if (advType(b, o, e, a) !== SCAN_RSP) return undefined; const p = hdr(o, a) + 8; const n = Math.min(e, o + r - CRC_LEN) - p; return n >= 0 ? copy(b, p, n) : undefined; },
  },
  { abbrev: "btle.link_layer_data", name: "Link Layer Data", type: "none", description: "LLData of a CONNECT_IND", get: ll(0, 22, () => 1) },
  { abbrev: "btle.link_layer_data.access_address", name: "Access Address", type: "uint32", base: "hex", description: "The new connection's access address", get: ll(0, 4, u32le) },
  { abbrev: "btle.link_layer_data.crc_init", name: "CRC Init", type: "uint24", base: "hex", description: "CRC initial value of the connection", get: ll(4, 3, u24le) },
  { abbrev: "btle.link_layer_data.window_size", name: "Window Size", type: "uint8", base: "dec", description: "Transmit window size, 1.25 ms units", get: ll(7, 1, (b, p) => b[p]) },
  { abbrev: "btle.link_layer_data.window_offset", name: "Window Offset", type: "uint16", base: "dec", description: "Transmit window offset, 1.25 ms units", get: ll(8, 2, u16le) },
  { abbrev: "btle.link_layer_data.interval", name: "Interval", type: "uint16", base: "dec", description: "Connection interval, 1.25 ms units", get: ll(10, 2, u16le) },
  { abbrev: "btle.link_layer_data.latency", name: "Latency", type: "uint16", base: "dec", description: "Peripheral latency, connection events", get: ll(12, 2, u16le) },
  { abbrev: "btle.link_layer_data.timeout", name: "Timeout", type: "uint16", base: "dec", description: "Supervision timeout, 10 ms units", get: ll(14, 2, u16le) },
  { abbrev: "btle.link_layer_data.channel_map", name: "Channel Map", type: "bytes", description: "Used data channels, one bit each", get: ll(16, 5, (b, p) => copy(b, p, 5)) },
  { abbrev: "btle.link_layer_data.hop", name: "Hop", type: "uint8", base: "dec", mask: 0x1f, description: "Hop increment", get: ll(21, 1, (b, p) => b[p] & 0x1f) },
  { abbrev: "btle.link_layer_data.sleep_clock_accuracy", name: "Sleep Clock Accuracy", type: "uint8", base: "dec", mask: 0xe0, values: SLEEP_CLOCK_ACCURACY, description: "Central's sleep clock accuracy", get: ll(21, 1, (b, p) => b[p] >> 5) },
  // Extended advertising (ADV_EXT_IND, AUX_*).
  { abbrev: "btle.extended_advertising_header", name: "Extended Advertising Header", type: "none", description: "Common extended advertising payload header", get: extHeader(() => 1) },
  { abbrev: "btle.extended_advertising_header.length", name: "Extended Header Length", type: "uint8", base: "dec", mask: 0x3f, description: "Length of the extended header", get: extHeader((b, p) => b[p] & 0x3f) },
  { abbrev: "btle.extended_advertising_header.mode", name: "Advertising Mode", type: "uint8", base: "hex", mask: 0xc0, values: { 0: "Non-connectable Non-scannable", 1: "Connectable Non-scannable", 2: "Non-connectable Scannable", 3: "Reserved" }, description: "AdvMode", get: extHeader((b, p) => b[p] >> 6) },
  { abbrev: "btle.extended_advertising_header.flags", name: "Extended Header Flags", type: "uint8", base: "hex", description: "Which extended header items follow", get: (b, o, e, _r, a) => { const f = extFlagsAt(b, o, e, a); return f < 0 ? undefined : b[f]; } },
  { abbrev: "btle.extended_advertising_header.flags.advertiser_address", name: "Advertiser Address", type: "bool", mask: 0x01, description: "AdvA present", get: extFlag(0x01) },
  { abbrev: "btle.extended_advertising_header.flags.target_address", name: "Target Address", type: "bool", mask: 0x02, description: "TargetA present", get: extFlag(0x02) },
  { abbrev: "btle.extended_advertising_header.flags.cte_info", name: "CTE Info", type: "bool", mask: 0x04, description: "CTEInfo present", get: extFlag(0x04) },
  { abbrev: "btle.extended_advertising_header.advertiser_data_info", name: "Advertiser Data Info", type: "bool", mask: 0x08, description: "ADI present", get: extFlag(0x08) },
  { abbrev: "btle.extended_advertising_header.flags.aux_pointer", name: "Aux pointer", type: "bool", mask: 0x10, description: "AuxPtr present", get: extFlag(0x10) },
  { abbrev: "btle.extended_advertising_header.flags.sync_info", name: "Sync Info", type: "bool", mask: 0x20, description: "SyncInfo present", get: extFlag(0x20) },
  { abbrev: "btle.extended_advertising_header.flags.tx_power", name: "TX Power", type: "bool", mask: 0x40, description: "TxPower present", get: extFlag(0x40) },
  { abbrev: "btle.extended_advertising_header.flags.reserved", name: "Reserved", type: "bool", mask: 0x80, description: "Reserved flag", get: extFlag(0x80) },
  { abbrev: "btle.extended_advertising.advertising_data_info", name: "Advertiser Data Info", type: "uint16", base: "hex", description: "ADI: data id and set id", get: ext(0x08, 2, u16le) },
  { abbrev: "btle.extended_advertising.advertising_data_info.did", name: "Advertising Data ID", type: "uint16", base: "hex", mask: 0x0fff, description: "DID", get: ext(0x08, 2, (b, p) => u16le(b, p) & 0xfff) },
  { abbrev: "btle.extended_advertising.advertising_data_info.sid", name: "Advertising Set ID", type: "uint16", base: "hex", mask: 0xf000, description: "SID", get: ext(0x08, 2, (b, p) => u16le(b, p) >> 12) },
  { abbrev: "btle.extended_advertising.aux_pointer", name: "Aux Pointer", type: "none", description: "AuxPtr", get: ext(0x10, 3, () => 1) },
  { abbrev: "btle.extended_advertising_header.aux_pointer.channel", name: "Channel", type: "uint8", base: "dec", mask: 0x3f, description: "Channel of the auxiliary packet", get: ext(0x10, 3, (b, p) => b[p] & 0x3f) },
  { abbrev: "btle.extended_advertising_header.aux_pointer.ca", name: "Clock Accuracy", type: "bool", mask: 0x40, description: "CA", get: ext(0x10, 3, (b, p) => (b[p] >> 6) & 1) },
  { abbrev: "btle.extended_advertising_header.aux_pointer.offset_units", name: "Offset Units", type: "bool", mask: 0x80, description: "300 µs (1) or 30 µs (0) units", get: ext(0x10, 3, (b, p) => b[p] >> 7) },
  { abbrev: "btle.extended_advertising_header.aux_pointer.aux_offset", name: "Aux Offset", type: "uint16", base: "hex", mask: 0x1fff, description: "Time to the auxiliary packet", get: ext(0x10, 3, (b, p) => u16le(b, p + 1) & 0x1fff) },
  { abbrev: "btle.extended_advertising_header.aux_pointer.aux_phy", name: "Aux PHY", type: "uint16", base: "dec", mask: 0xe000, description: "PHY of the auxiliary packet", get: ext(0x10, 3, (b, p) => u16le(b, p + 1) >> 13) },
  { abbrev: "btle.extended_advertising_header.tx_power", name: "TX Power", type: "int8", base: "dec", description: "TxPower, dBm", get: ext(0x40, 1, (b, p) => (b[p] << 24) >> 24) },
  // Data channel header.
  { abbrev: "btle.data_header", name: "Data Header", type: "none", description: "Data channel PDU header", get: dataHdr(() => 1) },
  { abbrev: "btle.data_header.llid", name: "LLID", type: "uint8", base: "hex", mask: 0x03, values: LLIDS, description: "L2CAP continuation/empty (1), L2CAP start (2), control (3)", get: dataHdr((h) => h & 3) },
  { abbrev: "btle.data_header.next_expected_sequence_number", name: "Next Expected Sequence Number", type: "uint8", base: "dec", mask: 0x04, description: "NESN", get: dataHdr((h) => (h >> 2) & 1) },
  { abbrev: "btle.data_header.sequence_number", name: "Sequence Number", type: "uint8", base: "dec", mask: 0x08, description: "SN", get: dataHdr((h) => (h >> 3) & 1) },
  { abbrev: "btle.data_header.more_data", name: "More Data", type: "bool", mask: 0x10, description: "MD", get: dataHdr((h) => (h >> 4) & 1) },
  { abbrev: "btle.data_header.cte_info_present", name: "CTE Info", type: "bool", mask: 0x20, description: "CP: a CTEInfo byte follows the header", get: dataHdr((h) => (h >> 5) & 1) },
  { abbrev: "btle.data_header.rfu", name: "RFU", type: "uint8", base: "dec", mask: 0xc0, description: "Reserved bits", get: dataHdr((h) => h >> 6) },
  { abbrev: "btle.data_header.length", name: "Length", type: "uint8", base: "dec", description: "Payload length", get: dataHdr((_h, len) => len) },
  { abbrev: "btle.data_header.cte_info", name: "CTE Info", type: "uint8", base: "hex", description: "CTEInfo", get: cte((v) => v) },
  { abbrev: "btle.data_header.cte_info.time", name: "CTE Time", type: "uint8", base: "hex", mask: 0x1f, description: "CTETime, 8 µs units", get: cte((v) => v & 0x1f) },
  { abbrev: "btle.data_header.cte_info.rfu", name: "RFU", type: "uint8", base: "hex", mask: 0x20, description: "Reserved", get: cte((v) => (v >> 5) & 1) },
  { abbrev: "btle.data_header.cte_info.type", name: "CTE Type", type: "uint8", base: "hex", mask: 0xc0, description: "CTEType", get: cte((v) => v >> 6) },
  {
    abbrev: "btle.connection_parameters_in", name: "Connection Parameters in", type: "framenum", description: "Frame whose connection parameters are in force",
    get: conn((c) => c.paramsFrame),
  },
  {
    abbrev: "btle.l2cap_data", name: "L2CAP Fragment", type: "none", description: "An L2CAP fragment (not reassembled here)",
    get: (b, o, e, _r, a) => {
      if (kind(a) !== KIND_DATA || hdr(o, a) + 2 > e) return undefined;
      const h = hdr(o, a), llid = b[h] & 3, len = b[h + 1];
      if (len === 0) return undefined;
      if (llid === LLID_CONTINUATION) return (a & AUX_REASSEMBLED) !== 0 ? undefined : 1;
      const p = dataPayload(b, o, a);
      return llid === LLID_START && p + 2 <= e && u16le(b, p) + 4 > len ? 1 : undefined;
    },
  },
  ...CONTROL_FIELDS.map((f) => ({ ...f, get: controlGetter(f.get!) })),
  { abbrev: "btle.crc", name: "CRC", type: "uint24", base: "hex", description: "24-bit CRC, in the bit order of the spec (each byte is sent least significant bit first)", get: (b, o, e, r, a) => { const p = crcAt(b, o, e, r, a); return p < 0 ? undefined : (REV[b[p]] << 16) | (REV[b[p + 1]] << 8) | REV[b[p + 2]]; } },
];

/** Control fields read relative to the control payload; this wraps them with the data-PDU checks. */
function controlGetter(g: Getter): Getter {
  return (b, o, e, r, a) => {
    if (kind(a) !== KIND_DATA) return undefined;
    const h = hdr(o, a);
    if (h + 2 > e || (b[h] & 3) !== LLID_CONTROL) return undefined;
    const p = dataPayload(b, o, a);
    return g(b, p, Math.min(e, p + b[h + 1]), b[h + 1], a);
  };
}

/** The view + hand-off: advertising data to btcommon, complete L2CAP PDUs to btl2cap. */
export const btle: Dissector = {
  proto: "btle",
  name: "Bluetooth Low Energy Link Layer",
  fields: FIELDS,
  reset: resetConnections,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const rf = ctx.linktype !== 251 && (ctx.key & RF_MARK) !== 0 ? ctx.key : 0;
    const rfPdu = (rf >> 7) & 7, channel = (rf >> 16) & 0xff;
    let a = (rf & 0xc000) === 0x8000 ? AUX_CODED : 0;
    if (end - o < 4) {
      ctx.layer(this, o, end, rep, a | KIND_OTHER);
      ctx.malformed("btle", "packet shorter than the access address");
      return null;
    }
    const aa = u32le(b, o + AA);
    // packet-btle.c: the sniffer's PDU type decides; without one, the access address does.
    const k = rfPdu === 1 ? KIND_ADV : rfPdu === 2 || rfPdu === 3 || rfPdu === 4 || rfPdu === 5 ? KIND_DATA
      : rfPdu === 6 ? KIND_OTHER : aa === ACCESS_ADDRESS_ADVERTISING ? KIND_ADV : KIND_DATA;
    a |= k;
    const h = hdr(o, a);
    if (h + 2 > end) {
      ctx.layer(this, o, end, rep, a);
      ctx.malformed("btle", "packet shorter than the PDU header");
      return null;
    }
    if (k === KIND_ADV) return this.advertising(ctx, b, o, end, rep, a, channel);
    if (k === KIND_DATA) return dataPdu(ctx, this, b, o, end, rep, a | (connectionRef(aa) << 8), aa, rfPdu === 2 ? 1 : rfPdu === 3 ? 2 : 0);
    ctx.layer(this, o, end, rep, a);
    return null;
  },
  advertising(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number, a: number, channel: number) {
    const h = hdr(o, a), t = b[h] & 0xf, p = h + 2;
    if (channel >= 37 && (t === CONNECT_IND || t === ADV_DIRECT_IND)) a |= AUX_CHSEL;
    ctx.layer(this, o, end, rep, a);
    const adEnd = o + rep - CRC_LEN; // Wireshark: everything up to the last three reported bytes
    switch (t) {
      case ADV_IND: case ADV_NONCONN_IND: case ADV_SCAN_IND: case SCAN_RSP:
        if (p + 6 > end) { ctx.malformed("btle", "advertising PDU cut off before AdvA"); return null; }
        return adEnd > p + 6 ? handOff(ctx, btcommonAd, p + 6, Math.min(end, adEnd), adEnd - p - 6) : null;
      case CONNECT_IND:
        if (p + CONNECT_LEN > end) { ctx.malformed("btle", "CONNECT_IND cut off"); return null; }
        openConnection(u32le(b, p + LL_DATA), bdAddr(b, p), bdAddr(b, p + 6), ctx.frame + 1, true);
        channelMap(ctx, b, p + LL_DATA + 16);
        return null;
      case ADV_EXT_IND: case AUX_CONNECT_RSP: {
        const start = extDataStart(b, p, end);
        return start >= 0 && adEnd > start ? handOff(ctx, btcommonAd, start, Math.min(end, adEnd), adEnd - start) : null;
      }
      default:
        return null;
    }
  },
} as Dissector & { advertising(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number, a: number, channel: number): Dissector | null };

/** The channel map's bits, as Wireshark's btcommon.le_channel_map sub-dissector shows them (a btcommon layer). */
function channelMap(ctx: DissectContext, b: Uint8Array, p: number): void {
  ctx.key = CHANNEL_MAP_KEY;
  ctx.call(btcommonAd, b, p, p + 5, 5);
  ctx.key = 0;
}

/** Where an extended advertising PDU's AdvData starts (after the extended header), or -1 when cut off. */
function extDataStart(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  return p + 1 + (b[p] & 0x3f);
}

function dataPdu(ctx: DissectContext, d: Dissector, b: Uint8Array, o: number, end: number, rep: number, a: number, aa: number, dir: number): Dissector | null {
  const h = hdr(o, a), llid = b[h] & 3, len = b[h + 1];
  const p = h + 2 + ((b[h] & 0x20) !== 0 ? 1 : 0);
  if (llid === LLID_CONTROL && p < end && b[p] === 0x00 && (a >>> 8) !== 0 && p + 12 <= end) {
    // LL_CONNECTION_UPDATE_IND without an event counter: the new parameters count from this frame on (this one too).
    const c = connection(a >>> 8)!;
    a = (a & 0xff) | (openConnection(c.accessAddress, c.master, c.slave, ctx.frame + 1) << 8);
  }
  const whole = reassemble(b, h, p, end, aa, dir);
  ctx.layer(d, o, end, rep, whole === null ? a : a | AUX_REASSEMBLED);
  if (p + len > end) ctx.malformed("btle", "payload length goes past the end of the packet");
  if (llid === LLID_CONTROL && p + 6 <= end && b[p] === 0x01) channelMap(ctx, b, p + 1); // LL_CHANNEL_MAP_IND
  if (llid === LLID_START && len >= 2 && p + 2 <= end && u16le(b, p) + 4 <= len) {
    return handOff(ctx, btl2cap, p, Math.min(end, p + len), len);
  }
  if (whole === null) return null;
  const buf = ctx.useBuffer(whole);
  return handOff(ctx, btl2cap, 0, buf.length, buf.length);
}

/**
 * L2CAP over several LL PDUs (packet-btle.c segmentation_started / segment_len_rem), on connections whose
 * CONNECT_IND was seen, skipping retransmissions. Returns the whole L2CAP PDU when this fragment completes it.
 */
function reassemble(b: Uint8Array, h: number, p: number, end: number, aa: number, dir: number): Uint8Array | null {
  const ln = link(aa);
  if (ln === undefined) return null;
  const llid = b[h] & 3, len = b[h + 1];
  // Wireshark judges retransmissions only when the sniffer gives the direction.
  if ((sequence(ln, dir, b[h]) && dir !== 0) || len === 0 || p + len > end) return null;
  const st = ln.dir[dir];
  if (llid === LLID_START) {
    if (p + 2 > end || u16le(b, p) + 4 <= len) return null;
    st.remaining = u16le(b, p) + 4 - len;
    st.parts = [b.slice(p, p + len)];
    return null;
  }
  if (llid !== LLID_CONTINUATION) return null;
  if (st.remaining < len) { st.remaining = -1; st.parts = []; return null; } // a missing start or fragment
  st.remaining -= len;
  st.parts.push(b.slice(p, p + len));
  if (st.remaining > 0) return null;
  const whole = concat(st.parts);
  st.remaining = -1;
  st.parts = [];
  return whole;
}

/** SN/NESN bookkeeping (packet-btle.c): true when this PDU repeats the previous SN of its direction. */
function sequence(ln: NonNullable<ReturnType<typeof link>>, dir: number, h: number): boolean {
  if (!ln.firstSeen) {
    ln.firstSeen = true;
    ln.dir[1].prevSeq = 0;
    ln.dir[2].prevSeq = 1;
    return false;
  }
  const sn = (h >> 3) & 1, st = ln.dir[dir];
  const again = sn === st.prevSeq;
  st.prevSeq = sn;
  return again;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const q of parts) n += q.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const q of parts) { out.set(q, n); n += q.length; }
  return out;
}

/** Info-column summary: the advertising PDU type, or the data PDU's kind. */
export function summary(b: Uint8Array, o: number): string {
  const t = b[o + HEADER] & 0xf;
  return u32le(b, o) === ACCESS_ADDRESS_ADVERTISING ? ADV_PDU_TYPES[t as keyof typeof ADV_PDU_TYPES] ?? `Unknown (${t})` : "Data PDU";
}
