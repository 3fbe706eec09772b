// Every mqtt.* field, frame by frame, against tshark 4.0 on every MQTT capture of the shared corpus and every MQTT
// sample the project made on loopback (samples/, scripts/make-captures.sh): through the whole pipeline (capture
// reader, link/IP/TCP dissectors, TCP reassembly, mqtt.ts, column extraction, tshark-style formatting).

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { corpusFiles, requireTool, sampleFiles } from "../oracle/tshark.js";
import { compareMqtt, report } from "./mqtt-compare.js";

const isMqtt = (f: string) => /(^|\/)mqtt\//.test(path.relative(path.dirname(path.dirname(f)), f)) || /mqtt/i.test(path.basename(f));

test("every mqtt field of every corpus and sample MQTT capture equals tshark's", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const files = [...corpusFiles().filter((f) => f.includes(`${path.sep}mqtt${path.sep}`)), ...sampleFiles().filter(isMqtt)];
  assert.ok(files.length >= 14, `${files.length} MQTT captures`);
  let compared = 0, messages = 0, lower = 0;
  const failures: string[] = [];
  for (const f of files) {
    const r = await compareMqtt(f);
    compared += r.compared;
    messages += r.messages;
    lower += r.excluded.get("lower") ?? 0;
    t.diagnostic(report(r));
    if (r.mismatches.length > 0) failures.push(report(r));
  }
  t.diagnostic(`${files.length} files, ${messages} frames with MQTT, ${compared} cells compared` +
    (lower > 0 ? `; ${lower} frames not compared because their IP/TCP layers are not decoded yet` : ""));
  assert.deepEqual(failures, []);
});
