// Chart builders: specs with inline data only, and a static SVG with one mark per datum where countable.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { heatmap, histogram, ioGraph, ladder, timeline, VEGALITE_MIME } from "../../lib/charts/index.js";

const t = aq.table({ "frame.time_epoch": [100, 100.5, 101.2, 103], "ip.src": ["10.0.0.1", "10.0.0.2", "10.0.0.1", "<b>x</b>"],
  "ip.dst": ["10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1"], "modbus.func_code": [3, 3, 16, NaN], "frame.len": [60, 66, 80, 90] });

test("every builder yields a v5 spec with inline values (no url) and an SVG with marks", async () => {
  const charts = [timeline(t, { category: "ip.src" }), ioGraph(t, { by: "ip.src", interval: 1 }), histogram(t, { field: "frame.len" }),
    heatmap(t, { x: "modbus.func_code", y: "ip.src" }), ladder(t, { label: "modbus.func_code" })];
  for (const c of charts) {
    const json = JSON.stringify(c.spec);
    assert.ok(!json.includes('"url"'), "never fetched");
    assert.match(json, /"values":\[/);
    const b = await (c as any)[Symbol.for("Jupyter.display")]();
    assert.ok(b[VEGALITE_MIME] && b["text/plain"]);
    assert.match(b["image/svg+xml"], /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(!b["image/svg+xml"].includes("<b>"), "labels escaped in the SVG");
  }
  const tl = await timeline(t, { category: "ip.src" }).svg();
  assert.equal((tl.match(/<path aria-label="time: /g) ?? []).length, 4, "one tick per event");
  assert.deepEqual((timeline(t, { category: "ip.src" }).spec.data as any).values[0], { frame_time_epoch: 100000, ip_src: "10.0.0.1" });
  assert.throws(() => heatmap(t, { x: "nope", y: "ip.src" }), /no column "nope"/);
});
