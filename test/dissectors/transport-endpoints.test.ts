// The conversation key table shared by TCP and UDP: both directions of a conversation give one key, keys of the
// two address families never meet, ids are dense in order of first sight, and growth keeps every key.

import assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointTable } from "../../lib/dissectors/transport-endpoints.js";

const v4 = (a: number, b: number, c: number, d: number) => Uint8Array.from([a, b, c, d, ...new Array(12).fill(0)]);

test("both directions share a key; dir tells them apart", () => {
  const t = new EndpointTable();
  const a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 2);
  assert.equal(t.lookup(4, a, 1234, b, 80), 0);
  assert.equal(t.created, true);
  const d1 = t.dir;
  assert.equal(t.lookup(4, b, 80, a, 1234), 0);
  assert.equal(t.created, false);
  assert.notEqual(t.dir, d1);
  assert.equal(t.lookup(4, a, 1235, b, 80), 1, "another client port is another conversation");
  assert.equal(t.lookup(6, a, 1234, b, 80), 2, "the same bytes as IPv6 are another conversation");
});

test("same address both ends: the ports decide the direction, equal endpoints are one direction", () => {
  const t = new EndpointTable();
  const lo = v4(127, 0, 0, 1);
  t.lookup(4, lo, 5000, lo, 6000);
  const d = t.dir;
  t.lookup(4, lo, 6000, lo, 5000);
  assert.notEqual(t.dir, d);
  t.lookup(4, lo, 7000, lo, 7000);
  assert.equal(t.dir, 0);
});

test("100000 conversations survive the table's growth, in order of first sight", () => {
  const t = new EndpointTable();
  const a = new Uint8Array(16), b = new Uint8Array(16);
  for (let i = 0; i < 100000; i++) {
    a[0] = i & 255; a[1] = (i >> 8) & 255; a[2] = i >> 16; b[3] = 9;
    assert.equal(t.lookup(6, a, i & 0xffff, b, 443), i);
  }
  for (let i = 0; i < 100000; i += 997) {
    a[0] = i & 255; a[1] = (i >> 8) & 255; a[2] = i >> 16;
    assert.equal(t.lookup(6, b, 443, a, i & 0xffff), i);
  }
  assert.equal(t.count, 100000);
  t.clear();
  assert.equal(t.lookup(6, a, 1, b, 2), 0, "clear() starts numbering again");
});
