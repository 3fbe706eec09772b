// Frame-by-frame comparison of the transport fields (tcp.*, udp.*, data.*) with tshark's, for the transport
// conformance test: one tshark run per file for every field, then the known differences, each with its reason.

import * as path from "node:path";
import type { Column } from "../../lib/decode/column.js";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { data } from "../../lib/dissectors/data.js";
import { byPorts } from "../../lib/dissectors/handoff.js";
import { isStreamDissector } from "../../lib/dissectors/tcp-reassembly.js";
import { tcp } from "../../lib/dissectors/tcp.js";
import { udp } from "../../lib/dissectors/udp.js";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

/** Every field the transport dissectors declare. */
export const TRANSPORT_FIELDS: readonly FieldDef[] = [...tcp.fields, ...udp.fields, ...data.fields];

/** Why a cell or a frame is not compared (or compared differently): each is a deliberate, named difference. */
export const REASONS = {
  lower: "the layers below the transport differ from tshark's (owned by the link/network dissectors and their tests)",
  app: "tshark hands the payload to an application dissector we do not have yet; we show it as data",
  held: "tshark's application dissector holds the segment for its own TCP reassembly (HTTP, TLS, …); we show it as data",
  reassembled: "tshark shows data over bytes reassembled from several segments (reassembly of undecoded payload is not done)",
  nanos: "a relative time of more than 2^53 ns (104 days) has no nanosecond digits in a double",
  owned: "the layer after tcp/udp is one of our application dissectors, or the stream reassembly feeding one: what it makes of the payload is its own tests' business",
  missing: "tshark prints \"<MISSING>\" for tcp.options when the capture ends right after the fixed header; we leave it absent",
} as const;
export type Reason = keyof typeof REASONS;

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }

export interface FileResult {
  file: string;
  frames: number;
  /** Cells compared (field x frame), and the frame.protocols transport checks. */
  compared: number;
  mismatches: Mismatch[];
  /** Cells or frames left out, by reason. */
  excluded: Map<Reason, number>;
}

const TRANSPORT = new Set(["tcp", "udp"]);
const CLASSIFY = ["frame.protocols", "tcp.payload", "tcp.analysis.retransmission", "tcp.analysis.out_of_order"];

/** Compares one capture. Never skips silently: every cell not compared is counted under a reason. */
export async function compareTransport(file: string): Promise<FileResult> {
  const names = TRANSPORT_FIELDS.map((f) => f.abbrev);
  const asked = [...new Set([...names, ...CLASSIFY])];
  const rows = await tsharkFields(file, asked);
  const col = (a: string) => asked.indexOf(a);
  const cap = await open(file);
  const res: FileResult = { file, frames: cap.count, compared: 0, mismatches: [], excluded: new Map() };
  const skip = (r: Reason, n = 1) => res.excluded.set(r, (res.excluded.get(r) ?? 0) + n);
  try {
    const cols = cap.columns([...names, "frame.protocols"]);
    const [sp, dp] = cap.columns(["tcp.srcport", "tcp.dstport"]);
    /** The TCP payload of frame i goes to a stream dissector (reassembly), whose output is not the transport's. */
    const toStream = (i: number) => sp.has(i) && isStreamDissector(byPorts(cap.tables.tcpPort, sp.get(i) as number, dp.get(i) as number));
    const ours = new Map<string, Column>(cols.map((c) => [c.field.abbrev, c]));
    for (let i = 0; i < Math.min(cap.count, rows.length); i++) {
      const row = rows[i], t = row[col("frame.protocols")].split(":"), o = formatFrame(ours.get("frame.protocols")!, i).split(":");
      const ti = t.findIndex((p) => TRANSPORT.has(p)), oi = o.findIndex((p) => TRANSPORT.has(p));
      const cut = ti < 0 ? t.length : ti + 1;
      if (t.slice(0, cut).join(":") !== o.slice(0, ti < 0 ? o.length : cut).join(":") && (ti >= 0 || oi >= 0)) {
        skip("lower", names.length);
        continue;
      }
      const sameStack = t.join(":") === o.join(":");
      let dataReason: Reason | null = null;
      if (ti >= 0) {
        res.compared++;
        const tn = t[ti + 1] ?? "", on = o[ti + 1] ?? "";
        if (tn !== on) {
          dataReason = classifyNext(tn, on, row[col("tcp.payload")] !== "", t[ti] === "tcp" &&
            (row[col("tcp.analysis.retransmission")] !== "" || row[col("tcp.analysis.out_of_order")] !== ""), o[ti] === "tcp" && toStream(i));
          if (dataReason === null) res.mismatches.push({ frame: i + 1, field: "frame.protocols", tshark: t.join(":"), ours: o.join(":") });
        }
      }
      for (const f of TRANSPORT_FIELDS) {
        const theirs = row[col(f.abbrev)], c = ours.get(f.abbrev)!;
        if (f.abbrev.startsWith("data") && !sameStack) {
          skip(dataReason ?? "app");
          continue;
        }
        if (f.abbrev.startsWith("data") && theirs !== formatFrame(c, i) && reassembledData(row[col("tcp.payload")], theirs)) {
          skip("reassembled");
          continue;
        }
        const mine = cellText(f, c, i, theirs);
        res.compared++;
        if (mine === theirs) continue;
        if (f.abbrev === "tcp.options" && theirs === "<MISSING>" && mine === "") {
          skip("missing");
          continue;
        }
        if (f.type === "rel_time" && nanosLost(theirs, mine)) {
          skip("nanos");
          continue;
        }
        res.mismatches.push({ frame: i + 1, field: f.abbrev, tshark: theirs, ours: mine });
      }
    }
    return res;
  } finally {
    cap.close();
  }
}

/**
 * What to make of a frame whose layer after the transport differs: null (a real mismatch) unless tshark has an
 * application protocol or holds the payload for its reassembly while we show data.
 */
function classifyNext(theirs: string, ours: string, tcpPayload: boolean, retransmission: boolean, toStream: boolean): Reason | null {
  if (toStream || (ours !== "" && ours !== "data")) return "owned";
  if (ours !== "data") return null;
  if (theirs !== "" && theirs !== "data") return "app";
  if (theirs === "" && tcpPayload && !retransmission) return "held";
  return null;
}

/** tshark's data (of a TCP segment) is not this segment's payload: it comes from bytes reassembled before it. */
function reassembledData(payload: string, theirs: string): boolean {
  return theirs !== "" && payload !== "" && (theirs.length > payload.length || !payload.includes(theirs.split(",")[0]));
}

/**
 * Our cell as tshark would print it. Protocol-typed fields are compared by presence and count: tshark prints a
 * tree label ("Transmission Control Protocol, Src Port: …") or the option's bytes, which we do not keep.
 */
function cellText(f: FieldDef, c: Column, i: number, theirs: string): string {
  if (f.type !== "protocol") return formatFrame(c, i);
  const n = c.count(i);
  if (n === 0) return "";
  if (f.abbrev === "tcp" || f.abbrev === "udp" || f.abbrev === "data") return theirs !== "" ? theirs : "<present>";
  const tn = theirs === "" ? 0 : theirs.split(",").length;
  return tn === n ? theirs : `<${n} occurrences>`;
}

/** Both are the same time to within what a double holds at that magnitude. */
function nanosLost(theirs: string, ours: string): boolean {
  const a = Number(theirs), b = Number(ours);
  return Math.abs(a) >= 2 ** 53 / 1e9 && Math.abs(a - b) <= Math.abs(a) * 2 ** -52 * 4;
}

const clip = (s: string, n = 70) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** A compact report: per field the frames that differ and the first example; the exclusions by reason. */
export function describe(r: FileResult, maxLines = 14): string {
  const lines = [`${path.basename(r.file)}: ${r.compared} compared, ${r.mismatches.length} mismatches`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  for (const [field, ms] of by) {
    if (lines.length > maxLines) break;
    lines.push(`  ${field}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  }
  for (const [reason, n] of r.excluded) lines.push(`  not compared (${n}): ${REASONS[reason]}`);
  return lines.join("\n");
}
