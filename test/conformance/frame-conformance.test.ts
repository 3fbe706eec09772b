// frame.* of every corpus and sample capture against tshark: numbers, lengths, exact times, interface, protocol
// stack and comments. A file's failure prints a compact diff (per field; frame.protocols grouped by stack) so the
// owner of the dissector that ends a stack early can act on it.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { compareCapture, registered, report } from "./compare.js";
import { corpusDir, corpusFiles, requireTool, sampleFiles } from "../oracle/tshark.js";

const FRAME_FIELDS = [
  "frame.number", "frame.len", "frame.cap_len", "frame.time_epoch", "frame.time_relative", "frame.time_delta",
  "frame.interface_id", "frame.protocols", "frame.comment",
];

test("frame.* fields of every corpus and sample capture match tshark", async (t) => {
  if (!requireTool(t, "tshark")) return;
  if (corpusFiles().length === 0) {
    if (process.env.CI === "true") throw new Error(`the shared corpus (${corpusDir()}) is missing, and CI=true requires it`);
    t.diagnostic(`the shared corpus (${corpusDir()}) is missing: samples only`);
  }
  const files = [...corpusFiles(), ...sampleFiles()];
  const fields = registered(FRAME_FIELDS);
  assert.deepEqual(fields, FRAME_FIELDS, "frame fields missing from the registry");
  let compared = 0, mismatched = 0, failedFiles = 0;
  for (const file of files) {
    const name = file.startsWith(corpusDir()) ? path.relative(corpusDir(), file) : path.join("samples", path.basename(file));
    await t.test(name, async (st) => {
      const c = await compareCapture(file, fields);
      compared += c.compared;
      mismatched += c.mismatches.length;
      if (c.mismatches.length) failedFiles++;
      if (c.beyond.size) {
        st.diagnostic(`frame.protocols compared up to the protocols we dissect; tshark goes on with: ${[...c.beyond].map(([p, k]) => `${p} (${k} frames)`).join(", ")}`);
      }
      const text = report(c);
      for (const line of text.split("\n")) st.diagnostic(line);
      assert.equal(c.mismatches.length, 0, `${c.mismatches.length} mismatches (the diff is in this test's diagnostics)`);
    });
  }
  t.diagnostic(`frame conformance: ${fields.length} fields x frames of ${files.length} files = ${compared} compared, ` +
    `${mismatched} mismatches in ${failedFiles} files`);
});
