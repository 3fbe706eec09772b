// Every field btle_rf, btle, btcommon, btl2cap, btatt and btsmp declare, frame by frame, against tshark 4.0 on every
// BLE capture of the shared corpus, through the whole pipeline (capture reader, dissectors, columns, formatting).

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { corpusFiles, requireTool } from "../oracle/tshark.js";
import { compareBle, REASONS, type Reason } from "./btle-compare.js";

test("every BLE field of every corpus BLE capture equals tshark's (or differs for a named reason)", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const files = corpusFiles().filter((f) => f.includes(`${path.sep}ble${path.sep}`));
  assert.ok(files.length >= 5, `${files.length} BLE captures`);
  let cells = 0, frames = 0, fields = 0;
  const excluded = new Map<Reason, number>();
  const failures: string[] = [];
  for (const f of files) {
    const r = await compareBle(f);
    cells += r.compared;
    frames += r.frames;
    fields = r.fields;
    for (const [k, n] of r.excluded) excluded.set(k, (excluded.get(k) ?? 0) + n);
    t.diagnostic(`${path.basename(f)}: ${r.fields} fields x ${r.frames} frames = ${r.compared} cells, ${r.mismatches.length} mismatches`);
    for (const m of r.mismatches.slice(0, 20)) failures.push(`${path.basename(f)} frame ${m.frame} ${m.field}: tshark "${m.tshark}" ours "${m.ours}"`);
  }
  t.diagnostic(`${files.length} files: ${fields} fields x ${frames} frames = ${cells} cells compared, ${failures.length} mismatches`);
  for (const [k, n] of excluded) t.diagnostic(`  ${n} cells differ by design (${k}): ${REASONS[k]}`);
  assert.deepEqual(failures, []);
});
