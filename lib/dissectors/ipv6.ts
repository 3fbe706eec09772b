// Internet Protocol version 6 (ethertype 0x86dd, ip.proto 41, LINKTYPE_IPV6 229). RFC 8200; RFC 2474/3168 for the
// traffic class; RFC 4291 for the address forms; Wireshark epan/dissectors/packet-ipv6.c. The extension headers
// (hop-by-hop, routing, fragment, destination options) are their own layers, as tshark shows them
// (ipv6:ipv6.hopopts:udp), in ipv6-ext.ts; the options inside them are ipv6.opt.* fields read from this layer.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import type { FieldDef, Getter, MultiGetter } from "./field.js";
import { protocolField } from "./field.js";
import { copy, u16, u32 } from "./bytes.js";
import { ipv6Text } from "../table/address-text.js";
import { IPV6_OPTION_FIELDS } from "./ipv6-options.js";
import { nextAfterIpv6 } from "./ipv6-ext.js";
import { reassemblyField } from "./ipv4-reassembly.js";
import { netFrame, netReset } from "./net-state.js";
import { IP_PROTO_NAMES, versionAux } from "./ipv4.js";

const ECN_NAMES = { 0: "Not ECN-Capable Transport", 1: "ECN-Capable Transport codepoint '01'", 2: "ECN-Capable Transport codepoint '10'", 3: "Congestion Experienced" };

// Byte offsets (RFC 8200 section 3).
const VERSION = 0;
const PAYLOAD_LEN = 4;
const NEXT_HEADER = 6;
const HOP_LIMIT = 7;
const SRC = 8;
const DST = 24;
export const IPV6_HEADER_LEN = DST + 16;

const fixed = (o: number, end: number) => end - o >= IPV6_HEADER_LEN;
const g = (read: (b: Uint8Array, o: number) => number | string | Uint8Array): Getter => (b, o, e) => (fixed(o, e) ? read(b, o) : undefined);
const word0 = (b: Uint8Array, o: number) => u32(b, o + VERSION);

/** SLAAC (modified EUI-64) interface identifier: xx:xx:xx:ff:fe:xx:xx:xx gives the MAC with the U/L bit flipped. */
function slaacMac(b: Uint8Array, a: number): number | undefined {
  // Wireshark shows it only for universal (U/L bit set in the identifier) EUI-64 identifiers.
  if (b[a + 11] !== 0xff || b[a + 12] !== 0xfe || (b[a + 8] & 2) === 0) return undefined;
  return ((b[a + 8] ^ 2) * 0x10000000000) + b[a + 9] * 0x100000000 + b[a + 10] * 0x1000000 + ((b[a + 13] << 16) | (b[a + 14] << 8) | b[a + 15]);
}
/** 6to4 (2002::/16, RFC 3056): the gateway's IPv4 address and the SLA id. */
const is6to4 = (b: Uint8Array, a: number) => b[a] === 0x20 && b[a + 1] === 0x02;
/** Teredo (2001:0000::/32, RFC 4380): server IPv4, and the client's port and IPv4 obfuscated by inversion. */
const isTeredo = (b: Uint8Array, a: number) => b[a] === 0x20 && b[a + 1] === 0x01 && b[a + 2] === 0 && b[a + 3] === 0;

type AddrRead = (b: Uint8Array, a: number) => number | undefined;
const slaac: AddrRead = slaacMac;
const gw6to4: AddrRead = (b, a) => (is6to4(b, a) ? u32(b, a + 2) : undefined);
const sla6to4: AddrRead = (b, a) => (is6to4(b, a) ? u16(b, a + 6) : undefined);
const tsIpv4: AddrRead = (b, a) => (isTeredo(b, a) ? u32(b, a + 4) : undefined);
const tcPort: AddrRead = (b, a) => (isTeredo(b, a) ? u16(b, a + 10) ^ 0xffff : undefined);
const tcIpv4: AddrRead = (b, a) => (isTeredo(b, a) ? (u32(b, a + 12) ^ 0xffffffff) >>> 0 : undefined);

/** The src_X, dst_X and X (both) fields Wireshark derives from an address form. */
function addressForm(suffix: string, name: string, type: FieldDef["type"], read: AddrRead, description: string): FieldDef[] {
  const one = (at: number): Getter => (b, o, e) => (fixed(o, e) ? read(b, o + at) : undefined);
  const both: MultiGetter = (b, o, e, _r, _a, emit) => {
    if (!fixed(o, e)) return;
    const s = read(b, o + SRC), d = read(b, o + DST);
    if (s !== undefined) emit(s);
    if (d !== undefined) emit(d);
  };
  return [
    { abbrev: `ipv6.src_${suffix}`, name: `Source ${name}`, type, description: `${description} (source)`, get: one(SRC) },
    { abbrev: `ipv6.dst_${suffix}`, name: `Destination ${name}`, type, description: `${description} (destination)`, get: one(DST) },
    { abbrev: `ipv6.${suffix}`, name, type, description: `${description} (source, then destination)`, each: both },
  ];
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("ipv6", "Internet Protocol Version 6", "An IPv6 header (a second one in tunnels and in ICMPv6 errors)"),
  { abbrev: "ipv6.version", name: "Version", type: "uint8", description: "IP version (6)", get: (b, o, e) => (e > o ? b[o] >> 4 : undefined) },
  { abbrev: "ipv6.tclass", name: "Traffic Class", type: "uint32", base: "hex", mask: 0x0ff00000, description: "Traffic class byte", get: g((b, o) => (word0(b, o) >>> 20) & 0xff) },
  { abbrev: "ipv6.tclass.dscp", name: "Differentiated Services Codepoint", type: "uint32", mask: 0x0fc00000, description: "DSCP (RFC 2474)", get: g((b, o) => (word0(b, o) >>> 22) & 0x3f) },
  { abbrev: "ipv6.tclass.ecn", name: "Explicit Congestion Notification", type: "uint32", mask: 0x00300000, values: ECN_NAMES, description: "ECN bits (RFC 3168)", get: g((b, o) => (word0(b, o) >>> 20) & 3) },
  { abbrev: "ipv6.flow", name: "Flow Label", type: "uint24", base: "hex", mask: 0xfffff, description: "Flow label (20 bits)", get: g((b, o) => word0(b, o) & 0xfffff) },
  { abbrev: "ipv6.plen", name: "Payload Length", type: "uint16", description: "Bytes after the fixed header, extension headers included", get: g((b, o) => u16(b, o + PAYLOAD_LEN)) },
  { abbrev: "ipv6.nxt", name: "Next Header", type: "uint8", values: IP_PROTO_NAMES, description: "Type of the first extension header or of the payload", get: g((b, o) => b[o + NEXT_HEADER]) },
  { abbrev: "ipv6.hlim", name: "Hop Limit", type: "uint8", description: "Hops left", get: g((b, o) => b[o + HOP_LIMIT]) },
  { abbrev: "ipv6.src", name: "Source Address", type: "ipv6", description: "Source address", get: g((b, o) => copy(b, o + SRC, 16)) },
  { abbrev: "ipv6.dst", name: "Destination Address", type: "ipv6", description: "Destination address", get: g((b, o) => copy(b, o + DST, 16)) },
  { abbrev: "ipv6.addr", name: "Source or Destination Address", type: "ipv6", description: "Source then destination (matches either)", each: (b, o, e, _r, _a, emit) => { if (fixed(o, e)) { emit(copy(b, o + SRC, 16)); emit(copy(b, o + DST, 16)); } } },
  { abbrev: "ipv6.src_host", name: "Source Host", type: "string", description: "Source address as text (tshark -n resolves no names)", get: g((b, o) => ipv6Text(b, o + SRC)) },
  { abbrev: "ipv6.dst_host", name: "Destination Host", type: "string", description: "Destination address as text", get: g((b, o) => ipv6Text(b, o + DST)) },
  { abbrev: "ipv6.host", name: "Source or Destination Host", type: "string", description: "Source then destination as text", each: (b, o, e, _r, _a, emit) => { if (fixed(o, e)) { emit(ipv6Text(b, o + SRC)); emit(ipv6Text(b, o + DST)); } } },
  ...addressForm("slaac_mac", "SLAAC MAC", "ether", slaac, "MAC address in a modified EUI-64 interface identifier"),
  ...addressForm("6to4_gw_ipv4", "6to4 Gateway IPv4", "ipv4", gw6to4, "IPv4 address of a 6to4 gateway (2002::/16)"),
  ...addressForm("6to4_sla_id", "6to4 SLA ID", "uint16", sla6to4, "Site-level aggregation id of a 6to4 address"),
  ...addressForm("ts_ipv4", "Teredo Server IPv4", "ipv4", tsIpv4, "Teredo server address (2001::/32)"),
  ...addressForm("tc_port", "Teredo Port", "uint16", tcPort, "Teredo client port"),
  ...addressForm("tc_ipv4", "Teredo Client IPv4", "ipv4", tcIpv4, "Teredo client address"),
  ...IPV6_OPTION_FIELDS,
  reassemblyField({ abbrev: "ipv6.fragment", name: "IPv6 Fragment", type: "framenum", description: "Frames holding the fragments (in the frame that completes the datagram)" }, "ipv6.fraghdr", "fragment"),
  reassemblyField({ abbrev: "ipv6.fragment.count", name: "Fragment count", type: "uint32", description: "Number of fragments reassembled" }, "ipv6.fraghdr", "count"),
  reassemblyField({ abbrev: "ipv6.fragments", name: "IPv6 Fragments", type: "none", description: "Present in the frame that completes a fragmented datagram" }, "ipv6.fraghdr", "present"),
  reassemblyField({ abbrev: "ipv6.reassembled.length", name: "Reassembled IPv6 length", type: "uint32", description: "Length of the reassembled payload" }, "ipv6.fraghdr", "length"),
  reassemblyField({ abbrev: "ipv6.reassembled.data", name: "Reassembled IPv6 data", type: "bytes", description: "The reassembled payload" }, "ipv6.fraghdr", "data"),
];

/** The view + hand-off: the layer spans the whole packet (so the option fields can walk the extension headers). */
export const ipv6: Dissector = {
  proto: "ipv6",
  name: "Internet Protocol Version 6",
  fields: FIELDS,
  reset() {
    netReset();
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const st = netFrame(ctx);
    if (end - o < IPV6_HEADER_LEN || b[o] >> 4 !== 6) {
      ctx.layer(this, o, end, rep, versionAux(b, o, end));
      ctx.malformed("ipv6", end - o < IPV6_HEADER_LEN ? "header cut short" : `bogus IP version (${b[o] >> 4})`);
      return null;
    }
    const plen = u16(b, o + PAYLOAD_LEN);
    // Payload length 0 is a jumbogram or TCP segmentation offload: take what was reported.
    let pduRep = plen === 0 ? rep : IPV6_HEADER_LEN + plen;
    if (pduRep > rep) {
      if (!st.inError) ctx.malformed("ipv6", `payload length ${plen} exceeds the ${rep - IPV6_HEADER_LEN} bytes reported`);
      pduRep = rep;
    }
    const pduEnd = Math.min(end, o + pduRep);
    ctx.layer(this, o, pduEnd, pduRep, versionAux(b, o, end));
    st.v6buf = b;
    st.v6off = o;
    return handOff(ctx, nextAfterIpv6(ctx, b[o + NEXT_HEADER]), o + IPV6_HEADER_LEN, pduEnd, pduRep - IPV6_HEADER_LEN);
  },
};

/** Info-column summary: "fe80::1 → ff02::1". */
export function summary(b: Uint8Array, o: number): string {
  return `${ipv6Text(b, o + SRC)} → ${ipv6Text(b, o + DST)}`;
}
