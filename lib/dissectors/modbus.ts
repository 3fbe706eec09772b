// Modbus PDU: the function code and the request, response or exception that follows it (Wireshark's "modbus"
// protocol, carried by Modbus/TCP in mbtcp.ts).
// MODBUS Application Protocol Specification V1.1b3 (https://modbus.org/docs/Modbus_Application_Protocol_V1_1b3.pdf)
// §4.1 (PDU), §6 (function codes), §7 (exceptions); Wireshark 4.0 epan/dissectors/packet-mbtcp.c dissect_modbus().
// A PDU's layout depends on whether it is a query or a response, which only the TCP ports say, and a response's
// bit and register numbers start at its request's reference number: mbtcp.ts decides both when it records the
// layer and keeps them in the layer's aux (modbus-walk.ts). The getters walk the PDU in Wireshark's order
// (modbus-walk.ts), so a field is present exactly when tshark shows it. The request frame and response time are
// derived from the layer table after the pass.

import { ColumnBuilder, type Column } from "../decode/column.js";
import { FrameCursor, type LayerTable } from "../decode/layer-table.js";
import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type DeriveSource, type FieldDef, type FieldType, type ValueNames } from "./field.js";
import { AUX_PAIRED, mbtcpRequestFrame, modbusAux } from "./modbus-aux.js";
import { EVENT_BITS, F, walk } from "./modbus-walk.js";
import {
  CANNOT_CLASSIFY, CONFORMITY_LEVELS, DIAGNOSTIC_CODES, EXCEPTION_CODES, FUNCTION_CODES, MEI_TYPES, OBJECT_IDS,
  READ_DEVICE_ID_CODES, RESTART_OPTIONS,
} from "./modbus-values.js";
import { secondsBetween } from "./transport-scan.js";

/** A field the PDU walk finds (every occurrence, in Wireshark's order). */
function walked(abbrev: string, name: string, type: FieldType, id: number, description: string,
  extra: { base?: "hex"; values?: ValueNames; mask?: number; emptyText?: "<MISSING>" } = {}): FieldDef {
  return { abbrev, name, type, description, ...extra, each: (b, o, e, r, a, emit) => { walk(b, o, e, r, a, id, emit); } };
}

/** A field Wireshark shows only with a non-default register format preference: never present here. */
function absent(abbrev: string, name: string, type: FieldType): FieldDef {
  return { abbrev, name, type, description: `${name}: only with Wireshark's non-default register format (UINT16 is the default); never present`, get: () => undefined };
}

const DIAG_COUNTERS: readonly (readonly [string, string])[] = [
  ["bus_message_count", "Total Message Count"], ["bus_comm_error_count", "CRC Error Count"],
  ["bus_exception_error_count", "Exception Error Count"], ["slave_message_count", "Slave Message Count"],
  ["no_slave_response_count", "Slave No Response Count"], ["slave_nak_count", "Slave NAK Count"],
  ["slave_busy_count", "Slave Device Busy Count"], ["bus_char_overrun_count", "Slave Character Overrun Count"],
];

const EVENT_BIT_FIELDS: readonly (readonly [string, string])[] = [
  ["ev_recv_comm_err", "Communication Error"], ["ev_recv_char_over", "Character Overrun"],
  ["ev_recv_lo_mode", "Currently in Listen Only Mode"], ["ev_recv_broadcast", "Broadcast Received"],
  ["ev_send_read_ex", "Read Exception Sent"], ["ev_send_slave_abort_ex", "Slave Abort Exception Sent"],
  ["ev_send_slave_busy_ex", "Slave Busy Exception Sent"], ["ev_send_slave_nak_ex", "Slave Program NAK Exception Sent"],
  ["ev_send_write_timeout", "Write Timeout Error Occurred"], ["ev_send_lo_mode", "Currently in Listen Only Mode"],
];

const pairing = new Map<string, FieldDef>();
function derived(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  const def: FieldDef = { abbrev, name, type, description, derive: (src) => pairs(src).get(abbrev)! };
  pairing.set(abbrev, def);
  return def;
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("modbus", "Modbus", "Modbus PDU: function code and request, response or exception"),
  derived("modbus.request_frame", "Request Frame", "framenum", "Frame of the request this response answers (same connection, function, unit and transaction)"),
  derived("modbus.response_time", "Time from request", "rel_time", "Time between request and reply"),
  // The first two fields need no walk (modbus-walk.ts pdu() reads them the same way).
  {
    abbrev: "modbus.func_code", name: "Function Code", type: "uint8", values: FUNCTION_CODES, mask: 0x7f,
    description: "Function code (the exception bit masked off)", get: (b, o, e) => (e > o ? b[o] & 0x7f : undefined),
  },
  {
    abbrev: "modbus.exception_code", name: "Exception Code", type: "uint8", values: EXCEPTION_CODES,
    description: "Exception code of an exception response (function code with its high bit set)",
    get: (b, o, e) => (e - o >= 2 && b[o] & 0x80 && b[o + 1] !== 0 ? b[o + 1] : undefined),
  },
  walked("modbus.reference_num", "Reference Number", "uint16", F.reference, "Starting address (coil, input or register)"),
  walked("modbus.padding", "Padding", "uint8", F.padding, "The Write Single Coil value's low byte", { base: "hex" }),
  walked("modbus.reference_num_32", "Reference Number (32 bit)", "uint32", F.reference32, "File number and record number of a file record group"),
  walked("modbus.reference_type", "Reference Type", "uint8", F.referenceType, "Reference type of a file record group (6)"),
  walked("modbus.read_reference_num", "Read Reference Number", "uint16", F.readRef, "Read starting address of Read/Write Multiple Registers"),
  walked("modbus.write_reference_num", "Write Reference Number", "uint16", F.writeRef, "Write starting address of Read/Write Multiple Registers"),
  walked("modbus.word_cnt", "Word Count", "uint16", F.wordCnt, "Quantity of registers (or record length in words)"),
  walked("modbus.read_word_cnt", "Read Word Count", "uint16", F.readWordCnt, "Quantity of registers to read (FC 23)"),
  walked("modbus.write_word_cnt", "Write Word Count", "uint16", F.writeWordCnt, "Quantity of registers to write (FC 23)"),
  walked("modbus.bit_cnt", "Bit Count", "uint16", F.bitCnt, "Quantity of coils or discrete inputs"),
  walked("modbus.byte_cnt", "Byte Count", "uint8", F.byteCnt, "Byte count of the data (or of a file record group)"),
  walked("modbus.byte_cnt_16", "Byte Count (16-bit)", "uint8", F.byteCnt16, "Byte count of a Read FIFO Queue response"),
  walked("modbus.diagnostic_code", "Diagnostic Code", "uint16", F.diagCode, "Diagnostics sub-function", { values: DIAGNOSTIC_CODES }),
  walked("modbus.diagnostic.return_query_data.request", "Request Data", "bytes", F.diagRequest, "Return Query Data: the data to echo"),
  walked("modbus.diagnostic.return_query_data.echo", "Echo Data", "bytes", F.diagEcho, "Return Query Data: the echoed data"),
  walked("modbus.diagnostic.restart_communication_option", "Restart Communication Option", "uint16", F.diagRestart, "Restart Communications Option: 0x0000 leave the log, 0xFF00 clear it", { base: "hex", values: RESTART_OPTIONS }),
  walked("modbus.diagnostic.return_diag_register", "Diagnostic Register Contents", "uint16", F.diagRegister, "Return Diagnostic Register: its contents", { base: "hex" }),
  walked("modbus.diagnostic.ascii_input_delimiter", "CHAR", "uint8", F.diagDelimiter, "Change ASCII Input Delimiter: the new delimiter", { base: "hex" }),
  walked("modbus.diagnostic.clear_ctr_diag_reg", "Clear Counters & Diag Register Echo", "uint16", F.diagClear, "Clear Counters and Diagnostic Register: the echoed data"),
  ...DIAG_COUNTERS.map(([abbrev, name], k) => walked(`modbus.diagnostic.${abbrev}`, name, "uint16", F.diagCounter + k, `Diagnostics counter: ${name}`)),
  walked("modbus.ev_status", "Status", "uint16", F.evStatus, "Comm event status word (0xFFFF busy)", { base: "hex" }),
  walked("modbus.event", "Event", "uint8", F.event, "One comm event log byte"),
  walked("modbus.ev_count", "Event Count", "uint16", F.evCount, "Comm event counter"),
  walked("modbus.ev_msg_count", "Message Count", "uint16", F.evMsgCount, "Bus message count of the comm event log"),
  ...EVENT_BIT_FIELDS.map(([abbrev, name], k) => walked(`modbus.${abbrev}`, name, "uint8", F.evBit + k, `Comm event bit: ${name}`, { mask: EVENT_BITS[k] })),
  walked("modbus.and_mask", "AND mask", "uint16", F.andMask, "Mask Write Register AND mask", { base: "hex" }),
  walked("modbus.or_mask", "OR mask", "uint16", F.orMask, "Mask Write Register OR mask", { base: "hex" }),
  walked("modbus.data", "Data", "bytes", F.data, "Data not decoded further (or all of it when a byte count disagrees with what follows)", { emptyText: "<MISSING>" }),
  walked("modbus.mei", "MEI type", "uint8", F.mei, "Modbus Encapsulated Interface type of function 43", { values: MEI_TYPES }),
  walked("modbus.read_device_id", "Read Device ID", "uint8", F.readDeviceId, "Read Device Identification code", { values: READ_DEVICE_ID_CODES }),
  walked("modbus.object_id", "Object ID", "uint8", F.objectId, "Device identification object id", { values: OBJECT_IDS }),
  walked("modbus.num_objects", "Number of Objects", "uint8", F.numObjects, "Number of device identification objects in the response"),
  walked("modbus.objects_len", "Object length", "uint8", F.objectLen, "Length of a device identification object"),
  walked("modbus.conformity_level", "Conformity Level", "uint8", F.conformity, "Device identification conformity level", { base: "hex", values: CONFORMITY_LEVELS }),
  walked("modbus.more_follows", "More Follows", "uint8", F.moreFollows, "0xFF when more objects follow in another transaction", { base: "hex" }),
  walked("modbus.next_object_id", "Next Object ID", "uint8", F.nextObjectId, "Object id to ask for next when more follow"),
  walked("modbus.object_str_value", "Object String Value", "string", F.objectStr, "Value of a standard device identification object (ids 0-6), as ASCII"),
  walked("modbus.object_value", "Object Value", "bytes", F.objectValue, "Value of a vendor-specific device identification object"),
  walked("modbus.bitnum", "Bit Number", "uint16", F.bitNum, "Number of a coil or discrete input in a read response (from the request's reference)"),
  { ...walked("modbus.bitval", "Bit Value", "bool", F.bitVal, "Value of that coil or discrete input"), mask: 0x01 },
  walked("modbus.regnum16", "Register Number", "uint16", F.regNum16, "Number of a 16-bit register (from the request's reference)"),
  absent("modbus.regnum32", "Register Number", "uint32"),
  walked("modbus.regval_uint16", "Register Value (UINT16)", "uint16", F.regVal16, "Value of that register"),
  absent("modbus.regval_int16", "Register Value (INT16)", "int16"),
  absent("modbus.regval_uint32", "Register Value (UINT32)", "uint32"),
  absent("modbus.regval_int32", "Register Value (INT32)", "int32"),
];

/**
 * The Modbus PDU dissector. Modbus/TCP (mbtcp.ts) records modbus layers itself, with the packet type and pairing
 * in the aux; this entry point is for a PDU handed over without them ("decode as modbus"): it is decoded like
 * tshark decodes a PDU it cannot classify (function code and exception only).
 */
export const modbus: Dissector = {
  proto: "modbus",
  name: "Modbus",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    if (end > o) ctx.layer(this, o, end, rep, modbusAux(CANNOT_CLASSIFY, false, 0, 0));
    return null;
  },
};

// ---------------------------------------------------------------- request pairing, derived after the pass

const cache = new WeakMap<LayerTable, Map<string, Column>>();

/**
 * modbus.request_frame and modbus.response_time of every response whose request was found (packet-mbtcp.c
 * dissect_modbus_response): the request's frame is in the mbtcp layer just before the modbus layer.
 */
function pairs(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const frameB = new ColumnBuilder(pairing.get("modbus.request_frame")!, 256);
  const timeB = new ColumnBuilder(pairing.get("modbus.response_time")!, 256);
  const id = src.protoId("modbus"), mb = src.protoId("mbtcp");
  const at = new FrameCursor(layers);
  for (let l = 1; l < layers.count; l++) {
    if (layers.proto[l] !== id || !(layers.aux[l] & AUX_PAIRED) || layers.proto[l - 1] !== mb) continue;
    const req = mbtcpRequestFrame(layers.aux[l - 1]), f = at.at(l);
    if (req === 0) continue;
    frameB.push(f, req);
    timeB.push(f, secondsBetween(src, f, req - 1));
  }
  const n = src.file.index.count;
  const cols = new Map([["modbus.request_frame", frameB.finish(n)], ["modbus.response_time", timeB.finish(n)]]);
  cache.set(layers, cols);
  return cols;
}
