// ICMPv6 neighbour discovery options (RFC 4861 section 4.6; RFC 8106 RDNSS; RFC 4191 route information) as
// Wireshark names them (icmpv6.opt.*), read by walking the options of the layer they are asked from.

import type { FieldDef, MultiGetter } from "./field.js";
import { copy, u32 } from "./bytes.js";

const OPT_SRC_LINKADDR = 1;
const OPT_TGT_LINKADDR = 2;
const OPT_PREFIX = 3;
const OPT_MTU = 5;
const OPT_RDNSS = 25;

/** Where a message's options start (after its fixed part), or -1 for types without options. */
export function optionsStart(type: number): number {
  switch (type) {
    case 133: return 8; // router solicitation
    case 134: return 16; // router advertisement
    case 135: case 136: return 24; // neighbour solicitation / advertisement
    case 137: return 40; // redirect
    default: return -1;
  }
}

type Visit = (b: Uint8Array, at: number, type: number, len: number, emit: (v: number | Uint8Array) => void) => void;

/** Walks the options of the ICMPv6 message at o; stops at a zero length or the captured end. */
function options(visit: Visit): MultiGetter {
  return (b, o, end, _r, _a, emit) => {
    if (end - o < 1) return;
    const start = optionsStart(b[o]);
    if (start < 0) return;
    for (let at = o + start; at + 2 <= end;) {
      const len = b[at + 1] * 8;
      if (len === 0 || at + len > end) {
        if (len !== 0 || at + 2 <= end) visit(b, at, b[at], len, emit);
        return;
      }
      visit(b, at, b[at], len, emit);
      at += len;
    }
  };
}
const when = (t: number, min: number, read: (b: Uint8Array, at: number, len: number) => number | Uint8Array): Visit =>
  (b, at, type, len, emit) => { if (type === t && len >= min) emit(read(b, at, len)); };

export const ND_OPTION_FIELDS: readonly FieldDef[] = [
  { abbrev: "icmpv6.opt.type", name: "Type", type: "uint8", values: { 1: "Source link-layer address", 2: "Target link-layer address", 3: "Prefix information", 5: "MTU", 25: "Recursive DNS Server" }, description: "Option type", each: options((_b, _at, t, _l, emit) => emit(t)) },
  { abbrev: "icmpv6.opt.length", name: "Length", type: "uint8", description: "Option length in 8-byte units", each: options((_b, _at, _t, len, emit) => emit(len / 8)) },
  { abbrev: "icmpv6.opt.linkaddr", sep: ":", name: "Link-layer address", type: "bytes", description: "Link-layer address of a source or target link-layer address option (6-byte addresses)", each: options((b, at, t, len, emit) => { if ((t === OPT_SRC_LINKADDR || t === OPT_TGT_LINKADDR) && len === 8) emit(copy(b, at + 2, 6)); }) },
  { abbrev: "icmpv6.opt.src_linkaddr", sep: ":", name: "Source Link-layer address", type: "bytes", description: "Source link-layer address option (6-byte addresses)", each: options(when(OPT_SRC_LINKADDR, 8, (b, at) => copy(b, at + 2, 6))) },
  { abbrev: "icmpv6.opt.target_linkaddr", sep: ":", name: "Target Link-layer address", type: "bytes", description: "Target link-layer address option (6-byte addresses)", each: options(when(OPT_TGT_LINKADDR, 8, (b, at) => copy(b, at + 2, 6))) },
  { abbrev: "icmpv6.opt.prefix.length", name: "Prefix Length", type: "uint8", description: "Prefix information: prefix length in bits", each: options(when(OPT_PREFIX, 32, (b, at) => b[at + 2])) },
  { abbrev: "icmpv6.opt.prefix.flag", name: "Flag", type: "uint8", base: "hex", description: "Prefix information flags", each: options(when(OPT_PREFIX, 32, (b, at) => b[at + 3])) },
  { abbrev: "icmpv6.opt.prefix.flag.l", name: "On-link flag(L)", type: "bool", mask: 0x80, description: "Prefix is on-link", each: options(when(OPT_PREFIX, 32, (b, at) => b[at + 3] >> 7)) },
  { abbrev: "icmpv6.opt.prefix.flag.a", name: "Autonomous address-configuration flag(A)", type: "bool", mask: 0x40, description: "Prefix may be used for SLAAC", each: options(when(OPT_PREFIX, 32, (b, at) => (b[at + 3] >> 6) & 1)) },
  { abbrev: "icmpv6.opt.prefix.flag.r", name: "Router address flag(R)", type: "bool", mask: 0x20, description: "Prefix field holds the router's address", each: options(when(OPT_PREFIX, 32, (b, at) => (b[at + 3] >> 5) & 1)) },
  { abbrev: "icmpv6.opt.prefix.flag.reserved", name: "Reserved", type: "uint8", mask: 0x1f, description: "Reserved flag bits", each: options(when(OPT_PREFIX, 32, (b, at) => b[at + 3] & 31)) },
  { abbrev: "icmpv6.opt.prefix.valid_lifetime", name: "Valid Lifetime", type: "uint32", description: "Seconds the prefix stays valid", each: options(when(OPT_PREFIX, 32, (b, at) => u32(b, at + 4))) },
  { abbrev: "icmpv6.opt.prefix.preferred_lifetime", name: "Preferred Lifetime", type: "uint32", description: "Seconds addresses from the prefix stay preferred", each: options(when(OPT_PREFIX, 32, (b, at) => u32(b, at + 8))) },
  { abbrev: "icmpv6.opt.prefix", name: "Prefix", type: "ipv6", description: "The advertised prefix", each: options(when(OPT_PREFIX, 32, (b, at) => copy(b, at + 16, 16))) },
  { abbrev: "icmpv6.opt.mtu", name: "MTU", type: "uint32", description: "MTU option", each: options(when(OPT_MTU, 8, (b, at) => u32(b, at + 4))) },
  { abbrev: "icmpv6.opt.rdnss.lifetime", name: "Lifetime", type: "uint32", description: "RDNSS option: seconds the servers may be used", each: options(when(OPT_RDNSS, 8, (b, at) => u32(b, at + 4))) },
  {
    abbrev: "icmpv6.opt.rdnss", name: "Recursive DNS Servers", type: "ipv6", description: "RDNSS option: the servers",
    each: options((b, at, t, len, emit) => { if (t === OPT_RDNSS) for (let p = at + 8; p + 16 <= at + len; p += 16) emit(copy(b, p, 16)); }),
  },
];
