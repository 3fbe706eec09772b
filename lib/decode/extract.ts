// Field extraction: turns layers into columns for the fields asked for, and only those.
// Column-at-a-time: per chunk, the layers are bucketed by protocol once, then each field runs its own loop over its
// protocol's layers, handing each value to the field's sink (sink.ts), which stores it typed, by level. Each field
// gets a freshly compiled copy of the loop (new Function), so the getter call inside is monomorphic and V8 inlines
// it — the readable loop is:
//
//   for (const l of layersOf(field.proto)) {
//     const v = field.get(bytesOf(l), start(l), end(l), rep[l], aux[l]);
//     if (v !== undefined) sink.put(frame[l], v);   // a second value in one frame goes to the next level
//   }

import type { Chunk } from "../capture/chunks.js";
import type { CaptureFile } from "../capture/types.js";
import type { FieldDef } from "../dissectors/field.js";
import { Column } from "./column.js";
import { finishSink, newSink } from "./compact.js";
import type { LayerTable } from "./layer-table.js";
import type { Sink } from "./sink.js";

type Loop = (get: unknown, lo: number, hi: number, at: Located, cbuf: Uint8Array, base: number, side: Uint8Array[], sink: Sink) => void;

function compileLoop(kind: "get" | "bytes" | "each" | "presence"): Loop {
  const body =
    kind === "get" ? `const t = T[k], v = get(t === 0 ? cbuf : side[t - 1], O[k], E[k], P[k], A[k]); if (v !== undefined) sink.put(R[k], v);`
    // Bytes that are the tail of a layer in the chunk may be kept as their place in the file (sink.putAt).
    : kind === "bytes" ? `const t = T[k], v = get(t === 0 ? cbuf : side[t - 1], O[k], E[k], P[k], A[k]);
    if (v !== undefined) { if (t === 0) sink.putAt(R[k], v, cbuf, E[k], base); else sink.put(R[k], v); }`
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

  /** Layers [from, to) whose proto is below `protos`, by proto (a counting sort), located in `chunk`. */
  fill(lt: LayerTable, from: number, to: number, protos: number, offset: Float64Array, base: number, rowOf: Uint32Array | null): void {
    const starts = new Uint32Array(protos + 1), proto = lt.proto;
    for (let l = from; l < to; l++) if (proto[l] < protos) starts[proto[l] + 1]++;
    for (let p = 0; p < protos; p++) starts[p + 1] += starts[p];
    const total = starts[protos];
    if (this.buf.length < total) {
      const cap = Math.max(total, this.buf.length * 2);
      this.buf = new Uint32Array(cap); this.off = new Uint32Array(cap); this.end = new Uint32Array(cap);
      this.rep = new Uint32Array(cap); this.aux = new Uint32Array(cap); this.row = new Uint32Array(cap);
    }
    const fill = starts.slice(0, protos), { frame, buf, off, end, rep, aux } = lt;
    for (let l = from; l < to; l++) {
      const p = proto[l];
      if (p >= protos) continue;
      const k = fill[p]++, f = frame[l], t = buf[l];
      const fo = t === 0 ? offset[f] - base : 0;
      this.buf[k] = t;
      this.off[k] = fo + off[l];
      this.end[k] = fo + end[l];
      this.rep[k] = rep[l];
      this.aux[k] = aux[l];
      this.row[k] = rowOf === null ? f : rowOf[l];
    }
    this.starts = starts;
  }
}

/** One requested field: its loop and its sink. */
class FieldSink {
  readonly sink: Sink;
  readonly loop: Loop;

  constructor(readonly field: FieldDef, readonly proto: number, n: number) {
    this.sink = newSink(field, n);
    this.loop = compileLoop(field.get ? (field.type === "bytes" ? "bytes" : "get") : field.each ? "each" : "presence");
  }

  finish(n: number): Column {
    return Column.of(this.field, n, finishSink(this.sink, n));
  }
}

/** The requested layer fields of one extraction, run chunk by chunk. */
export class Extraction {
  private readonly sinks: FieldSink[];
  private readonly located = new Located();
  private readonly protos: number;

  /**
   * `frames` rows, one per frame; or, with `rowOf` (layer index -> row), one row per layer of the fields' protocol,
   * which is how message tables get one row per MQTT message even when a segment carries several.
   */
  constructor(fields: readonly { field: FieldDef; proto: number }[], private readonly frames: number, private readonly rowOf: Uint32Array | null = null) {
    this.sinks = fields.map(({ field, proto }) => new FieldSink(field, proto, frames));
    this.protos = 1 + maxProto(this.sinks);
  }

  /** Extracts the fields from layers [from, to) whose bytes are in `chunk`. Never throws on packet content. */
  run(file: CaptureFile, layers: LayerTable, chunk: Chunk, from: number, to: number): void {
    if (this.sinks.length === 0 || to <= from) return;
    const at = this.located;
    at.fill(layers, from, to, this.protos, file.index.offset, chunk.base, this.rowOf);
    const starts = at.starts;
    for (const s of this.sinks) {
      const lo = starts[s.proto], hi = starts[s.proto + 1];
      if (lo === hi) continue;
      try {
        s.sink.source ??= file.source;
        s.loop(s.field.get ?? s.field.each, lo, hi, at, chunk.buf, chunk.base, layers.side, s.sink);
      } catch (e) {
        // A getter bug must not lose the column: record it on the first frame of the chunk and go on.
        layers.problem(chunk.first, `${s.field.abbrev}: extraction error: ${(e as Error).message}`);
      }
    }
  }

  /** Builds the columns (call after the last chunk). */
  finish(): Column[] {
    return this.sinks.map((s) => s.finish(this.frames));
  }
}

function maxProto(sinks: readonly FieldSink[]): number {
  let m = 0;
  for (const s of sinks) if (s.proto > m) m = s.proto;
  return m;
}
