// Columns -> Arquero: numbers stay typed arrays (absent = NaN, which Arquero's op.is_valid treats as missing),
// addresses become their text (interned: a capture has few distinct addresses), repeated fields become arrays.

import * as aq from "arquero";
import type { Column, Value } from "../decode/column.js";
import { ipv4Text, ipv6Text, macText } from "./address-text.js";

export type ColumnTable = ReturnType<typeof aq.table>;

/** Arquero column data for frames `rows` (all frames when omitted). Contract: does not modify the column. */
export function arqueroColumn(col: Column, rows?: Uint32Array): ArrayLike<unknown> {
  const n = rows ? rows.length : col.n;
  const at = rows ? (k: number) => rows[k] : (k: number) => k;
  const text = textOf(col);
  if (col.starts) {
    const out: unknown[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const i = at(k), c = col.count(i);
      if (c === 0) { out[k] = null; continue; }
      const vs: unknown[] = [];
      for (let j = 0; j < c; j++) vs.push(text ? text(col.get(i, j)!) : col.get(i, j));
      out[k] = vs;
    }
    return out;
  }
  const valid = col.valid!;
  if (text || col.storage === "any" || col.storage === "fixed16") {
    const out: unknown[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const i = at(k);
      out[k] = valid[i] ? (text ? text(col.get(i)!) : col.get(i)) : null;
    }
    return out;
  }
  const values = col.values as ArrayLike<number>;
  let complete = true;
  for (let k = 0; k < n && complete; k++) complete = valid[at(k)] === 1;
  if (complete && !rows) return values;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) { const i = at(k); out[k] = valid[i] ? values[i] : NaN; }
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
