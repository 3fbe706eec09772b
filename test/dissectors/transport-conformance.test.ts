// Every field tcp, udp and data declare, frame by frame, against tshark on every corpus capture; plus the transport
// part of frame.protocols (the layer after tcp/udp: data where tshark shows data, nothing where it shows nothing).
// Differences made on purpose are named in transport-compare.ts (REASONS) and counted, never silently dropped.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { corpusDir, corpusFiles, requireTool } from "../oracle/tshark.js";
import { compareTransport, report, REASONS, TRANSPORT_FIELDS, type Reason } from "./transport-compare.js";

test("tcp, udp and data fields of every corpus capture match tshark", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  let compared = 0, mismatched = 0, frames = 0, failed = 0;
  const excluded = new Map<Reason, number>();
  const files = corpusFiles();
  for (const file of files) {
    await t.test(path.relative(corpusDir(), file), async (st) => {
      const r = await compareTransport(file);
      compared += r.compared;
      mismatched += r.mismatches.length;
      frames += r.frames;
      if (r.mismatches.length) failed++;
      for (const [k, n] of r.excluded) excluded.set(k, (excluded.get(k) ?? 0) + n);
      const text = report(r);
      for (const line of text.split("\n")) st.diagnostic(line);
      assert.equal(r.mismatches.length, 0, text);
    });
  }
  t.diagnostic(`transport conformance: ${TRANSPORT_FIELDS.length} fields x ${frames} frames of ${files.length} files: ` +
    `${compared} cells compared, ${mismatched} mismatches in ${failed} files`);
  for (const [k, n] of excluded) t.diagnostic(`  not compared: ${n} cells: ${REASONS[k]}`);
  assert.ok(compared > 0, "nothing was compared");
});
