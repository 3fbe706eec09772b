// Field extraction: turns layers into columns for the fields asked for, and only those.
// Per chunk, the layers are bucketed by protocol and located once; then one loop per protocol walks its layers and
// calls each requested field's getter, handing each value to the field's sink (sink.ts), which stores it typed, by
// level. The loop is compiled per protocol and field list (new Function) with one call site per field, so every
// getter call is monomorphic and V8 can inline it; and there are a few such loops, each hot, rather than one per
// field (hundreds, most of which would never run long enough to be optimized). The readable loop is:
//
//   for (const l of layersOf(proto)) {
//     for (const field of fieldsOf(proto)) {
//       const v = field.get(bytesOf(l), start(l), end(l), rep[l], aux[l]);
//       if (v !== undefined) sink(field).put(frame[l], v);   // a second value in one frame goes to the next level
//     }
//   }
//
// A getter that throws (a bug: getters never throw on packet content) loses its field for the rest of the chunk only:
// the problem is recorded, and the chunk's other fields finish in single-field loops.

import type { Chunk } from "../capture/chunks.js";
import type { CaptureFile } from "../capture/types.js";
import type { FieldDef } from "../dissectors/field.js";
import { Column } from "./column.js";
import { finishSink, newSink } from "./compact.js";
import type { LayerTable } from "./layer-table.js";
import type { Sink } from "./sink.js";

type Loop = (get: unknown, lo: number, hi: number, at: Located, cbuf: Uint8Array, base: number, side: Uint8Array[], sink: Sink) => void;
type Kind = "get" | "bytes" | "tail" | "each" | "presence";

const kindOf = (f: FieldDef): Kind => (f.get ? (f.type === "bytes" ? (f.tail ? "tail" : "bytes") : "get") : f.each ? "each" : "presence");

/** The function a field's loop calls: its tail finder for "tail" fields, else its getter. */
const callee = (f: FieldDef) => (kindOf(f) === "tail" ? f.tail : f.get ?? f.each);

/** One field over layers [lo, hi): the recovery path after a getter threw in a protocol loop. */
function compileLoop(kind: Kind): Loop {
  const body =
    kind === "get" ? `const t = T[k], v = get(t === 0 ? cbuf : side[t - 1], O[k], E[k], P[k], A[k]); if (v !== undefined) sink.put(R[k], v);`
    // Bytes that are the tail of a layer in the chunk may be kept as their place in the file (sink.putAt).
    : kind === "bytes" ? `const t = T[k], v = get(t === 0 ? cbuf : side[t - 1], O[k], E[k], P[k], A[k]);
    if (v !== undefined) { if (t === 0) sink.putAt(R[k], v, cbuf, E[k], base); else sink.put(R[k], v); }`
    // A tail field gives where its bytes start: no copy unless the sink keeps them in memory (sink.putTail).
    : kind === "tail" ? `const t = T[k], b = t === 0 ? cbuf : side[t - 1], st = get(b, O[k], E[k], P[k], A[k]);
    if (st !== undefined) sink.putTail(R[k], b, st, E[k], t === 0 ? base : -1);`
    : kind === "each" ? `const t = T[k]; sink.frame = R[k]; get(t === 0 ? cbuf : side[t - 1], O[k], E[k], P[k], A[k], emit);`
    : `sink.put(R[k], 1);`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh function per field is the point (see top).
  return new Function(`return function extractLoop(get, lo, hi, at, cbuf, base, side, sink) {
  const T = at.buf, O = at.off, E = at.end, P = at.rep, A = at.aux, R = at.row, emit = sink.emit;
  for (let k = lo; k < hi; k++) {
    ${body}
  }
}`)() as Loop;
}

/**
 * The layers of one chunk grouped by protocol, each located once for every field that reads it: which buffer holds
 * its bytes (0: the chunk, t > 0: side buffer t - 1), its first and end offsets there, rep, aux, and its row.
 */
class Located {
  starts = new Uint32Array(0);
  buf = new Uint32Array(0);
  off = new Uint32Array(0);
  end = new Uint32Array(0);
  rep = new Uint32Array(0);
  aux = new Uint32Array(0);
  row = new Uint32Array(0);

  /**
   * Layers [from, to) whose proto is `wanted` (1 at its index: a protocol some requested field reads), by proto (a
   * counting sort), located in `chunk`; the others are not copied (a filter on tcp.port locates no eth or ip layer);
   * layer `from` is
   * the first of frame `first` or of a later one (frames before `first` are not looked at: during a pass, frameStart
   * is filled only up to the frame being dissected).
   */
  fill(lt: LayerTable, from: number, to: number, first: number, wanted: Uint8Array, offset: Float64Array, base: number, rowOf: Uint32Array | null): void {
    const protos = wanted.length, starts = new Uint32Array(protos + 1), proto = lt.proto;
    for (let l = from; l < to; l++) { const p = proto[l]; if (p < protos && wanted[p] === 1) starts[p + 1]++; }
    for (let p = 0; p < protos; p++) starts[p + 1] += starts[p];
    const total = starts[protos];
    if (this.buf.length < total) {
      const cap = Math.max(total, this.buf.length * 2);
      this.buf = new Uint32Array(cap); this.off = new Uint32Array(cap); this.end = new Uint32Array(cap);
      this.rep = new Uint32Array(cap); this.aux = new Uint32Array(cap); this.row = new Uint32Array(cap);
    }
    const fill = starts.slice(0, protos), { off16, end16, aux, oddBits, sideBits, frameStart, layerFrame } = lt;
    // The frame of each layer: listed by a table of chosen layers, else found by moving along frameStart.
    let f = first, next = layerFrame === null ? frameStart[f + 1] : 0;
    for (let l = from; l < to; l++) {
      if (layerFrame === null) { while (next <= l) next = frameStart[++f + 1]; } else f = layerFrame[l];
      const p = proto[l];
      if (p >= protos || wanted[p] === 0) continue;
      const k = fill[p]++;
      let o = off16[l], e = end16[l], r = e - o;
      if ((oddBits[l >>> 3] >>> (l & 7)) & 1) { o = lt.offOf(l); e = lt.endOf(l); r = lt.repOf(l); }
      const t = (sideBits[l >>> 3] >>> (l & 7)) & 1 ? lt.bufOf(l) : 0;
      const fo = t === 0 ? offset[f] - base : 0;
      this.buf[k] = t;
      this.off[k] = fo + o;
      this.end[k] = fo + e;
      this.rep[k] = r;
      this.aux[k] = aux[l];
      this.row[k] = rowOf === null ? f : rowOf[l];
    }
    this.starts = starts;
  }
}

/** Where a protocol loop stopped when a getter threw: the layer and the field (its index in the loop). */
interface Thrown { k: number; field: number; error: unknown }

type ProtoLoop = (lo: number, hi: number, at: Located, cbuf: Uint8Array, base: number, side: Uint8Array[], thrown: Thrown) => boolean;

/** Every field of one protocol over layers [lo, hi); false (with `thrown` set) when a getter threw. */
function compileProtoLoop(fields: readonly FieldSink[]): ProtoLoop {
  const calls = fields.map((f, i) => {
    const g = `g${i}`, s = `s${i}`;
    switch (kindOf(f.field)) {
      case "get": return `cur = ${i}; v = ${g}(b, o, e, p, a); if (v !== undefined) ${s}.put(r, v);`;
      case "bytes": return `cur = ${i}; v = ${g}(b, o, e, p, a); if (v !== undefined) { if (t === 0) ${s}.putAt(r, v, cbuf, e, base); else ${s}.put(r, v); }`;
      case "tail": return `cur = ${i}; v = ${g}(b, o, e, p, a); if (v !== undefined) ${s}.putTail(r, b, v, e, t === 0 ? base : -1);`;
      case "each": return `cur = ${i}; ${s}.frame = r; ${g}(b, o, e, p, a, ${s}.emit);`;
      case "presence": return `cur = ${i}; ${s}.put(r, 1);`;
    }
  });
  const params = fields.flatMap((_, i) => [`g${i}`, `s${i}`]);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a loop compiled for these fields is the point (see top).
  const make = new Function(...params, `return function protoLoop(lo, hi, at, cbuf, base, side, thrown) {
  const T = at.buf, O = at.off, E = at.end, P = at.rep, A = at.aux, R = at.row;
  let k = lo, cur = 0, v;
  try {
    for (; k < hi; k++) {
      const t = T[k], b = t === 0 ? cbuf : side[t - 1], o = O[k], e = E[k], p = P[k], a = A[k], r = R[k];
      ${calls.join("\n      ")}
    }
    return true;
  } catch (error) {
    thrown.k = k; thrown.field = cur; thrown.error = error;
    return false;
  }
}`);
  return make(...fields.flatMap((f) => [callee(f.field), f.sink])) as ProtoLoop;
}

/** One requested field: its sink (and, compiled when first needed, a loop of its own for recovery). */
class FieldSink {
  readonly sink: Sink;
  private own: Loop | null = null;

  constructor(readonly field: FieldDef, readonly proto: number, n: number) {
    this.sink = newSink(field, n);
  }

  get loop(): Loop {
    return (this.own ??= compileLoop(kindOf(this.field)));
  }

  finish(n: number): Column {
    return Column.of(this.field, n, finishSink(this.sink, n));
  }
}

/** The requested layer fields of one extraction, run chunk by chunk. */
export class Extraction {
  private readonly sinks: FieldSink[];
  private readonly located = new Located();
  /** 1 at the index of each protocol a requested field reads. */
  private readonly wanted: Uint8Array;
  /** The fields of each protocol, and their loop. */
  private readonly groups: { proto: number; fields: FieldSink[]; loop: ProtoLoop }[] = [];
  private readonly thrown: Thrown = { k: 0, field: 0, error: null };

  /**
   * `frames` rows, one per frame; or, with `rowOf` (layer index -> row), one row per layer of the fields' protocol,
   * which is how message tables get one row per MQTT message even when a segment carries several. `frames` may be 0
   * while the rows are not known yet (their number is then given to finish()).
   */
  constructor(fields: readonly { field: FieldDef; proto: number }[], private readonly frames: number, private readonly rowOf: Uint32Array | null = null) {
    this.sinks = fields.map(({ field, proto }) => new FieldSink(field, proto, frames));
    this.wanted = new Uint8Array(1 + maxProto(this.sinks));
    for (const s of this.sinks) this.wanted[s.proto] = 1;
    const byProto = new Map<number, FieldSink[]>();
    for (const s of this.sinks) byProto.set(s.proto, [...(byProto.get(s.proto) ?? []), s]);
    for (const [proto, group] of byProto) this.groups.push({ proto, fields: group, loop: compileProtoLoop(group) });
  }

  /**
   * Extracts the fields from layers [from, to) whose bytes are in `chunk`. Never throws on packet content. `rowOf`
   * replaces the constructor's for a table of rows that is still growing.
   */
  run(file: CaptureFile, layers: LayerTable, chunk: Chunk, from: number, to: number, rowOf = this.rowOf): void {
    if (this.sinks.length === 0 || to <= from) return;
    const at = this.located;
    at.fill(layers, from, to, chunk.first, this.wanted, file.index.offset, chunk.base, rowOf);
    const starts = at.starts;
    for (const g of this.groups) {
      const lo = starts[g.proto], hi = starts[g.proto + 1];
      if (lo === hi) continue;
      for (const f of g.fields) f.sink.source ??= file.source;
      if (g.loop(lo, hi, at, chunk.buf, chunk.base, layers.side, this.thrown)) continue;
      // A getter bug must not lose the column: record it on the first frame of the chunk and go on. That field sits
      // out the rest of the chunk; the others take it up where the loop stopped (earlier fields had done layer k).
      const { k, field, error } = this.thrown;
      layers.problem(chunk.first, `${g.fields[field].field.abbrev}: extraction error: ${(error as Error)?.message}`);
      g.fields.forEach((f, i) => {
        if (i !== field) this.runOne(f, i < field ? k + 1 : k, hi, file, layers, chunk);
      });
    }
  }

  /** One field over layers [lo, hi) of the located chunk, in a loop of its own. */
  private runOne(s: FieldSink, lo: number, hi: number, file: CaptureFile, layers: LayerTable, chunk: Chunk): void {
    if (lo >= hi) return;
    try {
      s.loop(callee(s.field), lo, hi, this.located, chunk.buf, chunk.base, layers.side, s.sink);
    } catch (e) {
      layers.problem(chunk.first, `${s.field.abbrev}: extraction error: ${(e as Error).message}`);
    }
  }

  /** Builds the columns of `rows` rows (the constructor's count unless it was 0) after the last chunk. */
  finish(rows = this.frames): Column[] {
    return this.sinks.map((s) => s.finish(rows));
  }
}

function maxProto(sinks: readonly FieldSink[]): number {
  let m = 0;
  for (const s of sinks) if (s.proto > m) m = s.proto;
  return m;
}
