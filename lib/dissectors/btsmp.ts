// Bluetooth Security Manager Protocol (L2CAP CID 6; Bluetooth Core 5.3 Vol 3 Part H §3). Wireshark
// epan/dissectors/packet-btsmp.c. Opcode, pairing request/response parameters, confirm/random values, public keys.

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { copy } from "./bytes.js";

export const SMP_PAIRING_REQUEST = 0x01, SMP_PAIRING_RESPONSE = 0x02, SMP_PAIRING_CONFIRM = 0x03, SMP_PAIRING_RANDOM = 0x04,
  SMP_PAIRING_FAILED = 0x05, SMP_PUBLIC_KEY = 0x0c, SMP_DHKEY_CHECK = 0x0d;
export const SMP_OPCODES = {
  0x01: "Pairing Request", 0x02: "Pairing Response", 0x03: "Pairing Confirm", 0x04: "Pairing Random", 0x05: "Pairing Failed",
  0x06: "Encryption Information", 0x07: "Central Identification", 0x08: "Identity Information",
  0x09: "Identity Address Information", 0x0a: "Signing Information", 0x0b: "Security Request",
  0x0c: "Pairing Public Key", 0x0d: "Pairing DHKey Check", 0x0e: "Pairing Keypress Notification",
} as const;

const OPCODE = 0;
const PAIRING = [SMP_PAIRING_REQUEST, SMP_PAIRING_RESPONSE];
/** Parameter of `ops` at `at` bytes after the opcode. */
const at = (ops: readonly number[], off: number, n: number, read: (b: Uint8Array, p: number) => number | Uint8Array): Getter =>
  (b, o, e) => (o < e && ops.includes(b[o]) && o + 1 + off + n <= e ? read(b, o + 1 + off) : undefined);
const bits = (ops: readonly number[], off: number, mask: number, shift: number) => at(ops, off, 1, (b, p) => (b[p] & mask) >> shift);
const bytes = (n: number) => (b: Uint8Array, p: number) => copy(b, p, n);
const keyDist = (b: Uint8Array, o: number, e: number, emit: (v: number) => void, mask: number, shift: number) => {
  if (o < e && PAIRING.includes(b[o]) && o + 7 <= e) { emit((b[o + 5] & mask) >> shift); emit((b[o + 6] & mask) >> shift); }
};

export const FIELDS: readonly FieldDef[] = [
  protocolField("btsmp", "Bluetooth Security Manager Protocol", "SMP PDU"),
  { abbrev: "btsmp.opcode", name: "Opcode", type: "uint8", base: "hex", values: SMP_OPCODES, description: "SMP command", get: (b, o, e) => (o < e ? b[o + OPCODE] : undefined) },
  { abbrev: "btsmp.reason", name: "Reason", type: "uint8", base: "hex", description: "Pairing Failed reason", get: at([SMP_PAIRING_FAILED], 0, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.io_capability", name: "IO Capability", type: "uint8", base: "hex", description: "IO capability", get: at(PAIRING, 0, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.oob_data_flags", name: "OOB Data Flags", type: "uint8", base: "hex", description: "OOB data present", get: at(PAIRING, 1, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.authreq", name: "AuthReq", type: "uint8", base: "hex", description: "Authentication requirements", get: at(PAIRING, 2, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.bonding_flags", name: "Bonding Flags", type: "uint8", base: "hex", mask: 0x03, description: "Bonding", get: bits(PAIRING, 2, 0x03, 0) },
  { abbrev: "btsmp.mitm_flag", name: "MITM Flag", type: "bool", mask: 0x04, description: "MITM protection requested", get: bits(PAIRING, 2, 0x04, 2) },
  { abbrev: "btsmp.sc_flag", name: "Secure Connection Flag", type: "bool", mask: 0x08, description: "LE Secure Connections requested", get: bits(PAIRING, 2, 0x08, 3) },
  { abbrev: "btsmp.keypress_flag", name: "Keypress Flag", type: "bool", mask: 0x10, description: "Keypress notifications", get: bits(PAIRING, 2, 0x10, 4) },
  { abbrev: "btsmp.reserved_flags", name: "Reserved", type: "uint8", base: "hex", mask: 0xe0, description: "Reserved AuthReq bits", get: bits(PAIRING, 2, 0xe0, 5) },
  { abbrev: "btsmp.max_enc_key_size", name: "Max Encryption Key Size", type: "uint8", base: "dec", description: "Maximum key size, bytes", get: at(PAIRING, 3, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.initiator_key_distribution", name: "Initiator Key Distribution", type: "uint8", base: "hex", description: "Keys the initiator distributes", get: at(PAIRING, 4, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.responder_key_distribution", name: "Responder Key Distribution", type: "uint8", base: "hex", description: "Keys the responder distributes", get: at(PAIRING, 5, 1, (b, p) => b[p]) },
  { abbrev: "btsmp.key_dist_enc", name: "Encryption Key (LTK)", type: "bool", mask: 0x01, description: "LTK distributed (initiator, then responder)", each: (b, o, e, _r, _a, emit) => keyDist(b, o, e, emit, 0x01, 0) },
  { abbrev: "btsmp.key_dist_id", name: "Id Key (IRK)", type: "bool", mask: 0x02, description: "IRK distributed", each: (b, o, e, _r, _a, emit) => keyDist(b, o, e, emit, 0x02, 1) },
  { abbrev: "btsmp.key_dist_sign", name: "Signature Key (CSRK)", type: "bool", mask: 0x04, description: "CSRK distributed", each: (b, o, e, _r, _a, emit) => keyDist(b, o, e, emit, 0x04, 2) },
  { abbrev: "btsmp.key_dist_linkkey", name: "Link Key", type: "bool", mask: 0x08, description: "Link key derived", each: (b, o, e, _r, _a, emit) => keyDist(b, o, e, emit, 0x08, 3) },
  { abbrev: "btsmp.key_dist_reserved", name: "Reserved", type: "uint8", base: "hex", mask: 0xf0, description: "Reserved bits", each: (b, o, e, _r, _a, emit) => keyDist(b, o, e, emit, 0xf0, 4) },
  { abbrev: "btsmp.cfm_value", name: "Confirm Value", type: "bytes", description: "Pairing confirm value", get: at([SMP_PAIRING_CONFIRM], 0, 16, bytes(16)) },
  { abbrev: "btsmp.random_value", name: "Random Value", type: "bytes", description: "Pairing random value", get: at([SMP_PAIRING_RANDOM], 0, 16, bytes(16)) },
  { abbrev: "btsmp.public_key_x", name: "Public Key X", type: "bytes", description: "P-256 public key X", get: at([SMP_PUBLIC_KEY], 0, 32, bytes(32)) },
  { abbrev: "btsmp.public_key_y", name: "Public Key Y", type: "bytes", description: "P-256 public key Y", get: at([SMP_PUBLIC_KEY], 32, 32, bytes(32)) },
  { abbrev: "btsmp.dhkey_check", name: "DHKey Check", type: "bytes", description: "DHKey check value", get: at([SMP_DHKEY_CHECK], 0, 16, bytes(16)) },
];

/** The view: one SMP command; nothing follows. */
export const btsmp: Dissector = {
  proto: "btsmp",
  name: "Bluetooth Security Manager Protocol",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (end <= o) ctx.malformed("btsmp", "empty SMP PDU");
    return null;
  },
};

/** Info-column summary. */
export function summary(b: Uint8Array, o: number): string {
  return SMP_OPCODES[b[o] as keyof typeof SMP_OPCODES] ?? `Unknown 0x${b[o].toString(16)}`;
}
