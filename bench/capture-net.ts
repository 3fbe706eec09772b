// The simulated network behind the benchmark capture: hosts, links between two of them (Ethernet, optional
// 802.1Q / QinQ tags, IPv4 or IPv6) and TCP connections with real sequence numbers, handshake and close
// (RFC 9293 §3.5: SYN, SYN-ACK, ACK ... FIN-ACK, FIN-ACK, ACK; RFC 7323 timestamps).
// Flows are generators that emit one packet per step; see capture-flows.ts.

import { PcapWriter, TH_ACK, TH_FIN, TH_PSH, TH_RST, TH_SYN, ETH_IPV4, ETH_IPV6, ETH_QINQ, ETH_VLAN, type TcpOptions } from "./pcap-writer.js";
import type { Rng } from "./rng.js";

/** A station: its MAC, IPv4 address and global IPv6 address. */
export interface Host {
  mac: number;
  ip4: number;
  ip6: Uint8Array;
}

/** A flow: emits one packet per step (the scheduler interleaves many). */
export type Flow = Generator<void, void, void>;
/** Writes a payload at the writer's cursor. */
export type Payload = (w: PcapWriter) => void;

const POOL_BYTES = 1 << 16;
const LOREM = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ";
/** Share of frames cut short by a snap length, and the snap lengths used. */
const SNAP_SHARE = 0.004;
const SNAPS = [54, 64, 96, 128];

/** Hosts, payload pools and the writer every flow shares. */
export class Net {
  readonly clients: Host[] = [];
  readonly plcs: Host[] = [];
  readonly remote: Host[] = [];
  readonly broker: Host;
  readonly resolver: Host;
  readonly gateway: Host;
  private readonly randomPool: Uint8Array;
  private readonly textPool: Uint8Array;

  constructor(readonly w: PcapWriter, readonly rng: Rng) {
    const r = rng;
    const ouis = [0x001a2b, 0xb827eb, 0x3c5282, 0x00e04c, 0xdca632, 0x000c29, 0x00155d];
    const host = (net: number, i: number, mac?: number): Host => ({
      mac: mac ?? r.pick(ouis) * 0x1000000 + r.int(0x1000000),
      ip4: (net + i) >>> 0,
      ip6: ip6(0x20010db8, net >>> 8, i),
    });
    this.gateway = host(0x0a010000, 1);
    this.broker = host(0x0a010000, 5);
    this.resolver = host(0x0a010000, 53);
    for (let i = 0; i < 240; i++) this.clients.push(host(0x0a010100 + (i & 0xff00), 10 + (i & 0xff)));
    for (let i = 0; i < 24; i++) this.plcs.push(host(0x0a020000, 10 + i));
    for (let i = 0; i < 80; i++) this.remote.push(host((r.pick([198 << 24 | 51 << 16 | 100 << 8, 203 << 24 | 113 << 8, 93 << 24 | 184 << 16 | 216 << 8]) >>> 0), 1 + r.int(250), this.gateway.mac));
    this.randomPool = new Uint8Array(POOL_BYTES);
    for (let i = 0; i < POOL_BYTES; i += 4) new DataView(this.randomPool.buffer).setUint32(i, r.u32());
    this.textPool = new Uint8Array(POOL_BYTES);
    for (let i = 0; i < POOL_BYTES; i++) this.textPool[i] = LOREM.charCodeAt(i % LOREM.length);
  }

  /** n bytes of random-looking data (TLS ciphertext, SSH, RTP). */
  random(n: number): void { this.w.bytes(this.pool(this.randomPool, n)); }
  /** n bytes of ASCII text (HTTP bodies, syslog). */
  text(n: number): void { this.w.bytes(this.pool(this.textPool, n)); }

  private pool(p: Uint8Array, n: number): Uint8Array {
    const at = this.rng.int(POOL_BYTES - n);
    return p.subarray(at, at + n);
  }

  /** A link between a and b, tagged now and then (6% one 802.1Q tag, 0.5% QinQ). */
  link(a: Host, b: Host, v6 = false): Link {
    const r = this.rng, u = r.int(1000);
    const tci = () => (r.int(8) << 13) | r.pick([10, 20, 100, 200, 301]);
    const tags = u < 5 ? [(ETH_QINQ << 16) | tci(), (ETH_VLAN << 16) | tci()] : u < 65 ? [(ETH_VLAN << 16) | tci()] : [];
    return new Link(this, a, b, v6, tags);
  }

  /** Ends a packet: frames b sends are padded to 60 bytes (captured on a's host), a few are snap-truncated. */
  end(fromA: boolean): void {
    const r = this.rng;
    this.w.end(!fromA, r.chance(SNAP_SHARE) ? r.pick(SNAPS) : 0);
  }
}

/** Two hosts talking over one path: writes each packet's Ethernet and IP headers. */
export class Link {
  private idA: number;
  private idB: number;

  constructor(readonly net: Net, readonly a: Host, readonly b: Host, readonly v6: boolean, readonly tags: readonly number[]) {
    this.idA = net.rng.int(65536);
    this.idB = net.rng.int(65536);
  }

  /** Starts a packet from a (fromA) or from b carrying IP protocol `proto`. */
  head(fromA: boolean, proto: number): void {
    const w = this.net.w, s = fromA ? this.a : this.b, d = fromA ? this.b : this.a;
    w.begin();
    w.eth(d.mac, s.mac, this.v6 ? ETH_IPV6 : ETH_IPV4, this.tags);
    if (this.v6) w.ipv6(s.ip6, d.ip6, proto, fromA ? 64 : 57);
    else w.ipv4(s.ip4, d.ip4, proto, fromA ? this.idA++ : this.idB++, fromA ? 64 : 57);
  }
}

/** A TCP connection from a:sport to b:dport with its sequence state. */
export class TcpConn {
  private seqA: number;
  private seqB: number;
  private readonly tsOffA: number;
  private readonly tsOffB: number;
  private tsLastA = 0;
  private tsLastB = 0;
  readonly useTs: boolean;
  /** Largest payload of one segment (MSS less the timestamp option). */
  readonly mss: number;

  constructor(readonly link: Link, readonly sport: number, readonly dport: number) {
    const r = link.net.rng;
    this.seqA = r.u32();
    this.seqB = r.u32();
    this.tsOffA = r.u32() >>> 4;
    this.tsOffB = r.u32() >>> 4;
    this.useTs = r.chance(0.7);
    this.mss = (link.v6 ? 1440 : 1460) - (this.useTs ? 12 : 0);
  }

  /** Emits one segment; its payload (if any) advances the sender's sequence number. */
  seg(fromA: boolean, flags: number, payload?: Payload, opts?: TcpOptions): void {
    const net = this.link.net, w = net.w;
    this.link.head(fromA, 6);
    const seq = fromA ? this.seqA : this.seqB;
    const ack = flags & TH_ACK ? (fromA ? this.seqB : this.seqA) : 0;
    const tsval = (Math.floor(w.now / 1000) + (fromA ? this.tsOffA : this.tsOffB)) >>> 0;
    const tsecr = flags & TH_ACK ? (fromA ? this.tsLastB : this.tsLastA) : 0;
    if (fromA) this.tsLastA = tsval; else this.tsLastB = tsval;
    const o = opts ?? (flags & TH_SYN ? "syn" : this.useTs ? "ts" : "none");
    w.tcp(fromA ? this.sport : this.dport, fromA ? this.dport : this.sport, seq, ack, flags, fromA ? 64240 : 65160, o, tsval, tsecr, ack - 2896, ack - 1448);
    const start = w.p;
    payload?.(w);
    const n = w.p - start + (flags & TH_SYN ? 1 : 0) + (flags & TH_FIN ? 1 : 0);
    if (fromA) this.seqA = (this.seqA + n) >>> 0; else this.seqB = (this.seqB + n) >>> 0;
    net.end(fromA);
  }

  *handshake(): Flow {
    this.seg(true, TH_SYN); yield;
    this.seg(false, TH_SYN | TH_ACK); yield;
    this.seg(true, TH_ACK); yield;
  }

  /** One application message in one segment (PSH, ACK). */
  *send(fromA: boolean, payload: Payload): Flow {
    this.seg(fromA, TH_PSH | TH_ACK, payload); yield;
  }

  /** A pure ACK (now and then carrying a SACK block, as after a loss). */
  *ack(fromA: boolean): Flow {
    this.seg(fromA, TH_ACK, undefined, this.link.net.rng.chance(0.01) ? "sack" : undefined); yield;
  }

  /** `total` bytes from one side in MSS-sized segments, acked every second segment; fill(w, streamOffset, n). */
  *bulk(fromA: boolean, total: number, fill: (w: PcapWriter, off: number, n: number) => void): Flow {
    let k = 0;
    for (let off = 0; off < total; off += this.mss, k++) {
      const n = Math.min(this.mss, total - off);
      this.seg(fromA, TH_ACK | (off + n === total ? TH_PSH : 0), (w) => fill(w, off, n)); yield;
      if (k & 1) yield* this.ack(!fromA);
    }
    if (k & 1) yield* this.ack(!fromA); // the last segment went unacknowledged in the loop
  }

  /** Orderly release begun by a (or b); 3% of connections are reset instead. */
  *close(fromA = true): Flow {
    if (this.link.net.rng.chance(0.03)) {
      this.seg(fromA, TH_RST | TH_ACK); yield;
      return;
    }
    this.seg(fromA, TH_FIN | TH_ACK); yield;
    this.seg(!fromA, TH_FIN | TH_ACK); yield;
    this.seg(fromA, TH_ACK); yield;
  }
}

/** 2001:db8:net:: style global address (RFC 3849 documentation prefix). */
function ip6(prefix: number, net: number, i: number): Uint8Array {
  const a = new Uint8Array(16), dv = new DataView(a.buffer);
  dv.setUint32(0, prefix);
  dv.setUint16(4, net & 0xffff);
  dv.setUint16(14, i & 0xffff);
  a[8] = 0x02;
  return a;
}
