// Columns -> Arquero: numbers stay typed arrays (absent = NaN, which Arquero's op.is_valid treats as missing),
// addresses become their text (interned: a capture has few distinct addresses), repeated fields become arrays.
// All frames are converted level by level in one pass over each level's occurrences; a subset of rows by lookups.

import * as aq from "arquero";
import type { Column, Value } from "../decode/column.js";
import { forEachSlot, valueAt, type Enc } from "../decode/level.js";
import { ipv4Text, ipv6Text, macText } from "./address-text.js";

export type ColumnTable = ReturnType<typeof aq.table>;

/** Arquero column data for frames `rows` (all frames when omitted). Contract: does not modify the column. */
export function arqueroColumn(col: Column, rows?: Uint32Array): ArrayLike<unknown> {
  const text = textOf(col);
  const conv = (v: Value): unknown => (text ? text(v) : v instanceof Uint8Array ? v.slice() : v);
  if (rows) return subset(col, rows, text, conv);
  const n = col.n, levels = col.levels;
  if (col.multi) {
    const out: unknown[] = new Array(n).fill(null);
    for (const l of levels) {
      forEachSlot(l, n, (r, s) => {
        const v = conv(valueAt(l.enc, s));
        if (out[r] === null) out[r] = [v]; else (out[r] as unknown[]).push(v);
      });
    }
    return out;
  }
  if (text || col.storage === "any" || col.storage === "fixed16") {
    const out: unknown[] = new Array(n).fill(null);
    if (levels.length) {
      const l = levels[0], at = slotText(l.enc, conv);
      forEachSlot(l, n, (r, s) => { out[r] = at(s); });
    }
    return out;
  }
  const l = levels[0];
  if (l && l.layout === "all" && l.enc.kind === "num") return l.enc.data;
  const out = new Float64Array(n).fill(NaN);
  if (l) forEachSlot(l, n, (r, s) => { out[r] = valueAt(l.enc, s) as number; });
  return out;
}

/**
 * Slot s's converted value. A dictionary level converts each distinct value once (a table's IPv6 addresses are a
 * few hundred values over a quarter of a million rows), so equal values are also one string. Only text and numbers
 * are shared: rows must not share a Uint8Array or Date the user could modify.
 */
function slotText(enc: Enc, conv: (v: Value) => unknown): (s: number) => unknown {
  if (enc.kind !== "dict" && enc.kind !== "dict16") return (s) => conv(valueAt(enc, s));
  const codes = enc.codes, done: unknown[] = [];
  const size = enc.kind === "dict16" ? enc.dict.length >> 4 : enc.dict.length;
  return (s) => {
    const c = codes[s];
    if (c >= size) return conv(valueAt(enc, s));
    let v = done[c];
    if (v === undefined) {
      v = conv(valueAt(enc, s));
      if (typeof v === "object" && v !== null) return v;
      done[c] = v;
    }
    return v;
  };
}

/** The rows asked for, one lookup each. */
function subset(col: Column, rows: Uint32Array, text: ((v: Value) => unknown) | null, conv: (v: Value) => unknown): ArrayLike<unknown> {
  const n = rows.length;
  if (col.multi) {
    const out: unknown[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const vs = col.all(rows[k]);
      out[k] = vs.length === 0 ? null : vs.map(conv);
    }
    return out;
  }
  if (text || col.storage === "any" || col.storage === "fixed16") {
    const out: unknown[] = new Array(n);
    for (let k = 0; k < n; k++) { const v = col.get(rows[k]); out[k] = v === undefined ? null : conv(v); }
    return out;
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) { const v = col.get(rows[k]); out[k] = v === undefined ? NaN : (v as number); }
  return out;
}

/** How a field's values read as text in a table, or null when they stay as they are. */
function textOf(col: Column): ((v: Value) => unknown) | null {
  const cache = new Map<number, string>();
  const interned = (f: (v: number) => string) => (v: Value) => {
    let s = cache.get(v as number);
    if (s === undefined) { s = f(v as number); cache.set(v as number, s); }
    return s;
  };
  switch (col.field.type) {
    case "ipv4": return interned(ipv4Text);
    case "ether": return interned(macText);
    case "ipv6": return (v) => ipv6Text(v as Uint8Array);
    case "abs_time": return (v) => new Date((v as number) * 1000);
    default: return null;
  }
}

/** An Arquero table of the given columns (restricted to `rows` when given), named by field. */
export function toTable(cols: readonly Column[], rows?: Uint32Array): ColumnTable {
  const data: Record<string, ArrayLike<unknown>> = {};
  for (const c of cols) data[c.field.abbrev] = arqueroColumn(c, rows);
  return aq.table(data as never);
}
