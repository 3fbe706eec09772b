// Field extraction: turns layers into columns for the fields asked for, and only those.
// Column-at-a-time: per chunk, the layers are bucketed by protocol once, then each field runs its own loop over its
// protocol's layers, writing straight into a dense array indexed by frame. Each field gets a freshly compiled copy
// of the loop (new Function), so the getter call inside is monomorphic and V8 inlines it — the readable loop is:
//
//   for (const l of layersOf(field.proto)) {
//     const v = field.get(bytesOf(l), start(l), end(l), rep[l], aux[l]);
//     if (v !== undefined) column.set(frame[l], v);   // a second value in one frame goes to `over`
//   }

import type { Chunk } from "../capture/chunks.js";
import type { CaptureFile } from "../capture/types.js";
import { storageOf, type FieldDef, type Storage } from "../dissectors/field.js";
import { Column, type NumArray, type Value } from "./column.js";
import type { LayerTable } from "./layer-table.js";

type Loop = (get: unknown, pl: Uint32Array, lo: number, hi: number, lt: LayerTable, offset: Float64Array, base: number,
  cbuf: Uint8Array, values: unknown, valid: Uint8Array, over: Value[], emitter: Emitter, rowOf: Uint32Array | null) => void;

// Where the bytes of layer l are: in the chunk (offsets relative to the frame) or in a side buffer (absolute).
const LOCATE = `
    const l = pl[k], f = lt.frame[l], t = lt.buf[l];
    let b, o, e;
    if (t === 0) { const fo = offset[f] - base; b = cbuf; o = fo + lt.off[l]; e = fo + lt.end[l]; }
    else { b = lt.side[t - 1]; o = lt.off[l]; e = lt.end[l]; }`;

// Values are stored at row r: the frame, or (for message tables) the layer's row among its protocol's layers.
const STORE: Record<"num" | "obj" | "fixed16", string> = {
  num: "if (valid[r] === 0) { valid[r] = 1; values[r] = v; } else over.push(r, v);",
  obj: "if (valid[r] === 0) { valid[r] = 1; values[r] = v; } else over.push(r, v);",
  fixed16: "if (valid[r] === 0) { valid[r] = 1; values.set(v, r * 16); } else over.push(r, v);",
};

function compileLoop(kind: "get" | "each" | "presence", store: keyof typeof STORE, perLayer: boolean): Loop {
  const row = perLayer ? "const r = rowOf[l];" : "const r = f;";
  const body =
    kind === "get" ? `const v = get(b, o, e, lt.rep[l], lt.aux[l]); if (v !== undefined) { ${row} ${STORE[store]} }`
    : kind === "each" ? `${row} emitter.frame = r; get(b, o, e, lt.rep[l], lt.aux[l], emitter.emit);`
    : `const v = 1; ${row} ${STORE[store]}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh function per field is the point (see top).
  return new Function(`return function extractLoop(get, pl, lo, hi, lt, offset, base, cbuf, values, valid, over, emitter, rowOf) {
  for (let k = lo; k < hi; k++) {${LOCATE}
    ${body}
  }
}`)() as Loop;
}

/** Receives the occurrences a MultiGetter emits for the current frame. One per field, reused. */
class Emitter {
  frame = 0;
  constructor(private readonly sink: FieldSink) {}
  readonly emit = (v: number | string | Uint8Array) => this.sink.put(this.frame, v);
}

/** One requested field: its loop, its dense storage and the overflow of repeated occurrences. */
class FieldSink {
  readonly storage: Storage;
  readonly values: NumArray | Value[];
  readonly valid: Uint8Array;
  /** (frame, value) pairs of second and later occurrences in a frame, flattened. */
  readonly over: Value[] = [];
  readonly loop: Loop;
  readonly emitter = new Emitter(this);

  constructor(readonly field: FieldDef, readonly proto: number, n: number, perLayer: boolean) {
    this.storage = storageOf(field.type);
    this.values = allocValues(this.storage, n);
    this.valid = new Uint8Array(n);
    const store = this.storage === "fixed16" ? "fixed16" : this.storage === "any" ? "obj" : "num";
    this.loop = compileLoop(field.get ? "get" : field.each ? "each" : "presence", store, perLayer);
  }

  put(f: number, v: Value): void {
    if (this.valid[f] === 0) {
      this.valid[f] = 1;
      if (this.storage === "fixed16") (this.values as Uint8Array).set(v as Uint8Array, f * 16);
      else (this.values as Value[])[f] = v;
    } else this.over.push(f, v);
  }

  finish(n: number): Column {
    if (this.over.length === 0) return new Column(this.field, n, this.values, this.valid, null);
    return toMulti(this, n);
  }
}

function allocValues(storage: Storage, n: number): NumArray | Value[] {
  switch (storage) {
    case "u8": return new Uint8Array(n);
    case "u16": return new Uint16Array(n);
    case "u32": return new Uint32Array(n);
    case "i32": return new Int32Array(n);
    case "f64": return new Float64Array(n);
    case "fixed16": return new Uint8Array(n * 16);
    case "any": return new Array<Value>(n);
  }
}

/** Rebuilds a field with repeated occurrences as CSR: the first occurrence (dense) then the overflow, per frame. */
function toMulti(s: FieldSink, n: number): Column {
  const extra = new Uint32Array(n);
  for (let k = 0; k < s.over.length; k += 2) extra[s.over[k] as number]++;
  const starts = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) starts[i + 1] = starts[i] + s.valid[i] + extra[i];
  const total = starts[n], w = s.storage === "fixed16" ? 16 : 1;
  const out = s.storage === "any" ? new Array<Value>(total) : allocValues(s.storage, total * w / (w === 16 ? 16 : 1));
  const fill = new Uint32Array(n);
  const put = (i: number, v: Value) => {
    const at = starts[i] + fill[i]++;
    if (w === 16) (out as Uint8Array).set(v as Uint8Array, at * 16);
    else (out as Value[])[at] = v;
  };
  for (let i = 0; i < n; i++) {
    if (!s.valid[i]) continue;
    put(i, w === 16 ? (s.values as Uint8Array).subarray(i * 16, i * 16 + 16) : (s.values as Value[])[i]);
  }
  for (let k = 0; k < s.over.length; k += 2) put(s.over[k] as number, s.over[k + 1]);
  return new Column(s.field, n, out, null, starts);
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
        s.loop(s.field.get ?? s.field.each, list, lo, hi, layers, file.index.offset, chunk.base, chunk.buf, s.values, s.valid, s.over, s.emitter, this.rowOf);
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
