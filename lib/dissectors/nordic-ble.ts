// nRF Sniffer for Bluetooth LE meta header (LINKTYPE_NORDIC_BLE = 272), followed by the BLE link-layer packet.
// https://www.tcpdump.org/linktypes/LINKTYPE_NORDIC_BLE.html; Wireshark epan/dissectors/packet-nordic_ble.c.
// Board id, UART header (legacy 0xBEEF marker = version 0; version 1 with a header length byte; version 2 and 3
// with a 16-bit payload length), then the 10-byte event packet: length, flags, channel, RSSI sample, event counter,
// and a delta time (versions < 3) or the firmware timestamp (version 3). Multi-byte fields are little-endian.
// The delta times of version 3 need the previous packet's times: they are computed in the pass and kept in a
// per-capture table the layer's aux points into.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { u16le, u32le } from "./bytes.js";
import { ACCESS_ADDRESS_ADVERTISING, btle, rfKey } from "./btle.js";

export const LINKTYPE_NORDIC_BLE = 272;
export const LEGACY_MARKER = 0xbeef;
/** Packet ids that carry a BLE packet (version 3); older versions send everything as 0x06. */
export const EVENT_PACKET_ADVERTISING = 0x02, EVENT_PACKET_DATA = 0x06;
export const FLAG_CRC_OK = 0x01, FLAG_DIRECTION = 0x02, FLAG_ENCRYPTED = 0x04, FLAG_MIC_OK = 0x08, FLAG_PHY = 0x70;
export const NORDIC_PHYS = { 0: "LE 1M", 1: "LE 2M", 2: "LE Coded", 3: "Reserved", 4: "Reserved", 5: "Reserved", 6: "Reserved", 7: "Reserved" } as const;
export const AUX_TYPES = { 0: "AUX_ADV_IND", 1: "AUX_CHAIN_IND", 2: "AUX_SYNC_IND", 3: "AUX_SCAN_RSP" } as const;

// Byte offsets of the version 2/3 header (the common case); the others are derived per version by layout().
const BOARD_ID = 0;
const PLEN = BOARD_ID + 1;
const PROTOVER = PLEN + 2;
const COUNTER = PROTOVER + 1;
const PACKET_ID = COUNTER + 2;
const UART_END = PACKET_ID + 1;
/** Event packet, relative to its start. */
const EV_LEN = 0, EV_FLAGS = 1, EV_CHANNEL = 2, EV_RSSI = 3, EV_COUNTER = 4, EV_TIME = 6;
export const EVENT_PACKET_LEN = EV_TIME + 4;
/** Version 0: 0xBEEF, packet id, counter, 2 unused, payload length (1 byte). */
const V0_UART_END = 2 + 6;

const US_PER_BYTE_1M = 8, US_PER_BYTE_2M = 4, US_PER_BYTE_S8 = 64, US_PER_BYTE_S2 = 16;
const FEC1_BLOCK_S8_US = 80 + 256 + 16 + 24, TERM2_S8_US = 24, TERM2_S2_US = 6;

/** The protocol version (0 for the legacy marker) of a header starting at o, or -1 when too short to tell. */
function version(b: Uint8Array, o: number, e: number): number {
  if (o + 2 <= e && b[o] === 0xbe && b[o + 1] === 0xef) return 0;
  return o + PROTOVER < e ? b[o + PROTOVER] : -1;
}
/** Offset of the event packet for a version (from o). */
const eventAt = (_v: number) => UART_END;
/** The version when the whole header is captured, else -1. The legacy (0.9.7) event layout is not decoded. */
const whole = (b: Uint8Array, o: number, e: number) => { const v = version(b, o, e); return v > 0 && o + eventAt(v) + EVENT_PACKET_LEN <= e ? v : -1; };
/** A field of the event packet at `at`, when the header is whole. */
const ev = (at: number, read: (b: Uint8Array, p: number) => number): Getter =>
  (b, o, e) => { const v = whole(b, o, e); return v < 0 ? undefined : read(b, o + eventAt(v) + at); };
const flagsOf = (b: Uint8Array, o: number, v: number) => b[o + eventAt(v) + EV_FLAGS];

/** Whether packet-nordic_ble.c takes this as a data PDU (packet id for v3, access address before). */
function isData(b: Uint8Array, o: number, e: number, v: number): boolean {
  if (v >= 3) return b[o + PACKET_ID] === EVENT_PACKET_DATA;
  const p = o + eventAt(v) + b[o + eventAt(v) + EV_LEN];
  return p + 4 <= e && u32le(b, p) !== ACCESS_ADDRESS_ADVERTISING;
}
/** A flag bit shown only for data PDUs (want = true) or only for the others. */
const flagIf = (want: boolean, read: (f: number, b: Uint8Array, o: number) => number | undefined): Getter =>
  (b, o, e) => { const v = whole(b, o, e); return v < 0 || isData(b, o, e, v) !== want ? undefined : read(flagsOf(b, o, v), b, o + eventAt(v)); };

// ------------------------------------------------------------------ per-capture times (version 3 delta times)
let times = new Uint32Array(1024); // [delta end-to-start, delta start-to-start] per layer, 1-based index in aux
let used = 0;
let lastStart = 0, lastEnd = 0, lastPacketTime = 0, firstSeen = false;
const NO_TIMES = 0;

/** The aux of a layer with delta times: index of the pair, 1-based. */
function keepTimes(d: number, ss: number): number {
  if (2 * used + 2 > times.length) { const t = new Uint32Array(times.length * 2); t.set(times); times = t; }
  times[2 * used] = d >>> 0;
  times[2 * used + 1] = ss >>> 0;
  return ++used;
}
const TIMES_MASK = 0x7fffffff, SS_ONLY = 0x80000000;

/** packet_time_get: air time of the packet, µs (0 when unknown). */
function packetTime(phy: number, llLen: number, ci: number): number {
  if (phy === 0) return US_PER_BYTE_1M * (1 + llLen);
  if (phy === 1) return US_PER_BYTE_2M * (2 + llLen);
  if (phy === 2) {
    const fec2 = (llLen - 5) & 0xffff;
    if (ci === 0) return (FEC1_BLOCK_S8_US + fec2 * US_PER_BYTE_S8 + TERM2_S8_US) & 0xffff;
    if (ci === 1) return (FEC1_BLOCK_S8_US + fec2 * US_PER_BYTE_S2 + TERM2_S2_US) & 0xffff;
  }
  return 0;
}
/** Version 1 has a header length byte and a 1-byte payload length; later versions a 16-bit payload length. */
const payloadLen = (b: Uint8Array, o: number, v: number) => (v === 1 ? b[o + PLEN + 1] : u16le(b, o + PLEN));
function packetTimeOf(b: Uint8Array, o: number, e: number, v: number): number {
  const p = o + eventAt(v);
  const ci = p + EVENT_PACKET_LEN + 4 < e ? b[p + EVENT_PACKET_LEN + 4] : 0;
  return packetTime((b[p + EV_FLAGS] >> 4) & 7, (payloadLen(b, o, v) - b[p + EV_LEN]) & 0xffff, v >= 3 ? ci : 0);
}
const timesOf = (a: number, k: number) => ((a & TIMES_MASK) === NO_TIMES ? undefined : times[2 * ((a & TIMES_MASK) - 1) + k]);

export const FIELDS: readonly FieldDef[] = [
  protocolField("nordic_ble", "Nordic BLE Sniffer", "nRF Sniffer for Bluetooth LE meta header"),
  { abbrev: "nordic_ble.board_id", name: "Board", type: "uint8", base: "dec", description: "Sniffer board id", get: (b, o, e) => (version(b, o, e) > 0 ? b[o + BOARD_ID] : undefined) },
  { abbrev: "nordic_ble.legacy_marker", name: "Legacy marker", type: "uint16", base: "hex", description: "0xBEEF: legacy (version 0) header", get: (b, o, e) => (version(b, o, e) === 0 ? LEGACY_MARKER : undefined) },
  { abbrev: "nordic_ble.header", name: "Header", type: "none", description: "UART packet header", get: (b, o, e) => (version(b, o, e) >= 0 ? 1 : undefined) },
  { abbrev: "nordic_ble.hlen", name: "Length of header", type: "uint8", base: "dec", description: "Header length (version 1)", get: (b, o, e) => (version(b, o, e) === 1 ? b[o + PLEN] : undefined) },
  {
    abbrev: "nordic_ble.plen", name: "Length of payload", type: "uint16", base: "dec", description: "Payload length",
    get: (b, o, e) => { const v = version(b, o, e); return v < 0 ? undefined : v === 0 ? (o + V0_UART_END <= e ? b[o + V0_UART_END - 1] : undefined) : v === 1 ? b[o + PLEN + 1] : u16le(b, o + PLEN); },
  },
  { abbrev: "nordic_ble.protover", name: "Protocol version", type: "uint8", base: "dec", description: "UART protocol version (0 for the legacy header)", get: (b, o, e) => { const v = version(b, o, e); return v < 0 ? undefined : v; } },
  {
    abbrev: "nordic_ble.packet_counter", name: "Packet counter", type: "uint16", base: "dec", description: "Global packet counter for packets sent on UART",
    get: (b, o, e) => { const v = version(b, o, e); return v < 0 ? undefined : v === 0 ? (o + 5 <= e ? u16le(b, o + 3) : undefined) : o + PACKET_ID <= e ? u16le(b, o + COUNTER) : undefined; },
  },
  {
    abbrev: "nordic_ble.packet_id", name: "Packet ID", type: "uint8", base: "dec", description: "2 advertising, 6 data (version 3); 6 for every packet before",
    get: (b, o, e) => { const v = version(b, o, e); return v < 0 ? undefined : v === 0 ? (o + 3 <= e ? b[o + 2] : undefined) : o + UART_END <= e ? b[o + PACKET_ID] : undefined; },
  },
  { abbrev: "nordic_ble.len", name: "Length of packet", type: "uint16", base: "dec", description: "Event packet length (version 1 and later)", get: (b, o, e) => { const v = whole(b, o, e); return v <= 0 ? undefined : b[o + eventAt(v) + EV_LEN]; } },
  { abbrev: "nordic_ble.flags", name: "Flags", type: "uint8", base: "hex", description: "Event packet flags", get: ev(EV_FLAGS, (b, p) => b[p]) },
  { abbrev: "nordic_ble.crcok", name: "CRC", type: "bool", mask: FLAG_CRC_OK, description: "Cyclic Redundancy Check state", get: ev(EV_FLAGS, (b, p) => b[p] & 1) },
  { abbrev: "nordic_ble.direction", name: "Direction", type: "bool", mask: FLAG_DIRECTION, description: "Central -> Peripheral (1) or Peripheral -> Central (0)", get: flagIf(true, (f) => (f >> 1) & 1) },
  { abbrev: "nordic_ble.flag_reserved1", name: "Reserved", type: "uint8", base: "dec", mask: 0x02, description: "Reserved (advertising, primary channel)", get: flagIf(false, (f, b, p) => (b[p + EV_CHANNEL] >= 37 ? (f >> 1) & 1 : undefined)) },
  { abbrev: "nordic_ble.encrypted", name: "Encrypted", type: "bool", mask: FLAG_ENCRYPTED, description: "Was the packet encrypted", get: flagIf(true, (f) => (f >> 2) & 1) },
  { abbrev: "nordic_ble.flag_reserved2", name: "Reserved", type: "uint8", base: "dec", mask: 0x04, description: "Reserved (advertising, primary channel)", get: flagIf(false, (f, b, p) => (b[p + EV_CHANNEL] >= 37 ? (f >> 2) & 1 : undefined)) },
  { abbrev: "nordic_ble.aux_type", name: "Aux Type", type: "uint8", base: "dec", mask: 0x06, values: AUX_TYPES, description: "Auxiliary PDU type (advertising, secondary channel)", get: flagIf(false, (f, b, p) => (b[p + EV_CHANNEL] < 37 ? (f >> 1) & 3 : undefined)) },
  { abbrev: "nordic_ble.micok", name: "MIC", type: "bool", mask: FLAG_MIC_OK, description: "Message Integrity Check state", get: flagIf(true, (f) => ((f & FLAG_ENCRYPTED) !== 0 ? (f >> 3) & 1 : undefined)) },
  { abbrev: "nordic_ble.mic_not_relevant", name: "MIC (not relevant)", type: "uint8", base: "dec", mask: 0x08, description: "Message Integrity Check state is only relevant when encrypted", get: flagIf(true, (f) => ((f & FLAG_ENCRYPTED) === 0 ? (f >> 3) & 1 : undefined)) },
  { abbrev: "nordic_ble.address_resolved", name: "Address Resolved", type: "bool", mask: 0x08, description: "The sniffer resolved the advertiser's private address", get: flagIf(false, (f) => (f >> 3) & 1) },
  { abbrev: "nordic_ble.phy", name: "PHY", type: "uint8", base: "dec", mask: FLAG_PHY, values: NORDIC_PHYS, description: "Physical Layer", get: ev(EV_FLAGS, (b, p) => (b[p] >> 4) & 7) },
  { abbrev: "nordic_ble.flag_reserved7", name: "Reserved", type: "uint8", base: "dec", mask: 0x80, description: "Reserved for Future Use", get: ev(EV_FLAGS, (b, p) => b[p] >> 7) },
  { abbrev: "nordic_ble.channel", name: "Channel Index", type: "uint8", base: "dec", description: "Link-layer channel index (37-39 advertising)", get: ev(EV_CHANNEL, (b, p) => b[p]) },
  { abbrev: "nordic_ble.rssi", name: "RSSI", type: "int8", base: "dec", description: "Received Signal Strength Indicator, dBm (minus the RSSISAMPLE byte)", get: ev(EV_RSSI, (b, p) => -b[p]) },
  { abbrev: "nordic_ble.event_counter", name: "Event counter", type: "uint16", base: "dec", description: "Connection event counter", get: ev(EV_COUNTER, u16le) },
  { abbrev: "nordic_ble.time", name: "Timestamp", type: "uint32", base: "dec", description: "Firmware timestamp of the packet start, µs (version 3)", get: (b, o, e) => { const v = whole(b, o, e); return v >= 3 ? u32le(b, o + eventAt(v) + EV_TIME) : undefined; } },
  {
    abbrev: "nordic_ble.delta_time", name: "Delta time (end to start)", type: "uint32", base: "dec", description: "Time since end of last reported packet, µs",
    get: (b, o, e, _r, a) => { const v = whole(b, o, e); return v < 0 ? undefined : v < 3 ? u32le(b, o + eventAt(v) + EV_TIME) : (a & SS_ONLY) !== 0 ? undefined : timesOf(a, 0); },
  },
  { abbrev: "nordic_ble.delta_time_ss", name: "Delta time (start to start)", type: "uint32", base: "dec", description: "Time since start of last reported packet, µs", get: (_b, _o, _e, _r, a) => timesOf(a, 1) },
  { abbrev: "nordic_ble.packet_time", name: "Packet time (start to end)", type: "uint32", base: "dec", description: "Air time of the packet, µs, from its length and PHY", get: (b, o, e) => { const v = whole(b, o, e); return v < 0 ? undefined : packetTimeOf(b, o, e, v); } },
];

/** Expected header length (hlen + plen == captured length, packet-nordic_ble.c dissect_lengths). */
function headerLen(b: Uint8Array, o: number, v: number): number {
  return v === 1 ? b[o + PLEN] + 1 : UART_END;
}

/** The view + hand-off: the link-layer packet follows, with the flags turned into btle's RF context (ctx.key). */
export const nordicBle: Dissector = {
  proto: "nordic_ble",
  name: "Nordic BLE Sniffer",
  fields: FIELDS,
  reset() {
    used = 0;
    lastStart = lastEnd = lastPacketTime = 0;
    firstSeen = false;
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const v = whole(b, o, end);
    if (v < 0) {
      ctx.layer(this, o, end, rep);
      if (version(b, o, end) !== 0) ctx.malformed("nordic_ble", "packet shorter than the sniffer header");
      return null;
    }
    const p = o + eventAt(v), f = b[p + EV_FLAGS];
    const pt = packetTimeOf(b, o, end, v);
    let a = NO_TIMES;
    if (v >= 3) {
      const ts = u32le(b, p + EV_TIME);
      if (ctx.frame > 0) a = keepTimes(ts - lastEnd, ts - lastStart);
      lastStart = ts;
      lastEnd = (ts + pt) >>> 0;
    } else if (!firstSeen) {
      a = keepTimes(0, lastPacketTime + u32le(b, p + EV_TIME)) | SS_ONLY;
    }
    if (v < 3) lastPacketTime = pt;
    firstSeen = true;
    ctx.layer(this, o, end, rep, a);
    const next = p + b[p + EV_LEN];
    if (headerLen(b, o, v) + payloadLen(b, o, v) !== end - o) {
      ctx.malformed("nordic_ble", "length of payload does not match the packet");
      return null;
    }
    if (next > end) return null;
    const data = isData(b, o, end, v), unknown = v >= 3 && !data && b[o + PACKET_ID] !== EVENT_PACKET_ADVERTISING;
    // btle_rf's flags: PDU type 1 advertising / 2 data central->peripheral / 3 peripheral->central, CRC, PHY.
    const pdu = unknown ? 0 : !data ? 1 : (f & FLAG_DIRECTION) !== 0 ? 2 : 3;
    const phy = (f >> 4) & 7;
    const rf = (pdu << 7) | 0x0400 | ((f & FLAG_CRC_OK) !== 0 ? 0x0800 : 0) | ((phy > 2 ? 3 : phy) << 14);
    ctx.key = rfKey(rf, b[p + EV_CHANNEL]);
    return handOff(ctx, btle, next, end, rep - (next - o));
  },
};

/** Info-column summary: "ch 37, -55 dBm". */
export function summary(b: Uint8Array, o: number): string {
  const v = whole(b, o, b.length);
  return v < 0 ? "Nordic BLE" : `ch ${b[o + eventAt(v) + EV_CHANNEL]}, ${-b[o + eventAt(v) + EV_RSSI]} dBm`;
}
