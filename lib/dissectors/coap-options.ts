// The CoAP option walk (RFC 7252 section 3.1): delta/length nibbles with their 8- and 16-bit extensions, the
// payload marker, and the three format errors Wireshark 4.0 stops at (nibble 15 in delta or length, a value
// running past the message). One shared cursor: getters run one at a time, so a walk allocates nothing.

import { u16, u24, u32 } from "./bytes.js";

/** Fixed header: version/type/token length, code, message id (RFC 7252 section 3). */
export const VTT = 0, CODE = 1, MID = 2;
export const COAP_HEADER_LEN = MID + 2;

/** How a walk ended. */
export const RUNNING = 0, AT_END = 1, AT_MARKER = 2, ERR_DELTA15 = 3, ERR_LEN15 = 4, ERR_LONG = 5, ERR_CUT = 6;

/** The option walk's cursor: after next() returns true it describes one option. */
export const opt = {
  p: 0, end: 0, status: RUNNING,
  /** 1-based option index, option number, header offset, value offset and length. */
  index: 0, num: 0, start: 0, off: 0, len: 0,
  /** The delta and length nibbles and their extensions (-1: none). */
  d4: 0, l4: 0, dext: -1, lext: -1,
  /** Offset of the payload marker when status is AT_MARKER. */
  marker: -1,
};

/** Starts a walk over the options of the message at b[o..end); false when the header or token is cut short. */
export function optBegin(b: Uint8Array, o: number, end: number): boolean {
  opt.index = 0; opt.num = 0; opt.marker = -1; opt.end = end;
  if (end - o < COAP_HEADER_LEN) { opt.status = ERR_CUT; return false; }
  const p = o + COAP_HEADER_LEN + (b[o + VTT] & 0x0f);
  if (p > end) { opt.status = ERR_CUT; return false; }
  opt.p = p;
  opt.status = RUNNING;
  return true;
}

/** Reads the next option; false when the walk is over (opt.status says why). */
export function optNext(b: Uint8Array): boolean {
  if (opt.status !== RUNNING) return false;
  let p = opt.p;
  const end = opt.end;
  if (p >= end) { opt.status = AT_END; return false; }
  const first = b[p];
  if (first === 0xff) { opt.marker = p; opt.status = AT_MARKER; return false; }
  opt.start = p++;
  const d4 = first >> 4, l4 = first & 0x0f;
  let delta = d4, len = l4, dext = -1, lext = -1;
  if (d4 === 13) { if (p + 1 > end) return cut(); dext = b[p]; p += 1; delta = 13 + dext; }
  else if (d4 === 14) { if (p + 2 > end) return cut(); dext = u16(b, p); p += 2; delta = 269 + dext; }
  else if (d4 === 15) { opt.status = ERR_DELTA15; return false; }
  if (l4 === 13) { if (p + 1 > end) return cut(); lext = b[p]; p += 1; len = 13 + lext; }
  else if (l4 === 14) { if (p + 2 > end) return cut(); lext = u16(b, p); p += 2; len = 269 + lext; }
  else if (l4 === 15) { opt.status = ERR_LEN15; return false; }
  if (len > end - p) { opt.status = ERR_LONG; return false; }
  opt.index++;
  opt.num += delta;
  opt.d4 = d4; opt.l4 = l4; opt.dext = dext; opt.lext = lext;
  opt.off = p; opt.len = len;
  opt.p = p + len;
  return true;
}

function cut(): false {
  opt.status = ERR_CUT;
  return false;
}

/** An option's unsigned value as packet-coap.c's coap_get_opt_uint reads it (0 bytes: 0; over 4: 0xffffffff). */
export function optUint(b: Uint8Array, off: number, len: number): number {
  switch (len) {
    case 0: return 0;
    case 1: return b[off];
    case 2: return u16(b, off);
    case 3: return u24(b, off);
    case 4: return u32(b, off);
    default: return 0xffffffff;
  }
}

/** What a whole walk found (for the payload and the hand-off). */
export const scan = {
  status: RUNNING,
  /** Last Content-Format value, -1 when absent. */
  ctype: -1,
  /** Last Block1/Block2 number and More flag; blockNum 0xffffffff when no block option. */
  blockNum: 0xffffffff, mflag: 0,
  /** Payload start (after the marker) or -1. */
  payload: -1,
};

/** Walks every option of the message once and fills `scan`. Never throws. */
export function scanMessage(b: Uint8Array, o: number, end: number): void {
  scan.ctype = -1; scan.blockNum = 0xffffffff; scan.mflag = 0; scan.payload = -1;
  if (optBegin(b, o, end)) {
    while (optNext(b)) {
      const n = opt.num;
      if (n === 12) scan.ctype = optUint(b, opt.off, opt.len);
      else if (n === 23 || n === 27) {
        const v = optUint(b, opt.off, opt.len);
        scan.blockNum = opt.len > 4 ? 0xffffffff : v >>> 4;
        scan.mflag = opt.len === 0 ? 0 : (b[opt.off + opt.len - 1] & 0x08) >> 3;
      }
    }
  }
  scan.status = opt.status;
  if (opt.status === AT_MARKER && opt.marker + 1 < end) scan.payload = opt.marker + 1;
}
