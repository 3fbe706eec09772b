// Frame-by-frame comparison of every dns.* field we declare with tshark 4.0's, for the DNS conformance test: one
// cached tshark run per file, then each differing cell listed with tshark's and our text.

import { dns } from "../../lib/dissectors/dns.js";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

/** Fields compared: all dns.* fields but dns.response_in (two-pass in Wireshark; tshark -T fields never has it). */
export function comparedFields(): string[] {
  return dns.fields.map((f) => f.abbrev).filter((a) => a.includes(".") && a !== "dns.response_in");
}

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }
export interface Result { file: string; frames: number; messages: number; compared: number; mismatches: Mismatch[] }

/** Compares one capture, every frame where either side shows any compared field. */
export async function compareDns(file: string): Promise<Result> {
  const fields = comparedFields();
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

const clip = (s: string, n = 70) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** One line per file ("fields × frames compared, mismatches"), then one per differing field. */
export function report(r: Result): string {
  const name = r.file.split("/").pop();
  const lines = [`${name}: ${r.messages} frames with DNS fields, ${r.compared} field×frame cells compared, ${r.mismatches.length} mismatches`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  for (const [f, ms] of by) lines.push(`  ${f}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  return lines.join("\n");
}
