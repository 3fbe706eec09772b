// rowNumbers (decode/row-numbers.ts) builds a derived column's numbers without a Sink: for every pattern of rows and
// values (every row, a few rows, rows turning frequent midway, a constant, bits, values wider than the declared
// type, -0, a row's later occurrences, more than MAX_SINGLE of them, rows out of order) it must give back exactly
// what a Sink gives for the same puts, in the same layout.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Column } from "../../lib/decode/column.js";
import { finishSink, newSink } from "../../lib/decode/compact.js";
import { rowNumbers } from "../../lib/decode/row-numbers.js";
import { lookupField } from "../../lib/dissectors/registry.js";

const field = (abbrev: string) => lookupField(abbrev)!.field;

/** The same puts through a Sink and through RowNumbers (with each expectation hint). */
function check(abbrev: string, n: number, puts: readonly (readonly [number, number])[], what: string): void {
  const f = field(abbrev), sink = newSink(f, n);
  for (const [r, v] of puts) sink.put(r, v);
  const want = Column.of(f, n, finishSink(sink, n));
  for (const expected of [0, puts.length, n]) {
    const rn = rowNumbers(f, n, expected);
    for (const [r, v] of puts) rn.put(r, v);
    const got = rn.finish(), label = `${abbrev} ${what} (expecting ${expected})`;
    assert.equal(got.levels.length, want.levels.length, `${label}: levels`);
    got.levels.forEach((l, j) => {
      assert.equal(l.layout, want.levels[j].layout, `${label}: layout of level ${j}`);
      assert.equal(l.repeat, want.levels[j].repeat, `${label}: repeat of level ${j}`);
      assert.equal(l.count, want.levels[j].count, `${label}: count of level ${j}`);
    });
    for (let i = 0; i < n; i++) {
      const a = got.all(i), b = want.all(i);
      assert.equal(a.length, b.length, `${label}: occurrences of row ${i}`);
      a.forEach((v, k) => assert.ok(Object.is(v, b[k]), `${label}: row ${i} #${k}: ${String(v)} vs ${String(b[k])}`));
    }
  }
}

/** A small deterministic generator (the same cases on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test("every row, a few rows, rows turning frequent midway", () => {
  const r = rng(1), n = 5000;
  const every: [number, number][] = [], few: [number, number][] = [], later: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    every.push([i, Math.floor(r() * 70000)]);
    if (r() < 0.01) few.push([i, Math.floor(r() * 300)]);
    if (i > 3000 || r() < 0.02) later.push([i, Math.floor(r() * 1e9)]);
  }
  check("tcp.seq", n, every, "every row");
  check("tcp.seq", n, few, "1% of rows");
  check("tcp.seq", n, later, "sparse then every row");
  check("udp.time_delta", n, every.map(([i, v]) => [i, v / 1e6]), "doubles in every row");
  check("udp.time_delta", n, few.map(([i, v]) => [i, v / 7]), "doubles in few rows");
});

test("constants, bits and narrow values", () => {
  const n = 3000, rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 1);
  check("tcp.analysis", n, rows.map((i) => [i, 1]), "a constant");
  check("tcp.completeness", n, rows.map((i) => [i, i % 2]), "bits");
  check("tcp.completeness", n, rows.map((i) => [i, i % 64]), "bytes");
  check("tcp.window_size", n, rows.map((i) => [i, i % 5 === 0 ? 70000 : 3]), "few distinct values (codes)");
  check("tcp.window_size_scalefactor", n, rows.map((i) => [i, i % 4 === 0 ? -1 : 1 << (i % 15)]), "negative and small positive (i32)");
  check("tcp.window_size_scalefactor", n, rows.map((i) => [i, i % 4 === 0 ? -2 : 70000 + i]), "negative and past 0xffff (doubles, as the Sink joins them)");
  check("tcp.window_size_scalefactor", n, rows.map((i) => [i, -3 - i]), "only negative");
  check("ip.version", n, [], "nothing");
  check("ip.version", 1, [[0, 4]], "one row");
});

test("values wider than the declared type, and -0, are kept exactly", () => {
  const n = 2000, rows = Array.from({ length: n }, (_, i) => i);
  check("tcp.completeness", n, rows.map((i) => [i, i === 1500 ? 300 : i % 7]), "a u8 field given 300");
  check("tcp.window_size_scalefactor", n, rows.map((i) => [i, i === 10 ? 2 ** 31 : -1]), "an i32 field given 2^31");
  check("tcp.seq", n, rows.map((i) => [i, i === 0 ? -0 : i === 6 ? 0.5 : i]), "-0 and a fraction in a u32 field");
  check("udp.time_delta", n, rows.map((i) => [i, i % 2 ? -0 : 0]), "doubles with -0");
});

test("later occurrences of a row become the next levels; too many or out of order go through a Sink", () => {
  const n = 3000, twice: [number, number][] = [], many: [number, number][] = [], unordered: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    twice.push([i, 4]);
    if (i % 100 === 0) twice.push([i, 6]);
    if (i % 500 === 0) twice.push([i, 4], [i, 6]);
    many.push([i, i & 15]);
    if (i === 77) for (let k = 0; k < 7; k++) many.push([i, k]);
  }
  for (let i = 0; i < n; i += 2) unordered.push([i, i]);
  unordered.push([11, 5], [4000 % n, 1]);
  check("ip.version", n, twice, "up to four occurrences a row");
  check("ip.version", n, many, "eight occurrences in one row");
  check("tcp.seq", n, unordered, "rows out of order");
});
