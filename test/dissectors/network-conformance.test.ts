// Conformance of the link- and network-layer dissectors with tshark 4.0 (`tshark -n`): for every capture of the
// shared corpus, and for captures made on the spot in a private network namespace (net-captures.ts), every field
// these dissectors declare is compared frame by frame with tshark's -T fields output (the shared loop of
// protocol-compare.ts: one cached tshark run per file), and frame.protocols up to the last of our layers. Differences
// we keep on purpose are listed in DIFFERENCES with the reason, and counted; the run prints "fields compared × frames,
// mismatches".

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { allFields } from "../../lib/dissectors/registry.js";
import { corpusFiles, requireTool } from "../oracle/tshark.js";
import { OWN, haveNetns, makeLoopbackCapture, reframe, tempDir } from "./net-captures.js";
import { compareFrames } from "./protocol-compare.js";

/** Fields whose text differs from tshark's on purpose (or for a reason outside these dissectors), and why. */
export const DIFFERENCES: Record<string, { why: string; same: (ours: string, theirs: string) => boolean }> = {
  "icmpv6.opt.linkaddr": { why: "FT_BYTES that tshark prints with ':' (the field's SEP_COLON display); FieldDef has no display separator yet, so the formatter prints plain hex", same: (a, t) => a === t.replaceAll(":", "") },
  "icmpv6.opt.src_linkaddr": { why: "as icmpv6.opt.linkaddr", same: (a, t) => a === t.replaceAll(":", "") },
  "icmpv6.opt.target_linkaddr": { why: "as icmpv6.opt.linkaddr", same: (a, t) => a === t.replaceAll(":", "") },
};

/** Frames whose link layer is not dissected here (NFLOG, Bluetooth): tshark's stack starts with a foreign protocol. */
const foreignLink = (stack: string) => stack !== "" && !OWN.has(stack.split(":")[0]);

const ownFields = (): string[] => {
  const out: string[] = [];
  for (const e of allFields()) if (e.dissector && OWN.has(e.dissector.proto) && e.field.type !== "protocol") out.push(e.field.abbrev);
  return out;
};

/** frame.protocols cut after the last of our protocols at its start (the layers above belong to others). */
function ownPrefix(stack: string): string {
  const p = stack.split(":");
  let j = 0;
  while (j < p.length && OWN.has(p[j])) j++;
  return p.slice(0, j).join(":");
}

interface Tally { fields: number; frames: number; compared: number; mismatches: string[]; excused: Map<string, number> }

/** Compares one file on the shared loop (protocol-compare.ts) and adds it to the tally. */
async function compareFile(file: string, fields: readonly string[], tally: Tally): Promise<void> {
  const r = await compareFrames<string>(file, {
    fields: ["frame.protocols", ...fields],
    everyFrame: true,
    leaveFrame: (f) => (foreignLink(f.theirs("frame.protocols")) ? { reason: "foreign link", count: 1 } : null),
    view: (_f, field, theirs, ours) => (field === "frame.protocols" ? [ownPrefix(theirs), ownPrefix(ours)] : [theirs, ours]),
    excuse: (_f, field, theirs, ours) => (DIFFERENCES[field]?.same(ours, theirs) ? field : null),
  });
  tally.frames += r.frames - (r.excluded.get("foreign link") ?? 0);
  tally.compared += r.compared;
  for (const [k, n] of r.excluded) if (k !== "foreign link") tally.excused.set(k, (tally.excused.get(k) ?? 0) + n);
  for (const m of r.mismatches) tally.mismatches.push(`${file} #${m.frame} ${m.field}: ours ${JSON.stringify(m.ours.slice(0, 100))} tshark ${JSON.stringify(m.tshark.slice(0, 100))}`);
}

function report(label: string, t: Tally): void {
  console.log(`${label}: ${t.fields} fields compared × ${t.frames} frames (${t.compared} values), ${t.mismatches.length} mismatches` +
    (t.excused.size > 0 ? `; intentional differences: ${[...t.excused].map(([f, n]) => `${f} ${n}`).join(", ")}` : ""));
  for (const m of t.mismatches.slice(0, 20)) console.log("  " + m);
}

test("link and network fields agree with tshark on every corpus capture", async (t) => {
  if (!requireTool(t, "corpus") || !requireTool(t, "tshark")) return;
  const fields = ownFields();
  const tally: Tally = { fields: fields.length + 1, frames: 0, compared: 0, mismatches: [], excused: new Map() };
  for (const file of corpusFiles()) await compareFile(file, fields, tally);
  report("corpus", tally);
  console.log(`intentional differences: ${Object.entries(DIFFERENCES).map(([f, d]) => `${f} (${d.why})`).join("; ")}`);
  assert.equal(tally.mismatches.length, 0, tally.mismatches.slice(0, 5).join("\n"));
});

test("fragments, ICMP errors, options and every link type agree with tshark on captures made in a netns", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "tcpdump") || !requireTool(t, "python3") || !requireTool(t, "unshare")) return;
  if (!haveNetns()) {
    if (process.env.CI === "true") throw new Error("cannot create a network namespace (unshare -n), and CI=true requires it");
    t.skip("cannot create a network namespace (unshare -n needs CAP_SYS_ADMIN)");
    return;
  }
  const dir = tempDir();
  try {
    const made = await makeLoopbackCapture(dir);
    if (!made.file) {
      if (process.env.CI === "true") throw new Error(made.why);
      t.skip(made.why);
      return;
    }
    const fields = ownFields();
    const tally: Tally = { fields: fields.length + 1, frames: 0, compared: 0, mismatches: [], excused: new Map() };
    for (const file of [made.file, ...reframe(made.file, dir)]) await compareFile(file, fields, tally);
    report("netns captures", tally);
    assert.ok(tally.frames >= 200, `only ${tally.frames} frames compared`);
    assert.equal(tally.mismatches.length, 0, tally.mismatches.slice(0, 5).join("\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
