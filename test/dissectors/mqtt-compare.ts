// Frame-by-frame comparison of every mqtt.* field with tshark 4.0's, for the MQTT conformance tests: one tshark run
// for the fields as tshark shows them by default, one with mqtt.show_msg_as_text on (for the text forms), then the
// deliberate differences, each counted under its reason.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mqtt } from "../../lib/dissectors/mqtt.js";
import { open } from "../../lib/table/capture.js";
import { escapeText, formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

const run = promisify(execFile);

/** The text forms: tshark shows them only with the preference on (and then instead of the bytes). */
const TEXT_FORMS = ["mqtt.msg_text", "mqtt.willmsg_text"];
/** Every field mqtt.ts declares, as tshark can be asked for it. */
export const MQTT_FIELDS = mqtt.fields.map((f) => f.abbrev).filter((a) => a !== "mqtt" && !TEXT_FORMS.includes(a));

export const REASONS = {
  lower: "the frame's IP/TCP layers are not decoded on our side yet (someone else's work in progress)",
} as const;
export type Reason = keyof typeof REASONS;

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }

export interface Result {
  file: string;
  frames: number;
  /** Frames with MQTT on either side. */
  messages: number;
  /** Cells compared: fields x frames with MQTT, plus text-form checks. */
  compared: number;
  mismatches: Mismatch[];
  excluded: Map<Reason, number>;
}

/** tshark -T fields with extra options (decode-as, preferences); not cached. */
async function tsharkWith(file: string, fields: readonly string[], extra: readonly string[]): Promise<string[][]> {
  const args = ["-n", "-r", file, ...extra, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t"];
  for (const f of fields) args.push("-e", f);
  const { stdout } = await run("tshark", args, { maxBuffer: 1 << 30, encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } });
  const lines = stdout.split("\n");
  lines.pop();
  return lines.map((l) => l.split("\t"));
}

/** Compares one capture; `port` decodes that TCP port as MQTT on both sides (decode as). */
export async function compareMqtt(file: string, port?: number): Promise<Result> {
  const asked = [...MQTT_FIELDS, "tcp.stream"];
  const decodeAs = port === undefined ? [] : ["-d", `tcp.port==${port},mqtt`];
  const rows = port === undefined ? await tsharkFields(file, asked) : await tsharkWith(file, asked, decodeAs);
  const textRows = await tsharkWith(file, TEXT_FORMS, [...decodeAs, "-o", "mqtt.show_msg_as_text:TRUE"]);
  const cap = await open(file);
  if (port !== undefined) cap.decodeAs("tcp.port", port, "mqtt");
  const res: Result = { file, frames: cap.count, messages: 0, compared: 0, mismatches: [], excluded: new Map() };
  const skip = (r: Reason, n = 1) => res.excluded.set(r, (res.excluded.get(r) ?? 0) + n);
  try {
    const cols = cap.columns([...asked, ...TEXT_FORMS]);
    const stream = cols[asked.length - 1];
    for (let i = 0; i < Math.max(cap.count, rows.length); i++) {
      const theirs = rows[i] ?? [];
      const ours = MQTT_FIELDS.map((_, k) => (i < cap.count ? formatFrame(cols[k], i) : "<no frame>"));
      const any = MQTT_FIELDS.some((_, k) => (theirs[k] ?? "") !== "" || ours[k] !== "");
      if (!any) continue;
      res.messages++;
      if (i < cap.count && !stream.has(i) && theirs[asked.length - 1] !== "") {
        skip("lower");
        continue;
      }
      MQTT_FIELDS.forEach((field, k) => {
        res.compared++;
        const o = ours[k];
        const t = theirs[k] ?? "<no frame>";
        if (o !== t) res.mismatches.push({ frame: i + 1, field, tshark: t, ours: o });
      });
      // The text forms: ours are given only where the bytes are text; each must be tshark's value, in order (found
      // in tshark's aggregated text one after the other: a comma inside a value defeats splitting on commas).
      TEXT_FORMS.forEach((field, k) => {
        const mine = i < cap.count ? cols[asked.length + k].all(i).map((v) => escapeText(String(v))) : [];
        if (mine.length === 0) return;
        res.compared++;
        const theirsAll = textRows[i]?.[k] ?? "";
        let at = 0;
        const ok = mine.every((m) => {
          const hit = theirsAll.indexOf(m, at);
          if (hit < 0 || (hit > 0 && theirsAll[hit - 1] !== ",")) return false;
          at = hit + m.length;
          return at === theirsAll.length || theirsAll[at] === ",";
        });
        if (!ok) res.mismatches.push({ frame: i + 1, field, tshark: theirsAll, ours: mine.join(",") });
      });
    }
  } finally {
    cap.close();
  }
  return res;
}

const clip = (s: string, n = 50) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** One line per file, then one per differing field (count and first example). */
export function report(r: Result): string {
  const name = r.file.split("/").pop();
  const ex = [...r.excluded].map(([k, n]) => `${n} ${k}`).join(", ");
  const lines = [`${name}: ${r.messages} frames with MQTT, ${r.compared} cells compared, ${r.mismatches.length} mismatches${ex ? ` (excluded: ${ex})` : ""}`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  for (const [f, ms] of by) lines.push(`  ${f}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  return lines.join("\n");
}
