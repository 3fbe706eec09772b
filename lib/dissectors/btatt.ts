// Bluetooth Attribute Protocol (L2CAP CID 4; Bluetooth Core 5.3 Vol 3 Part F §3.4). Wireshark
// epan/dissectors/packet-btatt.c. Little-endian. Stateless: the fields of each PDU's own bytes. Wireshark also
// remembers handle -> UUID across frames and decodes values by characteristic (btatt.device_name, the UUID shown
// under a handle …); that is not done here (see the conformance test's reasons). A Read By Type response whose
// entries are 7 or 21 bytes is taken as a characteristic declaration list (the GATT discovery case).

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type Emit, type FieldDef, type Getter, type MultiGetter } from "./field.js";
import { copy, u16le } from "./bytes.js";
import { GATT_UUID16 } from "./btatt-uuid.js";

export const ATT_ERROR_RSP = 0x01, ATT_EXCHANGE_MTU_REQ = 0x02, ATT_EXCHANGE_MTU_RSP = 0x03, ATT_FIND_INFO_REQ = 0x04,
  ATT_FIND_INFO_RSP = 0x05, ATT_FIND_BY_TYPE_VALUE_REQ = 0x06, ATT_FIND_BY_TYPE_VALUE_RSP = 0x07, ATT_READ_BY_TYPE_REQ = 0x08,
  ATT_READ_BY_TYPE_RSP = 0x09, ATT_READ_REQ = 0x0a, ATT_READ_RSP = 0x0b, ATT_READ_BLOB_REQ = 0x0c, ATT_READ_BLOB_RSP = 0x0d,
  ATT_READ_MULTIPLE_REQ = 0x0e, ATT_READ_MULTIPLE_RSP = 0x0f, ATT_READ_BY_GROUP_TYPE_REQ = 0x10, ATT_READ_BY_GROUP_TYPE_RSP = 0x11,
  ATT_WRITE_REQ = 0x12, ATT_WRITE_RSP = 0x13, ATT_PREPARE_WRITE_REQ = 0x16, ATT_PREPARE_WRITE_RSP = 0x17,
  ATT_EXECUTE_WRITE_REQ = 0x18, ATT_EXECUTE_WRITE_RSP = 0x19, ATT_HANDLE_VALUE_NTF = 0x1b, ATT_HANDLE_VALUE_IND = 0x1d,
  ATT_HANDLE_VALUE_CFM = 0x1e, ATT_WRITE_CMD = 0x52, ATT_SIGNED_WRITE_CMD = 0xd2;
export const ATT_OPCODES = {
  0x01: "Error Response", 0x02: "Exchange MTU Request", 0x03: "Exchange MTU Response", 0x04: "Find Information Request",
  0x05: "Find Information Response", 0x06: "Find By Type Value Request", 0x07: "Find By Type Value Response",
  0x08: "Read By Type Request", 0x09: "Read By Type Response", 0x0a: "Read Request", 0x0b: "Read Response",
  0x0c: "Read Blob Request", 0x0d: "Read Blob Response", 0x0e: "Read Multiple Request", 0x0f: "Read Multiple Response",
  0x10: "Read By Group Type Request", 0x11: "Read By Group Type Response", 0x12: "Write Request", 0x13: "Write Response",
  0x16: "Prepare Write Request", 0x17: "Prepare Write Response", 0x18: "Execute Write Request", 0x19: "Execute Write Response",
  0x1b: "Handle Value Notification", 0x1d: "Handle Value Indication", 0x1e: "Handle Value Confirmation",
  0x52: "Write Command", 0xd2: "Signed Write Command",
} as const;
export const ATT_ERRORS = {
  0x01: "Invalid Handle", 0x02: "Read Not Permitted", 0x03: "Write Not Permitted", 0x04: "Invalid PDU",
  0x05: "Insufficient Authentication", 0x06: "Request Not Supported", 0x07: "Invalid Offset", 0x08: "Insufficient Authorization",
  0x09: "Prepare Queue Full", 0x0a: "Attribute Not Found", 0x0b: "Attribute Not Long", 0x0c: "Insufficient Encryption Key Size",
  0x0d: "Invalid Attribute Value Length", 0x0e: "Unlikely Error", 0x0f: "Insufficient Encryption", 0x10: "Unsupported Group Type",
  0x11: "Insufficient Resources",
} as const;

const OPCODE = 0;
const PARAMS = OPCODE + 1;
const RANGE_REQS = [ATT_FIND_INFO_REQ, ATT_FIND_BY_TYPE_VALUE_REQ, ATT_READ_BY_TYPE_REQ, ATT_READ_BY_GROUP_TYPE_REQ];
const HANDLE_FIRST = [ATT_READ_REQ, ATT_READ_BLOB_REQ, ATT_WRITE_REQ, ATT_PREPARE_WRITE_REQ, ATT_PREPARE_WRITE_RSP,
  ATT_HANDLE_VALUE_NTF, ATT_HANDLE_VALUE_IND, ATT_WRITE_CMD, ATT_SIGNED_WRITE_CMD];

const op = (b: Uint8Array, o: number, e: number) => (o < e ? b[o] : -1);
/** A parameter of the opcodes `ops` at `off` bytes after the opcode. */
const at = (ops: readonly number[], off: number, n: number, read: (b: Uint8Array, p: number) => number | Uint8Array): Getter =>
  (b, o, e) => (ops.includes(op(b, o, e)) && o + PARAMS + off + n <= e ? read(b, o + PARAMS + off) : undefined);
const u8 = (b: Uint8Array, p: number) => b[p];

/** Entries of a response list: (first byte, entry length) for Find Information / Read By Type / Read By Group Type. */
function entries(b: Uint8Array, o: number, e: number, want: number, visit: (p: number, len: number) => void): void {
  const c = op(b, o, e);
  if (c !== want || o + 2 > e) return;
  let len: number, p: number;
  if (c === ATT_FIND_INFO_RSP) { len = b[o + 1] === 1 ? 4 : b[o + 1] === 2 ? 18 : 0; p = o + 2; }
  else if (c === ATT_FIND_BY_TYPE_VALUE_RSP) { len = 4; p = o + 1; }
  else { len = b[o + 1]; p = o + 2; }
  if (len === 0) return;
  for (; p + len <= e; p += len) visit(p, len);
}
const listOf = (want: number, read: (b: Uint8Array, p: number, len: number, emit: Emit) => void): MultiGetter =>
  (b, o, e, _r, _a, emit) => entries(b, o, e, want, (p, len) => read(b, p, len, emit));
/** Characteristic declarations in a Read By Type response (handle, properties, value handle, UUID). */
const isCharDecl = (len: number) => len === 7 || len === 21;
const charDecl = (read: (b: Uint8Array, p: number, len: number, emit: Emit) => void): MultiGetter =>
  listOf(ATT_READ_BY_TYPE_RSP, (b, p, len, emit) => { if (isCharDecl(len)) read(b, p, len, emit); });
const prop = (name: string, key: string, mask: number): FieldDef => ({
  abbrev: `btatt.characteristic_properties.${key}`, name, type: "bool", mask, description: `Characteristic allows ${name.toLowerCase()}`,
  each: charDecl((b, p, _l, emit) => emit((b[p + 2] & mask) !== 0 ? 1 : 0)),
});
/** The UUID of a request (16 or 128 bits after a handle range, or a Find Information entry). */
const requestUuid = (size: number): MultiGetter => (b, o, e, _r, _a, emit) => {
  const c = op(b, o, e);
  if ((c === ATT_READ_BY_TYPE_REQ || c === ATT_READ_BY_GROUP_TYPE_REQ) && e - o === PARAMS + 4 + size) emit(size === 2 ? u16le(b, o + 5) : copy(b, o + 5, 16));
  if (c === ATT_FIND_BY_TYPE_VALUE_REQ && size === 2 && o + 7 <= e) emit(u16le(b, o + 5));
  entries(b, o, e, ATT_FIND_INFO_RSP, (p, len) => { if (len === size + 2) emit(size === 2 ? u16le(b, p + 2) : copy(b, p + 2, 16)); });
};

/** The opcode's bit fields, and again for the request opcode an Error Response quotes (as Wireshark shows them). */
const opcodeBits = (read: (v: number) => number): MultiGetter => (b, o, e, _r, _a, emit) => {
  if (o >= e) return;
  emit(read(b[o]));
  if (b[o] === ATT_ERROR_RSP && o + 2 <= e) emit(read(b[o + 1]));
};
/** The UUID of each Read By Group Type entry and characteristic declaration (16 or 128 bits). */
const entryUuid = (size: number): MultiGetter => (b, o, e, _r, _a, emit) => {
  entries(b, o, e, ATT_READ_BY_GROUP_TYPE_RSP, (p, len) => { if (len === size + 4) emit(size === 2 ? u16le(b, p + 4) : copy(b, p + 4, 16)); });
  entries(b, o, e, ATT_READ_BY_TYPE_RSP, (p, len) => { if (isCharDecl(len) && len === size + 5) emit(size === 2 ? u16le(b, p + 5) : copy(b, p + 5, 16)); });
};

export const FIELDS: readonly FieldDef[] = [
  protocolField("btatt", "Bluetooth Attribute Protocol", "ATT PDU"),
  { abbrev: "btatt.opcode", name: "Opcode", type: "uint8", base: "hex", values: ATT_OPCODES, description: "ATT method, command and signature bits", get: (b, o, e) => (o < e ? b[o] : undefined) },
  { abbrev: "btatt.opcode.authentication_signature", name: "Authentication Signature", type: "bool", mask: 0x80, description: "A signature follows (of the opcode, then of the request opcode in error)", each: opcodeBits((v) => v >> 7) },
  { abbrev: "btatt.opcode.command", name: "Command", type: "bool", mask: 0x40, description: "A command, no response (of the opcode, then of the request opcode in error)", each: opcodeBits((v) => (v >> 6) & 1) },
  { abbrev: "btatt.opcode.method", name: "Method", type: "uint8", base: "hex", mask: 0x3f, values: ATT_OPCODES, description: "The method bits (of the opcode, then of the request opcode in error)", each: opcodeBits((v) => v & 0x3f) },
  { abbrev: "btatt.req_opcode_in_error", name: "Request Opcode in Error", type: "uint8", base: "hex", values: ATT_OPCODES, description: "Opcode of the failed request", get: at([ATT_ERROR_RSP], 0, 1, u8) },
  {
    abbrev: "btatt.handle", name: "Handle", type: "uint16", base: "hex", description: "Attribute handle",
    each: (b, o, e, r, a, emit) => {
      const v = at([ATT_ERROR_RSP], 1, 2, u16le)(b, o, e, r, a) ?? at(HANDLE_FIRST, 0, 2, u16le)(b, o, e, r, a);
      if (v !== undefined) emit(v);
      entries(b, o, e, ATT_FIND_INFO_RSP, (p) => emit(u16le(b, p)));
      entries(b, o, e, ATT_FIND_BY_TYPE_VALUE_RSP, (p) => emit(u16le(b, p)));
      entries(b, o, e, ATT_READ_BY_TYPE_RSP, (p, len) => { emit(u16le(b, p)); if (isCharDecl(len)) emit(u16le(b, p + 3)); });
      entries(b, o, e, ATT_READ_BY_GROUP_TYPE_RSP, (p) => emit(u16le(b, p)));
      if (op(b, o, e) === ATT_READ_MULTIPLE_REQ) for (let p = o + 1; p + 2 <= e; p += 2) emit(u16le(b, p));
    },
  },
  { abbrev: "btatt.error_code", name: "Error Code", type: "uint8", base: "hex", values: ATT_ERRORS, description: "Why the request failed", get: at([ATT_ERROR_RSP], 3, 1, u8) },
  { abbrev: "btatt.client_rx_mtu", name: "Client Rx MTU", type: "uint16", base: "dec", description: "Client's receive MTU", get: at([ATT_EXCHANGE_MTU_REQ], 0, 2, u16le) },
  { abbrev: "btatt.server_rx_mtu", name: "Server Rx MTU", type: "uint16", base: "dec", description: "Server's receive MTU", get: at([ATT_EXCHANGE_MTU_RSP], 0, 2, u16le) },
  { abbrev: "btatt.starting_handle", name: "Starting Handle", type: "uint16", base: "hex", description: "First handle of the range", get: at(RANGE_REQS, 0, 2, u16le) },
  { abbrev: "btatt.ending_handle", name: "Ending Handle", type: "uint16", base: "hex", description: "Last handle of the range", get: at(RANGE_REQS, 2, 2, u16le) },
  {
    abbrev: "btatt.group_end_handle", name: "Group End Handle", type: "uint16", base: "hex", description: "Last handle of a found group",
    each: (b, o, e, _r, _a, emit) => {
      entries(b, o, e, ATT_READ_BY_GROUP_TYPE_RSP, (p) => emit(u16le(b, p + 2)));
      entries(b, o, e, ATT_FIND_BY_TYPE_VALUE_RSP, (p) => emit(u16le(b, p + 2)));
    },
  },
  { abbrev: "btatt.uuid16", name: "UUID", type: "uint16", base: "hex", values: GATT_UUID16, description: "16-bit attribute type in a request or Find Information entry", each: (b, o, e, r, a, emit) => { requestUuid(2)(b, o, e, r, a, emit); entryUuid(2)(b, o, e, r, a, emit); } },
  { abbrev: "btatt.uuid128", name: "UUID", type: "bytes", description: "128-bit attribute type, in wire (little-endian) byte order as Wireshark 4.0 prints it", each: (b, o, e, r, a, emit) => { requestUuid(16)(b, o, e, r, a, emit); entryUuid(16)(b, o, e, r, a, emit); } },
  { abbrev: "btatt.uuid_format", name: "UUID Format", type: "uint8", base: "hex", values: { 1: "16-bit", 2: "128-bit" }, description: "Find Information response format", get: at([ATT_FIND_INFO_RSP], 0, 1, u8) },
  { abbrev: "btatt.information_data", name: "Information Data", type: "none", description: "One Find Information entry", each: listOf(ATT_FIND_INFO_RSP, (_b, _p, _l, emit) => emit(1)) },
  { abbrev: "btatt.handles_info", name: "Handles Info", type: "none", description: "One Find By Type Value entry", each: listOf(ATT_FIND_BY_TYPE_VALUE_RSP, (_b, _p, _l, emit) => emit(1)) },
  { abbrev: "btatt.length", name: "Length", type: "uint8", base: "dec", description: "Entry length of a Read By (Group) Type response", get: at([ATT_READ_BY_TYPE_RSP, ATT_READ_BY_GROUP_TYPE_RSP], 0, 1, u8) },
  {
    abbrev: "btatt.attribute_data", name: "Attribute Data", type: "none", description: "One Read By (Group) Type entry",
    each: (b, o, e, _r, _a, emit) => { entries(b, o, e, ATT_READ_BY_TYPE_RSP, () => emit(1)); entries(b, o, e, ATT_READ_BY_GROUP_TYPE_RSP, () => emit(1)); },
  },
  { abbrev: "btatt.characteristic_properties", name: "Characteristic Properties", type: "uint8", base: "hex", description: "Properties of a declared characteristic", each: charDecl((b, p, _l, emit) => emit(b[p + 2])) },
  prop("Extended Properties", "extended_properties", 0x80), prop("Authenticated Signed Writes", "authenticated_signed_writes", 0x40),
  prop("Indicate", "indicate", 0x20), prop("Notify", "notify", 0x10), prop("Write", "write", 0x08),
  prop("Write without Response", "write_without_response", 0x04), prop("Read", "read", 0x02), prop("Broadcast", "broadcast", 0x01),
  { abbrev: "btatt.offset", name: "Offset", type: "uint16", base: "dec", description: "Value offset (blob reads, prepared writes)", get: (b, o, e, r, a) => at([ATT_READ_BLOB_REQ], 2, 2, u16le)(b, o, e, r, a) ?? at([ATT_PREPARE_WRITE_REQ, ATT_PREPARE_WRITE_RSP], 2, 2, u16le)(b, o, e, r, a) },
  { abbrev: "btatt.flags", name: "Flags", type: "uint8", base: "hex", description: "Execute Write flags", get: at([ATT_EXECUTE_WRITE_REQ], 0, 1, u8) },
  {
    abbrev: "btatt.value", name: "Value", type: "bytes", description: "Attribute value (read, write, notification, indication)",
    get: (b, o, e) => {
      const c = op(b, o, e);
      if (c === ATT_READ_RSP || c === ATT_READ_BLOB_RSP || c === ATT_READ_MULTIPLE_RSP) return copy(b, o + 1, e - o - 1);
      if (c === ATT_WRITE_REQ || c === ATT_WRITE_CMD || c === ATT_HANDLE_VALUE_NTF || c === ATT_HANDLE_VALUE_IND) return o + 3 <= e ? copy(b, o + 3, e - o - 3) : undefined;
      if (c === ATT_PREPARE_WRITE_REQ || c === ATT_PREPARE_WRITE_RSP) return o + 5 <= e ? copy(b, o + 5, e - o - 5) : undefined;
      return undefined;
    },
  },
];

/** The view: one ATT PDU; nothing follows. */
export const btatt: Dissector = {
  proto: "btatt",
  name: "Bluetooth Attribute Protocol",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (end <= o) ctx.malformed("btatt", "empty ATT PDU");
    return null;
  },
};

/** Info-column summary: the opcode's name. */
export function summary(b: Uint8Array, o: number): string {
  return ATT_OPCODES[b[o] as keyof typeof ATT_OPCODES] ?? `Unknown 0x${b[o].toString(16)}`;
}
