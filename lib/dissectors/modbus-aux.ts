// What Modbus/TCP keeps in the aux of its layers (DissectContext.layer): what tshark decides about an ADU before
// its fields, from the TCP ports and the connection's earlier requests (mbtcp.ts), for the getters (modbus-walk.ts)
// and the derived request frame (modbus.ts).

// A modbus layer's aux: bits 0-1 packet type (QUERY, RESPONSE, CANNOT_CLASSIFY); bit 2: the response's request was
// found; bits 3-18 the request's reference number; bits 19-29 its count (clamped: a response holds at most
// 255 * 8 bits); bit 30 AUX_PAIRED.
export const AUX_TYPE_MASK = 0x3;
export const AUX_FOUND = 0x4;
const AUX_BASE_SHIFT = 3;
const AUX_NUM_SHIFT = 19;
/** Largest request count kept: any count of 2040 bits or more shows every bit of a 255-byte response alike. */
export const NUM_REG_CLAMP = 0x7ff;

/** A modbus layer's aux for a PDU of packet `type`, paired with request (base, num) when `found`. */
export function modbusAux(type: number, found: boolean, base: number, num: number): number {
  return (type | (found ? AUX_FOUND : 0) | ((base & 0xffff) << AUX_BASE_SHIFT) | (Math.min(num, NUM_REG_CLAMP) << AUX_NUM_SHIFT)) >>> 0;
}
export const auxType = (aux: number): number => aux & AUX_TYPE_MASK;
/** The paired request's reference number kept in a modbus aux. */
export const auxBase = (aux: number): number => (aux >>> AUX_BASE_SHIFT) & 0xffff;
/** The paired request's count kept in a modbus aux (clamped to NUM_REG_CLAMP). */
export const auxNum = (aux: number): number => (aux >>> AUX_NUM_SHIFT) & NUM_REG_CLAMP;
/** Set on a response whose dissection reaches the request pairing (no exception): shows request_frame. */
export const AUX_PAIRED = 0x40000000;

// What an mbtcp layer's aux holds: bit 0 set when the PDU is not the first of its TCP payload (Wireshark lists
// "mbtcp" once per payload in frame.protocols); bits 1-2 the packet type; bits 3-31 the paired request's frame
// number (1-based), 0 when none.
export const MBTCP_CONTINUED = 0x1;
const MBTCP_TYPE_SHIFT = 1;
const MBTCP_REQ_SHIFT = 3;
/** Largest request frame number an mbtcp aux holds (2^29 - 1). */
const MAX_REQ_FRAME = 0x1fffffff;

/** An mbtcp layer's aux. */
export function mbtcpAux(continued: boolean, type: number, requestFrame: number): number {
  const req = requestFrame > 0 && requestFrame <= MAX_REQ_FRAME ? requestFrame : 0;
  return ((continued ? MBTCP_CONTINUED : 0) | (type << MBTCP_TYPE_SHIFT) | (req * (1 << MBTCP_REQ_SHIFT))) >>> 0;
}
export const mbtcpType = (aux: number): number => (aux >>> MBTCP_TYPE_SHIFT) & AUX_TYPE_MASK;
/** The paired request's frame number (1-based) kept in an mbtcp aux, 0 when none. */
export const mbtcpRequestFrame = (aux: number): number => aux >>> MBTCP_REQ_SHIFT;
