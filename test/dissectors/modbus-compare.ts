// Frame-by-frame comparison of every mbtcp.* and modbus.* field with tshark's, for the Modbus conformance tests (the
// loop itself is protocol-compare.ts). Modbus's own: the stack from tcp on is compared too, and a frame's differing
// cells are left out under a named reason when its TCP connection is one we know to differ (ports, lost bytes,
// payload that is not Modbus).

import { DISSECTORS } from "../../lib/dissectors/registry.js";
import { mbtcp } from "../../lib/dissectors/mbtcp.js";
import { modbus } from "../../lib/dissectors/modbus.js";
import type { Capture } from "../../lib/table/capture.js";
import { compareFrames, report as reportOf, type Frame, type Result } from "./protocol-compare.js";

export type { Mismatch } from "./protocol-compare.js";

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

export type ModbusResult = Result<Reason>;

const ANALYSIS = [
  "tcp.analysis.lost_segment", "tcp.analysis.retransmission", "tcp.analysis.out_of_order",
  "tcp.analysis.spurious_retransmission", "tcp.analysis.ack_lost_segment",
];
const CONTEXT = ["frame.protocols", "tcp.stream", "tcp.srcport", "tcp.dstport", ...ANALYSIS];

/** Our frame.protocols as Wireshark lists layers: "mbtcp" once per TCP payload (mbtcp.listed), the rest each. */
function ourStacks(cap: Capture): string[] {
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
function misclassifiedStreams(rows: readonly string[][], col: (f: string) => number): Set<string> {
  const first = new Map<string, boolean>();
  for (const r of rows) {
    if (!r[col("frame.protocols")].includes("mbtcp") || first.has(r[col("tcp.stream")])) continue;
    first.set(r[col("tcp.stream")], r[col("tcp.srcport")] === "502" && r[col("tcp.dstport")] !== "502");
  }
  return new Set([...first].filter(([, bad]) => bad).map(([s]) => s));
}

/**
 * Compares one capture, every frame: the Modbus fields and the stack from tcp on. Never skips silently: a differing
 * cell is left out only under the frame's reason, and counted there.
 */
export function compareModbus(file: string): Promise<ModbusResult> {
  let stacks: string[] = [], bad = new Set<string>();
  /** Directions (stream/source port) that lost bytes: the reassembler may hold their later segments. */
  const lossy = new Set<string>();
  /** Why this frame's differing cells are not compared, or null: they are mismatches. */
  let reason: Reason | null = null;
  const theirStack = (f: Frame<Reason>) => fromTcp(f.theirs("frame.protocols"));
  return compareFrames<Reason>(file, {
    fields: MODBUS_FIELDS,
    theirContext: CONTEXT,
    everyFrame: true,
    isMessage: (f) => theirStack(f).includes("mbtcp"),
    begin(rows, col, cap) {
      stacks = ourStacks(cap);
      bad = misclassifiedStreams(rows, col);
    },
    before(f) {
      const ours = fromTcp(stacks[f.i]), theirs = theirStack(f);
      const flow = `${f.theirs("tcp.stream")}/${f.theirs("tcp.srcport")}`;
      if (f.theirs("tcp.analysis.lost_segment") !== "") lossy.add(flow);
      reason = null;
      if (bad.has(f.theirs("tcp.stream"))) reason = "ports";
      else if (lossy.has(flow) || ANALYSIS.some((a) => f.theirs(a) !== "")) reason = "gap";
      else if (!theirs.includes("mbtcp") && !ours.includes("mbtcp")) reason = theirs === ours ? null : "notModbus";
      f.cell("frame.protocols", theirs, ours);
    },
    leaveOut: (_f, _field, theirs, ours) => (theirs !== ours ? reason : null),
  });
}

/** The shared report: cells compared, per field the frames that differ with the first example, exclusions by reason. */
export const report = (r: ModbusResult, maxLines = 14): string => reportOf(r, { label: "Modbus/TCP", reasons: REASONS, clip: 70, maxLines });
