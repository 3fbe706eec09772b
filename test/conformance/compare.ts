// Field-by-field comparison of our decoding with tshark's on one capture, for the conformance tests: the same text
// (formatFrame, tshark -T fields), a count of cells compared and a compact report of what differs.

import * as path from "node:path";
import { lookupField, lookupProtocol } from "../../lib/dissectors/registry.js";
import type { FrameIndex } from "../../lib/capture/frame-index.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { compareFrames, type Mismatch } from "../dissectors/protocol-compare.js";

export type { Mismatch } from "../dissectors/protocol-compare.js";

export interface Comparison {
  file: string;
  frames: number;
  fields: string[];
  /** Cells compared: fields x frames. */
  compared: number;
  mismatches: Mismatch[];
  /**
   * Protocols tshark decodes that we do not dissect yet, with the frames whose stack was cut there; and the stack
   * differences counted under their reason.
   */
  beyond: Map<string, number>;
}

/**
 * Protocol stacks that differ from tshark on purpose, each with its reason (the dissector's own conformance test
 * lists the same frames). Matched on the file name and both stacks; counted and printed, not failed.
 */
export const LISTED_STACK_DIFFERENCES: { file: RegExp; tshark: RegExp; ours: RegExp; reason: string }[] = [
  {
    file: /modbus-(and-non-modbus-port502|fuzz-72|testdata-part1)\.pcap$/, tshark: /:tcp:data$/, ours: /:tcp$/,
    reason: "bytes on the Modbus port that are not Modbus: tshark shows them as data, the reassembler drops them",
  },
  {
    file: /modbus-fuzz-72\.pcap$/, tshark: /:tcp(:mbtcp:modbus)?$/, ours: /:tcp(:mbtcp:modbus)*$/,
    reason: "after bytes lost in a direction, the reassembler holds later segments until the hole is declared lost; tshark dissects each at once",
  },
];

/** The reason a stack difference is listed, or null. */
export function listedStackDifference(file: string, tshark: string, ours: string): string | null {
  const hit = LISTED_STACK_DIFFERENCES.find((d) => d.file.test(file) && d.tshark.test(tshark) && d.ours.test(ours));
  return hit ? hit.reason : null;
}

/**
 * frame.protocols up to the protocols we dissect: tshark's stack is cut at its first protocol we do not register
 * (HTTP, DNS, TLS … until their dissectors exist), and ours at the same depth (where we show `data` or stop).
 * Returns the compared texts and the protocol where tshark's stack was cut (or null).
 */
export function comparableStacks(tshark: string, ours: string): { tshark: string; ours: string; cut: string | null } {
  const t = tshark.split(":"), o = ours.split(":");
  const k = t.findIndex((p) => lookupProtocol(p) === undefined);
  if (k < 0) return { tshark, ours, cut: null };
  return { tshark: t.slice(0, k).join(":"), ours: o.slice(0, k).join(":"), cut: t[k] };
}

/**
 * Compares every frame's `fields` with tshark's (the loop is test/dissectors/protocol-compare.ts; one tshark run,
 * cached). Times are compared exactly (formatFrame with the frame index); frame.protocols up to the protocols we
 * dissect (comparableStacks), and its listed differences are counted under their reason, not failed.
 */
export async function compareCapture(file: string, fields: readonly string[]): Promise<Comparison> {
  const stackAt = fields.indexOf("frame.protocols");
  let index: FrameIndex | undefined;
  /** The first protocol of this file that tshark decodes and we do not, if any. */
  let lacking: string | null = null;
  const r = await compareFrames<string>(file, {
    fields,
    everyFrame: true,
    begin(rows, _col, cap) {
      index = cap.file.index;
      if (stackAt >= 0) lacking = rows.map((row) => comparableStacks(row[stackAt], "").cut).find((c) => c) ?? null;
    },
    view(f, field, theirs) {
      const ours = formatFrame(f.column(field), f.i, { index });
      if (field !== "frame.protocols") return [theirs, ours];
      const c = comparableStacks(theirs, ours);
      if (c.cut) f.skip(c.cut);
      // A protocol we lack (HTTP, TLS …) that reassembles holds a segment's payload: tshark lists nothing after tcp
      // there, we list the payload as data. Counted under that protocol's name, not as a mismatch.
      if (lacking && c.ours === `${c.tshark}:data` && /:(tcp|udp)$/.test(c.tshark)) {
        f.skip(`${lacking} (holding a segment)`);
        return [c.tshark, c.tshark];
      }
      return [c.tshark, c.ours];
    },
    excuse(_f, field, theirs, ours) {
      const why = field === "frame.protocols" ? listedStackDifference(file, theirs, ours) : null;
      return why === null ? null : `listed: ${why}`;
    },
  });
  return { file, frames: r.frames, fields: [...fields], compared: r.compared, mismatches: r.mismatches, beyond: r.excluded };
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
