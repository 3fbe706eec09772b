// The TCP fields that depend on earlier segments of the stream, computed by replaying every tcp layer of a capture
// in frame order, as tshark's single pass computes them (packet-tcp.c dissect_tcp() with 4.0 default preferences):
// relative sequence and acknowledgment numbers, the next sequence number, the scaled window and its scale factor,
// conversation completeness, per-stream timestamps and relative SACK edges. One replay a capture serves all of
// these fields (cached per layer table, so "decode as" starts a new one).

import type { Column } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import { rowNumbers, type RowNumbers } from "../decode/row-numbers.js";
import { u16, u32 } from "./bytes.js";
import type { DeriveSource, FieldDef, FieldType } from "./field.js";
import { OptionCursor, Step, TCPOPT_SACK, TCPOPT_WINDOW } from "./tcp-options.js";
import {
  AUX_DIR, AUX_ICMP_IP, AUX_QUOTED, AUX_REUSED, BaseSeqs, flagsOf, hdrLen, reuseCheck, TCP_NO_STREAM, tcpStreamOf,
  TH_ACK, TH_FIN, TH_RST, TH_SYN,
} from "./tcp-streams.js";
import { scanLayers } from "./transport-scan.js";
import { SeqAnalyzer } from "./tcp-analysis.js";
import { analysisFields, printAnalysis } from "./tcp-analysis-fields.js";

/** Conversation completeness bits (packet-tcp.c TCP_COMPLETENESS_*). */
export const COMPLETENESS = { SYNSENT: 0x01, SYNACK: 0x02, ACK: 0x04, DATA: 0x08, FIN: 0x10, RST: 0x20 } as const;

/** Window scale states of a direction: a shift 0..14, or unknown / not used (packet-tcp.c win_scale). */
const WS_UNKNOWN = -1, WS_NONE = -2;

const defs = new Map<string, FieldDef>();
function derived(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  // The replay reads tcp layers and their stream numbers only: no payload needs dissecting for it.
  const def: FieldDef = { abbrev, name, type, description, deriveDepth: "streams", derive: (src) => replay(src).get(abbrev)! };
  defs.set(abbrev, def);
  return def;
}

export const DERIVED_FIELDS: readonly FieldDef[] = [
  derived("tcp.completeness", "Conversation completeness", "uint8", "What the stream showed before this segment: 1 SYN, 2 SYN/ACK, 4 ACK, 8 data, 16 FIN, 32 RST"),
  derived("tcp.seq", "Sequence Number", "uint32", "Sequence number relative to the side's first (raw when the segment length is unknown)"),
  derived("tcp.nxtseq", "Next Sequence Number", "uint32", "Relative sequence number after this segment (SYN and FIN count one)"),
  derived("tcp.ack", "Acknowledgment Number", "uint32", "Acknowledgment number relative to the other side's first sequence number (raw without ACK)"),
  derived("tcp.window_size", "Calculated window size", "uint32", "The window scaled by the factor the handshake announced"),
  derived("tcp.window_size_scalefactor", "Window size scaling factor", "int32", "The factor (2^shift); -1 when unknown, -2 when no scaling is used"),
  derived("tcp.time_relative", "Time since first frame in this TCP stream", "rel_time", "Seconds since the stream's first segment"),
  derived("tcp.time_delta", "Time since previous frame in this TCP stream", "rel_time", "Seconds since the stream's previous segment"),
  derived("tcp.options.sack_le", "TCP SACK Left Edge", "uint32", "Left edge of each SACK block, relative"),
  derived("tcp.options.sack_re", "TCP SACK Right Edge", "uint32", "Right edge of each SACK block, relative"),
  ...analysisFields(derived),
];

/** Slots of the replay's own builders (an array lookup, not a property by name, in the per-segment loop). */
const OWN = [
  "tcp.completeness", "tcp.seq", "tcp.nxtseq", "tcp.ack", "tcp.window_size", "tcp.window_size_scalefactor", "tcp.time_relative", "tcp.time_delta", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.connection.fin_active", "tcp.connection.fin_passive",
] as const;
const O_COMPLETENESS = 0;
const O_SEQ = 1;
const O_NXTSEQ = 2;
const O_ACK = 3;
const O_WINDOW_SIZE = 4;
const O_WINDOW_SIZE_SCALEFACTOR = 5;
const O_TIME_RELATIVE = 6;
const O_TIME_DELTA = 7;
const O_OPTIONS_SACK_LE = 8;
const O_OPTIONS_SACK_RE = 9;
const O_CONNECTION_FIN_ACTIVE = 10;
const O_CONNECTION_FIN_PASSIVE = 11;

/** Fields with a value in (nearly) every segment: their arrays are sized for every tcp layer at once. */
const PER_SEGMENT = new Set<string>(OWN.slice(0, O_TIME_DELTA + 1));

const cache = new WeakMap<LayerTable, Map<string, Column>>();

/** Every derived tcp column of the capture; computed once per layer table. */
function replay(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const id = src.protoId("tcp"), n = src.file.index.count;
  const { proto, aux } = layers;
  let maxStream = -1, segments = 0;
  for (let l = 0; l < layers.count; l++) {
    if (proto[l] !== id) continue;
    segments++;
    const s = tcpStreamOf(aux[l]);
    if (s !== TCP_NO_STREAM && s > maxStream) maxStream = s;
  }
  // Straight into typed arrays (decode/row-numbers.ts): a put per value, no Sink.
  const out = new Map<string, RowNumbers>();
  for (const [a, d] of defs) out.set(a, rowNumbers(d, n, PER_SEGMENT.has(a) ? segments : 0, segments));
  const r = new Replay(src, maxStream + 1, out);
  if (segments > 0) scanLayers(src, "tcp", (b, o, e, rep, aux, f) => r.segment(b, o, e, rep, aux, f));
  const cols = new Map<string, Column>();
  for (const [a, o] of out) cols.set(a, o.finish());
  cache.set(layers, cols);
  return cols;
}

/** Per-stream state of the replay, in typed arrays sized by the highest stream index. */
class Replay {
  private readonly seen: Uint8Array;
  private readonly completeness: Uint8Array;
  private readonly firstFrame: Int32Array;
  private readonly prevFrame: Int32Array;
  /** Index stream * 2 + dir. */
  private readonly winScale: Int8Array;
  private readonly base = new BaseSeqs();
  private readonly cur = new OptionCursor();
  private readonly analysis: SeqAnalyzer;
  private readonly seconds: (i: number, j: number) => number;
  /** The frame index's exact timestamps (whole seconds, nanoseconds). */
  private readonly tsSec: Float64Array;
  private readonly tsNsec: Uint32Array;
  private readonly b: RowNumbers[];
  private readonly all: Record<string, RowNumbers>;

  /** `n`: streams (one more than the highest stream index). */
  constructor(src: DeriveSource, n: number, out: Map<string, RowNumbers>) {
    this.seen = new Uint8Array(n);
    this.completeness = new Uint8Array(n);
    this.firstFrame = new Int32Array(n);
    this.prevFrame = new Int32Array(n);
    this.winScale = new Int8Array(n * 2);
    this.base.ensure(Math.max(n - 1, 0));
    this.all = Object.fromEntries(out);
    this.b = OWN.map((a) => out.get(a)!);
    const { tsSec, tsNsec } = src.file.index;
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
    this.seconds = (i, j) => this.between(i, j);
    this.analysis = new SeqAnalyzer(true, (i, _ti, j) => this.between(i, j));
    this.analysis.reserve(n);
  }

  /** Epoch seconds of frame f: the same the dissection pass gives its analysis (walk.ts ctx.time), so both decide alike. */
  private epoch(f: number): number {
    return this.tsSec[f] + this.tsNsec[f] / 1e9;
  }

  /** Exact seconds from frame j to frame i, from the integer (sec, nsec) pairs (transport-scan.ts secondsBetween). */
  private between(i: number, j: number): number {
    return (this.tsSec[i] - this.tsSec[j]) + (this.tsNsec[i] - this.tsNsec[j]) / 1e9;
  }

  segment(b: Uint8Array, o: number, e: number, rep: number, aux: number, f: number): void {
    const s = tcpStreamOf(aux), c = e - o, B = this.b;
    if (s === TCP_NO_STREAM) {
      // Quoted in an ICMPv4 error: tshark shows the raw sequence number as soon as 8 bytes are there.
      if (aux & AUX_ICMP_IP && c >= 8) B[O_SEQ].put(f, u32(b, o + 4));
      return;
    }
    const d = aux & AUX_DIR, fl = flagsOf(b, o), hl = hdrLen(b, o);
    const seq = u32(b, o + 4), ack = u32(b, o + 8), win = u16(b, o + 14);
    const isNew = this.seen[s] === 0;
    if (isNew) this.open(s, f, aux);
    const reuse = isNew ? 0 : reuseCheck(this.base, s, d, fl, seq);
    this.base.synAck(s, d, fl, seq);
    const A = this.analysis, now = this.epoch(f);
    A.begin(s, d);
    if (aux & AUX_REUSED || reuse === 2 || reuse === 3) A.reused(s, d, reuse === 2);
    B[O_COMPLETENESS].put(f, this.completeness[s]);
    const rel = this.between(f, this.firstFrame[s]), delta = this.between(f, this.prevFrame[s]);
    this.prevFrame[s] = f;
    const known = !(aux & AUX_QUOTED) && rep >= hl, seglen = known ? rep - hl : 0;
    if (known) {
      this.base.analyze(s, d, fl, seq, ack);
      A.segment(s, d, f, now, fl, seq, ack, seglen, win, this.winScale[s * 2 + (d ^ 1)], this.base.get(s, d));
    }
    const relSeq = known ? (seq - this.base.get(s, d)) >>> 0 : seq;
    const relAck = known && fl & TH_ACK ? (ack - this.base.get(s, d ^ 1)) >>> 0 : ack;
    if (!(aux & AUX_ICMP_IP)) B[O_SEQ].put(f, relSeq);
    if (hl < 20) return; // bogus header length: tshark stops here
    this.complete(s, isNew && !(aux & AUX_REUSED), fl, seglen);
    if (known) B[O_NXTSEQ].put(f, (relSeq + seglen + (fl & (TH_SYN | TH_FIN) ? 1 : 0)) >>> 0);
    B[O_ACK].put(f, relAck);
    const ws = this.winScale[s * 2 + d];
    B[O_WINDOW_SIZE].put(f, known && !(fl & TH_SYN) && ws >= 0 ? (win * (1 << ws)) >>> 0 : win);
    if (!(fl & TH_SYN)) B[O_WINDOW_SIZE_SCALEFACTOR].put(f, ws >= 0 ? 1 << ws : ws);
    const close = A.header(s, d, f, now, fl);
    if (close === 1) B[O_CONNECTION_FIN_ACTIVE].put(f, 1);
    if (close === 2) B[O_CONNECTION_FIN_PASSIVE].put(f, 1);
    if (c < 20) return; // the urgent pointer is not captured: tshark stops before the timestamps
    B[O_TIME_RELATIVE].put(f, rel);
    B[O_TIME_DELTA].put(f, delta);
    if (!this.options(b, o, e, hl, s, d, f)) return;
    printAnalysis(A, s, f, this.all, this.seconds);
    if (fl & TH_SYN) this.verifyWindowScaling(s, d, (fl & TH_ACK) !== 0);
  }

  private open(s: number, f: number, aux: number): void {
    this.seen[s] = 1;
    this.firstFrame[s] = f;
    this.prevFrame[s] = f;
    // A stream opened by port reuse starts as "SYN sent" (packet-tcp.c sets completeness 1 when it creates it).
    this.completeness[s] = aux & AUX_REUSED ? COMPLETENESS.SYNSENT : 0;
    this.winScale[s * 2] = WS_UNKNOWN;
    this.winScale[s * 2 + 1] = WS_UNKNOWN;
    this.analysis.open(s);
  }

  /** Moves the conversation completeness forward (dissect_tcp, "initialize or move forward"). */
  private complete(s: number, isNew: boolean, fl: number, seglen: number): void {
    const C = COMPLETENESS;
    let v = 0;
    if (isNew) {
      if ((fl & (TH_SYN | TH_ACK)) === TH_SYN) v = C.SYNSENT | (seglen > 0 ? C.DATA : 0);
    } else {
      v = this.completeness[s];
      if ((fl & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) v |= C.SYNACK;
      if ((fl & (TH_SYN | TH_ACK)) === TH_ACK) v |= seglen > 0 ? C.DATA : C.ACK;
      if ((fl & (TH_FIN | TH_ACK)) === (TH_FIN | TH_ACK)) v |= C.FIN;
      if (fl & TH_RST) v |= C.RST;
    }
    this.completeness[s] = v;
  }

  /** Walks the options: window scale and SACK edges. False when tshark's option walk ends in an exception. */
  private options(b: Uint8Array, o: number, e: number, hl: number, s: number, d: number, f: number): boolean {
    if (hl <= 20) return true;
    // Most segments carry only NOP, NOP, Timestamps (12 bytes), all captured: a walk that changes nothing and ends
    // normally, so it is skipped.
    if (hl === 32 && e - o >= 32 && b[o + 20] === 1 && b[o + 21] === 1 && b[o + 22] === 8 && b[o + 23] === 10) return true;
    const cur = this.cur.start(b, o, e, hl);
    for (;;) {
      const st = cur.step();
      if (st === Step.End || st === Step.BadLength) return true;
      if (st === Step.Truncated) return false;
      if (st !== Step.Option) continue;
      if (cur.kind === TCPOPT_WINDOW && cur.len === 3 && cur.cap === 3) this.winScale[s * 2 + d] = Math.min(b[cur.at + 2], 14);
      if (cur.kind === TCPOPT_SACK) this.sack(cur, s, d, f);
      if (cur.overruns) return false;
    }
  }

  /** SACK edges relative to the other side's base (dissect_tcpopt_sack); a cut-short edge ends the option. */
  private sack(cur: OptionCursor, s: number, d: number, f: number): void {
    const base = this.base.isSet(s, d ^ 1) ? this.base.get(s, d ^ 1) : 0;
    const B = this.b, end = cur.at + cur.cap;
    let p = cur.at + 2, left = cur.len - 2;
    const le: number[] = [], re: number[] = [];
    while (left >= 4) {
      if (p + 4 > end) break;
      const l = (u32(cur.b, p) - base) >>> 0;
      B[O_OPTIONS_SACK_LE].put(f, l);
      left -= 4;
      if (left < 4 || p + 8 > end) break;
      const r = (u32(cur.b, p + 4) - base) >>> 0;
      B[O_OPTIONS_SACK_RE].put(f, r);
      left -= 4;
      p += 8;
      le.push(l);
      re.push(r);
    }
    this.analysis.sack(s, d, le, re);
  }

  /** verify_tcp_window_scaling(): a SYN without the option means no scaling either way. */
  private verifyWindowScaling(s: number, d: number, synAck: boolean): void {
    const ws = this.winScale, fwd = s * 2 + d, rev = s * 2 + (d ^ 1);
    if (ws[fwd] === WS_UNKNOWN) {
      ws[fwd] = WS_NONE;
      ws[rev] = WS_NONE;
    } else if (synAck && ws[rev] === WS_NONE) {
      ws[fwd] = WS_NONE;
    }
  }
}
