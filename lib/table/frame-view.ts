// A lazy selection of a capture's frames: a chain of display filters evaluated only when rows are needed,
// so `cap.filter(a).filter(b).select(...)` decodes the columns a and b name, once, and nothing else.

import { compileFilter } from "../dsl/index.js";
import type { Column } from "../decode/column.js";
import type { Capture } from "./capture.js";
import { toTable, type ColumnTable } from "./to-arquero.js";

/** Frames of a capture that pass every filter of the chain. Contract: immutable; rows are computed once. */
export class FrameView {
  private rowCache: Uint32Array | null = null;

  constructor(readonly capture: Capture, readonly filters: readonly string[] = []) {
    for (const f of filters) compileFilter(f); // reject a bad filter now, where the user wrote it
  }

  /** A narrower view: these frames that also match `filter` (Wireshark display-filter syntax). */
  filter(filter: string): FrameView {
    return new FrameView(this.capture, [...this.filters, filter]);
  }

  /** 0-based indices of the selected frames, ascending. */
  rows(): Uint32Array {
    if (this.rowCache) return this.rowCache;
    const n = this.capture.count;
    let mask: Uint8Array | null = null;
    for (const text of this.filters) {
      const f = compileFilter(text);
      this.capture.columns(f.fields);
      const m = f.run((a: string) => this.capture.column(a), n);
      if (mask) for (let i = 0; i < n; i++) mask[i] &= m[i];
      else mask = m;
    }
    if (!mask) return (this.rowCache = Uint32Array.from({ length: n }, (_, i) => i));
    let c = 0;
    for (let i = 0; i < n; i++) c += mask[i];
    const rows = new Uint32Array(c);
    for (let i = 0, k = 0; i < n; i++) if (mask[i]) rows[k++] = i;
    return (this.rowCache = rows);
  }

  /** Number of selected frames. */
  count(): number { return this.rows().length; }

  /** An Arquero table of the selected frames with `frame.number` first, then the named fields. */
  select(...fields: string[]): ColumnTable {
    const names = ["frame.number", ...fields.filter((f) => f !== "frame.number")];
    const cols: Column[] = this.capture.columns(names);
    return toTable(cols, this.filters.length ? this.rows() : undefined);
  }

  /** Frame numbers (1-based) of the selected frames. */
  frameNumbers(): number[] { return Array.from(this.rows(), (i) => i + 1); }
}
