// Bluetooth advertising data (AD) / EIR structures: a list of {length, type, data} (Bluetooth Core 5.3 Vol 3
// Part C §11; Core Specification Supplement Part A for the types). Wireshark: dissect_eir_ad_data in
// epan/dissectors/packet-bthci_cmd.c (protocol "btcommon"), iBeacon in packet-bluetooth.c.
// A zero length byte ends the list; the bytes after it are "unused". Every field here occurs once per AD structure
// of its type, so getters walk the list (a few structures at most) and emit each occurrence.

import { type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type Emit, type FieldDef, type MultiGetter } from "./field.js";
import { copy, text, u16, u16le, u32le } from "./bytes.js";
import { COMPANY_IDS } from "./btcommon-company.js";
import { GATT_UUID16 } from "./btatt-uuid.js";

/** AD types (Assigned Numbers, "Common Data Types"). */
export const AD_FLAGS = 0x01, AD_UUID16_INCOMPLETE = 0x02, AD_UUID16 = 0x03, AD_UUID32_INCOMPLETE = 0x04, AD_UUID32 = 0x05,
  AD_UUID128_INCOMPLETE = 0x06, AD_UUID128 = 0x07, AD_SHORT_NAME = 0x08, AD_NAME = 0x09, AD_TX_POWER = 0x0a,
  AD_SOLICIT16 = 0x14, AD_SOLICIT128 = 0x15, AD_SERVICE_DATA16 = 0x16, AD_APPEARANCE = 0x19, AD_SOLICIT32 = 0x1f,
  AD_SERVICE_DATA32 = 0x20, AD_SERVICE_DATA128 = 0x21, AD_MANUFACTURER = 0xff;
export const AD_TYPES = {
  0x01: "Flags", 0x02: "16-bit Service Class UUIDs (incomplete)", 0x03: "16-bit Service Class UUIDs",
  0x04: "32-bit Service Class UUIDs (incomplete)", 0x05: "32-bit Service Class UUIDs",
  0x06: "128-bit Service Class UUIDs (incomplete)", 0x07: "128-bit Service Class UUIDs", 0x08: "Device Name (shortened)",
  0x09: "Device Name", 0x0a: "Tx Power Level", 0x0d: "Class of Device", 0x0e: "Simple Pairing Hash C",
  0x0f: "Simple Pairing Randomizer R", 0x10: "Device ID / Security Manager TK Value", 0x11: "Security Manager OOB Flags",
  0x12: "Peripheral Connection Interval Range", 0x14: "List of 16-bit Service Solicitation UUIDs",
  0x15: "List of 128-bit Service Solicitation UUIDs", 0x16: "Service Data - 16 bit UUID", 0x17: "Public Target Address",
  0x18: "Random Target Address", 0x19: "Appearance", 0x1a: "Advertising Interval", 0x1b: "LE Bluetooth Device Address",
  0x1c: "LE Role", 0x1f: "List of 32-bit Service Solicitation UUIDs", 0x20: "Service Data - 32 bit UUID",
  0x21: "Service Data - 128 bit UUID", 0x24: "URI", 0x29: "PB-ADV", 0x2a: "Mesh Message", 0x2b: "Mesh Beacon",
  0x2c: "BIGInfo", 0x2d: "Broadcast Code", 0x3d: "3D Information Data", 0xff: "Manufacturer Specific",
} as const;
/** Apple's company id and the iBeacon prefix (type 0x02, length 0x15) in its manufacturer data. */
export const COMPANY_APPLE = 0x004c;
export const IBEACON_TYPE = 0x02, IBEACON_LENGTH = 0x15;
/** Eddystone's 16-bit service UUID (service data); Wireshark 4.0 has no Eddystone fields, only the service data. */
export const UUID16_EDDYSTONE = 0xfeaa;

/** Visits each AD structure of b[o..end): (type, first data byte, data length). Stops at a zero length or the end. */
function eachEntry(b: Uint8Array, o: number, end: number, visit: (type: number, p: number, n: number) => void): void {
  let p = o;
  while (p < end) {
    const len = b[p];
    if (len === 0 || p + 1 >= end) return;
    const n = Math.min(len - 1, end - p - 2);
    visit(b[p + 1], p + 2, n);
    p += 1 + len;
  }
}
/** A field that occurs once per structure of one of `types`, reading from its data. */
const per = (types: readonly number[], read: (b: Uint8Array, p: number, n: number, emit: Emit) => void): MultiGetter =>
  (b, o, e, _r, _a, emit) => eachEntry(b, o, e, (t, p, n) => { if (types.includes(t)) read(b, p, n, emit); });
/** A list of `size`-byte items (UUIDs). */
const list = (size: number, read: (b: Uint8Array, p: number) => number | Uint8Array | undefined) =>
  (b: Uint8Array, p: number, n: number, emit: Emit) => { for (let i = 0; i + size <= n; i += size) { const v = read(b, p + i); if (v !== undefined) emit(v); } };
const flagBit = (abbrev: string, name: string, mask: number, shift: number): FieldDef => ({
  abbrev, name, type: "uint8", base: "hex", mask, description: name, each: per([AD_FLAGS], (b, p, n, emit) => { if (n >= 1) emit((b[p] & mask) >> shift); }),
});

// 128-bit UUIDs are sent least significant byte first; Wireshark shows (and prints) them most significant first.
const reversed = (b: Uint8Array, p: number, n: number): Uint8Array => { const r = new Uint8Array(n); for (let i = 0; i < n; i++) r[i] = b[p + n - 1 - i]; return r; };
const SIG_BASE = [0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80, 0x00, 0x10, 0x00, 0x00];
const isSigUuid = (b: Uint8Array, p: number) => SIG_BASE.every((v, i) => b[p + i] === v);
const UUID128_TYPES = [AD_UUID128_INCOMPLETE, AD_UUID128, AD_SOLICIT128];

/** The iBeacon frame inside Apple manufacturer data: data offset of the UUID, or -1. */
const ibeacon = (b: Uint8Array, p: number, n: number) => (n === 25 && u16le(b, p) === COMPANY_APPLE && b[p + 2] === IBEACON_TYPE && b[p + 3] === IBEACON_LENGTH ? p + 4 : -1);

/** Marks ctx.key before ctx.call(btcommonAd, …): the bytes are a 5-byte LE channel map, not AD structures. */
export const CHANNEL_MAP_KEY = 0x2cafe5;
const AUX_CHANNEL_MAP = 1;

/** The 37 data channels' bits and the 3 reserved ones of an LE channel map (Wireshark btcommon.le_channel_map.N). */
const CHANNEL_MAP_FIELDS: readonly FieldDef[] = Array.from({ length: 40 }, (_, n): FieldDef => ({
  abbrev: `btcommon.le_channel_map.${n}`, name: n < 37 ? `RF Channel ${n}` : "Reserved", type: "bool", mask: 1 << (n & 7),
  description: n < 37 ? `Data channel ${n} is used` : "Reserved bit of the channel map",
  get: (b, o, e, _r, a) => (a === AUX_CHANNEL_MAP && o + (n >> 3) < e ? (b[o + (n >> 3)] >> (n & 7)) & 1 : undefined),
}));

/** AD fields read only layers that hold AD structures (not a channel map). */
const adOnly = (f: FieldDef): FieldDef => f.get
  ? { ...f, get: (b, o, e, r, a) => (a === 0 ? f.get!(b, o, e, r, a) : undefined) }
  : f.each ? { ...f, each: (b, o, e, r, a, emit) => { if (a === 0) f.each!(b, o, e, r, a, emit); } } : f;

const AD_FIELDS: readonly FieldDef[] = [
  { abbrev: "btcommon.eir_ad.advertising_data", name: "Advertising Data", type: "none", description: "A list of AD structures", get: () => 1 },
  { abbrev: "btcommon.eir_ad.entry", name: "Entry", type: "none", description: "One AD structure", each: (b, o, e, _r, _a, emit) => eachEntry(b, o, e, () => emit(1)) },
  {
    abbrev: "btcommon.eir_ad.entry.length", name: "Length", type: "uint8", base: "dec", description: "Length of the structure (type + data)",
    each: (b, o, e, _r, _a, emit) => eachEntry(b, o, e, (_t, p) => emit(b[p - 2])),
  },
  { abbrev: "btcommon.eir_ad.entry.type", name: "Type", type: "uint8", base: "hex", values: AD_TYPES, description: "AD type", each: (b, o, e, _r, _a, emit) => eachEntry(b, o, e, (t) => emit(t)) },
  flagBit("btcommon.eir_ad.entry.flags.reserved", "Reserved", 0xe0, 5),
  flagBit("btcommon.eir_ad.entry.flags.le_bredr_support_host", "Simultaneous LE and BR/EDR to Same Device Capable (Host)", 0x10, 4),
  flagBit("btcommon.eir_ad.entry.flags.le_bredr_support_controller", "Simultaneous LE and BR/EDR to Same Device Capable (Controller)", 0x08, 3),
  flagBit("btcommon.eir_ad.entry.flags.bredr_not_supported", "BR/EDR Not Supported", 0x04, 2),
  flagBit("btcommon.eir_ad.entry.flags.le_general_discoverable_mode", "LE General Discoverable Mode", 0x02, 1),
  flagBit("btcommon.eir_ad.entry.flags.le_limited_discoverable_mode", "LE Limited Discoverable Mode", 0x01, 0),
  {
    abbrev: "btcommon.eir_ad.entry.uuid_16", name: "UUID 16", type: "uint16", base: "hex", values: GATT_UUID16, description: "16-bit service UUID (lists, solicitation, service data)",
    each: (b, o, e, r, a, emit) => {
      per([AD_UUID16_INCOMPLETE, AD_UUID16, AD_SOLICIT16], list(2, u16le))(b, o, e, r, a, emit);
      per([AD_SERVICE_DATA16], (bb, p, n, em) => { if (n >= 2) em(u16le(bb, p)); })(b, o, e, r, a, emit);
    },
  },
  {
    abbrev: "btcommon.eir_ad.entry.uuid_32", name: "UUID 32", type: "uint32", base: "hex", description: "32-bit service UUID",
    each: (b, o, e, r, a, emit) => {
      per([AD_UUID32_INCOMPLETE, AD_UUID32, AD_SOLICIT32], list(4, u32le))(b, o, e, r, a, emit);
      per([AD_SERVICE_DATA32], (bb, p, n, em) => { if (n >= 4) em(u32le(bb, p)); })(b, o, e, r, a, emit);
    },
  },
  {
    abbrev: "btcommon.eir_ad.entry.uuid_128", name: "UUID 128", type: "bytes", description: "128-bit UUID on the Bluetooth base (most significant byte first)",
    each: (b, o, e, r, a, emit) => {
      per(UUID128_TYPES, list(16, (bb, p) => (isSigUuid(bb, p) ? reversed(bb, p, 16) : undefined)))(b, o, e, r, a, emit);
      per([AD_SERVICE_DATA128], (bb, p, n, em) => { if (n >= 16 && isSigUuid(bb, p)) em(reversed(bb, p, 16)); })(b, o, e, r, a, emit);
    },
  },
  {
    abbrev: "btcommon.eir_ad.entry.custom_uuid_128", name: "Custom UUID", type: "bytes", description: "Vendor 128-bit UUID (most significant byte first)",
    each: (b, o, e, r, a, emit) => {
      per(UUID128_TYPES, list(16, (bb, p) => (isSigUuid(bb, p) ? undefined : reversed(bb, p, 16))))(b, o, e, r, a, emit);
      per([AD_SERVICE_DATA128], (bb, p, n, em) => { if (n >= 16 && !isSigUuid(bb, p)) em(reversed(bb, p, 16)); })(b, o, e, r, a, emit);
    },
  },
  { abbrev: "btcommon.eir_ad.entry.device_name", name: "Device Name", type: "string", description: "Complete or shortened local name", each: per([AD_SHORT_NAME, AD_NAME], (b, p, n, emit) => emit(text(b, p, n))) },
  { abbrev: "btcommon.eir_ad.entry.power_level", name: "Power Level", type: "int8", base: "dec", description: "TX power level, dBm", each: per([AD_TX_POWER], (b, p, n, emit) => { if (n >= 1) emit((b[p] << 24) >> 24); }) },
  { abbrev: "btcommon.eir_ad.entry.appearance", name: "Appearance", type: "uint16", base: "hex", description: "GAP appearance (category << 6 | subcategory)", each: per([AD_APPEARANCE], (b, p, n, emit) => { if (n >= 2) emit(u16le(b, p)); }) },
  { abbrev: "btcommon.eir_ad.entry.company_id", name: "Company ID", type: "uint16", base: "hex", values: COMPANY_IDS, description: "Manufacturer of the manufacturer-specific data", each: per([AD_MANUFACTURER], (b, p, n, emit) => { if (n >= 2) emit(u16le(b, p)); }) },
  {
    abbrev: "btcommon.eir_ad.entry.data", name: "Data", type: "bytes", description: "Manufacturer-specific data after the company id, or the data of an undecoded type",
    each: (b, o, e, r, a, emit) => eachEntry(b, o, e, (t, p, n) => {
      if (t === AD_MANUFACTURER) { if (n > 2) emit(copy(b, p + 2, n - 2)); } else if (!(t in AD_DECODED)) emit(copy(b, p, n));
    }),
  },
  {
    abbrev: "btcommon.eir_ad.entry.service_data", name: "Service Data", type: "bytes", description: "Service data after its UUID",
    each: (b, o, e, _r, _a, emit) => eachEntry(b, o, e, (t, p, n) => {
      const u = t === AD_SERVICE_DATA16 ? 2 : t === AD_SERVICE_DATA32 ? 4 : t === AD_SERVICE_DATA128 ? 16 : 0;
      if (u > 0 && n > u) emit(copy(b, p + u, n - u));
    }),
  },
  { abbrev: "btcommon.eir_ad.undecoded", name: "Undecoded", type: "none", description: "Expert note: data Wireshark does not decode (manufacturer data)", each: per([AD_MANUFACTURER], (_b, _p, n, emit) => { if (n > 2) emit(1); }) },
  {
    abbrev: "btcommon.eir_ad.unused", name: "Unused", type: "none", description: "Bytes after a zero length byte",
    get: (b, o, e) => { let p = o; while (p < e) { if (b[p] === 0) return 1; p += 1 + b[p]; } return undefined; },
  },
  // iBeacon (Wireshark 4.0 decodes it only with "Decode As" on btcommon.eir_ad.manufacturer_company_id; we always do).
  { abbrev: "bluetooth.apple.ibeacon.uuid128", name: "UUID", type: "bytes", description: "iBeacon proximity UUID", each: per([AD_MANUFACTURER], (b, p, n, emit) => { const q = ibeacon(b, p, n); if (q >= 0) emit(copy(b, q, 16)); }) },
  { abbrev: "bluetooth.apple.ibeacon.major", name: "Major", type: "uint16", base: "dec", description: "iBeacon major (big-endian)", each: per([AD_MANUFACTURER], (b, p, n, emit) => { const q = ibeacon(b, p, n); if (q >= 0) emit(u16(b, q + 16)); }) },
  { abbrev: "bluetooth.apple.ibeacon.minor", name: "Minor", type: "uint16", base: "dec", description: "iBeacon minor (big-endian)", each: per([AD_MANUFACTURER], (b, p, n, emit) => { const q = ibeacon(b, p, n); if (q >= 0) emit(u16(b, q + 18)); }) },
  { abbrev: "bluetooth.apple.ibeacon.measured_power", name: "Measured Power", type: "int8", base: "dec", description: "Wirebook: iBeacon RSSI at 1 m, dBm (a Wireshark 4.2 field; 4.0 lacks it)", each: per([AD_MANUFACTURER], (b, p, n, emit) => { const q = ibeacon(b, p, n); if (q >= 0) emit((b[q + 20] << 24) >> 24); }) },
];

export const FIELDS: readonly FieldDef[] = [
  protocolField("btcommon", "Bluetooth Common", "Advertising data / EIR structures, LE channel maps"),
  ...AD_FIELDS.map(adOnly),
  ...CHANNEL_MAP_FIELDS,
];

/** Types with fields of their own (the rest show their bytes as entry.data). */
const AD_DECODED: Record<number, true> = {
  0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true, 0x08: true, 0x09: true, 0x0a: true,
  0x14: true, 0x15: true, 0x16: true, 0x19: true, 0x1f: true, 0x20: true, 0x21: true, 0xff: true,
};

/** The view: records the AD list; a structure running past the end marks the frame malformed. */
export const btcommonAd: Dissector = {
  proto: "btcommon",
  name: "Bluetooth Common",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    if (ctx.key === CHANNEL_MAP_KEY) {
      ctx.key = 0;
      ctx.layer(this, o, end, rep, AUX_CHANNEL_MAP);
      return null;
    }
    ctx.layer(this, o, end, rep);
    let p = o;
    while (p < end && b[p] !== 0) p += 1 + b[p];
    if (p > end) ctx.malformed("btcommon", "AD structure length goes past the end of the data");
    return null;
  },
};

/** Info-column summary: the device name when there is one. */
export function summary(b: Uint8Array, o: number, end: number): string {
  let name = "";
  eachEntry(b, o, end, (t, p, n) => { if (t === AD_NAME || t === AD_SHORT_NAME) name = text(b, p, n); });
  return name;
}
