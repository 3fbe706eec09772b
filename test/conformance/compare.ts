// Field-by-field comparison of our decoding with tshark's on one capture, for the conformance tests: the same text
// (formatFrame, tshark -T fields), a count of cells compared and a compact report of what differs.

import * as path from "node:path";
import { lookupField } from "../../lib/dissectors/registry.js";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }

export interface Comparison {
  file: string;
  frames: number;
  fields: string[];
  /** Cells compared: fields x frames. */
  compared: number;
  mismatches: Mismatch[];
}

/** Compares every frame's `fields` with tshark's. Reads the file once for all fields; one tshark run (cached). */
export async function compareCapture(file: string, fields: readonly string[]): Promise<Comparison> {
  const rows = await tsharkFields(file, fields);
  const cap = await open(file);
  try {
    const cols = cap.columns(fields);
    const mismatches: Mismatch[] = [];
    const n = Math.max(cap.count, rows.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < fields.length; k++) {
        const ours = i < cap.count ? formatFrame(cols[k], i, { index: cap.file.index }) : "<no frame>";
        const theirs = i < rows.length ? rows[i][k] : "<no frame>";
        if (ours !== theirs) mismatches.push({ frame: i + 1, field: fields[k], tshark: theirs, ours });
      }
    }
    return { file, frames: n, fields: [...fields], compared: n * fields.length, mismatches };
  } finally {
    cap.close();
  }
}

/** Fields registered on our side, in the given order (the rest are someone's work in progress). */
export function registered(fields: readonly string[]): string[] {
  return fields.filter((f) => lookupField(f) !== undefined);
}

const clip = (s: string, n = 60) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/**
 * A compact per-file diff: per field the number of frames that differ and the first example; for frame.protocols
 * the differing stacks grouped as "tshark stack -> our stack (count, first frame)", so a dissector's owner sees
 * which stack to fix.
 */
export function report(c: Comparison, maxLines = 12): string {
  if (c.mismatches.length === 0) return `${path.basename(c.file)}: ${c.compared} compared, 0 mismatches`;
  const lines = [`${path.basename(c.file)}: ${c.compared} compared (${c.fields.length} fields x ${c.frames} frames), ${c.mismatches.length} mismatches`];
  const byField = new Map<string, Mismatch[]>();
  for (const m of c.mismatches) {
    const key = m.field === "frame.protocols" ? `frame.protocols ${m.tshark} -> ${m.ours}` : m.field;
    (byField.get(key) ?? byField.set(key, []).get(key)!).push(m);
  }
  for (const [key, ms] of [...byField].sort((a, b) => b[1].length - a[1].length)) {
    if (lines.length > maxLines) { lines.push(`  … ${byField.size - maxLines} more`); break; }
    const m = ms[0];
    lines.push(m.field === "frame.protocols"
      ? `  ${key}  (${ms.length} frames, first #${m.frame})`
      : `  ${key}: ${ms.length} frames, first #${m.frame}: tshark ${JSON.stringify(clip(m.tshark))} ours ${JSON.stringify(clip(m.ours))}`);
  }
  return lines.join("\n");
}
