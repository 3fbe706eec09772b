// The network-layer facts TCP and UDP read (Wireshark's pinfo->src, pinfo->dst, pinfo->fragmented,
// pinfo->flags.in_error_pkt): conversations are keyed on the addresses of the innermost IP header, and a datagram
// quoted inside an ICMP error is dissected but is not traffic of its connection (no segment length, no analysis).
//
// in_error / fragmented come from net-state.ts (written by ip, ipv6, icmp, icmpv6). The addresses come from
// setNetAddresses(), which ipv4 and ipv6 call once they have read their header; until ipv4 does, only IPv6
// addresses are known (taken from the IPv6 header net-state.ts points at). Every fact is tagged with its frame, so
// a value left over from an earlier frame is never read as this frame's.

import { net as netState } from "./net-state.js";

/** The innermost network-layer addresses of the frame being dissected. One instance: the pass is synchronous. */
export const net = {
  /** Frame (0-based) the addresses below belong to; -1 when none was set yet. */
  frame: -1,
  /** 4 or 6 (the address family of src/dst); 0 when unknown. */
  family: 0,
  /** Source address: 4 bytes (IPv4, rest zero) or 16 bytes (IPv6). */
  src: new Uint8Array(16),
  /** Destination address, like src. */
  dst: new Uint8Array(16),
  /** The IPv6 header the addresses were copied from by the fallback (null when an IP dissector set them). */
  viaBuf: null as Uint8Array | null,
  viaOff: -1,
};

/** Byte offsets of the addresses in an IPv6 header (RFC 8200 section 3). */
const IPV6_SRC = 8, IPV6_DST = 24;

/**
 * Records the addresses of the IP header just dissected (`len` bytes at b[srcOff..] and b[dstOff..]). For ipv4
 * and ipv6 to call after their bounds check. Never throws.
 */
export function setNetAddresses(frame: number, b: Uint8Array, srcOff: number, dstOff: number, len: 4 | 16): void {
  net.frame = frame;
  net.viaBuf = null;
  const { src, dst } = net;
  if (len === 4) {
    // Most headers are IPv4 (once a frame): the 12 bytes past an IPv4 address are zero unless an IPv6 one was there.
    src[0] = b[srcOff]; src[1] = b[srcOff + 1]; src[2] = b[srcOff + 2]; src[3] = b[srcOff + 3];
    dst[0] = b[dstOff]; dst[1] = b[dstOff + 1]; dst[2] = b[dstOff + 2]; dst[3] = b[dstOff + 3];
    if (net.family === 6) { src.fill(0, 4); dst.fill(0, 4); }
    net.family = 4;
    return;
  }
  net.family = 6;
  for (let i = 0; i < 16; i++) {
    src[i] = b[srcOff + i];
    dst[i] = b[dstOff + i];
  }
}

/**
 * True when the addresses of `frame` are known (then net.family/src/dst hold them). Falls back on the IPv6 header
 * net-state.ts keeps when no address was set for this frame.
 */
export function hasAddresses(frame: number): boolean {
  if (net.frame === frame && net.viaBuf === null) return true;
  if (netState.frame === frame && netState.v6buf !== null) {
    const v6 = netState.v6buf, o = netState.v6off;
    if (net.frame === frame && net.viaBuf === v6 && net.viaOff === o) return true;
    if (o + IPV6_DST + 16 > v6.length) return false;
    setNetAddresses(frame, v6, o + IPV6_SRC, o + IPV6_DST, 16);
    net.viaBuf = v6;
    net.viaOff = o;
    return true;
  }
  return net.frame === frame;
}

/** True inside an ICMP error's quoted datagram of `frame` (Wireshark's in_error_pkt). */
export const inError = (frame: number): boolean => netState.frame === frame && netState.inError;
/** True when `frame`'s transport layer sees an unreassembled fragment (Wireshark's pinfo->fragmented). */
export const fragmented = (frame: number): boolean => netState.frame === frame && netState.fragmented;

/** The ports of the TCP segment or UDP datagram being dissected (Wireshark's pinfo->srcport/destport), for the dissectors above. */
export const segmentPorts = { frame: -1, src: 0, dst: 0 };

/** Called by tcp.ts and udp.ts once they have read the ports. */
export function setSegmentPorts(frame: number, src: number, dst: number): void {
  segmentPorts.frame = frame;
  segmentPorts.src = src;
  segmentPorts.dst = dst;
}
