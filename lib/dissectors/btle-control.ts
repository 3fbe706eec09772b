// BLE link-layer control PDUs (LLID 3): opcode and parameters (Bluetooth Core 5.3 Vol 6 Part B §2.4.2;
// Wireshark packet-btle.c, the control_opcode switch). The getters here read relative to the control payload:
// `o` is the opcode byte, `end` the end of the captured payload; btle.ts wraps them with the data-PDU checks.

import type { FieldDef, Getter } from "./field.js";
import { copy, u16le, u32le } from "./bytes.js";

export const LL_CONNECTION_UPDATE_IND = 0x00, LL_CHANNEL_MAP_IND = 0x01, LL_TERMINATE_IND = 0x02, LL_ENC_REQ = 0x03,
  LL_ENC_RSP = 0x04, LL_UNKNOWN_RSP = 0x07, LL_FEATURE_REQ = 0x08, LL_FEATURE_RSP = 0x09, LL_VERSION_IND = 0x0c,
  LL_REJECT_IND = 0x0d, LL_PERIPHERAL_FEATURE_REQ = 0x0e, LL_CONNECTION_PARAM_REQ = 0x0f, LL_CONNECTION_PARAM_RSP = 0x10,
  LL_REJECT_EXT_IND = 0x11, LL_LENGTH_REQ = 0x14, LL_LENGTH_RSP = 0x15, LL_PHY_REQ = 0x16, LL_PHY_RSP = 0x17,
  LL_PHY_UPDATE_IND = 0x18, LL_MIN_USED_CHANNELS_IND = 0x19, LL_CLOCK_ACCURACY_REQ = 0x1d, LL_CLOCK_ACCURACY_RSP = 0x1e;

/** btle.control_opcode names (Core 5.3 names). */
export const CONTROL_OPCODES = {
  0x00: "LL_CONNECTION_UPDATE_IND", 0x01: "LL_CHANNEL_MAP_IND", 0x02: "LL_TERMINATE_IND", 0x03: "LL_ENC_REQ",
  0x04: "LL_ENC_RSP", 0x05: "LL_START_ENC_REQ", 0x06: "LL_START_ENC_RSP", 0x07: "LL_UNKNOWN_RSP", 0x08: "LL_FEATURE_REQ",
  0x09: "LL_FEATURE_RSP", 0x0a: "LL_PAUSE_ENC_REQ", 0x0b: "LL_PAUSE_ENC_RSP", 0x0c: "LL_VERSION_IND", 0x0d: "LL_REJECT_IND",
  0x0e: "LL_PERIPHERAL_FEATURE_REQ", 0x0f: "LL_CONNECTION_PARAM_REQ", 0x10: "LL_CONNECTION_PARAM_RSP",
  0x11: "LL_REJECT_EXT_IND", 0x12: "LL_PING_REQ", 0x13: "LL_PING_RSP", 0x14: "LL_LENGTH_REQ", 0x15: "LL_LENGTH_RSP",
  0x16: "LL_PHY_REQ", 0x17: "LL_PHY_RSP", 0x18: "LL_PHY_UPDATE_IND", 0x19: "LL_MIN_USED_CHANNELS_IND",
  0x1a: "LL_CTE_REQ", 0x1b: "LL_CTE_RSP", 0x1c: "LL_PERIODIC_SYNC_IND", 0x1d: "LL_CLOCK_ACCURACY_REQ",
  0x1e: "LL_CLOCK_ACCURACY_RSP", 0x1f: "LL_CIS_REQ", 0x20: "LL_CIS_RSP", 0x21: "LL_CIS_IND", 0x22: "LL_CIS_TERMINATE_IND",
  0x23: "LL_POWER_CONTROL_REQ", 0x24: "LL_POWER_CONTROL_RSP", 0x25: "LL_POWER_CHANGE_IND",
} as const;

/** LL version numbers (Assigned Numbers, Link Layer). */
export const LL_VERSIONS = {
  6: "4.0", 7: "4.1", 8: "4.2", 9: "5.0", 10: "5.1", 11: "5.2", 12: "5.3", 13: "5.4",
} as const;

/** A little-endian 64-bit number (exact up to 2^53; larger values round, as any double does). */
const u64le = (b: Uint8Array, p: number) => u32le(b, p + 4) * 4294967296 + u32le(b, p);

/** A parameter of the opcodes `ops` at `at` bytes after the opcode, `n` bytes long. */
const at = (ops: readonly number[], off: number, n: number, read: (b: Uint8Array, p: number) => number | Uint8Array): Getter =>
  (b, o, e) => (o < e && ops.includes(b[o]) && o + 1 + off + n <= e ? read(b, o + 1 + off) : undefined);
const u8 = (b: Uint8Array, p: number) => b[p];
const FEATURES = [LL_FEATURE_REQ, LL_FEATURE_RSP, LL_PERIPHERAL_FEATURE_REQ];
const PARAMS = [LL_CONNECTION_PARAM_REQ, LL_CONNECTION_PARAM_RSP];
const LENGTHS = [LL_LENGTH_REQ, LL_LENGTH_RSP];
const PHYS = [LL_PHY_REQ, LL_PHY_RSP];
const bit = (abbrev: string, name: string, ops: readonly number[], byte: number, mask: number): FieldDef => ({
  abbrev, name, type: "bool", mask, description: name, get: at(ops, byte, 1, (b, p) => ((b[p] & mask) !== 0 ? 1 : 0)),
});
const featureBits: [string, string][][] = [
  [["le_encryption", "LE Encryption"], ["connection_parameters_request_procedure", "Connection Parameters Request Procedure"], ["extended_reject_indication", "Extended Reject Indication"], ["slave_initiated_features_exchange", "Slave Initiated Features Exchange"], ["le_ping", "LE Ping"], ["le_pkt_len_ext", "LE Data Packet Length Extension"], ["le_privacy", "LL Privacy"], ["ext_scan_flt_pol", "Extended Scanner Filter Policies"]],
  [["le_2m_phy", "LE 2M PHY"], ["st_mod_idx_tx", "Stable Modulation Index - Transmitter"], ["st_mod_idx_rx", "Stable Modulation Index - Receiver"], ["le_coded_phy", "LE Coded PHY"], ["le_extended_adv", "LE Extended Advertising"], ["periodic_adv", "LE Periodic Advertising"], ["ch_sel_2", "Channel Selection Algorithm #2"], ["le_power_class_1", "LE Power Class 1"]],
];
const phyBits = (prefix: string, ops: readonly number[], byte: number): FieldDef[] => [
  bit(`${prefix}.le_1m_phy`, "LE 1M PHY", ops, byte, 1), bit(`${prefix}.le_2m_phy`, "LE 2M PHY", ops, byte, 2),
  bit(`${prefix}.le_coded_phy`, "LE Coded PHY", ops, byte, 4),
];

/** Control-PDU fields; `get` is relative to the control payload (btle.ts wraps it). */
export const CONTROL_FIELDS: readonly FieldDef[] = [
  { abbrev: "btle.control_opcode", name: "Control Opcode", type: "uint8", base: "hex", values: CONTROL_OPCODES, description: "LL control PDU opcode", get: (b, o, e) => (o < e ? b[o] : undefined) },
  { abbrev: "btle.control.reject_opcode", name: "Reject Opcode", type: "uint8", base: "hex", values: CONTROL_OPCODES, description: "Opcode being rejected (LL_REJECT_EXT_IND)", get: at([LL_REJECT_EXT_IND], 0, 1, u8) },
  { abbrev: "btle.control.unknown_type", name: "Unknown Type", type: "uint8", base: "hex", values: CONTROL_OPCODES, description: "Opcode the peer did not know (LL_UNKNOWN_RSP)", get: at([LL_UNKNOWN_RSP], 0, 1, u8) },
  {
    abbrev: "btle.control.error_code", name: "Error Code", type: "uint8", base: "hex", description: "HCI error code (terminate / reject)",
    get: (b, o, e) => at([LL_TERMINATE_IND, LL_REJECT_IND], 0, 1, u8)(b, o, e, 0, 0) ?? at([LL_REJECT_EXT_IND], 1, 1, u8)(b, o, e, 0, 0),
  },
  { abbrev: "btle.control.version_number", name: "Version Number", type: "uint8", base: "hex", values: LL_VERSIONS, description: "LL version (LL_VERSION_IND)", get: at([LL_VERSION_IND], 0, 1, u8) },
  { abbrev: "btle.control.company_id", name: "Company Id", type: "uint16", base: "hex", description: "Controller manufacturer (LL_VERSION_IND)", get: at([LL_VERSION_IND], 1, 2, u16le) },
  { abbrev: "btle.control.subversion_number", name: "Subversion Number", type: "uint16", base: "hex", description: "Controller implementation version (LL_VERSION_IND)", get: at([LL_VERSION_IND], 3, 2, u16le) },
  { abbrev: "btle.control.feature_set", name: "Feature Set", type: "uint64", base: "hex", description: "Supported LL features (LL_FEATURE_REQ/RSP)", get: at(FEATURES, 0, 8, u64le) },
  ...featureBits.flatMap((row, byte) => row.map(([k, n], i) => bit(`btle.control.feature_set.${k}`, n, FEATURES, byte, 1 << i))),
  bit("btle.control.feature_set.min_num_used_ch_proc", "Minimum Number of Used Channels Procedure", FEATURES, 2, 1),
  { abbrev: "btle.control.feature_set.reserved_bits", name: "Reserved", type: "uint8", base: "dec", mask: 0xfe, description: "Reserved feature bits of the third byte", get: at(FEATURES, 2, 1, (b, p) => b[p] >> 1) },
  { abbrev: "btle.control.feature_set.reserved", name: "Reserved", type: "bytes", description: "Reserved feature bytes 3-7", get: at(FEATURES, 3, 5, (b, p) => copy(b, p, 5)) },
  { abbrev: "btle.control.window_size", name: "Window Size", type: "uint8", base: "dec", description: "Transmit window size, 1.25 ms units", get: at([LL_CONNECTION_UPDATE_IND], 0, 1, u8) },
  { abbrev: "btle.control.window_offset", name: "Window Offset", type: "uint16", base: "dec", description: "Transmit window offset, 1.25 ms units", get: at([LL_CONNECTION_UPDATE_IND], 1, 2, u16le) },
  { abbrev: "btle.control.interval", name: "Interval", type: "uint16", base: "dec", description: "Connection interval, 1.25 ms units", get: at([LL_CONNECTION_UPDATE_IND], 3, 2, u16le) },
  { abbrev: "btle.control.latency", name: "Latency", type: "uint16", base: "dec", description: "Peripheral latency", get: (b, o, e) => at([LL_CONNECTION_UPDATE_IND], 5, 2, u16le)(b, o, e, 0, 0) ?? at(PARAMS, 4, 2, u16le)(b, o, e, 0, 0) },
  { abbrev: "btle.control.timeout", name: "Timeout", type: "uint16", base: "dec", description: "Supervision timeout, 10 ms units", get: (b, o, e) => at([LL_CONNECTION_UPDATE_IND], 7, 2, u16le)(b, o, e, 0, 0) ?? at(PARAMS, 6, 2, u16le)(b, o, e, 0, 0) },
  {
    abbrev: "btle.control.instant", name: "Instant", type: "uint16", base: "dec", description: "Connection event at which the change applies",
    get: (b, o, e) => at([LL_CONNECTION_UPDATE_IND], 9, 2, u16le)(b, o, e, 0, 0) ?? at([LL_CHANNEL_MAP_IND], 5, 2, u16le)(b, o, e, 0, 0) ?? at([LL_PHY_UPDATE_IND], 2, 2, u16le)(b, o, e, 0, 0),
  },
  { abbrev: "btle.control.interval.min", name: "Interval Min", type: "uint16", base: "dec", description: "Minimum connection interval", get: at(PARAMS, 0, 2, u16le) },
  { abbrev: "btle.control.interval.max", name: "Interval Max", type: "uint16", base: "dec", description: "Maximum connection interval", get: at(PARAMS, 2, 2, u16le) },
  { abbrev: "btle.control.preferred_periodicity", name: "Preferred Periodicity", type: "uint8", base: "dec", description: "Preferred periodicity", get: at(PARAMS, 8, 1, u8) },
  { abbrev: "btle.control.reference_connection_event_count", name: "Reference Connection Event Count", type: "uint16", base: "dec", description: "Reference event for the offsets", get: at(PARAMS, 9, 2, u16le) },
  ...[0, 1, 2, 3, 4, 5].map((i): FieldDef => ({ abbrev: `btle.control.offset.${i}`, name: `Offset ${i}`, type: "uint16", base: "dec", description: `Anchor offset ${i}`, get: at(PARAMS, 11 + 2 * i, 2, u16le) })),
  { abbrev: "btle.control.channel_map", name: "Channel Map", type: "bytes", description: "New channel map (LL_CHANNEL_MAP_IND)", get: at([LL_CHANNEL_MAP_IND], 0, 5, (b, p) => copy(b, p, 5)) },
  { abbrev: "btle.control.random_number", name: "Random Number", type: "uint64", base: "dec", description: "Rand (LL_ENC_REQ)", get: at([LL_ENC_REQ], 0, 8, u64le) },
  { abbrev: "btle.control.encrypted_diversifier", name: "Encrypted Diversifier", type: "uint16", base: "dec", description: "EDIV (LL_ENC_REQ)", get: at([LL_ENC_REQ], 8, 2, u16le) },
  { abbrev: "btle.control.master_session_key_diversifier", name: "Master Session Key Diversifier", type: "uint64", base: "dec", description: "SKDm (LL_ENC_REQ)", get: at([LL_ENC_REQ], 10, 8, u64le) },
  { abbrev: "btle.control.master_session_initialization_vector", name: "Master Session Initialization Vector", type: "uint32", base: "dec", description: "IVm (LL_ENC_REQ)", get: at([LL_ENC_REQ], 18, 4, u32le) },
  { abbrev: "btle.control.slave_session_key_diversifier", name: "Slave Session Key Diversifier", type: "uint64", base: "dec", description: "SKDs (LL_ENC_RSP)", get: at([LL_ENC_RSP], 0, 8, u64le) },
  { abbrev: "btle.control.slave_session_initialization_vector", name: "Slave Session Initialization Vector", type: "uint64", base: "dec", description: "IVs (LL_ENC_RSP)", get: at([LL_ENC_RSP], 8, 4, u32le) },
  { abbrev: "btle.control.max_rx_octets", name: "Max RX octets", type: "uint16", base: "dec", description: "MaxRxOctets", get: at(LENGTHS, 0, 2, u16le) },
  { abbrev: "btle.control.max_rx_time", name: "Max RX time", type: "uint16", base: "dec", description: "MaxRxTime, µs", get: at(LENGTHS, 2, 2, u16le) },
  { abbrev: "btle.control.max_tx_octets", name: "Max TX octets", type: "uint16", base: "dec", description: "MaxTxOctets", get: at(LENGTHS, 4, 2, u16le) },
  { abbrev: "btle.control.max_tx_time", name: "Max TX time", type: "uint16", base: "dec", description: "MaxTxTime, µs", get: at(LENGTHS, 6, 2, u16le) },
  { abbrev: "btle.control.tx_phys", name: "TX PHYs", type: "uint8", base: "hex", description: "Preferred TX PHYs", get: at(PHYS, 0, 1, u8) },
  { abbrev: "btle.control.rx_phys", name: "RX PHYs", type: "uint8", base: "hex", description: "Preferred RX PHYs", get: at(PHYS, 1, 1, u8) },
  { abbrev: "btle.control.m_to_s_phy", name: "Master to Slave PHY", type: "uint8", base: "hex", description: "PHY_C_TO_P (LL_PHY_UPDATE_IND)", get: at([LL_PHY_UPDATE_IND], 0, 1, u8) },
  ...phyBits("btle.control.m_to_s_phy", [LL_PHY_UPDATE_IND], 0),
  { abbrev: "btle.control.s_to_m_phy", name: "Slave to Master PHY", type: "uint8", base: "hex", description: "PHY_P_TO_C (LL_PHY_UPDATE_IND)", get: at([LL_PHY_UPDATE_IND], 1, 1, u8) },
  ...phyBits("btle.control.s_to_m_phy", [LL_PHY_UPDATE_IND], 1),
  { abbrev: "btle.control.min_used_channels", name: "Minimum Number of Used Channels", type: "uint8", base: "dec", description: "MinUsedChannels", get: at([LL_MIN_USED_CHANNELS_IND], 1, 1, u8) },
  { abbrev: "btle.control.sleep_clock_accuracy", name: "Sleep Clock Accuracy", type: "uint8", base: "dec", mask: 0xe0, description: "SCA (LL_CLOCK_ACCURACY_REQ/RSP)", get: at([LL_CLOCK_ACCURACY_REQ, LL_CLOCK_ACCURACY_RSP], 0, 1, (b, p) => b[p] >> 5) },
];

/** Parameter bytes Wireshark decodes per opcode (-1: unknown here, the whole payload). */
const PARAM_SIZE: readonly number[] = [11, 7, 1, 22, 12, 0, 0, 1, 8, 8, 0, 0, 5, 1, 8, 23, 23, 2, 0, 0, 8, 8, 2, 2, 4, 2, -1, -1, -1, 1, 1];

/** How many control-payload bytes are decoded: the opcode and its parameters (the CRC follows them). */
export function controlLength(b: Uint8Array, p: number, e: number, len: number): number {
  if (p >= e || len === 0) return len;
  const n = PARAM_SIZE[b[p]] ?? -1;
  return n < 0 ? len : 1 + n;
}
