// Exact pcapng timestamp arithmetic: TsResolution.split against a BigInt reference, for every resolution a file can
// name (10^-n, 2^-n), over random and boundary 64-bit values.

import assert from "node:assert/strict";
import { test } from "node:test";
import { int64, TsResolution, uint64 } from "../../lib/capture/timestamps.js";
import { rng } from "./helpers.js";

function reference(tsresol: number, hi: number, lo: number, off: number): [number, number] {
  const n = BigInt(tsresol & 0x7f);
  const units = tsresol & 0x80 ? 1n << n : 10n ** n;
  const ts = BigInt(hi) << 32n | BigInt(lo);
  return [Number(ts / units) + off, Number(ts % units * 1_000_000_000n / units)];
}

const RESOLUTIONS = [
  ...Array.from({ length: 20 }, (_, n) => n),
  ...Array.from({ length: 64 }, (_, n) => 0x80 | n),
  0x80 | 100, 30,
];
const BOUNDARY_HI = [0, 1, 0x1fffff, 0x200000, 0x200001, 0x7fffffff, 0xffffffff];
const BOUNDARY_LO = [0, 1, 999999, 1000000, 999999999, 0x7fffffff, 0xffffffff];

test("split() equals the BigInt reference for every resolution, boundary and random timestamps", () => {
  const next = rng(20240601);
  const out = { sec: 0, nsec: 0 };
  let checked = 0;
  for (const r of RESOLUTIONS) {
    const res = new TsResolution(r);
    const cases: [number, number][] = [];
    for (const hi of BOUNDARY_HI) for (const lo of BOUNDARY_LO) cases.push([hi, lo]);
    for (let k = 0; k < 2000; k++) {
      // Mix small high words (the double fast path) with full-range ones.
      const hi = k % 3 === 0 ? next() >>> 11 : next();
      cases.push([hi, next()]);
    }
    for (const [hi, lo] of cases) {
      for (const off of [0, 100, -5]) {
        res.split(hi, lo, off, out);
        const [sec, nsec] = reference(r, hi, lo, off);
        if (out.sec !== sec || out.nsec !== nsec) {
          assert.fail(`tsresol ${r} hi ${hi} lo ${lo} off ${off}: got ${out.sec}.${out.nsec}, want ${sec}.${nsec}`);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 500000);
});

test("nanosecond units past 2^53 stay exact: 2023-11-14T22:13:20.123456789Z", () => {
  const ts = 1700000000123456789n;
  const out = { sec: 0, nsec: 0 };
  new TsResolution(9).split(Number(ts >> 32n), Number(ts & 0xffffffffn), 0, out);
  assert.deepEqual(out, { sec: 1700000000, nsec: 123456789 });
});

test("resolutions finer than a nanosecond round down; coarser ones are exact", () => {
  const out = { sec: 0, nsec: 0 };
  new TsResolution(12).split(0, 1999, 0, out); // 1.999 ns
  assert.deepEqual(out, { sec: 0, nsec: 1 });
  new TsResolution(0x80 | 1).split(0, 3, 0, out); // 1.5 s
  assert.deepEqual(out, { sec: 1, nsec: 500000000 });
  new TsResolution(3).split(0, 1500, 0, out); // 1.5 s in milliseconds
  assert.deepEqual(out, { sec: 1, nsec: 500000000 });
});

test("unitsPerSec names the resolution", () => {
  assert.equal(new TsResolution().unitsPerSec, 1e6);
  assert.equal(new TsResolution(9).unitsPerSec, 1e9);
  assert.equal(new TsResolution(0x80 | 20).unitsPerSec, 1048576);
});

test("int64 and uint64 read both halves, int64 signed", () => {
  assert.equal(int64(0xffffffff, 0xfffffffb), -5);
  assert.equal(int64(0, 100), 100);
  assert.equal(uint64(1, 2), 4294967298);
});
