// The rows of a message table and, per protocol, the layers each row reads that protocol's fields from.
// A message is a layer of the table's protocol. A field of another protocol is read from the layers of that protocol
// the message carries (after it, before the next message in the frame: the btcommon AD entries of an advertising
// PDU); when it carries none, from the nearest earlier layer of that protocol in the frame (the tcp layer of an MQTT
// message, shared by every message of the segment). Everything here is computed from the layer table alone.

import { FrameCursor, LayerTable } from "../decode/layer-table.js";

/**
 * Where one protocol's fields come from, row by row: entry k of `view` (a layer table of its own, in row order, so a
 * file pass meets the entries in order) is a source layer of row `row[k]`. A layer that is the source of several
 * rows (the tcp layer of a segment carrying two MQTT messages) is an entry of each: an Extraction over the view with
 * `row` as its rows then yields the table's column directly, with no gather step.
 */
export interface Sources {
  readonly proto: number;
  readonly view: LayerTable;
  readonly row: Uint32Array;
}

export class MessageRows {
  /** Layer index of each row (ascending). */
  readonly layer: Uint32Array;
  /** Frame of each row. */
  readonly frame: Uint32Array;

  /** Rows are the layers of `proto`, in frames that `gate` accepts (every frame without a gate). */
  constructor(readonly lt: LayerTable, readonly proto: number, gate: ((frame: number) => boolean) | null) {
    const p = lt.proto.subarray(0, lt.count), at = new FrameCursor(lt);
    let layer = new Uint32Array(1024), frame = new Uint32Array(1024), m = 0;
    // indexOf is a native scan, several times faster over ten million layers than a loop comparing each.
    for (let l = p.indexOf(proto); l >= 0; l = p.indexOf(proto, l + 1)) {
      const f = at.at(l);
      if (gate !== null && !gate(f)) continue;
      if (m === layer.length) {
        const g = new Uint32Array(m * 2), h = new Uint32Array(m * 2);
        g.set(layer); h.set(frame);
        layer = g; frame = h;
      }
      layer[m] = l;
      frame[m++] = f;
    }
    this.layer = layer.slice(0, m);
    this.frame = frame.slice(0, m);
  }

  get count(): number { return this.layer.length; }

  /**
   * The source layers of each of `protos` for every row (see the top of the file). One walk over the rows' frames
   * serves every protocol and copies the source layers as it finds them: a row's tcp, ip and mqtt layers sit next to
   * each other in the layer table, so they are read while in cache.
   */
  sources(protos: readonly number[]): Sources[] {
    const m = this.count, { lt, layer, frame } = this, p = lt.proto, fs = lt.frameStart, self = this.proto;
    const g = protos.length, group = new Int32Array(1 + Math.max(0, ...protos)).fill(-1);
    protos.forEach((q, j) => { if (q !== self) group[q] = j; });
    const mine = protos.indexOf(self);
    const out = protos.map((q) => new SourcesBuilder(lt, q, m, frame));
    const before = new Uint32Array(g);
    for (let r = 0; r < m; r++) {
      const at = layer[r], f = frame[r], end = fs[f + 1];
      for (let j = 0; j < g; j++) before[j] = out[j].count;
      if (mine >= 0) out[mine].add(at, r);
      let need = g - (mine >= 0 ? 1 : 0);
      for (let l = at + 1; l < end && p[l] !== self; l++) {
        const j = p[l] < group.length ? group[p[l]] : -1;
        if (j < 0) continue;
        if (out[j].count === before[j]) need--;
        out[j].add(l, r);
      }
      // The carried layers of each protocol come after the row's own layer; its nearest earlier one before it. The
      // earlier one is added after the carried ones of other protocols: each builder keeps its own entries in order.
      for (let l = at - 1, lo = fs[f]; l >= lo && need > 0; l--) {
        const j = p[l] < group.length ? group[p[l]] : -1;
        if (j >= 0 && out[j].count === before[j]) { out[j].add(l, r); need--; }
      }
    }
    return out.map((b) => b.finish());
  }

  /** True when some row's frame has a layer of `proto` whose aux passes `test`. */
  framesHold(proto: number, test: (aux: number) => boolean): boolean {
    const { lt, frame } = this, p = lt.proto, a = lt.aux, fs = lt.frameStart;
    for (let r = 0; r < frame.length; r++) {
      if (r > 0 && frame[r] === frame[r - 1]) continue;
      for (let l = fs[frame[r]], end = fs[frame[r] + 1]; l < end; l++) if (p[l] === proto && test(a[l])) return true;
    }
    return false;
  }

  /** Per row, the position of its message among the frame's messages (0 for the first). */
  kth(): Uint32Array {
    const out = new Uint32Array(this.count);
    for (let r = 1; r < this.count; r++) if (this.frame[r] === this.frame[r - 1]) out[r] = out[r - 1] + 1;
    return out;
  }

  /** Per row, why its frame is malformed according to `proto`'s dissector (mbtcp's count for modbus), or null. */
  reasons(proto: string): (string | null)[] {
    const problems = this.lt.problems, m = this.count, frame = this.frame, out = new Array<string | null>(m).fill(null);
    const why = (list: string[]) => {
      const mine = list.filter((p) => p.startsWith(`${proto}:`) || (p.startsWith("mbtcp:") && proto === "modbus"));
      return mine.length ? mine.join("; ") : null;
    };
    if (problems.size < m) {
      // Few problem frames: find each one's rows (rows are in frame order).
      for (const [f, list] of problems) {
        let r = lowerBound(frame, f);
        if (r === m || frame[r] !== f) continue;
        const text = why(list);
        for (; r < m && frame[r] === f; r++) out[r] = text;
      }
    } else {
      for (let r = 0; r < m; r++) { const list = problems.get(frame[r]); if (list) out[r] = why(list); }
    }
    return out;
  }
}

/** Collects one protocol's Sources row by row. */
class SourcesBuilder {
  /** Entries so far. */
  count = 0;
  private row: Uint32Array;
  /** The frame of each entry (the view's layerFrame). */
  private frames: Uint32Array;
  private readonly view: LayerTable;

  /** `rowFrame`: the frame of each row. */
  constructor(private readonly lt: LayerTable, private readonly proto: number, m: number, private readonly rowFrame: Uint32Array) {
    this.row = new Uint32Array(Math.max(16, m));
    this.view = new LayerTable(0, lt.depth, Math.max(16, m));
    this.view.side = lt.side;
    this.frames = new Uint32Array(Math.max(16, m));
  }

  /** Adds layer l as a source of row r (rows in ascending order, a row's layers in layer order). */
  add(l: number, r: number): void {
    const { lt, view } = this;
    view.copy(lt, l);
    if (this.count === this.row.length) {
      const grown = new Uint32Array(this.count * 2), frames = new Uint32Array(this.count * 2);
      grown.set(this.row); frames.set(this.frames);
      this.row = grown; this.frames = frames;
    }
    this.frames[this.count] = this.rowFrame[r];
    this.row[this.count++] = r;
  }

  finish(): Sources {
    this.view.layerFrame = this.frames;
    return { proto: this.proto, view: this.view, row: this.row.subarray(0, this.count) };
  }
}

/** The first index of ascending `a` holding v or more. */
function lowerBound(a: Uint32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
