// Frame-by-frame comparison of every mbtcp.* and modbus.* field with tshark's, for the Modbus conformance tests: one
// tshark run per file (cached), then each cell compared, or left out under a named reason that says why.

import * as path from "node:path";
import type { Column } from "../../lib/decode/column.js";
import { DISSECTORS } from "../../lib/dissectors/registry.js";
import { mbtcp } from "../../lib/dissectors/mbtcp.js";
import { modbus } from "../../lib/dissectors/modbus.js";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

/** Every field the Modbus dissectors declare, less the two protocol fields (compared through frame.protocols). */
export const MODBUS_FIELDS: readonly string[] = [...mbtcp.fields, ...modbus.fields]
  .map((f) => f.abbrev).filter((a) => a !== "mbtcp" && a !== "modbus");

/** Why a cell is not compared: each is a named difference owned elsewhere. */
export const REASONS = {
  ports: "query or response is decided by the direction of the connection's first ADU, not by the TCP ports (tcp.ts does not pass its ports up yet): wrong for a connection captured from a response on",
  gap: "after bytes lost in a direction, tshark 4.0 dissects each later segment at once; tcp-reassembly.ts holds them until the hole is declared lost (and never dissects retransmitted bytes again)",
  notModbus: "the payload is not Modbus: tshark shows data or another protocol after tcp, tcp-reassembly.ts shows nothing",
} as const;
export type Reason = keyof typeof REASONS;

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }

export interface ModbusResult {
  file: string;
  frames: number;
  /** Frames in which tshark shows an mbtcp layer. */
  modbusFrames: number;
  compared: number;
  mismatches: Mismatch[];
  excluded: Map<Reason, number>;
}

const ANALYSIS = [
  "tcp.analysis.lost_segment", "tcp.analysis.retransmission", "tcp.analysis.out_of_order",
  "tcp.analysis.spurious_retransmission", "tcp.analysis.ack_lost_segment",
];
const CONTEXT = ["frame.protocols", "tcp.stream", "tcp.srcport", "tcp.dstport", ...ANALYSIS];

/** Our frame.protocols as Wireshark lists layers: "mbtcp" once per TCP payload (mbtcp.listed), the rest each. */
function ourStacks(cap: Awaited<ReturnType<typeof open>>): string[] {
  const layers = cap.layers(), n = cap.count, out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const names: string[] = [];
    for (let l = layers.frameStart[i]; l < layers.frameStart[i + 1]; l++) {
      const d = DISSECTORS[layers.proto[l]];
      if (d === mbtcp && !mbtcp.listed(layers.aux[l])) continue;
      names.push(d.proto);
    }
    out[i] = names.join(":");
  }
  return out;
}

/** The stack from the transport layer on ("tcp:mbtcp:modbus"). */
const fromTcp = (s: string): string => {
  const parts = s.split(":"), k = parts.lastIndexOf("tcp");
  return k < 0 ? "" : parts.slice(k).join(":");
};

/** Streams (tshark's tcp.stream) whose first ADU comes from port 502: our interim classification gets them wrong. */
function misclassifiedStreams(rows: string[][], col: (f: string) => number): Set<string> {
  const first = new Map<string, boolean>();
  for (const r of rows) {
    if (!r[col("frame.protocols")].includes("mbtcp") || first.has(r[col("tcp.stream")])) continue;
    first.set(r[col("tcp.stream")], r[col("tcp.srcport")] === "502" && r[col("tcp.dstport")] !== "502");
  }
  return new Set([...first].filter(([, bad]) => bad).map(([s]) => s));
}

/** Compares one capture. Never skips silently: every cell left out is counted under its reason. */
export async function compareModbus(file: string): Promise<ModbusResult> {
  const asked = [...MODBUS_FIELDS, ...CONTEXT];
  const rows = await tsharkFields(file, asked);
  const col = (f: string) => asked.indexOf(f);
  const cap = await open(file);
  const res: ModbusResult = { file, frames: cap.count, modbusFrames: 0, compared: 0, mismatches: [], excluded: new Map() };
  const skip = (r: Reason, n = 1) => res.excluded.set(r, (res.excluded.get(r) ?? 0) + n);
  try {
    const cols: Column[] = cap.columns(MODBUS_FIELDS);
    const stacks = ourStacks(cap), bad = misclassifiedStreams(rows, col);
    /** Directions (stream/source port) that lost bytes: the reassembler may hold their later segments. */
    const lossy = new Set<string>();
    for (let i = 0; i < Math.min(cap.count, rows.length); i++) {
      const row = rows[i], theirStack = fromTcp(row[col("frame.protocols")]), ourStack = fromTcp(stacks[i]);
      if (theirStack.includes("mbtcp")) res.modbusFrames++;
      let reason: Reason | null = null;
      const flow = `${row[col("tcp.stream")]}/${row[col("tcp.srcport")]}`;
      if (row[col("tcp.analysis.lost_segment")] !== "") lossy.add(flow);
      if (bad.has(row[col("tcp.stream")])) reason = "ports";
      else if (lossy.has(flow) || ANALYSIS.some((a) => row[col(a)] !== "")) reason = "gap";
      else if (!theirStack.includes("mbtcp") && !ourStack.includes("mbtcp")) reason = theirStack === ourStack ? null : "notModbus";
      const cell = (field: string, theirs: string, ours: string) => {
        if (theirs === ours) { res.compared++; return; }
        if (reason !== null) { skip(reason); return; }
        res.compared++;
        res.mismatches.push({ frame: i + 1, field, tshark: theirs, ours });
      };
      cell("frame.protocols", theirStack, ourStack);
      for (let k = 0; k < MODBUS_FIELDS.length; k++) cell(MODBUS_FIELDS[k], row[k], formatFrame(cols[k], i));
    }
    if (rows.length !== cap.count) res.mismatches.push({ frame: 0, field: "frame count", tshark: String(rows.length), ours: String(cap.count) });
    return res;
  } finally {
    cap.close();
  }
}

const clip = (s: string, n = 70) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** A compact report: cells compared, per field the frames that differ with the first example, exclusions by reason. */
export function describe(r: ModbusResult, maxLines = 14): string {
  const lines = [`${path.basename(r.file)}: ${r.compared} cells compared (${r.modbusFrames} Modbus frames of ${r.frames}), ${r.mismatches.length} mismatches`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  for (const [field, ms] of by) {
    if (lines.length > maxLines) break;
    lines.push(`  ${field}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  }
  for (const [reason, n] of r.excluded) lines.push(`  not compared (${n}): ${REASONS[reason]}`);
  return lines.join("\n");
}
