// The shared comparison loop itself (protocol-compare.ts): a difference is a mismatch unless a hook names a reason,
// and then it is counted under that reason; tshark's extra arguments reach tshark. Every conformance test relies on
// these rules, so a loop that passed differences silently would weaken all of them at once.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot, requireTool } from "../oracle/tshark.js";
import { compareFrames, report } from "./protocol-compare.js";

const FILE = path.join(projectRoot(), "samples", "mqtt311-pubsub.pcap");
const FIELDS = ["mqtt.msgtype", "mqtt.topic", "mqtt.msgid"];
/** The 3rd frame with a topic: where the hooks below break our text. */
const TARGET = 3;

test("compareFrames: a cell we print differently is a mismatch; a reason counts it instead; a left-out cell is not compared", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const clean = await compareFrames(FILE, { fields: FIELDS });
  assert.deepEqual(clean.mismatches, [], report(clean, { label: "MQTT" }));
  assert.ok(clean.messages > 10 && clean.compared === clean.messages * FIELDS.length, report(clean, { label: "MQTT" }));

  // Break our mqtt.topic in one frame (the view hook sees the texts before they are compared).
  let seen = 0, broken = 0;
  const view = (i: number, field: string, theirs: string, ours: string): [string, string] => {
    if (field !== "mqtt.topic" || ours === "") return [theirs, ours];
    if (++seen !== TARGET) return [theirs, ours];
    broken = i + 1;
    return [theirs, ours + "~"];
  };
  const bad = await compareFrames(FILE, { fields: FIELDS, view: (f, field, th, o) => view(f.i, field, th, o) });
  assert.equal(bad.compared, clean.compared);
  assert.deepEqual(bad.mismatches.map((m) => [m.frame, m.field, m.ours.endsWith("~")]), [[broken, "mqtt.topic", true]]);
  assert.match(report(bad, { label: "MQTT" }), /1 mismatches\n {2}mqtt\.topic: 1 frames, first #\d+/);

  seen = 0;
  const excused = await compareFrames<"why">(FILE, { fields: FIELDS, view: (f, field, th, o) => view(f.i, field, th, o), excuse: () => "why" });
  assert.deepEqual([excused.mismatches, excused.compared, [...excused.excluded]], [[], clean.compared, [["why", 1]]]);

  seen = 0;
  const left = await compareFrames<"why">(FILE, {
    fields: FIELDS, view: (f, field, th, o) => view(f.i, field, th, o), leaveOut: (_f, _field, th, o) => (th !== o ? "why" : null),
  });
  assert.deepEqual([left.mismatches, left.compared, [...left.excluded]], [[], clean.compared - 1, [["why", 1]]]);
  assert.match(report(left, { label: "MQTT", reasons: { why: "a named reason" } }), /\n {2}why \(1\): a named reason$/);
});

test("compareFrames: tshark's extra arguments reach tshark (a preference), and a frame left out is counted", async (t) => {
  if (!requireTool(t, "tshark")) return;
  // tshark shows mqtt.msg_text only with mqtt.show_msg_as_text on; we always show it for text payloads.
  const without = await compareFrames(FILE, { fields: ["mqtt.msg_text"] });
  const withPref = await compareFrames(FILE, { fields: ["mqtt.msg_text"], tsharkArgs: ["-o", "mqtt.show_msg_as_text:TRUE"] });
  assert.ok(without.mismatches.length > 0 && without.mismatches.every((m) => m.tshark === ""));
  assert.deepEqual(withPref.mismatches, []);
  assert.equal(withPref.compared, without.compared);

  const frames = await compareFrames<"odd">(FILE, { fields: FIELDS, leaveFrame: (f) => (f.i % 2 === 1 ? { reason: "odd", count: 1 } : null) });
  const all = await compareFrames(FILE, { fields: FIELDS });
  const odd = frames.excluded.get("odd") ?? 0;
  assert.ok(odd > 0);
  assert.equal(frames.messages, all.messages);
  assert.equal(frames.compared, all.compared - odd * FIELDS.length);
});
