// Every registered field against Wireshark's registration (`tshark -G fields`): same abbrev, same type, same display
// base — so filters written for Wireshark work here and tshark's -T fields text is what we print. Fields of our own
// say so: their description starts with "Wirebook:".

import assert from "node:assert/strict";
import { test } from "node:test";
import { allFields } from "../../lib/dissectors/registry.js";
import { ourType, requireTool, tsharkFieldTypes } from "../oracle/tshark.js";

const OURS = /^Wirebook:/;

/** How tshark -T fields prints an integer of this Wireshark base: hex for BASE_HEX and BASE_HEX_DEC, else decimal. */
function printedBase(base: string): "hex" | "oct" | "dec" {
  return base === "BASE_HEX" || base === "BASE_HEX_DEC" ? "hex" : base === "BASE_OCT" ? "oct" : "dec";
}

const INTEGER = /^u?int(8|16|24|32|64)$/;

test("registered fields have Wireshark's abbrev, type and base", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const theirs = await tsharkFieldTypes();
  const problems: string[] = [];
  let checked = 0;
  for (const { field } of allFields()) {
    if (OURS.test(field.description)) continue;
    checked++;
    const tf = theirs.get(field.abbrev);
    if (!tf) { problems.push(`${field.abbrev}: unknown to tshark (mark it "Wirebook: …" if it is ours)`); continue; }
    const want = ourType(tf.type);
    if (want !== field.type && !(want === null && field.type === "bytes")) {
      problems.push(`${field.abbrev}: type ${field.type}, Wireshark ${tf.type}`);
    }
    if (INTEGER.test(field.type) && (field.base ?? "dec") !== printedBase(tf.base)) {
      problems.push(`${field.abbrev}: base ${field.base ?? "dec"}, Wireshark ${tf.base} (prints ${printedBase(tf.base)})`);
    }
  }
  t.diagnostic(`${checked} fields checked against tshark -G fields, ${problems.length} problems`);
  for (const p of problems) t.diagnostic(p);
  assert.deepEqual(problems, []);
});
