// Options of the IPv6 hop-by-hop and destination options headers (RFC 8200 section 4.2; RFC 2711 router alert;
// RFC 4727 experimental types). Wireshark registers them under `ipv6` (ipv6.opt.*); this layer's getters walk the
// extension header chain of the IPv6 layer they are read from and report every option in order.

import type { FieldDef, MultiGetter } from "./field.js";
import { copy, u16 } from "./bytes.js";

export const NH_HOPOPTS = 0;
export const NH_ROUTING = 43;
export const NH_FRAGMENT = 44;
export const NH_DSTOPTS = 60;
const IPV6_HEADER_LEN = 40;
const OPT_PAD1 = 0;
const OPT_PADN = 1;
const OPT_ROUTER_ALERT = 5;
const EXPERIMENTAL = [0x1e, 0x3e, 0x5e, 0x7e, 0x9e, 0xbe, 0xde, 0xfe];

/** Called for each option of each options header: its type, where its data starts and its data length. */
type Visit = (b: Uint8Array, at: number, type: number, len: number, emit: (v: number | Uint8Array) => void) => void;

/** Walks the options headers that follow the IPv6 header at o (within the captured bytes). */
function options(visit: Visit): MultiGetter {
  return (b, o, end, _r, _a, emit) => {
    if (end - o < IPV6_HEADER_LEN) return;
    let nh = b[o + 6], at = o + IPV6_HEADER_LEN;
    for (let hops = 0; hops < 16 && at + 2 <= end; hops++) {
      if (nh === NH_FRAGMENT) { nh = b[at]; at += 8; continue; }
      if (nh !== NH_HOPOPTS && nh !== NH_DSTOPTS && nh !== NH_ROUTING) return;
      const hlen = (b[at + 1] + 1) * 8, stop = Math.min(at + hlen, end);
      if (nh !== NH_ROUTING) {
        for (let p = at + 2; p < stop;) {
          const type = b[p];
          if (type === OPT_PAD1) { visit(b, p, type, -1, emit); p++; continue; }
          if (p + 2 > stop || p + 2 + b[p + 1] > stop) break;
          visit(b, p, type, b[p + 1], emit);
          p += 2 + b[p + 1];
        }
      }
      nh = b[at];
      at += hlen;
    }
  };
}

const data = (pick: (type: number) => boolean): Visit => (b, at, type, len, emit) => { if (len >= 0 && pick(type)) emit(copy(b, at + 2, len)); };

export const IPV6_OPTION_FIELDS: readonly FieldDef[] = [
  { abbrev: "ipv6.opt", name: "IPv6 Option", type: "none", description: "One occurrence per option of a hop-by-hop or destination options header", each: options((_b, _at, _t, _l, emit) => emit(1)) },
  { abbrev: "ipv6.opt.type", name: "Type", type: "uint8", base: "hex", description: "Option type", each: options((b, at, _t, _l, emit) => emit(b[at])) },
  { abbrev: "ipv6.opt.type.action", name: "Action", type: "uint8", mask: 0xc0, description: "What a node that does not know the option does (0 skip … 3 discard and report unless multicast)", each: options((b, at, _t, _l, emit) => emit(b[at] >> 6)) },
  { abbrev: "ipv6.opt.type.change", name: "May Change", type: "bool", mask: 0x20, description: "Option data may change en route", each: options((b, at, _t, _l, emit) => emit((b[at] >> 5) & 1)) },
  { abbrev: "ipv6.opt.type.rest", name: "Low-Order Bits", type: "uint8", base: "hex", mask: 0x1f, description: "Rest of the option type", each: options((b, at, _t, _l, emit) => emit(b[at] & 31)) },
  { abbrev: "ipv6.opt.length", name: "Length", type: "uint8", description: "Option data length (all options but Pad1)", each: options((_b, _at, _t, len, emit) => { if (len >= 0) emit(len); }) },
  { abbrev: "ipv6.opt.pad1", name: "Pad1", type: "none", description: "A one-byte padding option", each: options((_b, _at, t, _l, emit) => { if (t === OPT_PAD1) emit(1); }) },
  { abbrev: "ipv6.opt.padn", name: "PadN", type: "bytes", emptyText: "<none>", description: "Padding bytes of a PadN option", each: options(data((t) => t === OPT_PADN)) },
  { abbrev: "ipv6.opt.router_alert", name: "Router Alert", type: "uint16", values: { 0: "MLD", 1: "RSVP", 2: "Active Networks" }, description: "Router alert value (RFC 2711)", each: options((b, at, t, len, emit) => { if (t === OPT_ROUTER_ALERT && len >= 2) emit(u16(b, at + 2)); }) },
  { abbrev: "ipv6.opt.experimental", name: "Experimental Option", type: "bytes", description: "Data of an RFC 4727 experimental option", each: options(data((t) => EXPERIMENTAL.includes(t))) },
];
