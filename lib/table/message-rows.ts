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
  /** Layer index of each row (ascending; capacity beyond `count` until seal()). */
  layer = new Uint32Array(1024);
  /** Frame of each row. */
  frame = new Uint32Array(1024);
  /** Rows so far. */
  count = 0;
  private readonly at: FrameCursor;

  /**
   * Rows are the layers of `proto`, in frames that `gate` accepts (every frame without a gate). Built by scan() over
   * ranges of layers in order: all at once (MessageRows.of), or chunk by chunk while the pass records them.
   */
  constructor(readonly lt: LayerTable, readonly proto: number, private readonly gate: ((frame: number) => boolean) | null) {
    this.at = new FrameCursor(lt);
  }

  /** The rows of a finished layer table. */
  static of(lt: LayerTable, proto: number, gate: ((frame: number) => boolean) | null): MessageRows {
    const rows = new MessageRows(lt, proto, gate);
    rows.scan(0, lt.count);
    return rows.seal();
  }

  /** Adds the rows among layers [from, to), which come after every layer scanned before. */
  scan(from: number, to: number): void {
    const p = this.lt.proto.subarray(0, to), proto = this.proto, gate = this.gate;
    // indexOf is a native scan, several times faster over ten million layers than a loop comparing each.
    for (let l = p.indexOf(proto, from); l >= 0; l = p.indexOf(proto, l + 1)) {
      const f = this.at.at(l);
      if (gate !== null && !gate(f)) continue;
      const m = this.count;
      if (m === this.layer.length) {
        const g = new Uint32Array(m * 2), h = new Uint32Array(m * 2);
        g.set(this.layer); h.set(this.frame);
        this.layer = g; this.frame = h;
      }
      this.layer[m] = l;
      this.frame[m] = f;
      this.count = m + 1;
    }
  }

  /** Trims the arrays to the rows (call once no more are added). */
  seal(): this {
    this.layer = this.layer.slice(0, this.count);
    this.frame = this.frame.slice(0, this.count);
    return this;
  }

  /**
   * The source layers of each of `protos` for every row (see the top of the file): a collector over all rows.
   * The table must be sealed or every row scanned.
   */
  sources(protos: readonly number[]): Sources[] {
    const c = new SourcesCollector(this, protos);
    c.collect(0, this.count);
    return c.finish();
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

/**
 * Finds the source layers of each of `protos` for rows, range by range in order (see the top of the file). One walk
 * over the rows' frames serves every protocol and copies the source layers as it finds them: a row's tcp, ip and
 * mqtt layers sit next to each other in the layer table, so they are read while in cache.
 */
export class SourcesCollector {
  readonly builders: SourcesBuilder[];
  private readonly group: Int32Array;
  private readonly mine: number;
  private readonly before: Uint32Array;

  constructor(private readonly rows: MessageRows, protos: readonly number[]) {
    const self = rows.proto;
    this.group = new Int32Array(1 + Math.max(0, ...protos)).fill(-1);
    protos.forEach((q, j) => { if (q !== self) this.group[q] = j; });
    this.mine = protos.indexOf(self);
    this.builders = protos.map((q) => new SourcesBuilder(rows.lt, q, rows.count));
    this.before = new Uint32Array(protos.length);
  }

  /** Adds the source layers of rows [from, to). */
  collect(from: number, to: number): void {
    const { rows, group, mine, before, builders: out } = this, { lt, layer, frame } = rows;
    const p = lt.proto, fs = lt.frameStart, self = rows.proto, g = out.length;
    for (let r = from; r < to; r++) {
      const at = layer[r], f = frame[r], end = fs[f + 1];
      for (let j = 0; j < g; j++) before[j] = out[j].count;
      if (mine >= 0) out[mine].add(at, r, f);
      let need = g - (mine >= 0 ? 1 : 0);
      for (let l = at + 1; l < end && p[l] !== self; l++) {
        const j = p[l] < group.length ? group[p[l]] : -1;
        if (j < 0) continue;
        if (out[j].count === before[j]) need--;
        out[j].add(l, r, f);
      }
      // The carried layers of each protocol come after the row's own layer; its nearest earlier one before it. The
      // earlier one is added after the carried ones of other protocols: each builder keeps its own entries in order.
      for (let l = at - 1, lo = fs[f]; l >= lo && need > 0; l--) {
        const j = p[l] < group.length ? group[p[l]] : -1;
        if (j >= 0 && out[j].count === before[j]) { out[j].add(l, r, f); need--; }
      }
    }
  }

  finish(): Sources[] {
    return this.builders.map((b) => b.finish());
  }
}

/** Collects one protocol's Sources row by row. Its view lists its frames (layerFrame) as entries are added. */
class SourcesBuilder {
  /** Entries so far. */
  count = 0;
  /** The row of each entry (capacity beyond `count`). */
  row: Uint32Array;
  readonly view: LayerTable;

  constructor(private readonly lt: LayerTable, readonly proto: number, rows: number) {
    const cap = Math.max(1024, rows);
    this.row = new Uint32Array(cap);
    this.view = new LayerTable(0, lt.depth, cap);
    this.view.side = lt.side;
    this.view.layerFrame = new Uint32Array(cap);
  }

  /** Adds layer l as a source of row r, of frame f (rows in ascending order, a row's layers in layer order). */
  add(l: number, r: number, f: number): void {
    const { lt, view } = this;
    view.copy(lt, l);
    if (this.count === this.row.length) {
      const grown = new Uint32Array(this.count * 2), frames = new Uint32Array(this.count * 2);
      grown.set(this.row); frames.set(view.layerFrame!);
      this.row = grown; view.layerFrame = frames;
    }
    view.layerFrame![this.count] = f;
    this.row[this.count++] = r;
  }

  finish(): Sources {
    return { proto: this.proto, view: this.view, row: this.row.subarray(0, this.count) };
  }
}

/** The first index of ascending `a` holding v or more. */
function lowerBound(a: Uint32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
