// IPv4 options (RFC 791 section 3.1, RFC 1063 MTU, RFC 1108 security, RFC 2113 router alert) as Wireshark shows
// them (packet-ip.c dissect_ipopt_*): every option gives ip.opt.type with its copy/class/number bits; options with
// a length byte give ip.opt.len and their own fields. Each field walks the option list of its layer (`each`), so
// nothing is decoded unless asked for.

import type { FieldDef, MultiGetter } from "./field.js";
import { copy, u16, u32 } from "./bytes.js";

export const IPOPT_EOL = 0;
export const IPOPT_NOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_MTU_PROBE = 11;
export const IPOPT_MTU_REPLY = 12;
export const IPOPT_TS = 68;
export const IPOPT_LSRR = 131;
export const IPOPT_SID = 136;
export const IPOPT_SSRR = 137;
export const IPOPT_RA = 148;
const IPV4_MIN_HEADER = 20;

/** Called for each option: its type, where it starts, its length (1 for EOL/NOP), the option-area end. */
type Visit = (b: Uint8Array, at: number, type: number, len: number, emit: (v: number | Uint8Array) => void) => void;

/** Walks the options of the IPv4 header at o; stops at EOL, at a bad length or at the captured end. */
function options(visit: Visit): MultiGetter {
  return (b, o, end, _r, _a, emit) => {
    if (end - o < IPV4_MIN_HEADER) return;
    const stop = Math.min(o + (b[o] & 15) * 4, end);
    let at = o + IPV4_MIN_HEADER;
    while (at < stop) {
      const type = b[at];
      if (type === IPOPT_EOL || type === IPOPT_NOP) {
        visit(b, at, type, 1, emit);
        if (type === IPOPT_EOL) return;
        at++;
        continue;
      }
      if (at + 1 >= stop) return;
      const len = b[at + 1];
      if (len < 2 || at + len > stop) return;
      visit(b, at, type, len, emit);
      at += len;
    }
  };
}

/** Bytes after an EOL option up to the end of the header (Wireshark's ip.opt.padding). */
const padding: MultiGetter = (b, o, end, _r, _a, emit) => {
  if (end - o < IPV4_MIN_HEADER) return;
  const stop = Math.min(o + (b[o] & 15) * 4, end);
  let at = o + IPV4_MIN_HEADER;
  while (at < stop) {
    const type = b[at];
    if (type === IPOPT_EOL) { if (at + 1 < stop) emit(copy(b, at + 1, stop - at - 1)); return; }
    if (type === IPOPT_NOP) { at++; continue; }
    if (at + 1 >= stop || b[at + 1] < 2) return;
    at += b[at + 1];
  }
};

const isRoute = (t: number) => t === IPOPT_RR || t === IPOPT_LSRR || t === IPOPT_SSRR;
const hasPtr = (t: number) => isRoute(t) || t === IPOPT_TS;
/** Route slots: each 4-byte address at 3, 7, … and which of recorded / current / remaining it is (by pointer). */
function routeSlots(which: "recorded" | "current" | "rest", rr: boolean): Visit {
  return (b, at, type, len, emit) => {
    if (!isRoute(type) || (type === IPOPT_RR) !== rr) return;
    const ptr = b[at + 2];
    if (ptr < 4 || (ptr & 3) !== 0) return; // Wireshark stops at a pointer before or inside an address
    for (let k = 3; k + 4 <= len; k += 4) {
      const kind = ptr > len || k + 1 < ptr ? "recorded" : k + 1 === ptr ? "current" : "rest";
      if (kind === which) emit(u32(b, at + k));
    }
  };
}
const FLAG_ADDR = 1, FLAG_PRESPEC = 3;
function timestamps(addresses: boolean): Visit {
  return (b, at, type, len, emit) => {
    if (type !== IPOPT_TS || len < 4) return;
    const flag = b[at + 3] & 15, paired = flag === FLAG_ADDR || flag === FLAG_PRESPEC;
    for (let k = 4; k + 4 <= len; k += paired ? 8 : 4) {
      if (paired) {
        if (k + 8 > len) break;
        emit(u32(b, at + k + (addresses ? 0 : 4)));
      } else if (!addresses) emit(u32(b, at + k));
    }
  };
}
const u16At = (types: readonly number[]): Visit => (b, at, type, len, emit) => { if (types.includes(type) && len >= 4) emit(u16(b, at + 2)); };

export const OPTION_FIELDS: readonly FieldDef[] = [
  { abbrev: "ip.opt.type", name: "Type", type: "uint8", description: "Option type octet (one occurrence per option, EOL and NOP included)", each: options((b, at, _t, _l, emit) => emit(b[at])) },
  { abbrev: "ip.opt.type.copy", name: "Copy on fragmentation", type: "bool", mask: 0x80, description: "Option is copied into every fragment", each: options((b, at, _t, _l, emit) => emit(b[at] >> 7)) },
  { abbrev: "ip.opt.type.class", name: "Class", type: "uint8", mask: 0x60, description: "Option class (0 control, 2 debugging and measurement)", each: options((b, at, _t, _l, emit) => emit((b[at] >> 5) & 3)) },
  { abbrev: "ip.opt.type.number", name: "Number", type: "uint8", mask: 0x1f, description: "Option number", each: options((b, at, _t, _l, emit) => emit(b[at] & 31)) },
  { abbrev: "ip.opt.len", name: "Length", type: "uint8", description: "Option length (options other than EOL and NOP)", each: options((b, at, t, _l, emit) => { if (t !== IPOPT_EOL && t !== IPOPT_NOP) emit(b[at + 1]); }) },
  { abbrev: "ip.opt.ptr", name: "Pointer", type: "uint8", description: "Route or timestamp option pointer", each: options((b, at, t, l, emit) => { if (hasPtr(t) && l >= 3) emit(b[at + 2]); }) },
  { abbrev: "ip.rec_rt", name: "Recorded Route", type: "ipv4", description: "Route addresses already filled in", each: options((b, at, t, l, emit) => { routeSlots("recorded", true)(b, at, t, l, emit); routeSlots("recorded", false)(b, at, t, l, emit); }) },
  { abbrev: "ip.empty_rt", name: "Empty Route", type: "ipv4", description: "Record-route slots not yet filled in", each: options((b, at, t, l, emit) => { routeSlots("current", true)(b, at, t, l, emit); routeSlots("rest", true)(b, at, t, l, emit); }) },
  { abbrev: "ip.cur_rt", name: "Current Route", type: "ipv4", description: "Source-route address the pointer designates", each: options(routeSlots("current", false)) },
  { abbrev: "ip.src_rt", name: "Source Route", type: "ipv4", description: "Source-route addresses still to visit", each: options(routeSlots("rest", false)) },
  { abbrev: "ip.opt.overflow", name: "Overflow", type: "uint8", mask: 0xf0, description: "Timestamp option: hops that could not record", each: options((b, at, t, l, emit) => { if (t === IPOPT_TS && l >= 4) emit(b[at + 3] >> 4); }) },
  { abbrev: "ip.opt.flag", name: "Flag", type: "uint8", base: "hex", mask: 0x0f, description: "Timestamp option: 0 timestamps only, 1 with addresses, 3 prespecified", each: options((b, at, t, l, emit) => { if (t === IPOPT_TS && l >= 4) emit(b[at + 3] & 15); }) },
  { abbrev: "ip.opt.time_stamp", name: "Time stamp", type: "uint32", description: "Timestamp option slot (ms since midnight UT)", each: options(timestamps(false)) },
  { abbrev: "ip.opt.time_stamp_addr", name: "Address", type: "ipv4", description: "Timestamp option: the address before a timestamp", each: options(timestamps(true)) },
  { abbrev: "ip.opt.ra", name: "Router Alert", type: "uint16", values: { 0: "Router shall examine packet" }, description: "Router alert value (RFC 2113)", each: options(u16At([IPOPT_RA])) },
  { abbrev: "ip.opt.mtu", name: "MTU", type: "uint16", description: "MTU probe or reply (RFC 1063)", each: options(u16At([IPOPT_MTU_PROBE, IPOPT_MTU_REPLY])) },
  { abbrev: "ip.opt.sid", name: "Stream Identifier", type: "uint16", description: "SATNET stream identifier", each: options(u16At([IPOPT_SID])) },
  { abbrev: "ip.opt.padding", name: "Padding", type: "bytes", description: "Header bytes after the end-of-options-list option", each: padding },
];
