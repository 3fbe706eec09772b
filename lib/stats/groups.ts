// Grouping rows of an Arquero table by the text of some key columns, without going through Arquero's expression
// compiler (column names here are Wireshark fields such as "ip.src", which are not JS identifiers).

import type { ColumnTable } from "../table/to-arquero.js";

/** A value as a group-key part: null/NaN are "", arrays joined with ",". */
export function keyPart(v: unknown): string {
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "";
  if (Array.isArray(v)) return v.map(keyPart).join(",");
  if (v instanceof Date) return String(v.getTime() / 1000);
  return String(v);
}

/** A column as a plain array; throws a clear error when the table has no such column. */
export function columnArray(t: ColumnTable, name: string): unknown[] {
  if (!t.columnNames().includes(name)) {
    throw new Error(`no column "${name}" in the table (columns: ${t.columnNames().join(", ")})`);
  }
  return Array.from(t.array(name) as ArrayLike<unknown>);
}

/** Numbers of a column: Dates as epoch seconds, the first element of an array, anything else NaN. */
export function numberArray(t: ColumnTable, name: string): number[] {
  return columnArray(t, name).map(toNumber);
}

export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.length ? toNumber(v[0]) : NaN;
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return NaN;
}

/** A group: its key values (first row's) and its row indices in table order. */
export interface Group {
  key: string;
  values: unknown[];
  rows: number[];
}

/** Rows grouped by the key columns `by`, in order of first appearance. */
export function groupRows(t: ColumnTable, by: readonly string[]): Group[] {
  const cols = by.map((b) => columnArray(t, b));
  const groups = new Map<string, Group>();
  const n = t.numRows();
  for (let i = 0; i < n; i++) {
    const values = cols.map((c) => c[i]);
    const key = values.map(keyPart).join("\u0000");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, values: values.map((v) => (Array.isArray(v) ? keyPart(v) : v)), rows: [] }));
    g.rows.push(i);
  }
  return [...groups.values()];
}
