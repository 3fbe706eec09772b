// Every mbtcp.* and modbus.* field, and the protocol stack from tcp on, against tshark, frame by frame: the corpus's
// Modbus captures, any other corpus capture in which tshark finds Modbus/TCP, and the project's own samples. Cells
// left out are counted under a named reason (modbus-compare.ts); everything else must agree.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { corpusDir, corpusFiles, requireTool, sampleFiles, tsharkFields } from "../oracle/tshark.js";
import { compareModbus, MODBUS_FIELDS, report } from "./modbus-compare.js";

/** Captures to compare: corpus modbus/*, other captures where tshark shows mbtcp, samples with Modbus. */
async function captures(): Promise<string[]> {
  const out: string[] = [];
  for (const f of [...corpusFiles(), ...sampleFiles()]) {
    if (/\.gz$/.test(f)) continue;
    if (f.includes(`${path.sep}modbus${path.sep}`) || /modbus/i.test(path.basename(f))) { out.push(f); continue; }
    try {
      const rows = await tsharkFields(f, ["mbtcp.trans_id"]);
      if (rows.some((r) => r[0] !== "")) out.push(f);
    } catch {
      // A capture tshark cannot read at all has no Modbus to compare.
    }
  }
  return out;
}

test("mbtcp and modbus fields match tshark on every capture with Modbus/TCP", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const files = await captures();
  assert.ok(files.length >= 8, `only ${files.length} captures with Modbus found under ${corpusDir()}`);
  let compared = 0, mismatched = 0, frames = 0;
  const excluded = new Map<string, number>();
  for (const file of files) {
    const name = file.startsWith(corpusDir()) ? path.relative(corpusDir(), file) : path.join("samples", path.basename(file));
    await t.test(name, async (st) => {
      const r = await compareModbus(file);
      compared += r.compared;
      mismatched += r.mismatches.length;
      frames += r.messages;
      for (const [k, n] of r.excluded) excluded.set(k, (excluded.get(k) ?? 0) + n);
      for (const line of report(r).split("\n")) st.diagnostic(line);
      assert.deepEqual(r.mismatches.slice(0, 20), [], report(r));
    });
  }
  t.diagnostic(`modbus conformance: ${MODBUS_FIELDS.length + 1} fields (with frame.protocols) over ${files.length} captures, ` +
    `${frames} Modbus frames: ${compared} cells compared, ${mismatched} mismatches; not compared: ` +
    [...excluded].map(([k, n]) => `${k} ${n}`).join(", "));
  assert.ok(compared > 1_000_000, `${compared} cells compared`);
});
