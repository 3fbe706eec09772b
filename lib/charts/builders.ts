// The charts analysts use, as Vega-Lite v5 specs with inline data: event timeline, I/O graph, histogram, heatmap,
// and a ladder (sequence) diagram of one conversation.

import type { ColumnTable } from "../table/to-arquero.js";
import { Chart, VEGALITE_SCHEMA, type Spec } from "./chart.js";
import { safeName as s, values } from "./data.js";

interface Common { title?: string; width?: number; height?: number }

function base(title: string | undefined, width = 600, height = 240): Spec {
  return { $schema: VEGALITE_SCHEMA, ...(title ? { title } : {}), width, height };
}

export interface TimelineOptions extends Common { time?: string; category: string; color?: string; tooltip?: string[] }

/** Events over time, one row per category (a tick per event), coloured by `color` (default: the category). */
export function timeline(t: ColumnTable, o: TimelineOptions): Chart {
  const time = o.time ?? "frame.time_epoch", color = o.color ?? o.category;
  const fields = [...new Set([time, o.category, color, ...(o.tooltip ?? [])])];
  return new Chart({
    ...base(o.title, o.width, o.height ?? 40 + 24 * 4),
    data: { values: values(t, fields, { time }) },
    mark: { type: "tick", thickness: 2 },
    encoding: {
      x: { field: s(time), type: "temporal", title: "time", axis: { format: "%H:%M:%S" } },
      y: { field: s(o.category), type: "nominal", title: o.category },
      color: { field: s(color), type: "nominal", title: color },
      tooltip: fields.map((f) => ({ field: s(f), type: f === time ? "temporal" : "nominal", title: f })),
    },
  }, `timeline of ${t.numRows()} events by ${o.category}`);
}

export interface IoGraphOptions extends Common { time?: string; interval?: number; by?: string; bytes?: string }

/** Packets (or the sum of `bytes`) per `interval` seconds, one line per `by` group: Wireshark's I/O graph. */
export function ioGraph(t: ColumnTable, o: IoGraphOptions = {}): Chart {
  const time = o.time ?? "frame.time_epoch", interval = o.interval ?? 1;
  const fields = [time, ...(o.by ? [o.by] : []), ...(o.bytes ? [o.bytes] : [])];
  const y = o.bytes ? { field: s(o.bytes), aggregate: "sum", type: "quantitative", title: `${o.bytes} per ${interval} s` }
    : { aggregate: "count", type: "quantitative", title: `packets per ${interval} s` };
  return new Chart({
    ...base(o.title, o.width, o.height),
    data: { values: values(t, fields, { time }) },
    transform: [{ calculate: `floor(datum.${s(time)} / ${interval * 1000}) * ${interval * 1000}`, as: "bin_start" }],
    mark: { type: "line", point: true, interpolate: "step-after" },
    encoding: {
      x: { field: "bin_start", type: "temporal", title: "time" },
      y,
      ...(o.by ? { color: { field: s(o.by), type: "nominal", title: o.by } } : {}),
    },
  }, `I/O graph: ${o.bytes ?? "packets"} per ${interval} s${o.by ? ` by ${o.by}` : ""}`);
}

export interface HistogramOptions extends Common { field: string; maxbins?: number; color?: string }

/** A histogram of a numeric column. */
export function histogram(t: ColumnTable, o: HistogramOptions): Chart {
  return new Chart({
    ...base(o.title, o.width, o.height),
    data: { values: values(t, o.color ? [o.field, o.color] : [o.field]) },
    mark: "bar",
    encoding: {
      x: { field: s(o.field), bin: { maxbins: o.maxbins ?? 30 }, type: "quantitative", title: o.field },
      y: { aggregate: "count", type: "quantitative" },
      ...(o.color ? { color: { field: s(o.color), type: "nominal", title: o.color } } : {}),
    },
  }, `histogram of ${o.field}`);
}

export interface HeatmapOptions extends Common { x: string; y: string; value?: string }

/** A count (or sum of `value`) per (x, y) cell, e.g. source × Modbus function code, with the number in each cell. */
export function heatmap(t: ColumnTable, o: HeatmapOptions): Chart {
  const color = o.value ? { field: s(o.value), aggregate: "sum", type: "quantitative", title: o.value }
    : { aggregate: "count", type: "quantitative", title: "count" };
  const enc = { x: { field: s(o.x), type: "ordinal", title: o.x }, y: { field: s(o.y), type: "ordinal", title: o.y } };
  return new Chart({
    ...base(o.title, o.width ?? 300, o.height ?? 200),
    data: { values: values(t, o.value ? [o.x, o.y, o.value] : [o.x, o.y]) },
    encoding: enc,
    layer: [
      { mark: "rect", encoding: { color: { ...color, scale: { scheme: "orangered" } } } },
      { mark: { type: "text", baseline: "middle" }, encoding: { text: color } },
    ],
  }, `heatmap of ${o.y} × ${o.x}`);
}

export interface LadderOptions extends Common { time?: string; src?: string; dst?: string; label?: string }

/** A ladder (sequence) diagram: one vertical lane per endpoint, one arrow per packet from src to dst, time downwards. */
export function ladder(t: ColumnTable, o: LadderOptions = {}): Chart {
  const time = o.time ?? "frame.time_epoch", src = o.src ?? "ip.src", dst = o.dst ?? "ip.dst";
  const fields = [...new Set([time, src, dst, ...(o.label ? [o.label] : [])])];
  const rows = values(t, fields, { time });
  const t0 = rows.length ? Math.min(...rows.map((r) => r[s(time)] as number)) : 0;
  for (const r of rows) r.t_ms = (r[s(time)] as number) - t0;
  const lanes = [...new Set(rows.flatMap((r) => [String(r[s(src)]), String(r[s(dst)])]))];
  const x = { type: "ordinal", scale: { domain: lanes }, axis: { orient: "top", title: null, labelAngle: 0 } };
  const y = { field: "t_ms", type: "quantitative", scale: { reverse: true, zero: false }, title: "ms since first packet" };
  return new Chart({
    ...base(o.title, o.width ?? Math.max(300, 160 * lanes.length), o.height ?? Math.min(900, 40 + 18 * rows.length)),
    data: { values: rows },
    layer: [
      { mark: { type: "rule", strokeDash: [4, 4], color: "#999" }, data: { values: lanes.map((l) => ({ lane: l })) },
        encoding: { x: { ...x, field: "lane" } } },
      { mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x: { ...x, field: s(src) }, x2: { field: s(dst) }, y } },
      { mark: { type: "point", filled: true, shape: "triangle-down", size: 40 }, encoding: { x: { ...x, field: s(dst) }, y } },
      ...(o.label ? [{ mark: { type: "text", dy: -6, fontSize: 10 }, encoding: { x: { ...x, field: s(src) }, y,
        text: { field: s(o.label), type: "nominal" } } }] : []),
    ],
  }, `ladder diagram of ${rows.length} packets between ${lanes.length} endpoints`);
}
