// Completion inside filter strings (what the kernel offers while an analyst types a filter).

import assert from "node:assert/strict";
import { test } from "node:test";
import { completeFilter } from "../../lib/dsl/complete.js";
import { explain } from "../../lib/dsl/explain.js";

test("a partial field name completes to registered fields with type and description", () => {
  const c = completeFilter("tcp.po", 6);
  assert.equal(c.from, 0);
  assert.equal(c.to, 6);
  const port = c.items.find((i) => i.name === "tcp.port");
  assert.ok(port, "tcp.port offered");
  assert.equal(port!.type, "uint16");
  assert.ok(port!.description.length > 0);
  assert.ok(c.items.every((i) => i.name.startsWith("tcp.po")));
});

test("the word at the cursor is replaced whole, after operators and parentheses", () => {
  const text = "ip.src == 10.0.0.1 and (udp.sr";
  const c = completeFilter(text, text.length);
  assert.equal(text.slice(c.from, c.to), "udp.sr");
  assert.ok(c.items.some((i) => i.name === "udp.srcport"));
  const mid = completeFilter("tcp.port == 80 && eth.ds == ff:ff:ff:ff:ff:ff", 21);
  assert.equal(mid.from, 18);
  assert.equal(mid.to, 24);
  assert.ok(mid.items.some((i) => i.name === "eth.dst"));
});

test("function names complete too, and a dotted name is a field", () => {
  const c = completeFilter("le", 2);
  assert.deepEqual(c.items.filter((i) => i.type === "function").map((i) => i.name), ["len"]);
  const f = completeFilter("upper(frame.pro", 15);
  assert.equal(f.from, 6);
  assert.ok(f.items.some((i) => i.name === "frame.protocols"));
  assert.ok(f.items.every((i) => i.type !== "function"));
  assert.ok(completeFilter(".tcp.fl", 7).items.some((i) => i.name === "tcp.flags"));
});

test("nothing is offered inside strings, slices and layer numbers; never throws", () => {
  assert.deepEqual(completeFilter('frame contains "tcp.po', 21).items, []);
  assert.deepEqual(completeFilter("frame[1", 7).items, []);
  assert.deepEqual(completeFilter("ip.src#1", 8).items, []);
  for (const [t, k] of [["", 0], ["\"", 1], ["((", 5], ["x", -3], ["abc", 99]] as const) assert.doesNotThrow(() => completeFilter(t, k));
});

test("explain shows tokens, the checked tree and the generated code", () => {
  const text = explain("tcp.port in {80, 443} && ip.src == 10.0.0.0/8");
  assert.match(text, /Tokens:\n\s+0\s+unparsed\s+tcp\.port/);
  assert.match(text, /any in \(num\): column tcp\.port \(uint16\)/);
  assert.match(text, /any eq \(ipv4\): column ip\.src \(ipv4\) \| ipv4 167772160\/8/);
  assert.match(text, /Columns read: tcp\.port, ip\.src/);
  assert.match(text, /Generated code:\n"use strict";/);
});
