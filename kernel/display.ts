// Values -> Jupyter mime bundles (Deno cli/js/40_jupyter.js: one symbol, then well-known shapes, then text).
// Order: Symbol.for("Jupyter.display") > Arquero table > Vega-Lite spec > markdown finding > util.inspect.
// Every bundle carries "text/plain"; every string that goes into HTML passes through escapeHtml.

import { inspect } from "node:util";
import type { MimeBundle } from "./messages.js";
import { renderSvg } from "../lib/charts/render.js";

/** The symbol an object implements to display itself: `[$display](): MimeBundle`. */
export const $display: unique symbol = Symbol.for("Jupyter.display") as never;

/** How many table rows a display shows; the rest of a table is never sent. */
export const TABLE_PREVIEW_ROWS = 20;
/** A Vega-Lite spec larger than this (as JSON) is sent as SVG only, so a big inline data set is not shipped. */
const MAX_SPEC_JSON = 2_000_000;
const VEGALITE_MIME = "application/vnd.vegalite.v5+json";

/** Escapes &, <, >, " and ' for HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A bundle and its metadata, as display_data / execute_result carry them. */
export interface Displayed {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** The duck type of an Arquero table: what display needs of it. */
export interface TableLike {
  numRows(): number;
  numCols?(): number;
  columnNames(): string[];
  objects(options?: { limit?: number }): object[];
}

/** The mime bundle for `value`. Never throws: a failing renderer falls back to text/plain. */
export async function displayBundle(value: unknown): Promise<Displayed> {
  try {
    const own = await ownBundle(value);
    if (own) return { data: own, metadata: {} };
    if (isTable(value)) return { data: tableBundle(value), metadata: {} };
    if (isVegaLite(value)) return { data: await vegaLiteBundle(value), metadata: {} };
    if (isMarkdown(value)) return { data: { "text/markdown": value.markdown, "text/plain": value.markdown }, metadata: {} };
  } catch (e) {
    return { data: { "text/plain": `${plainText(value)}\n(display failed: ${(e as Error).message})` }, metadata: {} };
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}

/** util.inspect without colours, bounded in depth and length. */
export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

/** The value's own bundle; `[$display]()` may return it or a Promise of it (a chart renders its SVG async). */
async function ownBundle(value: unknown): Promise<MimeBundle | undefined> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const fn = (value as Record<symbol, unknown>)[$display];
  if (typeof fn !== "function") return undefined;
  const bundle = await (fn as () => Record<string, unknown> | Promise<Record<string, unknown>>).call(value);
  if (bundle === null || typeof bundle !== "object") return undefined;
  const text = typeof bundle["text/plain"] === "string" ? bundle["text/plain"] : plainText(value);
  return { ...bundle, "text/plain": text };
}

/** True for objects that look like Arquero tables (numRows, columnNames, objects). */
export function isTable(v: unknown): v is TableLike {
  const t = v as Partial<TableLike> | null;
  return typeof t === "object" && t !== null && typeof t.numRows === "function" &&
    typeof t.columnNames === "function" && typeof t.objects === "function";
}

/** HTML and text previews of the first TABLE_PREVIEW_ROWS rows, with row/column counts and column types. */
export function tableBundle(t: TableLike): MimeBundle {
  const names = t.columnNames();
  const total = t.numRows();
  const rows = t.objects({ limit: TABLE_PREVIEW_ROWS }).slice(0, TABLE_PREVIEW_ROWS) as Record<string, unknown>[];
  const types = names.map((n) => columnType(rows.map((r) => r[n])));
  const summary = `${total} rows × ${names.length} columns` +
    (total > rows.length ? ` (first ${rows.length} shown)` : "");
  const head = names.map((n, i) =>
    `<th>${escapeHtml(n)}<br><span style="font-weight:normal;opacity:.6">${escapeHtml(types[i])}</span></th>`).join("");
  const body = rows.map((r, i) =>
    `<tr><th>${i}</th>${names.map((n) => `<td>${escapeHtml(cellText(r[n]))}</td>`).join("")}</tr>`).join("\n");
  const html = `<div class="wirebook-table"><table>\n<thead><tr><th></th>${head}</tr></thead>\n<tbody>\n${body}\n` +
    `</tbody></table>\n<p>${escapeHtml(summary)}</p></div>`;
  return { "text/html": html, "text/plain": textTable(names, types, rows, summary) };
}

/** The type a column preview shows: the one JS type of its non-null sample values, or "mixed". */
function columnType(sample: unknown[]): string {
  const seen = new Set<string>();
  for (const v of sample) if (v !== null && v !== undefined) seen.add(valueType(v));
  return seen.size === 0 ? "null" : seen.size === 1 ? [...seen][0] : "mixed";
}

function valueType(v: unknown): string {
  if (v instanceof Date) return "date";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** One cell as text: bytes as hex, dates as ISO, objects inspected on one line; long values cut. */
function cellText(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = "null";
  else if (typeof v === "string") s = v;
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  else if (v instanceof Uint8Array) s = Buffer.from(v.subarray(0, 64)).toString("hex") + (v.length > 64 ? "…" : "");
  else if (typeof v === "object") s = inspect(v, { depth: 2, breakLength: Infinity, maxArrayLength: 20 });
  else s = String(v);
  return s.length > 200 ? s.slice(0, 199) + "…" : s;
}

function textTable(names: string[], types: string[], rows: Record<string, unknown>[], summary: string): string {
  const cols = names.map((n, i) => [n, types[i], ...rows.map((r) => cellText(r[n]).replace(/\s+/g, " "))]);
  const widths = cols.map((c) => Math.min(40, Math.max(...c.map((s) => s.length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + "…" : s.padEnd(w));
  const lines = cols[0]?.map((_, r) => cols.map((c, i) => fit(c[r], widths[i])).join("  ").trimEnd()) ?? [];
  return [...lines, summary].join("\n");
}

/** True for a Vega-Lite spec: an object whose `$schema` mentions vega-lite. */
export function isVegaLite(v: unknown): v is { $schema: string } {
  const s = (v as { $schema?: unknown } | null)?.$schema;
  return typeof v === "object" && v !== null && typeof s === "string" && s.includes("vega-lite");
}

/**
 * The spec as Vega-Lite JSON plus an SVG rendered here with vega, so static exports show the chart. The SVG also goes
 * as a markdown image: nbconvert 6.5 (Debian's) passes image/svg+xml through lxml's HTML cleaner, which drops every
 * element inside <svg> (jupyter/nbconvert#1849), and prefers text/markdown to SVG; JupyterLab ranks markdown (60)
 * after its Vega renderer, so the interactive chart still wins there.
 */
async function vegaLiteBundle(spec: { $schema: string }): Promise<MimeBundle> {
  const json = JSON.stringify(spec);
  const title = `Vega-Lite chart: ${describeMark(spec)}`;
  const bundle: MimeBundle = { "text/plain": `<${title}>` };
  if (json.length <= MAX_SPEC_JSON) bundle[VEGALITE_MIME] = JSON.parse(json);
  // Vega tags data objects it ingests (Symbol(vega_id)): render from a copy, never from the user's values.
  const svg = await renderSvg(JSON.parse(json) as object);
  bundle["image/svg+xml"] = svg;
  bundle["text/markdown"] = `![${title}](data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")})`;
  return bundle;
}

function describeMark(spec: object): string {
  const mark = (spec as { mark?: unknown }).mark;
  const name = typeof mark === "string" ? mark : (mark as { type?: string } | undefined)?.type;
  return name ?? "composite";
}

/** Compiles Vega-Lite to Vega and renders headless (lib/charts/render.ts, shared with the chart builders). */
export { renderSvg } from "../lib/charts/render.js";

/** True for a markdown finding: an object with a string `markdown` field. */
export function isMarkdown(v: unknown): v is { markdown: string } {
  return typeof v === "object" && v !== null && typeof (v as { markdown?: unknown }).markdown === "string";
}
