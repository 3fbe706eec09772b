// A fast writer of classic pcap files (microsecond, LINKTYPE_ETHERNET) for the benchmark capture.
// libpcap file format: https://www.tcpdump.org/manpages/pcap-savefile.5.html (24-byte file header, 16-byte record
// header: ts_sec, ts_usec, incl_len, orig_len, all in the writer's byte order — little-endian here).
// Packets are built in place in one preallocated 16 MiB buffer that is flushed to disk whole, so writing costs
// about one memcpy per byte. Lengths (IP total length, IPv6 payload length, UDP length) are patched in by end(),
// as are the IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums (RFC 1071), so tshark sees a consistent capture.

import { createHash } from "node:crypto";
import * as fs from "node:fs";

export const TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10;
export const ETH_IPV4 = 0x0800, ETH_ARP = 0x0806, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_IPV6 = 0x86dd;
export const IP_ICMP = 1, IP_TCP = 6, IP_UDP = 17, IP_ICMPV6 = 58;

/** TCP options of a segment: none, a SYN's (MSS, SACK permitted, timestamps, window scale), timestamps, SACK. */
export type TcpOptions = "none" | "syn" | "ts" | "sack";

const BUF_BYTES = 16 << 20;
/** Room one packet may take: record header plus the largest frame the flows build. */
const MAX_RECORD = 16 + 2048;
const PCAP_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
const MIN_FRAME = 60;

/** Builds packets in place and streams them to `fd`. Contract: begin() ... end() for each packet, close() once. */
export class PcapWriter {
  readonly buf = new Uint8Array(BUF_BYTES);
  private readonly dv = new DataView(this.buf.buffer);
  /** Write cursor in buf. */
  p = 0;
  /** Packets written. */
  packets = 0;
  /** Bytes written to the file (header included), flushed or not. */
  written = PCAP_HEADER_LEN;
  /** Timestamp of the next packet in microseconds since the epoch (exact in a double). */
  now = 0;
  private rec = 0;
  private l3 = -1;
  private v6 = false;
  private l4 = -1;
  private l4proto = 0;
  /** SHA-256 of everything flushed so far (the file's hash once close() ran). */
  readonly hash = createHash("sha256");

  constructor(private readonly fd: number, snaplen = 65535, linktype = 1) {
    const dv = this.dv;
    dv.setUint32(0, 0xa1b2c3d4, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setInt32(8, 0, true);
    dv.setUint32(12, 0, true);
    dv.setUint32(16, snaplen, true);
    dv.setUint32(20, linktype, true);
    this.p = PCAP_HEADER_LEN;
  }

  /** Starts a packet stamped `now`. */
  begin(): void {
    if (this.p + MAX_RECORD > this.buf.length) this.flush();
    this.rec = this.p;
    this.p += RECORD_HEADER_LEN;
    this.l3 = this.l4 = -1;
  }

  u8(v: number): void { this.buf[this.p++] = v; }
  u16(v: number): void { const b = this.buf, p = this.p; b[p] = v >>> 8; b[p + 1] = v; this.p = p + 2; }
  u32(v: number): void { this.dv.setUint32(this.p, v >>> 0); this.p += 4; }
  bytes(a: Uint8Array): void { this.buf.set(a, this.p); this.p += a.length; }
  zeros(n: number): void { this.buf.fill(0, this.p, this.p + n); this.p += n; }
  /** Writes a string one byte per char (callers pass ASCII). */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.p;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.p = p;
  }
  /** Writes a 48-bit MAC held in a number. */
  mac(v: number): void { this.u16(Math.floor(v / 4294967296)); this.u32(v % 4294967296); }

  /** Ethernet II header; `tags` are 802.1Q/802.1ad tags as (TPID << 16 | TCI), outermost first. */
  eth(dst: number, src: number, type: number, tags: readonly number[] = NO_TAGS): void {
    this.mac(dst);
    this.mac(src);
    for (const t of tags) this.u32(t);
    this.u16(type);
  }

  /** IPv4 header without options; total length and checksum are patched by end(). */
  ipv4(src: number, dst: number, proto: number, id: number, ttl: number, df = true): void {
    this.l3 = this.p;
    this.v6 = false;
    this.u16(0x4500);
    this.u16(0);
    this.u16(id & 0xffff);
    this.u16(df ? 0x4000 : 0);
    this.u8(ttl);
    this.u8(proto);
    this.u16(0);
    this.u32(src);
    this.u32(dst);
  }

  /** IPv6 fixed header; payload length is patched by end(). */
  ipv6(src: Uint8Array, dst: Uint8Array, next: number, hop: number, flow = 0): void {
    this.l3 = this.p;
    this.v6 = true;
    this.u32((6 << 28) | (flow & 0xfffff));
    this.u16(0);
    this.u8(next);
    this.u8(hop);
    this.bytes(src);
    this.bytes(dst);
  }

  /** TCP header with the given options (tsval/tsecr used by "syn" and "ts"; sack = one block [left, right)). */
  tcp(sport: number, dport: number, seq: number, ack: number, flags: number, win: number, opts: TcpOptions = "none", tsval = 0, tsecr = 0, sackL = 0, sackR = 0): void {
    this.l4 = this.p;
    this.l4proto = IP_TCP;
    const optLen = opts === "syn" ? 20 : opts === "none" ? 0 : 12;
    this.u16(sport);
    this.u16(dport);
    this.u32(seq);
    this.u32(ack);
    this.u16((((20 + optLen) >> 2) << 12) | flags);
    this.u16(win);
    this.u32(0); // checksum, urgent pointer
    if (opts === "syn") {
      this.u32(0x020405b4); // MSS 1460
      this.u16(0x0402); // SACK permitted
      this.u16(0x080a); this.u32(tsval); this.u32(tsecr);
      this.u8(1); // NOP
      this.u8(3); this.u8(3); this.u8(7); // window scale 7
    } else if (opts === "ts") {
      this.u16(0x0101); this.u16(0x080a); this.u32(tsval); this.u32(tsecr);
    } else if (opts === "sack") {
      this.u16(0x0101); this.u16(0x050a); this.u32(sackL); this.u32(sackR);
    }
  }

  udp(sport: number, dport: number): void {
    this.l4 = this.p;
    this.l4proto = IP_UDP;
    this.u16(sport);
    this.u16(dport);
    this.u32(0); // length, checksum
  }

  /** ICMP (or ICMPv6 when the network layer is IPv6) header: type, code, checksum, then 4 type-specific bytes. */
  icmp(type: number, code: number, rest: number): void {
    this.l4 = this.p;
    this.l4proto = this.v6 ? IP_ICMPV6 : IP_ICMP;
    this.u8(type);
    this.u8(code);
    this.u16(0);
    this.u32(rest);
  }

  /**
   * Ends the packet: patches lengths and checksums, pads to the 60-byte Ethernet minimum when `pad`, and keeps only
   * `snap` bytes of it when snap > 0 (a snap-truncated frame: incl_len < orig_len).
   */
  end(pad = false, snap = 0): void {
    const b = this.buf, dv = this.dv, end = this.p, l3 = this.l3, l4 = this.l4;
    if (l3 >= 0) {
      if (this.v6) dv.setUint16(l3 + 4, end - l3 - 40);
      else {
        dv.setUint16(l3 + 2, end - l3);
        dv.setUint16(l3 + 10, fold(sum16(b, l3, l3 + 20, 0)));
      }
    }
    if (l4 >= 0) {
      const proto = this.l4proto, len = end - l4;
      if (proto === IP_UDP) dv.setUint16(l4 + 4, len);
      const at = l4 + (proto === IP_TCP ? 16 : proto === IP_UDP ? 6 : 2);
      let s = proto === IP_ICMP ? 0 : this.v6 ? sum16(b, l3 + 8, l3 + 40, proto + len) : sum16(b, l3 + 12, l3 + 20, proto + len);
      s = fold(sum16(b, l4, end, s));
      dv.setUint16(at, proto === IP_UDP && s === 0 ? 0xffff : s);
    }
    let wire = end - this.rec - RECORD_HEADER_LEN;
    if (pad && wire < MIN_FRAME) {
      b.fill(0, end, end + MIN_FRAME - wire);
      wire = MIN_FRAME;
    }
    const caplen = snap > 0 && snap < wire ? snap : wire;
    const sec = Math.floor(this.now / 1e6);
    dv.setUint32(this.rec, sec, true);
    dv.setUint32(this.rec + 4, this.now - sec * 1e6, true);
    dv.setUint32(this.rec + 8, caplen, true);
    dv.setUint32(this.rec + 12, wire, true);
    this.p = this.rec + RECORD_HEADER_LEN + caplen;
    this.written += RECORD_HEADER_LEN + caplen;
    this.packets++;
  }

  /** Writes out what is buffered and closes nothing (the caller owns fd). */
  flush(): void {
    this.hash.update(this.buf.subarray(0, this.p));
    let done = 0;
    while (done < this.p) done += fs.writeSync(this.fd, this.buf, done, this.p - done);
    this.p = 0;
  }
}

const NO_TAGS: readonly number[] = [];

/** One's-complement sum of big-endian 16-bit words of b[s..e), added to `acc` (RFC 1071). */
function sum16(b: Uint8Array, s: number, e: number, acc: number): number {
  let i = s;
  for (; i + 1 < e; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < e) acc += b[i] << 8;
  return acc;
}

/** Folds the carries and complements: the checksum field's value. */
function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return ~acc & 0xffff;
}
