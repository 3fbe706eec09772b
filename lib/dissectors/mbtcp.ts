// Modbus/TCP: the MBAP header (transaction id, protocol id, length, unit id) in front of each Modbus PDU, on TCP
// port 502 (Wireshark's "mbtcp" protocol; the PDU is "modbus", modbus.ts).
// MODBUS Messaging on TCP/IP Implementation Guide V1.0b §3.1.3 (https://modbus.org/docs/
// Modbus_Messaging_Implementation_Guide_V1_0b.pdf); Wireshark 4.0 epan/dissectors/packet-mbtcp.c
// (dissect_mbtcp_common, dissect_mbtcp_pdu_common, classify_mbtcp_packet, the conversation code of dissect_modbus).
//
// A StreamDissector: TCP reassembles the byte stream (tcp-reassembly.ts) and hands over one ADU at a time, its
// length read from the MBAP length field. For each ADU this records an mbtcp layer and a modbus layer, deciding
// what tshark decides before the PDU's fields: whether it is a query or a response, and for a response the request
// it answers (same connection, function code, unit and transaction id; the latest one before it). Both go into the
// layers' aux (modbus-walk.ts); the modbus getters and the derived request frame and response time read them.
// Like Wireshark, an ADU too short for the bytes read before any field (unit id, function code, an exception's
// code, a sub-function) gets no mbtcp fields at all; the frame is flagged malformed either way.

import { u16 } from "./bytes.js";
import type { DissectContext } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { modbus } from "./modbus.js";
import { AUX_PAIRED, auxType, MBTCP_CONTINUED, mbtcpAux, mbtcpType, modbusAux } from "./modbus-aux.js";
import { walk } from "./modbus-walk.js";
import {
  CANNOT_CLASSIFY, DIAGNOSTIC_CODES, DIAGNOSTICS, ENCAP_INTERFACE_TRANSP, FUNCTION_CODES, isUserDefined, MEI_TYPES,
  QUERY, RESPONSE,
} from "./modbus-values.js";
import { checkCounts, paired, pairQuery, pairResponse, queryDirection, resetConversations } from "./mbtcp-state.js";
import { current, resetReassembly, type StreamDissector } from "./tcp-reassembly.js";

// Byte offsets (MBAP header, Implementation Guide §3.1.3), then the PDU's function code.
const TRANS_ID = 0;
const PROT_ID = 2;
const LENGTH = 4;
const UNIT_ID = 6;
const FUNC = 7;
/** The MBAP header: 7 bytes; the length field counts from the unit id on. */
export const MBAP_LEN = UNIT_ID + 1;
/** Bytes up to the end of the length field: what the length does not count. */
const LENGTH_END = LENGTH + 2;

/**
 * Bytes of the ADU Wireshark reads before it adds any field (dissect_mbtcp_pdu_common): the function code, an
 * exception's code, a function 43's MEI type, a diagnostics sub-function.
 */
function preread(b: Uint8Array, o: number, end: number): number {
  if (end - o < FUNC + 1) return FUNC + 1;
  const fc = b[o + FUNC];
  if (fc & 0x80) {
    if (end - o < FUNC + 2) return FUNC + 2;
    if (b[o + FUNC + 1] !== 0) return FUNC + 2;
  }
  if ((fc & 0x7f) === ENCAP_INTERFACE_TRANSP) return FUNC + 2;
  if ((fc & 0x7f) === DIAGNOSTICS) return FUNC + 3;
  return FUNC + 1;
}
/** True when the header fields are shown: every pre-read byte is captured. */
const headerShown = (b: Uint8Array, o: number, end: number): boolean => end - o >= preread(b, o, end);

export const FIELDS: readonly FieldDef[] = [
  protocolField("mbtcp", "Modbus/TCP", "Modbus/TCP application data unit (MBAP header)"),
  {
    abbrev: "mbtcp.trans_id", name: "Transaction Identifier", type: "uint16", description: "Pairs a response with its request",
    get: (b, o, e) => (headerShown(b, o, e) ? u16(b, o + TRANS_ID) : undefined),
  },
  {
    abbrev: "mbtcp.prot_id", name: "Protocol Identifier", type: "uint16", description: "0 for Modbus",
    get: (b, o, e) => (headerShown(b, o, e) ? u16(b, o + PROT_ID) : undefined),
  },
  {
    abbrev: "mbtcp.len", name: "Length", type: "uint16", description: "Bytes that follow the length field (unit id and PDU)",
    get: (b, o, e) => (headerShown(b, o, e) ? u16(b, o + LENGTH) : undefined),
  },
  {
    abbrev: "mbtcp.unit_id", name: "Unit Identifier", type: "uint8", description: "Server (slave) behind a gateway; often 0 or 255",
    get: (b, o, e) => (headerShown(b, o, e) ? b[o + UNIT_ID] : undefined),
  },
  {
    abbrev: "mbtcp.cannot_classify", name: "Cannot classify packet type. Try setting Modbus/TCP Port preference to this destination or source port",
    type: "none", description: "Expert: neither or both ports are 502, so query or response cannot be told",
    get: (b, o, e, _r, a) => (headerShown(b, o, e) && mbtcpType(a) === CANNOT_CLASSIFY ? 1 : undefined),
  },
];

/** The last ADU recorded: one that starts where it ended, in the same bytes and frame, continues its payload. */
let last = { frame: -1, buf: null as Uint8Array | null, end: -1 };

/** The Modbus/TCP dissector: one ADU per call (tcp-reassembly.ts frames them). */
export const mbtcp: StreamDissector & { listed(aux: number): boolean } = {
  proto: "mbtcp",
  name: "Modbus/TCP",
  fields: FIELDS,
  pduLength: aduLength,
  heuristic: looksLikeMbtcp,
  reset() {
    last = { frame: -1, buf: null, end: -1 };
    scan.b = scan.triedB = null;
    scan.end = scan.next = scan.triedEnd = -1;
    scan.refuseNext = false;
    resetConversations();
    resetReassembly();
  },
  /** Whether a layer shows in frame.protocols: Wireshark lists "mbtcp" once per TCP payload, "modbus" per ADU. */
  listed(aux: number) {
    return (aux & MBTCP_CONTINUED) === 0;
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const continued = last.frame === ctx.frame && last.buf === b && last.end === o;
    last.frame = ctx.frame;
    last.buf = b;
    last.end = end;
    const stream = current.frame === ctx.frame ? current.stream : -1;
    const type = stream < 0 ? CANNOT_CLASSIFY : queryDirection(stream, current.dir, ctx.frame, (port) => ctx.tables.tcpPort[port] === mbtcp) ? QUERY : RESPONSE;
    if (!headerShown(b, o, end)) {
      ctx.layer(this, o, end, rep, mbtcpAux(continued, type, 0));
      ctx.malformed("mbtcp", end - o < rep
        ? `ADU cut short: ${end - o} of ${rep} bytes captured`
        : `length ${rep - LENGTH_END} too short for the unit id and function code it must hold`);
      return null;
    }
    const len = u16(b, o + LENGTH), fc = b[o + FUNC] & 0x7f;
    const p = o + MBAP_LEN, pend = Math.min(end, o + LENGTH_END + len), prep = len - 1;
    const key = ((fc << 24) | (b[o + UNIT_ID] << 16) | u16(b, o + TRANS_ID)) >>> 0;
    let aux: number, requestFrame = 0;
    if (type === QUERY) {
      // The request's reference and count as packet-mbtcp.c keeps them: when captured, whatever the function.
      const cap = pend - p;
      pairQuery(stream, key, ctx.frame + 1, cap >= 3 ? u16(b, p + 1) : 0, cap >= 5 ? u16(b, p + 3) : 0);
      aux = modbusAux(QUERY, false, 0, 0);
    } else if (type === RESPONSE && pairResponse(stream, key, ctx.frame + 1)) {
      requestFrame = paired.frame;
      aux = modbusAux(RESPONSE, true, paired.base, paired.num);
      // The request frame is shown unless the PDU is an exception (or cut before its exception code).
      if (!(b[p] & 0x80) || (pend - p >= 2 && b[p + 1] === 0)) aux |= AUX_PAIRED;
    } else {
      aux = modbusAux(type, false, 0, 0);
    }
    ctx.layer(this, o, end, rep, mbtcpAux(continued, type, requestFrame));
    ctx.layer(modbus, p, pend, prep, aux >>> 0);
    check(ctx, b, p, pend, prep, aux, fc);
    return null;
  },
};

/** Flags what makes a PDU malformed: cut short, a byte count that disagrees, an unknown function code. */
function check(ctx: DissectContext, b: Uint8Array, p: number, end: number, rep: number, aux: number, fc: number): void {
  if (!walk(b, p, end, rep, aux, -1, null)) {
    ctx.malformed("modbus", end - p < rep
      ? `${funcName(fc)} cut short: ${end - p} of ${rep} bytes captured`
      : `${funcName(fc)}: length ${rep + 1} too small for its fields`);
  }
  if (!(b[p] & 0x80)) {
    const problem = checkCounts(auxType(aux), fc, b, p, end, rep);
    if (problem !== null) ctx.malformed("modbus", `${funcName(fc)}: ${problem}`);
  }
  if (FUNCTION_CODES[fc] === undefined && !isUserDefined(fc)) ctx.malformed("modbus", `unknown function code ${fc}`);
}

const funcName = (fc: number): string => FUNCTION_CODES[fc] ?? `function ${fc}`;

// Where Wireshark tests an ADU start. dissect_mbtcp_common() tests the first ADU of each TCP payload it is handed
// (8 bytes there, protocol id 0, length at least 2) and rejects the whole payload otherwise; tcp_dissect_pdus()
// then takes the ADUs that follow in the same payload on their length alone. After lost or rejected bytes it starts
// again only at the start of a later payload. `scan` remembers the payload being looked at to do the same.
const scan = {
  /** The bytes, end and next ADU start of the last ADU found in place: an ADU starting there follows it. */
  b: null as Uint8Array | null, end: -1, next: -1,
  /** The payload the heuristic has looked at (or a rejection happened in): nothing else in it is a start. */
  triedB: null as Uint8Array | null, triedEnd: -1,
  /** Rejected header bytes carried over from earlier segments: Wireshark rejects the next payload with them. */
  refuseNext: false,
};

/** dissect_mbtcp_common()'s test of a payload's first ADU. */
const accepted = (b: Uint8Array, o: number, end: number): boolean =>
  end - o >= FUNC + 1 && u16(b, o + PROT_ID) === 0 && u16(b, o + LENGTH) >= 2;

/**
 * Length of the ADU at b[o] (6 + the MBAP length) when the header is there; -1 when more bytes are needed; 0 when
 * the bytes are not Modbus/TCP. The first ADU of a payload must pass dissect_mbtcp_common()'s test; an ADU that
 * follows another in the same payload is taken on its length, as tcp_dissect_pdus() takes it.
 * Contract: reads only b[o..end), never throws.
 */
export function aduLength(b: Uint8Array, o: number, end: number): number {
  const follows = b === scan.b && end === scan.end && o === scan.next;
  let r: number;
  if (follows) r = end - o < LENGTH_END ? -1 : LENGTH_END + u16(b, o + LENGTH);
  else if (refused(b, end)) r = 0;
  else r = accepted(b, o, end) ? LENGTH_END + u16(b, o + LENGTH) : 0;
  if (r > 0) {
    scan.b = b;
    scan.end = end;
    scan.next = o + r;
  } else if (r === 0) {
    // Header bytes kept from earlier segments (the reassembler's probe: a buffer of its own) were rejected
    // together with this segment's start; otherwise this payload was.
    if (o === 0 && end === b.length && b !== scan.triedB) scan.refuseNext = true;
    else {
      scan.triedB = b;
      scan.triedEnd = end;
    }
  }
  return r;
}

/**
 * Whether b[o..end) starts a Modbus/TCP ADU (1 yes, 0 no, -1 too few bytes to tell), for finding a boundary again
 * after lost or rejected bytes and for judging a header split across segments: only the start of a payload not yet
 * looked at, with dissect_mbtcp_common()'s test, as Wireshark resumes. Contract: reads only b[o..end), never throws.
 */
export function looksLikeMbtcp(b: Uint8Array, o: number, end: number): number {
  if (b === scan.triedB && end === scan.triedEnd) return 0;
  if (refused(b, end)) return 0;
  if (end - o < FUNC + 1) {
    // Too few bytes to tell: a protocol id other than 0 already says no.
    return end - o >= PROT_ID + 2 && u16(b, o + PROT_ID) !== 0 ? 0 : -1;
  }
  scan.triedB = b;
  scan.triedEnd = end;
  return accepted(b, o, end) ? 1 : 0;
}

/** True (once) for the payload after rejected header bytes carried over from earlier segments; marks it tried. */
function refused(b: Uint8Array, end: number): boolean {
  if (!scan.refuseNext) return false;
  scan.refuseNext = false;
  scan.triedB = b;
  scan.triedEnd = end;
  return true;
}

/**
 * Info-column summary, as Wireshark writes it: "   Query: Trans:     1; Unit:  10, Func:   3: Read Holding
 * Registers" (sub-functions of 8 and 43 as "Func:   8/  1: <sub-function>").
 */
export function summary(b: Uint8Array, o: number, end: number, _rep: number, aux: number): string {
  if (!headerShown(b, o, end)) return "Modbus/TCP (malformed)";
  const type = mbtcpType(aux), fcByte = b[o + FUNC], fc = fcByte & 0x7f;
  const exception = fcByte & 0x80 ? b[o + FUNC + 1] : 0;
  const kind = ["Query", "Response", "unknown"][type].padStart(8);
  let err = type === CANNOT_CLASSIFY ? "Unable to classify as query or response." : "";
  if (exception !== 0) err = "Exception returned ";
  let func = `${String(fc).padStart(3)}: ${FUNCTION_CODES[fc] ?? `Unknown function (${fc})`}`;
  if (exception === 0 && fc === ENCAP_INTERFACE_TRANSP) func = `${String(fc).padStart(3)}/  1: ${MEI_TYPES[b[o + FUNC + 1]] ?? "Encapsulated Interface Transport"}`;
  if (exception === 0 && fc === DIAGNOSTICS) func = `${String(fc).padStart(3)}/  1: ${DIAGNOSTIC_CODES[u16(b, o + FUNC + 1)] ?? "Diagnostics"}`;
  const head = `${kind}: Trans: ${String(u16(b, o + TRANS_ID)).padStart(5)}; Unit: ${String(b[o + UNIT_ID]).padStart(3)}, Func: ${func}`;
  return err ? `${head}. ${err}` : head;
}
