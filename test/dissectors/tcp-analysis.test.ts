// SeqAnalyzer (lib/dissectors/tcp-analysis.ts) is a module singleton in the walk, reset at the start and the end of
// every pass: after a reset it must analyse a stream exactly as a fresh analyzer does, whatever stream index it has
// (reset() shrank the per-stream arrays but kept the count of streams they addressed, so a later pass wrote past them
// for streams from 256 on).

import assert from "node:assert/strict";
import { test } from "node:test";
import { SeqAnalyzer } from "../../lib/dissectors/tcp-analysis.js";

const SYN = 0x02, ACK = 0x10, PSH = 0x08;

/** The analysis results of a handshake, data, a retransmission and its ACK, on stream s. */
function run(a: SeqAnalyzer, s: number): string[] {
  for (let k = 0; k <= s; k++) a.open(k);
  const out: string[] = [];
  const seg = (f: number, d: number, fl: number, seq: number, ack: number, len: number) => {
    a.begin(s, d);
    a.segment(s, d, f, f / 1000, fl, seq, ack, len, 1000, -2, d === 0 ? 999 : 4999);
    const ta = a.ta;
    out.push(`${f}:${ta.exists}:${ta.flags}:${ta.frameAcked}:${ta.bytesInFlight}`);
  };
  seg(0, 0, SYN, 1000, 0, 0);
  seg(1, 1, SYN | ACK, 5000, 1001, 0);
  seg(2, 0, ACK, 1001, 5001, 0);
  seg(3, 0, ACK | PSH, 1001, 5001, 100);
  seg(4, 0, ACK | PSH, 1001, 5001, 100);
  seg(5, 1, ACK, 5001, 1101, 0);
  return out;
}

test("after reset(), a stream past the first 256 is analysed as by a fresh analyzer", () => {
  const want = run(new SeqAnalyzer(true), 300);
  assert.ok(want.some((r) => r !== want[0]), "the sequence gives results to compare");
  const reused = new SeqAnalyzer(true);
  run(reused, 300);
  reused.reset();
  assert.deepEqual(run(reused, 300), want);
  reused.reset();
  assert.deepEqual(run(reused, 1000), run(new SeqAnalyzer(true), 1000));
});
