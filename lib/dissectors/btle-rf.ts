// Bluetooth LE RF pseudo-header (LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256), followed by the link-layer packet.
// https://www.tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.html; Wireshark epan/dissectors/packet-btle_rf.c.
// Ten little-endian bytes: RF channel, signal, noise, access-address offenses, reference access address, flags.
// A byte whose "valid" flag is clear shows as an "unused" field instead (as Wireshark does).

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { u16le, u32le } from "./bytes.js";
import { btle, rfKey } from "./btle.js";

/** Flag bits (LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR "Flags"). */
export const LE_DEWHITENED = 0x0001;
export const LE_SIGPOWER_VALID = 0x0002;
export const LE_NOISEPOWER_VALID = 0x0004;
export const LE_PACKET_DECRYPTED = 0x0008;
export const LE_REF_AA_VALID = 0x0010;
export const LE_AA_OFFENSES_VALID = 0x0020;
export const LE_CHANNEL_ALIASED = 0x0040;
export const LE_PDU_TYPE = 0x0380;
export const LE_CRC_CHECKED = 0x0400;
export const LE_CRC_VALID = 0x0800;
export const LE_MIC_CHECKED = 0x1000;
export const LE_MIC_VALID = 0x2000;
export const LE_PHY = 0xc000;

/** btle_rf.pdu_type: what the sniffer says the packet is. */
export const RF_PDU_TYPES = {
  0: "Advertising or Data (Unspecified Direction)", 1: "Auxiliary Advertising", 2: "Data, Master to Slave",
  3: "Data, Slave to Master", 4: "Connected Isochronous, Master to Slave", 5: "Connected Isochronous, Slave to Master",
  6: "Broadcast Isochronous", 7: "Reserved",
} as const;
export const RF_PHYS = { 0: "LE 1M", 1: "LE 2M", 2: "LE Coded", 3: "Reserved" } as const;

// Byte offsets.
const CHANNEL = 0;
const SIGNAL = 1;
const NOISE = 2;
const AA_OFFENSES = 3;
const REF_AA = 4;
const FLAGS = 8;
export const BTLE_RF_LEN = FLAGS + 2;

const has = (o: number, e: number) => e - o >= BTLE_RF_LEN;
const flags = (b: Uint8Array, o: number) => u16le(b, o + FLAGS);
const s8 = (v: number) => (v << 24) >> 24;
/** A field read only when the header is whole and the flag `bit` is set (or clear, for the "unused" forms). */
const when = (bit: number, set: boolean, read: (b: Uint8Array, o: number) => number): Getter =>
  (b, o, e) => (has(o, e) && ((flags(b, o) & bit) !== 0) === set ? read(b, o) : undefined);
const flag = (abbrev: string, name: string, mask: number, description: string): FieldDef => ({
  abbrev, name, type: "bool", mask, description, get: (b, o, e) => (has(o, e) ? ((flags(b, o) & mask) !== 0 ? 1 : 0) : undefined),
});

export const FIELDS: readonly FieldDef[] = [
  protocolField("btle_rf", "Bluetooth Low Energy RF Info", "RF pseudo-header of a captured BLE packet"),
  {
    abbrev: "btle_rf.signed_byte_unused", name: "Unused signed byte", type: "int8", base: "dec", description: "Signal or noise byte whose valid flag is clear",
    each: (b, o, e, _r, _a, emit) => {
      if (!has(o, e)) return;
      const f = flags(b, o);
      if ((f & LE_SIGPOWER_VALID) === 0) emit(s8(b[o + SIGNAL]));
      if ((f & LE_NOISEPOWER_VALID) === 0) emit(s8(b[o + NOISE]));
    },
  },
  { abbrev: "btle_rf.unsigned_byte_unused", name: "Unused unsigned byte", type: "uint8", base: "dec", description: "Access-address offenses byte whose valid flag is clear", get: when(LE_AA_OFFENSES_VALID, false, (b, o) => b[o + AA_OFFENSES]) },
  { abbrev: "btle_rf.word_unused", name: "Unused word", type: "uint32", base: "hex", description: "Reference access address whose valid flag is clear", get: when(LE_REF_AA_VALID, false, (b, o) => u32le(b, o + REF_AA)) },
  { abbrev: "btle_rf.channel", name: "RF Channel", type: "uint8", base: "dec", description: "RF channel 0-39 (2402 + 2*n MHz; 0, 12 and 39 are the advertising channels 37, 38, 39)", get: (b, o, e) => (e - o > CHANNEL ? b[o + CHANNEL] : undefined) },
  { abbrev: "btle_rf.signal_dbm", name: "Signal dBm", type: "int8", base: "dec", description: "Received signal strength (RSSI), dBm", get: when(LE_SIGPOWER_VALID, true, (b, o) => s8(b[o + SIGNAL])) },
  { abbrev: "btle_rf.noise_dbm", name: "Noise dBm", type: "int8", base: "dec", description: "Noise power, dBm", get: when(LE_NOISEPOWER_VALID, true, (b, o) => s8(b[o + NOISE])) },
  { abbrev: "btle_rf.access_address_offenses", name: "Access Address Offenses", type: "uint8", base: "dec", description: "Bit errors in the access address", get: when(LE_AA_OFFENSES_VALID, true, (b, o) => b[o + AA_OFFENSES]) },
  { abbrev: "btle_rf.reference_access_address", name: "Reference Access Address", type: "uint32", base: "hex", description: "Access address the sniffer was following", get: when(LE_REF_AA_VALID, true, (b, o) => u32le(b, o + REF_AA)) },
  { abbrev: "btle_rf.flags", name: "Flags", type: "uint16", base: "hex", description: "Pseudo-header flags", get: (b, o, e) => (has(o, e) ? flags(b, o) : undefined) },
  flag("btle_rf.flags.dewhitened", "Dewhitened", LE_DEWHITENED, "The packet was dewhitened"),
  flag("btle_rf.flags.signal_dbm_valid", "Signal Power Valid", LE_SIGPOWER_VALID, "The signal byte holds a value"),
  flag("btle_rf.flags.noise_dbm_valid", "Noise Power Valid", LE_NOISEPOWER_VALID, "The noise byte holds a value"),
  flag("btle_rf.flags.decrypted", "Decrypted", LE_PACKET_DECRYPTED, "The sniffer decrypted the packet"),
  flag("btle_rf.flags.reference_access_address_valid", "Reference Access Address Valid", LE_REF_AA_VALID, "The reference access address holds a value"),
  flag("btle_rf.flags.access_address_offenses_valid", "Access Address Offenses Valid", LE_AA_OFFENSES_VALID, "The offenses byte holds a value"),
  flag("btle_rf.flags.channel_aliased", "Channel Aliased", LE_CHANNEL_ALIASED, "The channel number may be aliased"),
  { abbrev: "btle_rf.pdu_type", name: "PDU Type", type: "uint16", base: "dec", mask: LE_PDU_TYPE, values: RF_PDU_TYPES, description: "Advertising, data (with direction) or isochronous", get: (b, o, e) => (has(o, e) ? (flags(b, o) & LE_PDU_TYPE) >> 7 : undefined) },
  flag("btle_rf.flags.crc_checked", "CRC Checked", LE_CRC_CHECKED, "The sniffer checked the CRC"),
  flag("btle_rf.flags.crc_valid", "CRC Valid", LE_CRC_VALID, "The CRC was correct"),
  flag("btle_rf.flags.mic_checked", "MIC Checked", LE_MIC_CHECKED, "The sniffer checked the MIC"),
  flag("btle_rf.flags.mic_valid", "MIC Valid", LE_MIC_VALID, "The MIC was correct"),
  { abbrev: "btle_rf.phy", name: "PHY", type: "uint16", base: "dec", mask: LE_PHY, values: RF_PHYS, description: "LE 1M, 2M or Coded", get: (b, o, e) => (has(o, e) ? (flags(b, o) & LE_PHY) >>> 14 : undefined) },
];

/** Wireshark's btle_rf_channel_index: RF channel -> link-layer channel index (37, 38, 39 advertising). */
export function channelIndex(rf: number): number {
  if (rf > 39) return 255;
  if (rf === 39) return 39;
  if (rf >= 13) return rf - 2;
  if (rf === 12) return 38;
  if (rf >= 1) return rf - 1;
  return 37;
}

/** The view + hand-off: the link-layer packet follows, with the flags and channel passed on in ctx.key. */
export const btleRf: Dissector = {
  proto: "btle_rf",
  name: "Bluetooth Low Energy RF Info",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    // Wireshark returns 0 (nothing dissected) for a short header; we keep the layer and flag it.
    if (end - o < BTLE_RF_LEN) {
      ctx.malformed("btle_rf", "packet shorter than the 10-byte RF header");
      return null;
    }
    ctx.key = rfKey(flags(b, o), channelIndex(b[o + CHANNEL]));
    return handOff(ctx, btle, o + BTLE_RF_LEN, end, rep - BTLE_RF_LEN);
  },
};

/** Info-column summary: "ch 37, -55 dBm". */
export function summary(b: Uint8Array, o: number): string {
  return `ch ${channelIndex(b[o + CHANNEL])}, ${s8(b[o + SIGNAL])} dBm`;
}
