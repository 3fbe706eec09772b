// Fuzzing the BLE dissectors with mutated real frames (deterministic seed): nothing throws, nothing hangs, every
// value has its field's type, and getters given a view of exactly their layer's bytes stay inside it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { btatt } from "../../lib/dissectors/btatt.js";
import { btcommonAd } from "../../lib/dissectors/btcommon-ad.js";
import { btl2cap } from "../../lib/dissectors/btl2cap.js";
import { btleRf } from "../../lib/dissectors/btle-rf.js";
import { btle } from "../../lib/dissectors/btle.js";
import { btsmp } from "../../lib/dissectors/btsmp.js";
import type { FieldDef, FieldValue } from "../../lib/dissectors/field.js";
import { requireTool } from "../oracle/tshark.js";
import { bleFrames } from "./btle-frames.js";
import { RecordingContext, rng } from "./mqtt-corpus.js";

const OURS = new Set([btleRf, btle, btcommonAd, btl2cap, btatt, btsmp]);
const RANGE: Record<string, [number, number]> = {
  uint8: [0, 0xff], uint16: [0, 0xffff], uint24: [0, 0xffffff], uint32: [0, 0xffffffff], uint64: [0, 2 ** 64], int8: [-128, 127],
  bool: [0, 1], none: [1, 1], ether: [0, 2 ** 48 - 1], framenum: [1, 2 ** 32],
};

function check(f: FieldDef, v: FieldValue): void {
  if (v === undefined) return;
  const r = RANGE[f.type];
  if (r) assert.ok(typeof v === "number" && v >= r[0] && v <= r[1], `${f.abbrev} = ${String(v)}`);
  else if (f.type === "bytes") assert.ok(v instanceof Uint8Array, f.abbrev);
  else if (f.type === "string") assert.equal(typeof v, "string", f.abbrev);
}

function mutate(p: Uint8Array, rand: () => number): Uint8Array {
  const r = rand();
  if (r < 0.15) return p.slice(0, Math.floor(rand() * p.length));
  const b = p.slice();
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    // Favour the RF flags, the PDU header and the first payload bytes, where the branches are.
    const at = rand() < 0.5 ? Math.floor(rand() * Math.min(24, b.length)) : Math.floor(rand() * b.length);
    b[at] = rand() < 0.3 ? [0x00, 0xff, 0x01, 0x7f, 0x80][Math.floor(rand() * 5)] : Math.floor(rand() * 256);
  }
  return b;
}

test("BLE dissectors on thousands of mutated real frames: no exception, typed values, reads only the layer", (t) => {
  if (!requireTool(t, "corpus")) return;
  const real = bleFrames();
  assert.ok(real.length > 1000, `${real.length} real frames`);
  const rand = rng(0x5eed);
  btle.reset!();
  const started = Date.now();
  let cases = 0;
  for (; cases < 30000 && Date.now() - started < 15000; cases++) {
    const b = mutate(real[Math.floor(rand() * real.length)], rand);
    const ctx = new RecordingContext();
    (ctx as { linktype: number }).linktype = 256;
    ctx.frame = cases;
    ctx.dissect(btleRf, b, 0, b.length, b.length);
    for (const l of ctx.layers) {
      assert.ok(OURS.has(l.d), l.d.proto);
      assert.ok(l.o <= l.end && l.end <= l.b.length);
      const view = l.b.slice(l.o, l.end);
      for (const f of l.d.fields) {
        if (f.get) check(f, f.get(view, 0, view.length, l.rep, l.aux));
        else if (f.each) f.each(view, 0, view.length, l.rep, l.aux, (v) => check(f, v));
      }
    }
  }
  t.diagnostic(`${cases} mutated frames in ${Date.now() - started} ms`);
  assert.ok(cases >= 5000);
});
