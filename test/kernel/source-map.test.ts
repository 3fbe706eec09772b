// Source-map decoding and stack mapping (kernel/source-map.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMappings, lookup, mapStack } from "../../kernel/source-map.js";

test("VLQ mappings decode to absolute source positions", () => {
  // "AAAA;AACA,IAAI": line 0 -> (0,0); line 1 -> col 0 at src line 1, col 4 at src line 1 col 4.
  const map = decodeMappings("x.js", "AAAA;AACA,IAAI");
  assert.deepEqual(map.lines, [[[0, 0, 0]], [[0, 1, 0], [4, 1, 4]]]);
  assert.deepEqual(lookup(map, 1, 6), { line: 1, column: 4 });
  assert.deepEqual(lookup(map, 1, 2), { line: 1, column: 0 });
  assert.equal(lookup(map, 5, 0), undefined);
  assert.deepEqual(decodeMappings("y.js", "AAgBC").lines, [[[0, 16, 1]]], "multi-digit VLQ: gB is 32, i.e. +16");
  assert.deepEqual(decodeMappings("z.js", "AAAD").lines, [[[0, 0, -1]]], "negative deltas");
});

test("mapStack rewrites cell frames and drops the wrapper's", () => {
  const mappers = new Map([["cell[2]", (l: number, c: number) => (l === 9 ? "wrapper" as const : { line: l + 10, column: c })]]);
  const stack = "Error: x\n    at f (cell[2]:1:5)\n    at other.js:3:4\n    at cell[2]:10:1";
  assert.equal(mapStack(stack, mappers), "Error: x\n    at f (cell[2]:11:5)\n    at other.js:3:4");
});
