// TCP sequence analysis: retransmissions, lost and out-of-order segments, duplicate ACKs, window and keep-alive
// events, ACK round trips and bytes in flight — packet-tcp.c tcp_analyze_sequence_number() and
// tcp_print_sequence_number_analysis() with 4.0 default preferences (analysis on, bytes in flight from the
// payloads, "fast retransmission supersedes out-of-order" on, no out-of-order reassembly).
// One engine serves two callers: the dissection pass (tcp.ts), which needs only the flags — a retransmitted or
// out-of-order segment is not handed to its payload dissector — and keeps no segment lists; and the replay
// (tcp-replay.ts), which also keeps the unacknowledged segments per direction for RTT, RTO and bytes in flight.

import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN } from "./tcp-streams.js";

export const A_RETRANSMISSION = 0x0001;
export const A_LOST_PACKET = 0x0002;
export const A_ACK_LOST_PACKET = 0x0004;
export const A_KEEP_ALIVE = 0x0008;
export const A_DUPLICATE_ACK = 0x0010;
export const A_ZERO_WINDOW = 0x0020;
export const A_ZERO_WINDOW_PROBE = 0x0040;
export const A_ZERO_WINDOW_PROBE_ACK = 0x0080;
export const A_KEEP_ALIVE_ACK = 0x0100;
export const A_OUT_OF_ORDER = 0x0200;
export const A_FAST_RETRANSMISSION = 0x0400;
export const A_WINDOW_UPDATE = 0x0800;
export const A_WINDOW_FULL = 0x1000;
export const A_REUSED_PORTS = 0x2000;
export const A_SPURIOUS_RETRANSMISSION = 0x4000;

/** Segments kept unacknowledged per direction at most (packet-tcp.c TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;
/** SACK blocks remembered for bytes in flight (MAX_TCP_SACK_RANGES; index 0 unused, as in packet-tcp.c). */
const MAX_SACK_RANGES = 4;
/** Out-of-order threshold before an initial RTT is known, and the fast-retransmission window (seconds). */
const OOO_DEFAULT = 0.003, FAST_RT_WINDOW = 0.02;

// Sequence-space comparisons modulo 2^32 (packet-tcp.h GT_SEQ …).
const GT = (a: number, b: number) => ((b - a) | 0) < 0;
const LT = (a: number, b: number) => ((a - b) | 0) < 0;
const LE = (a: number, b: number) => ((a - b) | 0) <= 0;

/** The per-segment result (Wireshark's struct tcp_acked). */
export class Ta {
  exists = false;
  flags = 0;
  dupackNum = 0;
  dupackFrame = 0;
  /** 0-based frame this segment ACKs, -1 if none; ackRttFrom: frame whose time the RTT is measured from. */
  frameAcked = -1;
  ackFrom = -1;
  bytesInFlight = 0;
  pushBytesSent = 0;
  rtoFrame = -1;
  clear(): void {
    this.exists = false;
    this.flags = 0;
    this.dupackNum = 0;
    this.dupackFrame = 0;
    this.frameAcked = -1;
    this.ackFrom = -1;
    this.bytesInFlight = 0;
    this.pushBytesSent = 0;
    this.rtoFrame = -1;
  }
}

/**
 * The unacknowledged segments (tcp_unacked_t) of every direction: one list per direction, oldest first, linked through
 * `next`, in typed arrays; entries of dropped segments are reused. Why not an object per segment: the replay of a
 * 2M-frame capture keeps some 900,000 of them for a while each (sequence numbers past 2^31 boxed as heap numbers
 * too); they outlived the young generation and left ~60 MB of old-space garbage at the end of the replay.
 */
class UnackedLists {
  frame = new Int32Array(1024);
  seq = new Uint32Array(1024);
  nextseq = new Uint32Array(1024);
  next = new Int32Array(1024);
  /** Entries ever used; those dropped since are chained from `free` through `next`. */
  used = 0;
  free = -1;

  /** A new entry (its `next` is -1). */
  take(frame: number, seq: number, nextseq: number): number {
    let e = this.free;
    if (e >= 0) this.free = this.next[e];
    else {
      if (this.used === this.frame.length) this.grow();
      e = this.used++;
    }
    this.frame[e] = frame;
    this.seq[e] = seq;
    this.nextseq[e] = nextseq;
    this.next[e] = -1;
    return e;
  }

  drop(e: number): void {
    this.next[e] = this.free;
    this.free = e;
  }

  clear(): void {
    this.used = 0;
    this.free = -1;
  }

  private grow(): void {
    const n = this.frame.length * 2;
    const f = new Int32Array(n), s = new Uint32Array(n), x = new Uint32Array(n), nx = new Int32Array(n);
    f.set(this.frame); s.set(this.seq); x.set(this.nextseq); nx.set(this.next);
    this.frame = f; this.seq = s; this.nextseq = x; this.next = nx;
  }
}

/** Growable per-direction arrays. */
class Vec<T extends Float64Array | Uint32Array | Int32Array | Uint8Array> {
  constructor(public data: T, private readonly make: (n: number) => T, private readonly fill: number) { data.fill(fill); }
  /** Makes index i addressable: the array doubles until it is, or (`exact`) becomes i + 1 entries long. */
  ensure(i: number, exact = false): void {
    if (i < this.data.length) return;
    let n = this.data.length * 2;
    while (n <= i) n *= 2;
    if (exact) n = i + 1;
    const d = this.make(n);
    d.set(this.data as never);
    // A new array is zeros: only other fill values are written (an entry never used then costs no memory).
    if (this.fill !== 0) d.fill(this.fill, this.data.length);
    this.data = d;
  }
  /** Forgets every entry, giving back what the array grew to. */
  reset(): void {
    if (this.data.length > 512) this.data = this.make(512);
    this.data.fill(this.fill);
  }
}
const f64 = (fill = 0) => new Vec(new Float64Array(512), (n) => new Float64Array(n), fill);
const u32 = (fill = 0) => new Vec(new Uint32Array(512), (n) => new Uint32Array(n), fill);
const i32 = (fill = 0) => new Vec(new Int32Array(512), (n) => new Int32Array(n), fill);
const u8 = (fill = 0) => new Vec(new Uint8Array(512), (n) => new Uint8Array(n), fill);

/**
 * The analysis state of every stream of one pass, indexed by stream * 2 + direction. Times are epoch seconds
 * (the walker's ctx.time), frame numbers 0-based. Contract: segment() allocates nothing unless `keepSegments`.
 */
export class SeqAnalyzer {
  readonly ta = new Ta();
  private readonly nextseq = u32();
  private readonly nextseqFrame = i32(-1);
  private readonly nextseqTime = f64();
  private readonly lastack = u32();
  private readonly lastackTime = f64();
  private readonly lastnondupack = i32();
  private readonly dupacknum = i32();
  private readonly window = f64(0xffffffff);
  private readonly maxseqtobeacked = u32();
  private readonly lastsegflags = i32();
  private readonly validBif = u8(1);
  private readonly pushBytes = f64();
  private readonly pushSetLast = u8();
  private readonly isFirstAck = u8();
  private readonly closing = u8();
  private readonly numSack = i32();
  private readonly sackLe = u32();
  private readonly sackRe = u32();
  /** Per stream: the most recent SYN (frame, -1 none; time), and the initial RTT (its two frames, its seconds). */
  private readonly mruSyn = i32(-1);
  private readonly mruSynTime = f64();
  private readonly rttSyn = i32(-1);
  private readonly rttAck = i32(-1);
  private readonly rtt = f64();
  /** Per direction: the first (oldest) and last unacknowledged segment (-1: none) in `unacked`, and how many. */
  private readonly oldest = i32(-1);
  private readonly newest = i32(-1);
  private readonly unackedCount = i32();
  private readonly unacked = new UnackedLists();

  /**
   * `keepSegments`: keep the unacknowledged segments (RTT, RTO, bytes in flight). `between(i, ti, j, tj)`: seconds
   * from frame j (epoch tj) to frame i (epoch ti); the replay passes an exact one, the pass the plain difference.
   */
  constructor(private readonly keepSegments: boolean,
    private readonly between: (i: number, ti: number, j: number, tj: number) => number = (_i, ti, _j, tj) => ti - tj) {}

  reset(): void {
    for (const v of [this.nextseq, this.nextseqFrame, this.nextseqTime, this.lastack, this.lastackTime, this.lastnondupack,
      this.dupacknum, this.window, this.maxseqtobeacked, this.lastsegflags, this.validBif, this.pushBytes, this.pushSetLast,
      this.isFirstAck, this.closing, this.numSack, this.sackLe, this.sackRe, this.mruSyn, this.mruSynTime, this.rttSyn,
      this.rttAck, this.rtt, this.oldest, this.newest, this.unackedCount]) v.reset();
    this.unacked.clear();
    // The arrays are back to their first size: a later pass must grow them again for its streams (without this, a
    // second pass in one process wrote past them for streams from 256 on, and typed arrays ignore such writes).
    this.room = 0;
  }

  /** Streams the arrays already address (they grow for many streams at once, not at each new stream). */
  private room = 0;

  /**
   * Makes streams 0 .. streams - 1 addressable at once, for a caller that knows how many there are (the replay): the
   * arrays are then allocated once, not outgrown as streams open (each outgrown array is garbage V8 collects late).
   */
  reserve(streams: number): void {
    if (streams > this.room) this.grow(streams, true);
  }

  /** Makes stream s addressable; call when a stream is opened. */
  open(s: number): void {
    if (s >= this.room) this.grow(Math.max(s + 1, this.room * 2, 256));
  }

  /** Makes streams 0 .. streams - 1 addressable (`exact`: no more). */
  private grow(streams: number, exact = false): void {
    const s = streams - 1, k = s * 2 + 1;
    this.room = streams;
    for (const v of [this.nextseq, this.nextseqFrame, this.nextseqTime, this.lastack, this.lastackTime, this.lastnondupack,
      this.dupacknum, this.window, this.maxseqtobeacked, this.lastsegflags, this.validBif, this.pushBytes, this.pushSetLast,
      this.isFirstAck, this.closing, this.numSack, this.oldest, this.newest, this.unackedCount]) v.ensure(k, exact);
    this.sackLe.ensure(k * MAX_SACK_RANGES + MAX_SACK_RANGES, exact);
    this.sackRe.ensure(k * MAX_SACK_RANGES + MAX_SACK_RANGES, exact);
    for (const v of [this.mruSyn, this.mruSynTime, this.rttSyn, this.rttAck, this.rtt]) v.ensure(s, exact);
  }

  /** Starts a segment of stream s, direction d: no result yet, and this side's SACK blocks are forgotten. */
  begin(s: number, d: number): void {
    this.ta.clear();
    this.numSack.data[s * 2 + d] = 0;
  }

  /** dissect_tcp's port-reuse paths mark the segment; a SYN repeating the first one also rewinds nextseq. */
  reused(s: number, d: number, repeatedSyn: boolean): void {
    if (repeatedSyn) {
      // A retransmitted SYN only rewinds nextseq (issue 17616); 4.0 does not call it port reuse.
      this.nextseq.data[s * 2 + d] = this.maxseqtobeacked.data[s * 2 + d];
      return;
    }
    this.ta.exists = true;
    this.ta.flags |= A_REUSED_PORTS;
  }

  /**
   * tcp_analyze_sequence_number() for a segment of frame `frame` at epoch seconds `now`: `win` is the raw window,
   * `wsRev` the other side's scale state (-1 unknown, -2 none), `baseF` this side's base sequence number.
   */
  segment(s: number, d: number, frame: number, now: number, fl: number, seq: number, ack: number, seglen: number, win: number,
    wsRev: number, baseF: number): void {
    const F = s * 2 + d, R = F ^ 1, ta = this.ta;
    const nextseq = this.nextseq.data, lastack = this.lastack.data, dup = this.dupacknum.data;
    if (fl & TH_ACK) this.validBif.data[R] = 1;
    const noSFR = (fl & (TH_SYN | TH_FIN | TH_RST)) === 0;
    fwd: {
      if (seglen === 1 && seq === nextseq[F] && this.window.data[R] === 0) { this.mark(A_ZERO_WINDOW_PROBE); break fwd; }
      if (win === 0 && noSFR) this.mark(A_ZERO_WINDOW);
      if (nextseq[F] !== 0 && GT(seq, nextseq[F]) && !(fl & TH_RST)) { this.mark(A_LOST_PACKET); this.validBif.data[F] = 0; }
      if ((seglen === 0 || seglen === 1) && seq === ((nextseq[F] - 1) >>> 0) && noSFR) this.mark(A_KEEP_ALIVE);
      const sameSeqAck = seglen === 0 && seq === nextseq[F] && ack === lastack[F] && noSFR;
      if (sameSeqAck && win !== 0 && win !== this.window.data[F]) this.mark(A_WINDOW_UPDATE);
      if (seglen > 0 && wsRev !== -1 && noSFR) {
        const shift = this.isFirstAck.data[R] ? 0 : wsRev === -2 ? 0 : wsRev;
        // A shift (0..14) as a multiplier without Math.pow (`2 ** shift` is a call: it showed in profiles).
        const scale = shift >= 0 && shift < 31 ? 1 << shift : 2 ** shift;
        if (((seq + seglen) >>> 0) === ((lastack[R] + this.window.data[R] * scale) >>> 0)) this.mark(A_WINDOW_FULL);
      }
      if (sameSeqAck && win !== 0 && win === this.window.data[F] && this.lastsegflags.data[R] & A_KEEP_ALIVE) { this.mark(A_KEEP_ALIVE_ACK); break fwd; }
      if (sameSeqAck && win === 0 && win === this.window.data[F] && this.lastsegflags.data[R] & A_ZERO_WINDOW_PROBE) { this.mark(A_ZERO_WINDOW_PROBE_ACK); break fwd; }
      if (sameSeqAck && win !== 0 && win === this.window.data[F]) {
        dup[F] = dup[F] === -1 ? 1 : dup[F] + 1;
        this.mark(A_DUPLICATE_ACK);
        ta.dupackNum = dup[F];
        ta.dupackFrame = this.lastnondupack.data[F];
      }
    }
    if (ack !== lastack[F]) { this.lastnondupack.data[F] = frame; dup[F] = 0; }
    const maxR = this.maxseqtobeacked.data;
    if (maxR[R] !== 0 && GT(ack, maxR[R]) && fl & TH_ACK) {
      ta.exists = true;
      // Raise the mark to what the other side has sent, so one loss is reported once; while the mark already
      // covers it, report again only after that side moved its own ACK on (dupacknum back at 0).
      if (maxR[R] < nextseq[R]) { maxR[R] = nextseq[R]; ta.flags |= A_ACK_LOST_PACKET; }
      else {
        if (dup[R] === 0) ta.flags |= A_ACK_LOST_PACKET;
        dup[R] = -1;
      }
    }
    if (seglen > 0 || fl & (TH_SYN | TH_FIN)) this.retransmission(s, F, R, frame, now, fl, seq, seglen);
    this.advance(F, frame, now, fl, seq, ack, seglen, win);
    if (this.keepSegments) this.acked(F, R, seq, ack, seglen, fl, baseF);
  }

  private mark(bit: number): void {
    this.ta.exists = true;
    this.ta.flags |= bit;
  }

  /** The retransmission / fast retransmission / spurious / out-of-order decision. */
  private retransmission(s: number, F: number, R: number, frame: number, now: number, fl: number, seq: number, seglen: number): void {
    const ta = this.ta, nextseq = this.nextseq.data;
    let notAdvanced = nextseq[F] !== 0 && LT(seq, nextseq[F]);
    if (ta.flags & A_KEEP_ALIVE) return;
    if (seglen > 1 && ((nextseq[F] - 1) >>> 0) === seq) notAdvanced = false;
    const lastackR = this.lastack.data[R];
    if (seglen > 0 && lastackR !== 0 && LE((seq + seglen) >>> 0, lastackR)) { ta.exists = true; ta.flags |= A_SPURIOUS_RETRANSMISSION; return; }
    // tshark subtracts the times as unsigned nanoseconds: a segment older than the reference never qualifies.
    const sinceAck = now - this.lastackTime.data[R];
    if (notAdvanced && this.dupacknum.data[R] >= 2 && lastackR === seq && sinceAck >= 0 && sinceAck < FAST_RT_WINDOW) {
      ta.exists = true;
      ta.flags |= A_FAST_RETRANSMISSION;
      return;
    }
    const rtt = this.rtt.data[s], threshold = rtt !== 0 ? rtt : OOO_DEFAULT, sinceNext = now - this.nextseqTime.data[F];
    if (notAdvanced && sinceNext >= 0 && sinceNext < threshold &&
      nextseq[F] !== ((seq + seglen + (fl & (TH_SYN | TH_FIN) ? 1 : 0)) >>> 0)) {
      ta.exists = true;
      ta.flags |= A_OUT_OF_ORDER;
      return;
    }
    if (!notAdvanced) return;
    ta.exists = true;
    ta.flags |= A_RETRANSMISSION;
    ta.rtoFrame = this.nextseqFrame.data[F];
    if (this.keepSegments) {
      const eldest = this.oldest.data[F];
      if (eldest >= 0) ta.rtoFrame = this.unacked.frame[eldest]; // the eldest unacknowledged segment
    }
  }

  /** Remembers this segment: nextseq, 'max seq to be acked', window, last ACK, last flags. */
  private advance(F: number, frame: number, now: number, fl: number, seq: number, ack: number, seglen: number, win: number): void {
    const ta = this.ta, nextseq = this.nextseq.data, zwp = (ta.flags & A_ZERO_WINDOW_PROBE) !== 0;
    let next = (seq + seglen) >>> 0;
    if (fl & (TH_SYN | TH_FIN)) next = (next + 1) >>> 0;
    if ((seglen || fl & (TH_SYN | TH_FIN)) && this.keepSegments && this.unackedCount.data[F] < MAX_UNACKED) {
      const e = this.unacked.take(frame, seq, next), tail = this.newest.data[F];
      if (tail >= 0) this.unacked.next[tail] = e;
      else this.oldest.data[F] = e;
      this.newest.data[F] = e;
      this.unackedCount.data[F]++;
    }
    if ((GT(next, nextseq[F]) || nextseq[F] === 0) && !zwp) {
      nextseq[F] = next;
      this.nextseqFrame.data[F] = frame;
      this.nextseqTime.data[F] = now;
    }
    const max = this.maxseqtobeacked.data;
    if ((seq === max[F] || max[F] === 0) && !zwp) max[F] = nextseq[F];
    this.window.data[F] = win;
    this.lastack.data[F] = ack;
    this.lastackTime.data[F] = now;
    this.lastsegflags.data[F] = ta.exists ? ta.flags : 0;
  }

  /** Drops the other side's segments this ACK covers, notes the one it ACKs exactly, then bytes in flight. */
  private acked(F: number, R: number, seq: number, ack: number, seglen: number, fl: number, base: number): void {
    const ta = this.ta, U = this.unacked, useq = U.seq, unext = U.nextseq, link = U.next;
    // Wireshark's list is newest first and the last segment it finds ACKed exactly wins: the eldest such, which is the
    // first one met here, oldest first.
    let acked = -1, prev = -1, e = this.oldest.data[R];
    while (e >= 0) {
      const nx = link[e], end = unext[e];
      let keep = false;
      if (ack === end) {
        if (acked < 0) acked = U.frame[e];
      } else if (GT(ack, useq[e]) && LE(ack, end)) {
        useq[e] = ack;
        keep = true;
      } else if (GT(end, ack)) keep = true;
      if (keep) prev = e;
      else {
        if (prev >= 0) link[prev] = nx;
        else this.oldest.data[R] = nx;
        if (this.newest.data[R] === e) this.newest.data[R] = prev;
        this.unackedCount.data[R]--;
        U.drop(e);
      }
      e = nx;
    }
    if (acked >= 0) {
      ta.exists = true;
      ta.frameAcked = acked;
      ta.ackFrom = acked;
    }
    if (seglen === 0 || this.oldest.data[F] < 0 || !this.validBif.data[F]) return;
    // Relative to the base and compared unsigned, as packet-tcp.c does (over every segment: the order does not matter).
    let first = 0xffffffff, last = 0;
    for (let u = this.oldest.data[F]; u >= 0; u = link[u]) {
      const a = (unext[u] - base) >>> 0, b = (useq[u] - base) >>> 0;
      if (a > last) last = a;
      if (b < first) first = b;
    }
    let inFlight = (last - first) >>> 0;
    const n = this.numSack.data[R];
    for (let i = 0; i < n; i++) inFlight = (inFlight - ((this.sackRe.data[R * MAX_SACK_RANGES + i + 1] - this.sackLe.data[R * MAX_SACK_RANGES + i + 1]) >>> 0)) >>> 0;
    if (inFlight > 0 && inFlight < 2000000000) {
      ta.exists = true;
      ta.bytesInFlight = fl & (TH_SYN | TH_FIN) ? inFlight - 1 : inFlight;
    }
    const push = this.pushBytes.data, setLast = this.pushSetLast.data;
    if (fl & TH_PUSH) {
      push[F] = setLast[F] ? seglen : push[F] + seglen;
      setLast[F] = 1;
    } else if (setLast[F]) {
      push[F] = seglen;
      setLast[F] = 0;
    } else push[F] += seglen;
    ta.exists = true;
    ta.pushBytesSent = push[F];
  }

  /** The SACK blocks of this side's segment (relative edges), for the other side's bytes in flight. */
  sack(s: number, d: number, le: readonly number[], re: readonly number[]): void {
    const F = s * 2 + d;
    for (let i = 0; i < le.length; i++) {
      const n = i + 1;
      if (n >= MAX_SACK_RANGES) break;
      this.numSack.data[F] = n;
      this.sackLe.data[F * MAX_SACK_RANGES + n] = le[i];
      this.sackRe.data[F * MAX_SACK_RANGES + n] = re[i];
    }
  }

  /**
   * The SYN / FIN / first-ACK bookkeeping dissect_tcp does after the header fields: the most recent SYN's time,
   * the initial RTT at the first pure ACK after it, the closing initiator. Returns 1 for an active close, 2 for a
   * passive one, 0 without FIN.
   */
  header(s: number, d: number, frame: number, now: number, fl: number): number {
    const F = s * 2 + d;
    let close = 0;
    if (fl & TH_SYN) {
      if (!(fl & TH_ACK)) { this.mruSyn.data[s] = frame; this.mruSynTime.data[s] = now; }
      this.isFirstAck.data[F] = 1;
    }
    if (fl & TH_FIN) {
      if (!this.closing.data[F ^ 1]) { this.closing.data[F] = 1; close = 1; } else close = 2;
    }
    const pureAck = (fl & (TH_SYN | TH_ACK)) === TH_ACK;
    // An initial RTT of zero counts as none yet (nstime_is_zero), so the next pure ACK measures again.
    if (pureAck && this.mruSyn.data[s] >= 0 && this.rtt.data[s] === 0) {
      this.rttSyn.data[s] = this.mruSyn.data[s];
      this.rttAck.data[s] = frame;
      this.rtt.data[s] = this.between(frame, now, this.mruSyn.data[s], this.mruSynTime.data[s]);
    }
    if (pureAck) this.isFirstAck.data[F] = 0;
    return close;
  }

  /** Whether stream s has an initial RTT, and its frames (SYN, ACK): separate numbers, nothing allocated per call. */
  hasInitialRtt(s: number): boolean { return this.rtt.data[s] !== 0; }
  initialRttSyn(s: number): number { return this.rttSyn.data[s]; }
  initialRttAck(s: number): number { return this.rttAck.data[s]; }
}
