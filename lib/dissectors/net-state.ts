// Per-frame facts the network layer passes up the chain, as Wireshark keeps them in packet_info: whether the payload
// is a fragment that was not reassembled (pinfo->fragmented) and whether we are inside the packet quoted by an
// ICMP error (pinfo->flags.in_error_pkt). ICMP and ICMPv6 verify their checksum only when neither holds.
// One mutable record, reset when a new frame begins: no allocation per packet.

import type { DissectContext } from "./dissector.js";

export interface NetState {
  /** Frame these facts belong to; -1 before the first. */
  frame: number;
  /** The payload being dissected is one fragment of a datagram that was not reassembled. */
  fragmented: boolean;
  /** We are inside the invoking packet quoted by an ICMP or ICMPv6 error. */
  inError: boolean;
  /** The innermost IPv6 header so far (its addresses make the ICMPv6 pseudo-header): buffer and offset. */
  v6buf: Uint8Array | null;
  v6off: number;
}

export const net: NetState = { frame: -1, fragmented: false, inError: false, v6buf: null, v6off: 0 };

/** Starts the facts afresh when ctx is on a new frame. Call at the top of every network-layer dissect. */
export function netFrame(ctx: DissectContext): NetState {
  if (ctx.frame !== net.frame) {
    net.frame = ctx.frame;
    net.fragmented = false;
    net.inError = false;
    net.v6buf = null;
  }
  return net;
}

/** Forgets the last frame (a new pass starts with frame 0 again). */
export function netReset(): void {
  net.frame = -1;
}

/** RFC 1071 one's-complement sum of b[o..o+n), folded to 16 bits, added to `sum`. */
export function onesSum(b: Uint8Array, o: number, n: number, sum = 0): number {
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
  if (i < n) sum += b[o + i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
