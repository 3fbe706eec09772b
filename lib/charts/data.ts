// Table rows → inline Vega-Lite data values. Field names with dots ("ip.src") are renamed to safe names because
// Vega-Lite reads "a.b" as a nested path; times in epoch seconds become epoch milliseconds for temporal axes.

import type { ColumnTable } from "../table/to-arquero.js";

/** A field name Vega-Lite reads literally: dots and brackets replaced by "_". */
export function safeName(name: string): string {
  return name.replace(/[.\[\]\\]/g, "_");
}

/** Rows of `table` restricted to `fields` (renamed with safeName), at most `limit` rows. */
export function values(table: ColumnTable, fields: readonly string[], opts: { time?: string; limit?: number } = {}): Record<string, unknown>[] {
  const names = table.columnNames();
  for (const f of fields) if (!names.includes(f)) throw new Error(`no column "${f}" in the table (columns: ${names.join(", ")})`);
  const n = Math.min(table.numRows(), opts.limit ?? 50_000);
  const cols = fields.map((f) => table.array(f) as ArrayLike<unknown>);
  const out: Record<string, unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    fields.forEach((f, k) => { row[safeName(f)] = plain(cols[k][i], f === opts.time); });
    out[i] = row;
  }
  return out;
}

function plain(v: unknown, isTime: boolean): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return Number.isNaN(v) ? null : isTime ? v * 1000 : v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  if (Array.isArray(v)) return v.map((x) => plain(x, false)).join(",");
  return v ?? null;
}
