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
import { Column, type Value } from "./column.js";
import { BitsPool, finishSink, newSink } from "./compact.js";
import type { LayerTable } from "./layer-table.js";
import type { Sink } from "./sink.js";

type Loop = (get: unknown, pl: Uint32Array, lo: number, hi: number, lt: LayerTable, offset: Float64Array, base: number,
  cbuf: Uint8Array, sink: Sink, emitter: Emitter, rowOf: Uint32Array | null) => void;

// Where the bytes of layer l are: in the chunk (offsets relative to the frame) or in a side buffer (absolute).
const LOCATE = `
    const l = pl[k], f = lt.frame[l], t = lt.buf[l];
    let b, o, e;
    if (t === 0) { const fo = offset[f] - base; b = cbuf; o = fo + lt.off[l]; e = fo + lt.end[l]; }
    else { b = lt.side[t - 1]; o = lt.off[l]; e = lt.end[l]; }`;

function compileLoop(kind: "get" | "each" | "presence", perLayer: boolean): Loop {
  // Values are stored at row r: the frame, or (for message tables) the layer's row among its protocol's layers.
  const row = perLayer ? "rowOf[l]" : "f";
  const body =
    kind === "get" ? `const v = get(b, o, e, lt.rep[l], lt.aux[l]); if (v !== undefined) sink.put(${row}, v);`
    : kind === "each" ? `emitter.frame = ${row}; get(b, o, e, lt.rep[l], lt.aux[l], emitter.emit);`
    : `sink.put(${row}, 1);`;
  // A presence field needs no bytes: skip locating them.
  const locate = kind === "presence" ? "\n    const l = pl[k], f = lt.frame[l];" : LOCATE;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh function per field is the point (see top).
  return new Function(`return function extractLoop(get, pl, lo, hi, lt, offset, base, cbuf, sink, emitter, rowOf) {
  for (let k = lo; k < hi; k++) {${locate}
    ${body}
  }
}`)() as Loop;
}

/** Receives the occurrences a MultiGetter emits for the current frame. One per field, reused. */
class Emitter {
  frame = 0;
  constructor(private readonly sink: Sink) {}
  readonly emit = (v: number | string | Uint8Array) => this.sink.put(this.frame, v as Value);
}

/** One requested field: its loop and its sink. */
class FieldSink {
  readonly sink: Sink;
  readonly loop: Loop;
  readonly emitter: Emitter;

  constructor(readonly field: FieldDef, readonly proto: number, n: number, perLayer: boolean) {
    this.sink = newSink(field, n);
    this.emitter = new Emitter(this.sink);
    this.loop = compileLoop(field.get ? "get" : field.each ? "each" : "presence", perLayer);
  }

  finish(n: number, pool: BitsPool): Column {
    return Column.of(this.field, n, finishSink(this.sink, n, pool));
  }
}

/** The requested layer fields of one extraction, run chunk by chunk. */
export class Extraction {
  private readonly sinks: FieldSink[];
  private bucket = new Uint32Array(0);

  /**
   * `frames` rows, one per frame; or, with `rowOf` (layer index -> row), one row per layer of the fields' protocol,
   * which is how message tables get one row per MQTT message even when a segment carries several.
   */
  constructor(fields: readonly { field: FieldDef; proto: number }[], private readonly frames: number, private readonly rowOf: Uint32Array | null = null) {
    this.sinks = fields.map(({ field, proto }) => new FieldSink(field, proto, frames, rowOf !== null));
  }

  /** Extracts the fields from layers [from, to) whose bytes are in `chunk`. Never throws on packet content. */
  run(file: CaptureFile, layers: LayerTable, chunk: Chunk, from: number, to: number): void {
    if (this.sinks.length === 0 || to <= from) return;
    const { starts, list } = this.bucketByProto(layers, from, to);
    for (const s of this.sinks) {
      const lo = starts[s.proto], hi = starts[s.proto + 1];
      if (lo === hi) continue;
      try {
        s.loop(s.field.get ?? s.field.each, list, lo, hi, layers, file.index.offset, chunk.base, chunk.buf, s.sink, s.emitter, this.rowOf);
      } catch (e) {
        // A getter bug must not lose the column: record it on the first frame of the chunk and go on.
        layers.problem(chunk.first, `${s.field.abbrev}: extraction error: ${(e as Error).message}`);
      }
    }
  }

  /** Builds the columns (call after the last chunk). */
  finish(): Column[] {
    const pool = new BitsPool();
    return this.sinks.map((s) => s.finish(this.frames, pool));
  }

  /** Layer indices [from, to) grouped by proto (a counting sort), so each field visits only its layers. */
  private bucketByProto(layers: LayerTable, from: number, to: number): { starts: Uint32Array; list: Uint32Array } {
    const protos = 1 + maxProto(this.sinks);
    const starts = new Uint32Array(protos + 1);
    const proto = layers.proto;
    for (let l = from; l < to; l++) if (proto[l] < protos) starts[proto[l] + 1]++;
    for (let p = 0; p < protos; p++) starts[p + 1] += starts[p];
    if (this.bucket.length < starts[protos]) this.bucket = new Uint32Array(Math.max(starts[protos], this.bucket.length * 2));
    const list = this.bucket, fill = starts.slice(0, protos);
    for (let l = from; l < to; l++) if (proto[l] < protos) list[fill[proto[l]]++] = l;
    return { starts, list };
  }
}

function maxProto(sinks: readonly FieldSink[]): number {
  let m = 0;
  for (const s of sinks) if (s.proto > m) m = s.proto;
  return m;
}
