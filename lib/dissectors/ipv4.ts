// Internet Protocol version 4 (ethertype 0x0800, ip.proto 4, LINKTYPE_IPV4 228). RFC 791; RFC 2474 and RFC 3168
// (the DS field: DSCP and ECN); Wireshark epan/dissectors/packet-ip.c. Options are in ipv4-options.ts; fragments
// are reassembled as Wireshark does by default (ipv4-reassembly.ts): the datagram goes to the next protocol in the
// frame that completes it, and every fragment before that shows its payload as data.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { u16, u32 } from "./bytes.js";
import { ipv4Text } from "../table/address-text.js";
import { OPTION_FIELDS } from "./ipv4-options.js";
import { AUX_COMPLETES, AUX_FRAGMENT, FragmentTable, payloadLength, reassemblyField } from "./ipv4-reassembly.js";
import { netFrame, netReset } from "./net-state.js";
import { FrameCursor } from "../decode/layer-table.js";
import { setNetAddresses } from "./pinfo.js";
import { rowNumbers } from "../decode/row-numbers.js";

export const IP_PROTO_NAMES = {
  0: "IPv6 Hop-by-Hop Option", 1: "ICMP", 2: "IGMP", 4: "IPIP", 6: "TCP", 17: "UDP", 41: "IPv6", 43: "IPv6 Routing",
  44: "IPv6 Fragment", 47: "GRE", 50: "ESP", 51: "AH", 58: "ICMPv6", 59: "IPv6 No Next Header", 60: "IPv6 Destination Options",
  89: "OSPF IGP", 103: "PIM", 112: "VRRP", 132: "SCTP",
};
const ECN_NAMES = { 0: "Not ECN-Capable Transport", 1: "ECN-Capable Transport codepoint '01'", 2: "ECN-Capable Transport codepoint '10'", 3: "Congestion Experienced" };
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

// Byte offsets (RFC 791 section 3.1).
const VERSION_IHL = 0;
const DSFIELD = 1;
const TOTAL_LEN = 2;
const IDENT = 4;
const FLAGS_FRAG = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SRC = 12;
const DST = 16;
export const IPV4_MIN_HEADER = DST + 4;

/** The fixed header was captured (truncated layers are still recorded; their getters return undefined). */
const fixed = (o: number, end: number) => end - o >= IPV4_MIN_HEADER;
const frag = (b: Uint8Array, o: number) => u16(b, o + FLAGS_FRAG);
const src = (b: Uint8Array, o: number) => u32(b, o + SRC);
const dst = (b: Uint8Array, o: number) => u32(b, o + DST);

// Layer aux: bits 0-1 reassembly flags (AUX_FRAGMENT, AUX_COMPLETES); bits 4-7 the version nibble; bit 8 set when
// that nibble was captured. ipv6.ts uses the same version bits.
export const AUX_HAS_VERSION = 0x100;
/** The aux bits recording the version nibble of the header at o (none when not even one byte was captured). */
export const versionAux = (b: Uint8Array, o: number, end: number) => (end > o ? AUX_HAS_VERSION | ((b[o] >> 4) << 4) : 0);

function versionField(def: Omit<FieldDef, "derive">): FieldDef {
  const field: FieldDef = {
    ...def,
    deriveDepth: "headers",
    derive: (src) => {
      // Straight into a typed array (row-numbers.ts): one put per IP header, no Sink.
      const layers = src.layers(), v4 = src.protoId("ip"), v6 = src.protoId("ipv6"), out = rowNumbers(field, src.file.index.count, 0);
      const at = new FrameCursor(layers);
      for (let l = 0; l < layers.count; l++) {
        const p = layers.proto[l], a = layers.aux[l];
        if ((p === v4 || p === v6) && (a & AUX_HAS_VERSION) !== 0) out.put(at.at(l), (a >> 4) & 15);
      }
      return out.finish();
    },
  };
  return field;
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("ip", "Internet Protocol Version 4", "An IPv4 header (a second one in tunnels and in ICMP errors)"),
  // Wireshark's IPv6 dissector adds ip.version too (hidden), so "ip.version == 6" matches IPv6: derived from both.
  versionField({ abbrev: "ip.version", name: "Version", type: "uint8", description: "IP version (4; 6 in IPv6 headers, as Wireshark also files it there)" }),
  { abbrev: "ip.hdr_len", name: "Header Length", type: "uint8", description: "Header length in bytes (IHL × 4)", get: (b, o, e) => (e > o ? (b[o + VERSION_IHL] & 15) * 4 : undefined) },
  { abbrev: "ip.dsfield", name: "Differentiated Services Field", type: "uint8", base: "hex", description: "The DS byte (formerly TOS)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + DSFIELD] : undefined) },
  { abbrev: "ip.dsfield.dscp", name: "Differentiated Services Codepoint", type: "uint8", mask: 0xfc, description: "DSCP (RFC 2474)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + DSFIELD] >> 2 : undefined) },
  { abbrev: "ip.dsfield.ecn", name: "Explicit Congestion Notification", type: "uint8", mask: 0x03, values: ECN_NAMES, description: "ECN bits (RFC 3168)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + DSFIELD] & 3 : undefined) },
  { abbrev: "ip.len", name: "Total Length", type: "uint16", description: "Datagram length, header included", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u16(b, o + TOTAL_LEN) : undefined) },
  { abbrev: "ip.id", name: "Identification", type: "uint16", base: "hex", description: "Identification shared by the fragments of a datagram", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u16(b, o + IDENT) : undefined) },
  { abbrev: "ip.flags", name: "Flags", type: "uint8", base: "hex", mask: 0xe0, description: "The three flag bits (reserved, DF, MF)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + FLAGS_FRAG] >> 5 : undefined) },
  { abbrev: "ip.flags.rb", name: "Reserved bit", type: "bool", mask: 0x80, description: "Reserved flag (the 'evil bit', RFC 3514)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + FLAGS_FRAG] >> 7 : undefined) },
  { abbrev: "ip.flags.df", name: "Don't fragment", type: "bool", mask: 0x40, description: "Don't fragment", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? (b[o + FLAGS_FRAG] >> 6) & 1 : undefined) },
  { abbrev: "ip.flags.mf", name: "More fragments", type: "bool", mask: 0x20, description: "More fragments follow", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? (b[o + FLAGS_FRAG] >> 5) & 1 : undefined) },
  { abbrev: "ip.frag_offset", name: "Fragment Offset", type: "uint16", mask: 0x1fff, description: "Fragment offset in 8-byte units", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u16(b, o + FLAGS_FRAG) & OFFSET_MASK : undefined) },
  { abbrev: "ip.ttl", name: "Time to Live", type: "uint8", description: "Hops left", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + TTL] : undefined) },
  { abbrev: "ip.proto", name: "Protocol", type: "uint8", values: IP_PROTO_NAMES, description: "Protocol of the payload (6 TCP, 17 UDP, 1 ICMP …)", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? b[o + PROTOCOL] : undefined) },
  { abbrev: "ip.checksum", name: "Header Checksum", type: "uint16", base: "hex", description: "Header checksum as sent", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u16(b, o + CHECKSUM) : undefined) },
  { abbrev: "ip.checksum.status", name: "Header checksum status", type: "uint8", values: { 0: "Bad", 1: "Good", 2: "Unverified" }, description: "2 (unverified): like Wireshark by default, the header checksum is not checked", get: (_b, o, e) => (fixed(o, e) ? 2 : undefined) },
  { abbrev: "ip.src", name: "Source Address", type: "ipv4", description: "Source address", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u32(b, o + SRC) : undefined) },
  { abbrev: "ip.dst", name: "Destination Address", type: "ipv4", description: "Destination address", get: (b, o, e) => (e - o >= IPV4_MIN_HEADER ? u32(b, o + DST) : undefined) },
  { abbrev: "ip.addr", name: "Source or Destination Address", type: "ipv4", description: "Source then destination (matches either)", each: (b, o, e, _r, _a, emit) => { if (fixed(o, e)) { emit(src(b, o)); emit(dst(b, o)); } } },
  { abbrev: "ip.src_host", name: "Source Host", type: "string", description: "Source address as text (tshark -n resolves no names)", get: (b, o, e) => (fixed(o, e) ? ipv4Text(src(b, o)) : undefined) },
  { abbrev: "ip.dst_host", name: "Destination Host", type: "string", description: "Destination address as text", get: (b, o, e) => (fixed(o, e) ? ipv4Text(dst(b, o)) : undefined) },
  { abbrev: "ip.host", name: "Source or Destination Host", type: "string", description: "Source then destination as text", each: (b, o, e, _r, _a, emit) => { if (fixed(o, e)) { emit(ipv4Text(src(b, o))); emit(ipv4Text(dst(b, o))); } } },
  ...OPTION_FIELDS,
  reassemblyField({ abbrev: "ip.fragment", name: "IPv4 Fragment", type: "framenum", description: "Frames holding the fragments (in the frame that completes the datagram)" }, "ip", "fragment"),
  reassemblyField({ abbrev: "ip.fragment.count", name: "Fragment count", type: "uint32", description: "Number of fragments reassembled" }, "ip", "count"),
  reassemblyField({ abbrev: "ip.reassembled.length", name: "Reassembled IPv4 length", type: "uint32", description: "Length of the reassembled payload" }, "ip", "length"),
  reassemblyField({ abbrev: "ip.fragments", name: "IPv4 Fragments", type: "bytes", description: "The reassembled payload" }, "ip", "data"),
  reassemblyField({ abbrev: "ip.reassembled.data", name: "Reassembled IPv4 data", type: "bytes", description: "The reassembled payload" }, "ip", "data"),
];

const fragments = new FragmentTable();

/** The view + hand-off: one layer per header; the payload goes to ctx.tables.ipProto, reassembled when fragmented. */
export const ipv4: Dissector = {
  proto: "ip",
  name: "Internet Protocol Version 4",
  fields: FIELDS,
  reset() {
    fragments.clear();
    netReset();
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const st = netFrame(ctx);
    const n = end - o;
    if (n < IPV4_MIN_HEADER) {
      ctx.layer(this, o, end, rep, versionAux(b, o, end));
      ctx.malformed("ip", n > 0 && b[o] >> 4 !== 4 ? `bogus IP version (${b[o] >> 4})` : "header cut short");
      return null;
    }
    // TCP and UDP number conversations by these addresses (tshark reads them before it checks the rest).
    setNetAddresses(ctx.frame, b, o + SRC, o + DST, 4);
    const hl = (b[o] & 15) * 4;
    // A zero total length is TCP segmentation offload: Wireshark takes the reported length instead.
    const len = u16(b, o + TOTAL_LEN) === 0 ? rep : u16(b, o + TOTAL_LEN);
    if (b[o] >> 4 !== 4 || hl < IPV4_MIN_HEADER || len < hl) {
      ctx.layer(this, o, Math.min(end, o + Math.max(hl, IPV4_MIN_HEADER)), rep, versionAux(b, o, end));
      ctx.malformed("ip", b[o] >> 4 !== 4 ? `bogus IP version (${b[o] >> 4})` : hl < IPV4_MIN_HEADER ? `bogus header length (${hl})` : `bogus total length (${len}, less than the header)`);
      return null;
    }
    // The datagram is what the total length says (the rest of the frame is padding or trailer), but no more than
    // was reported; a total length past the frame is Wireshark's "bogus IP length" unless TSO zeroed it.
    let pduRep = len;
    if (len > rep) {
      // A quoted packet in an ICMP error is cut short by design.
      if (!st.inError) ctx.malformed("ip", `total length ${len} exceeds the ${rep} bytes reported`);
      pduRep = rep;
    }
    const pduEnd = Math.min(end, o + pduRep);
    const data = ctx.tables.data;
    const proto = b[o + PROTOCOL], fo = u16(b, o + FLAGS_FRAG);
    const next = ctx.tables.ipProto[proto] ?? data;
    if (hl > n) {
      ctx.layer(this, o, pduEnd, pduRep, versionAux(b, o, end));
      ctx.malformed("ip", "options cut short");
      return null;
    }
    const p = o + hl, payRep = pduRep - hl;
    if ((fo & (FLAG_MF | OFFSET_MASK)) === 0) {
      ctx.layer(this, o, pduEnd, pduRep, versionAux(b, o, end));
      st.fragmented = false;
      return handOff(ctx, next, p, pduEnd, payRep);
    }
    // A fragment. Wireshark reassembles it only when all of its payload was captured (and not inside an ICMP error).
    if (!st.inError && len > hl && pduEnd - p === len - hl) {
      const key = `${src(b, o)}>${dst(b, o)}:${u16(b, o + IDENT)}:${proto}`;
      const whole = fragments.add(key, b, p, len - hl, (fo & OFFSET_MASK) * 8, (fo & FLAG_MF) === 0, ctx.frame);
      if (whole === null) {
        ctx.layer(this, o, pduEnd, pduRep, AUX_FRAGMENT | versionAux(b, o, end));
        st.fragmented = true;
        return handOff(ctx, data, p, pduEnd, payRep);
      }
      ctx.layer(this, o, pduEnd, pduRep, AUX_FRAGMENT | AUX_COMPLETES | versionAux(b, o, end));
      st.fragmented = false;
      const total = payloadLength(whole);
      ctx.useBuffer(whole);
      return handOff(ctx, next, 0, total, total);
    }
    ctx.layer(this, o, pduEnd, pduRep, versionAux(b, o, end));
    st.fragmented = true;
    // Not reassembled: the first fragment is dissected as far as it goes, later ones are data.
    return handOff(ctx, (fo & OFFSET_MASK) === 0 ? next : data, p, pduEnd, payRep);
  },
};

/** Info-column summary: "10.0.0.1 → 10.0.0.2". */
export function summary(b: Uint8Array, o: number): string {
  return `${ipv4Text(src(b, o))} → ${ipv4Text(dst(b, o))}`;
}

