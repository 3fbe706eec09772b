// Wirebook's full L2–L4 decode: open(path) then cap.columns(every L2–L4 field), run in a child process (see child.ts).

import { open } from "../lib/table/capture.js";
import { l2l4Fields } from "./measure-fields.js";

export interface DecodeResult {
  packets: number;
  fileBytes: number;
  fields: number;
  /** open(): reading the index. */
  openMs: number;
  /** columns(): dissecting every frame and extracting the fields. */
  decodeMs: number;
  /** CPU time (user + system, all threads) of open() + columns(). */
  cpuMs: number;
  layers: number;
  layerBytes: number;
  columnBytes: number;
  malformedFrames: number;
  /** The largest columns in memory, largest first (MB). */
  largest: { field: string; mb: number }[];
  /** Whether each field occurs at least once in the capture (a sanity check that the decode did something). */
  present: Record<string, boolean>;
}

/**
 * open(path) then cap.columns(fields): the full decode a notebook pays for. `fields` defaults to l2l4Fields().
 * openMs + decodeMs is Wirebook's time; the statistics gathered after it are not.
 */
export async function fullDecode(args: { path: string; fields?: string[] }): Promise<DecodeResult> {
  const fields = args.fields ?? l2l4Fields();
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const cap = await open(args.path);
  const t1 = performance.now();
  const cols = cap.columns(fields);
  const t2 = performance.now(), cpu = process.cpuUsage(cpu0);
  const layers = cap.layers();
  let malformed = 0;
  for (let i = 0; i < cap.count; i++) malformed += layers.malformed[i];
  const present: Record<string, boolean> = {};
  const sizes: { field: string; mb: number }[] = [];
  // Columns share arrays (the presence bitmap of every tcp.* field): the total counts each array once.
  let columnBytes = 0;
  const seen = new Set<object>();
  cols.forEach((c, k) => {
    columnBytes += c.bytesHeld(seen);
    sizes.push({ field: fields[k], mb: c.byteLength / 1e6 });
    present[fields[k]] = c.occurrences > 0;
  });
  const r: DecodeResult = {
    packets: cap.count, fileBytes: cap.info.fileSize, fields: fields.length, openMs: t1 - t0, decodeMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000,
    layers: layers.count, layerBytes: layers.byteLength, columnBytes, malformedFrames: malformed,
    largest: sizes.sort((a, b) => b.mb - a.mb).slice(0, 12), present,
  };
  cap.close();
  return r;
}

/** Where full-decode time goes: the dissection pass alone, then each field extracted in a pass of its own. */
export interface Breakdown {
  packets: number;
  /** open(): the frame index. */
  openMs: number;
  /** The dissection pass with no field extracted (cap.layers()). */
  walkMs: number;
  /** Each field's extraction (or derivation) pass, slowest first. */
  fields: { field: string; ms: number }[];
  /** The same summed per protocol, slowest first. */
  protos: { proto: string; ms: number; fields: number }[];
}

/**
 * Decodes the capture once without fields, then each field alone (cap.column), timing each step. Slower than
 * fullDecode (one pass a field); meant for a capture of ~100k packets. Reads only; never throws for packet content.
 */
export async function decodeBreakdown(args: { path: string; fields?: string[] }): Promise<Breakdown> {
  const fields = args.fields ?? l2l4Fields();
  const t0 = performance.now();
  const cap = await open(args.path);
  const t1 = performance.now();
  cap.layers();
  const t2 = performance.now();
  const per: { field: string; ms: number }[] = [];
  for (const f of fields) {
    const s = performance.now();
    cap.column(f);
    per.push({ field: f, ms: performance.now() - s });
  }
  const protos = new Map<string, { ms: number; fields: number }>();
  for (const { field, ms } of per) {
    const p = field.split(".")[0], e = protos.get(p) ?? { ms: 0, fields: 0 };
    e.ms += ms;
    e.fields++;
    protos.set(p, e);
  }
  cap.close();
  return {
    packets: cap.count, openMs: t1 - t0, walkMs: t2 - t1, fields: per.sort((a, b) => b.ms - a.ms),
    protos: [...protos].map(([proto, e]) => ({ proto, ...e })).sort((a, b) => b.ms - a.ms),
  };
}
