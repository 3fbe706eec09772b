// Frame-by-frame comparison of one protocol's fields with tshark 4.0's, shared by the per-protocol conformance
// helpers: one cached tshark run per file, then every frame where either side shows a compared field, cell by cell.

import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }
export interface Result { file: string; frames: number; messages: number; compared: number; mismatches: Mismatch[] }

/** Compares `fields` on one capture, every frame where either side shows any of them. */
export async function compareFields(file: string, fields: string[]): Promise<Result> {
  const rows = await tsharkFields(file, fields);
  const cap = await open(file);
  const res: Result = { file, frames: cap.count, messages: 0, compared: 0, mismatches: [] };
  try {
    const cols = cap.columns(fields);
    for (let i = 0; i < Math.max(cap.count, rows.length); i++) {
      const theirs = rows[i] ?? [];
      const ours = fields.map((_, k) => (i < cap.count ? formatFrame(cols[k], i) : "<no frame>"));
      if (!fields.some((_, k) => (theirs[k] ?? "") !== "" || ours[k] !== "")) continue;
      res.messages++;
      fields.forEach((field, k) => {
        res.compared++;
        const t = theirs[k] ?? "<no frame>";
        if (ours[k] !== t) res.mismatches.push({ frame: i + 1, field, tshark: t, ours: ours[k] });
      });
    }
  } finally {
    cap.close();
  }
  return res;
}

/** One line per file ("frames with LABEL, cells compared, mismatches"), then one per differing field. */
export function reportFields(r: Result, label: string, clipAt: number): string {
  const clip = (s: string) => (s.length > clipAt ? s.slice(0, clipAt - 1) + "…" : s);
  const name = r.file.split("/").pop();
  const lines = [`${name}: ${r.messages} frames with ${label}, ${r.compared} field×frame cells compared, ${r.mismatches.length} mismatches`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  for (const [f, ms] of by) lines.push(`  ${f}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  return lines.join("\n");
}
