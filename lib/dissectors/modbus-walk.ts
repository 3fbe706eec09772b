// The Modbus PDU walk: every field of one PDU in the order Wireshark 4.0 adds them (packet-mbtcp.c dissect_modbus,
// dissect_modbus_request, dissect_modbus_response, dissect_modbus_data), stopping where Wireshark's dissection would
// stop with an exception (a read past the captured bytes). modbus.ts's getters run it for one field each; the
// dissector runs it once to learn whether the PDU is cut short.
// MODBUS Application Protocol Specification V1.1b3 §6 gives the layouts; where Wireshark's reading differs from
// the spec (a Write Single Coil value shown as two data bytes, a file record group's data running to the end of the
// PDU), the walk follows Wireshark, whose output is the reference.
// Nothing is allocated unless the field asked for is a byte or string field that occurs.

import type { Emit } from "./field.js";
import {
  CHANGE_ASCII_INPUT_DELIMITER, CLEAR_COUNTERS_AND_DIAG_REG, DIAGNOSTICS, ENCAP_INTERFACE_TRANSP, GET_COMM_EVENT_CTRS,
  GET_COMM_EVENT_LOG, MASK_WRITE_REG, QUERY, READ_COILS, READ_DEVICE_ID, READ_DISCRETE_INPUTS, READ_EXCEPT_STAT,
  READ_FIFO_QUEUE, READ_FILE_RECORD, READ_HOLDING_REGS, READ_INPUT_REGS, READ_WRITE_REG, RECV_EVENT_MASK,
  RESPONSE, RESTART_COMMUNICATION_OPTION, RETURN_BUS_CHAR_OVERRUN_COUNT, RETURN_BUS_MESSAGE_COUNT,
  RETURN_DIAGNOSTIC_REGISTER, RETURN_QUERY_DATA, SEND_EVENT_MASK, SEND_EVENT_VALUE, WRITE_FILE_RECORD,
  WRITE_MULT_COILS, WRITE_MULT_REGS, WRITE_SINGLE_COIL, WRITE_SINGLE_REG,
} from "./modbus-values.js";
import { AUX_FOUND, AUX_TYPE_MASK, auxBase, auxNum } from "./modbus-aux.js";

// ---------------------------------------------------------------- field ids the walk reports

export const F = {
  func: 0, exception: 1, reference: 2, padding: 3, reference32: 4, referenceType: 5, readRef: 6, writeRef: 7,
  wordCnt: 8, readWordCnt: 9, writeWordCnt: 10, bitCnt: 11, byteCnt: 12, byteCnt16: 13, diagCode: 14,
  diagRequest: 15, diagEcho: 16, diagRestart: 17, diagRegister: 18, diagDelimiter: 19, diagClear: 20,
  /** 21-28: the eight counters of diagnostics 0x0B-0x12, in sub-function order. */
  diagCounter: 21,
  evStatus: 29, event: 30, evCount: 31, evMsgCount: 32,
  /** 33-36: receive event bits; 37-42: send event bits (see EVENT_BITS). */
  evBit: 33,
  andMask: 43, orMask: 44, data: 45, mei: 46, readDeviceId: 47, objectId: 48, numObjects: 49, objectLen: 50,
  conformity: 51, moreFollows: 52, nextObjectId: 53, objectStr: 54, objectValue: 55, bitNum: 56, bitVal: 57,
  regNum16: 58, regVal16: 59,
} as const;

/** Masks of the comm event log bits, receive events first (field ids F.evBit + index). */
export const EVENT_BITS = [0x02, 0x10, 0x20, 0x40, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20] as const;
const RECV_BITS = 4;

// ---------------------------------------------------------------- walk state (one walk at a time: no allocation)

let B: Uint8Array = new Uint8Array(0);
let O = 0;
/** Captured and reported length of the PDU (Wireshark's tvb_captured_length / tvb_reported_length). */
let CAP = 0;
let REP = 0;
let want = -1;
let out: Emit | null = null;

function put(id: number, v: number): void {
  if (id === want) out!(v);
}

/** proto_tree_add_item of an integer: the bytes must be captured (else the walk stops). */
function int(id: number, off: number, n: number): boolean {
  if (off < 0 || off + n > CAP) return false;
  if (id === want) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + B[O + off + i];
    out!(v);
  }
  return true;
}

function bytes(id: number, off: number, n: number): boolean {
  if (off < 0 || n < 0 || off + n > CAP) return false;
  if (id === want) out!(B.slice(O + off, O + off + n));
  return true;
}

/** An ENC_ASCII string: bytes above 0x7f show as U+FFFD, and the text ends at a NUL (tshark prints a C string). */
function ascii(id: number, off: number, n: number): boolean {
  if (off < 0 || n < 0 || off + n > CAP) return false;
  if (id === want) {
    let s = "";
    for (let i = 0; i < n; i++) {
      const c = B[O + off + i];
      if (c === 0) break;
      s += c < 0x80 ? String.fromCharCode(c) : "\ufffd";
    }
    out!(s);
  }
  return true;
}

const u8 = (off: number): number => (off >= 0 && off + 1 <= CAP ? B[O + off] : -1);
const u16 = (off: number): number => (off >= 0 && off + 2 <= CAP ? (B[O + off] << 8) | B[O + off + 1] : -1);

/**
 * Walks the PDU at b[o..end) (rep bytes on the wire; o is the function code) with the packet type and request
 * pairing kept in `aux`, emitting each occurrence of field `id`. Returns false where Wireshark's dissection stops
 * with an exception. Contract: reads only b[o..end), never throws; `id` -1 just checks.
 */
export function walk(b: Uint8Array, o: number, end: number, rep: number, aux: number, id: number, emit: Emit | null): boolean {
  B = b; O = o; CAP = end - o; REP = rep; want = id; out = emit;
  const ok = pdu(aux);
  out = null;
  B = EMPTY;
  return ok;
}
const EMPTY = new Uint8Array(0);

function pdu(aux: number): boolean {
  if (CAP < 1) return false;
  const fc = B[O] & 0x7f;
  put(F.func, fc);
  let exception = 0;
  if (B[O] & 0x80) {
    exception = u8(1);
    if (exception < 0) return false;
  }
  if (exception !== 0) {
    put(F.exception, exception);
    return true;
  }
  const type = aux & AUX_TYPE_MASK;
  if (type === QUERY) return request(fc, 1, CAP - 1);
  if (type === RESPONSE) {
    const found = (aux & AUX_FOUND) !== 0;
    const base = auxBase(aux), num = auxNum(aux);
    return response(fc, 1, CAP - 1, found ? base : 0, found ? num : -1);
  }
  return true;
}

/** dissect_modbus_request(): ps is the payload start (after the function code), plen its captured length. */
function request(fc: number, ps: number, plen: number): boolean {
  switch (fc) {
    case READ_COILS: case READ_DISCRETE_INPUTS:
      return int(F.reference, ps, 2) && int(F.bitCnt, ps + 2, 2);
    case READ_HOLDING_REGS: case READ_INPUT_REGS:
      return int(F.reference, ps, 2) && int(F.wordCnt, ps + 2, 2);
    case WRITE_SINGLE_COIL:
      return int(F.reference, ps, 2) && data(fc, ps + 2, 1, 0, 0) && int(F.padding, ps + 3, 1);
    case WRITE_SINGLE_REG:
      return int(F.reference, ps, 2) && data(fc, ps + 2, 2, 0, 0);
    case READ_EXCEPT_STAT:
      return true;
    case DIAGNOSTICS: {
      const code = u16(ps);
      if (code < 0) return false;
      put(F.diagCode, code);
      switch (code) {
        case RETURN_QUERY_DATA: return plen > 2 ? bytes(F.diagRequest, ps + 2, plen - 2) : true;
        case RESTART_COMMUNICATION_OPTION: return int(F.diagRestart, ps + 2, 2);
        case CHANGE_ASCII_INPUT_DELIMITER: return int(F.diagDelimiter, ps + 2, 1);
        default: return plen > 2 ? data(fc, ps + 2, plen - 2, 0, 0) : true;
      }
    }
    case WRITE_MULT_COILS:
    case WRITE_MULT_REGS: {
      const base = fc === WRITE_MULT_REGS ? u16(ps) : 0;
      if (base < 0) return false;
      if (!int(F.reference, ps, 2) || !int(fc === WRITE_MULT_REGS ? F.wordCnt : F.bitCnt, ps + 2, 2)) return false;
      const n = u8(ps + 4);
      if (n < 0) return false;
      put(F.byteCnt, n);
      return data(fc, ps + 5, n, base, 0);
    }
    case READ_FILE_RECORD: {
      const n = u8(ps);
      if (n < 0) return false;
      put(F.byteCnt, n);
      for (let i = 0, g = ps + 1; i < Math.floor(n / 7); i++, g += 7) {
        if (!int(F.referenceType, g, 1) || !int(F.reference32, g + 1, 4) || !int(F.wordCnt, g + 5, 2)) return false;
      }
      return true;
    }
    case WRITE_FILE_RECORD:
      return fileRecords(fc, ps);
    case MASK_WRITE_REG:
      return int(F.reference, ps, 2) && int(F.andMask, ps + 2, 2) && int(F.orMask, ps + 4, 2);
    case READ_WRITE_REG: {
      if (!int(F.readRef, ps, 2) || !int(F.readWordCnt, ps + 2, 2) || !int(F.writeRef, ps + 4, 2) || !int(F.writeWordCnt, ps + 6, 2)) return false;
      const n = u8(ps + 8);
      if (n < 0) return false;
      put(F.byteCnt, n);
      return data(fc, ps + 9, n, 0, 0);
    }
    case READ_FIFO_QUEUE:
      return int(F.reference, ps, 2);
    case ENCAP_INTERFACE_TRANSP: {
      if (!int(F.mei, ps, 1)) return false;
      if (B[O + ps] === READ_DEVICE_ID) return int(F.readDeviceId, ps + 1, 1) && int(F.objectId, ps + 2, 1);
      return plen > 1 ? data(fc, ps, plen - 1, 0, 0) : true;
    }
    default: // Report Slave ID, Get Comm Event Counters/Log queries, unknown functions
      return plen > 0 ? data(fc, ps, plen, 0, 0) : true;
  }
}

/**
 * dissect_modbus_response(): base is the paired request's reference number (0 when unpaired), num its count, -1
 * when no request was found.
 */
function response(fc: number, ps: number, plen: number, base: number, num: number): boolean {
  switch (fc) {
    case READ_COILS: case READ_DISCRETE_INPUTS: case READ_HOLDING_REGS: case READ_INPUT_REGS: case READ_WRITE_REG: {
      const n = u8(ps);
      if (n < 0) return false;
      put(F.byteCnt, n);
      // Without a request Wireshark shows every bit of the bytes (byte count x 8).
      return data(fc, ps + 1, n, fc === READ_WRITE_REG ? 0 : base, num < 0 ? n * 8 : num);
    }
    case WRITE_SINGLE_COIL:
      return int(F.reference, ps, 2) && data(fc, ps + 2, 1, base, 0) && int(F.padding, ps + 3, 1);
    case WRITE_SINGLE_REG:
      return int(F.reference, ps, 2) && data(fc, ps + 2, 2, base, 0);
    case READ_EXCEPT_STAT:
      return data(fc, ps, 1, base, 0);
    case DIAGNOSTICS:
      return diagnosticsResponse(fc, ps, plen);
    case GET_COMM_EVENT_CTRS:
      return int(F.evStatus, ps, 2) && int(F.evCount, ps + 2, 2);
    case GET_COMM_EVENT_LOG:
      return eventLog(ps);
    case WRITE_MULT_COILS:
      return int(F.reference, ps, 2) && int(F.bitCnt, ps + 2, 2);
    case WRITE_MULT_REGS:
      return int(F.reference, ps, 2) && int(F.wordCnt, ps + 2, 2);
    case READ_FILE_RECORD: {
      let n = u8(ps);
      if (n < 0) return false;
      put(F.byteCnt, n);
      for (let g = ps + 1; n > 0;) {
        const gn = u8(g);
        if (gn < 0) return false;
        put(F.byteCnt, gn);
        if (!int(F.referenceType, g + 1, 1) || !data(fc, g + 2, gn - 1, base, 0)) return false;
        g += gn + 1;
        n -= gn + 1;
      }
      return true;
    }
    case WRITE_FILE_RECORD:
      return fileRecords(fc, ps);
    case MASK_WRITE_REG:
      return int(F.reference, ps, 2) && int(F.andMask, ps + 2, 2) && int(F.orMask, ps + 4, 2);
    case READ_FIFO_QUEUE: {
      const n = u16(ps);
      if (n < 0) return false;
      put(F.byteCnt16, n);
      return int(F.wordCnt, ps + 2, 2) && data(fc, ps + 4, n - 2, base, 0);
    }
    case ENCAP_INTERFACE_TRANSP:
      return deviceIdResponse(fc, ps, plen, base);
    default:
      return plen > 0 ? data(fc, ps, plen, base, 0) : true;
  }
}

/** Write File Record request and response (§6.15): groups of reference type, file, record, length and data. */
function fileRecords(fc: number, ps: number): boolean {
  let n = u8(ps);
  if (n < 0) return false;
  put(F.byteCnt, n);
  for (let g = ps + 1; n > 0;) {
    const words = u16(g + 5);
    if (words < 0) return false;
    const size = 2 * words + 7;
    if (!int(F.referenceType, g, 1) || !int(F.reference32, g + 1, 4)) return false;
    put(F.wordCnt, words);
    if (!data(fc, g + 7, size - 7, 0, 0)) return false;
    g += size;
    n -= size;
  }
  return true;
}

/** Diagnostics response (§6.8): the sub-function code and its echo or counter. */
function diagnosticsResponse(fc: number, ps: number, plen: number): boolean {
  const code = u16(ps);
  if (code < 0) return false;
  put(F.diagCode, code);
  switch (code) {
    case RETURN_QUERY_DATA: return plen > 2 ? bytes(F.diagEcho, ps + 2, plen - 2) : true;
    case RESTART_COMMUNICATION_OPTION: return int(F.diagRestart, ps + 2, 2);
    case RETURN_DIAGNOSTIC_REGISTER: return int(F.diagRegister, ps + 2, 2);
    case CHANGE_ASCII_INPUT_DELIMITER: return int(F.diagDelimiter, ps + 2, 1);
    case CLEAR_COUNTERS_AND_DIAG_REG: return int(F.diagClear, ps + 2, 2);
    default:
      if (code >= RETURN_BUS_MESSAGE_COUNT && code <= RETURN_BUS_CHAR_OVERRUN_COUNT) {
        return int(F.diagCounter + code - RETURN_BUS_MESSAGE_COUNT, ps + 2, 2);
      }
      return plen > 2 ? data(fc, ps + 2, plen - 2, 0, 0) : true;
  }
}

/** Get Comm Event Log response (§6.9): status, counts, then one byte per event with its bits. */
function eventLog(ps: number): boolean {
  let n = u8(ps);
  if (n < 0) return false;
  put(F.byteCnt, n);
  if (!int(F.evStatus, ps + 1, 2) || !int(F.evCount, ps + 3, 2) || !int(F.evMsgCount, ps + 5, 2)) return false;
  if (n - 6 <= 0) return true;
  n -= 6;
  for (let at = ps + 7; n > 0; n--, at++) {
    const ev = u8(at);
    if (ev < 0) return false;
    put(F.event, ev);
    if (ev === 0 || ev === 4) continue; // communication restart, listen only mode: no bits
    let first = -1, count = 0;
    if (ev & RECV_EVENT_MASK) { first = 0; count = RECV_BITS; }
    else if ((ev & SEND_EVENT_MASK) === SEND_EVENT_VALUE) { first = RECV_BITS; count = EVENT_BITS.length - RECV_BITS; }
    for (let k = first; k >= 0 && k < first + count; k++) {
      const m = EVENT_BITS[k];
      put(F.evBit + k, (ev & m) / (m & -m));
    }
  }
  return true;
}

/** Encapsulated Interface Transport response: Read Device Identification objects (§6.21), else data. */
function deviceIdResponse(fc: number, ps: number, plen: number, base: number): boolean {
  if (!int(F.mei, ps, 1)) return false;
  if (B[O + ps] !== READ_DEVICE_ID) return plen > 1 ? data(fc, ps, plen - 1, base, 0) : true;
  if (!int(F.readDeviceId, ps + 1, 1) || !int(F.conformity, ps + 2, 1) || !int(F.moreFollows, ps + 3, 1) || !int(F.nextObjectId, ps + 4, 1)) return false;
  const n = u8(ps + 5);
  if (n < 0) return false;
  put(F.numObjects, n);
  for (let i = 0, at = ps + 6; i < n; i++) {
    const id = u8(at), len = u8(at + 1);
    if (id < 0 || len < 0) return false;
    if (!int(F.objectId, at, 1)) return false;
    put(F.objectLen, len);
    at += 2;
    if (id < 7) {
      if (!ascii(F.objectStr, at, len)) return false;
    } else if (len > 0 && !bytes(F.objectValue, at, len)) return false;
    at += len;
  }
  return true;
}

/**
 * dissect_modbus_data(): the data of a PDU as bits (read coils/inputs), 16-bit registers (read registers, write
 * multiple registers) or bytes. A length that disagrees with what follows shows the rest of the PDU as data.
 */
function data(fc: number, start: number, plen: number, base: number, num: number): boolean {
  // tvb_reported_length_remaining(): 0 past the captured end.
  const remaining = start <= CAP ? REP - start : 0;
  if (start < 0 || plen + start === 0) return true;
  if (plen !== remaining) return bytes(F.data, start, remaining);
  if (start + plen > CAP) return false; // tvb_new_subset_length_caplen() of uncaptured bytes
  switch (fc) {
    case READ_COILS: case READ_DISCRETE_INPUTS: {
      // packet-mbtcp.c compares (reg_num - reg_base) with reg_num a guint16 that wraps: kept as is.
      let reg = base;
      for (let at = start; at < start + plen; at++) {
        const v = B[O + at];
        for (let k = 0; k < 8; k++) {
          put(F.bitNum, reg);
          put(F.bitVal, (v >> k) & 1);
          reg = (reg + 1) & 0xffff;
          if (reg - base >= num) break;
        }
      }
      return true;
    }
    case READ_HOLDING_REGS: case READ_INPUT_REGS: case WRITE_MULT_REGS: {
      let reg = base;
      for (let at = start; at < start + plen; at += 2, reg = (reg + 1) & 0xffff) {
        if (at + 2 > start + plen) return false;
        put(F.regNum16, reg);
        put(F.regVal16, (B[O + at] << 8) | B[O + at + 1]);
      }
      return true;
    }
    default:
      return bytes(F.data, start, plen);
  }
}
