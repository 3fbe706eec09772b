// TCP stream numbering during the dissection pass (Wireshark packet-tcp.c, dissect_tcp(): find_conversation_pinfo,
// conversation_new, get_tcp_conversation_data; and the base_seq bookkeeping of tcp_analyze_sequence_number()).
// A stream is a conversation: the unordered pair of (address, port) endpoints. A pure SYN whose sequence number
// differs from the first one seen from that side starts a new stream on the same endpoints ("TCP port numbers
// reused"); a SYN/ACK with a new sequence number just moves that side's base. Typed arrays only, no objects.

import { EndpointTable, IntVec } from "./transport-endpoints.js";

export const TH_FIN = 0x001;
export const TH_SYN = 0x002;
export const TH_RST = 0x004;
export const TH_PUSH = 0x008;
export const TH_ACK = 0x010;
export const TH_URG = 0x020;
export const TH_ECE = 0x040;
export const TH_CWR = 0x080;
export const TH_AE = 0x100;
export const TH_RES = 0xe00;
export const TH_MASK = 0xfff;

/** Byte offset of the data offset / flags word (RFC 9293 section 3.1). */
const OFFSET_FLAGS = 12;
/** Header length in bytes (data offset x 4). The caller has checked 13 bytes are captured. */
export const hdrLen = (b: Uint8Array, o: number): number => (b[o + OFFSET_FLAGS] >> 4) * 4;
/** The 12 flag bits. */
export const flagsOf = (b: Uint8Array, o: number): number => ((b[o + OFFSET_FLAGS] << 8) | b[o + OFFSET_FLAGS + 1]) & TH_MASK;

// A tcp layer's aux: stream << AUX_SHIFT | flags.
export const AUX_DIR = 1; // sent by the conversation's second endpoint
export const AUX_QUOTED = 2; // quoted in an ICMP error, or an unreassembled fragment: no segment length, no analysis
export const AUX_ICMP_IP = 4; // quoted in an ICMPv4 error (tshark then shows only the raw sequence number, early)
export const AUX_REUSED = 8; // this SYN started a new stream over endpoints that had one ("port numbers reused")
export const AUX_SHIFT = 4;
/** The stream bits of a layer without a stream (fewer than 16 bytes captured, or no IP addresses). */
export const TCP_NO_STREAM = 0xffffffff >>> AUX_SHIFT;
/** The stream bits of a segment a pass did not number (lib/decode/depth.ts) that a numbering pass would have. */
export const TCP_UNNUMBERED = TCP_NO_STREAM - 1;
/** The stream index kept in a tcp layer's aux, or TCP_NO_STREAM / TCP_UNNUMBERED. */
export const tcpStreamOf = (aux: number): number => aux >>> AUX_SHIFT;

/** Growable Uint32 array (sequence numbers per stream and direction). */
class U32Vec {
  data = new Uint32Array(512);
  ensure(i: number): void {
    if (i < this.data.length) return;
    let n = this.data.length * 2;
    while (n <= i) n *= 2;
    const d = new Uint32Array(n);
    d.set(this.data);
    this.data = d;
  }
  /** Forgets every entry, giving back what the array grew to. */
  reset(): void {
    if (this.data.length > 512) this.data = new Uint32Array(512);
    else this.data.fill(0);
  }
}

/**
 * The base sequence number of each side of each stream, as tcp_analyze_sequence_number() sets it: the ISN of a
 * SYN, one less than the first sequence number seen otherwise, and the other side's from the first ACK (ack - 1).
 * Shared by the pass (port-reuse detection) and by the replay that computes relative numbers.
 */
export class BaseSeqs {
  /** Index stream * 2 + dir. */
  readonly seq = new U32Vec();
  readonly set = new IntVec(512, 0);

  reset(): void {
    this.seq.reset();
    this.set.reset();
  }

  ensure(stream: number): void {
    this.seq.ensure(stream * 2 + 1);
    this.set.ensure(stream * 2 + 1);
  }

  isSet(stream: number, dir: number): boolean { return this.set.data[stream * 2 + dir] !== 0; }
  get(stream: number, dir: number): number { return this.seq.data[stream * 2 + dir]; }
  put(stream: number, dir: number, v: number): void {
    this.seq.data[stream * 2 + dir] = v >>> 0;
    this.set.data[stream * 2 + dir] = 1;
  }

  /** The SYN/ACK rule of dissect_tcp(): a SYN/ACK with a new sequence number re-bases its side (issue 16944). */
  synAck(stream: number, dir: number, flags: number, seq: number): void {
    if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK) && this.isSet(stream, dir) && this.get(stream, dir) !== seq) {
      this.put(stream, dir, seq);
    }
  }

  /** The first lines of tcp_analyze_sequence_number(), run for every segment whose length is known. */
  analyze(stream: number, dir: number, flags: number, seq: number, ack: number): void {
    if (!this.isSet(stream, dir)) this.put(stream, dir, flags & TH_SYN ? seq : seq - 1);
    if (!this.isSet(stream, dir ^ 1) && flags & TH_ACK) this.put(stream, dir ^ 1, ack - 1);
  }
}

/** What lookup() found out about a segment. */
export interface StreamHit {
  stream: number;
  /** 0 or 1: which endpoint of the conversation sent the segment. */
  dir: number;
  /** This segment opened the stream (the first of a conversation, or a reuse). */
  opened: boolean;
  /** This pure SYN started a stream over endpoints that already had one (a new ISN: port reuse). */
  reused: boolean;
  /** This pure SYN repeats the ISN its side started with (a retransmitted SYN). */
  repeatedSyn: boolean;
  /** This SYN/ACK carries a new ISN for its side, which re-bases it. */
  rebased: boolean;
}

/**
 * The port-reuse checks of dissect_tcp() on a stream's base sequence numbers, before the segment's own analysis:
 * 1 = a pure SYN with a new ISN (a new stream), 2 = a pure SYN with the same ISN, 3 = a SYN/ACK with a new ISN.
 */
export function reuseCheck(base: BaseSeqs, stream: number, dir: number, flags: number, seq: number): number {
  const syn = flags & (TH_SYN | TH_ACK);
  if (syn === TH_SYN && base.isSet(stream, dir)) return base.get(stream, dir) !== seq ? 1 : 2;
  if (syn === (TH_SYN | TH_ACK) && base.isSet(stream, dir) && base.get(stream, dir) !== seq) return 3;
  return 0;
}

/** The pass-time conversation table of TCP. One instance, reset before each pass. */
export class TcpStreams {
  private readonly keys = new EndpointTable();
  private readonly keyStream = new IntVec(256, -1);
  readonly base = new BaseSeqs();
  /** The server port learnt from a SYN (its destination) or SYN/ACK (its source), 0 when unknown. */
  readonly serverPort = new IntVec(256, 0);
  count = 0;
  readonly hit: StreamHit = { stream: 0, dir: 0, opened: false, reused: false, repeatedSyn: false, rebased: false };

  reset(): void {
    this.keys.clear();
    this.keyStream.reset();
    this.base.reset();
    this.serverPort.reset();
    this.count = 0;
  }

  /** Finds or numbers the stream of a segment (fills and returns `hit`, which is reused: copy what you keep). */
  lookup(family: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, flags: number, seq: number): StreamHit {
    const k = this.keys.lookup(family, src, sport, dst, dport), dir = this.keys.dir;
    this.keyStream.ensure(k);
    let s = this.keyStream.data[k];
    const check = s < 0 ? 0 : reuseCheck(this.base, s, dir, flags, seq);
    const opening = s < 0 || check === 1;
    if (opening) s = this.open(k);
    this.base.synAck(s, dir, flags, seq);
    const h = this.hit;
    h.stream = s;
    h.dir = dir;
    h.opened = opening;
    h.reused = check === 1;
    h.repeatedSyn = check === 2;
    h.rebased = check === 3;
    return h;
  }

  /** Notes the server port a SYN or SYN/ACK reveals. */
  learnServerPort(stream: number, flags: number, sport: number, dport: number): void {
    if (flags & TH_SYN) this.serverPort.data[stream] = flags & TH_ACK ? sport : dport;
  }

  private open(key: number): number {
    const s = this.count++;
    this.keyStream.data[key] = s;
    this.base.ensure(s);
    this.serverPort.ensure(s);
    this.serverPort.data[s] = 0;
    return s;
  }
}
