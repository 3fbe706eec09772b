// --repeat N runs each measurement and its tshark peer N times and keeps the fastest of each (bench/repeat.ts):
// checked with a context whose child and command report scripted times.

import assert from "node:assert/strict";
import { test } from "node:test";
import { fastestChild, fastestCommand, bestOf } from "../../bench/repeat.js";
import type { ChildResult, CommandResult } from "../../bench/proc.js";
import type { BenchContext } from "../../bench/sections.js";

function scripted(repeat: number, childMs: number[], commandMs: number[], codes: number[] = []): BenchContext & { calls: string[] } {
  const calls: string[] = [];
  let c = 0, k = 0;
  return {
    calls, repeat,
    child: async (module: string) => { calls.push(`child ${module}`); const ms = childMs[c++]; return { ms, cpuMs: ms, maxRssKB: 1, value: { coldMs: 1000 - ms } } as ChildResult; },
    command: async (cmd: string, _args: readonly string[], out?: string) => {
      calls.push(`command ${cmd} > ${out ?? "/dev/null"}`);
      const ms = commandMs[k], code = codes[k++] ?? 0;
      return { ms, cpuMs: ms, maxRssKB: 1, code, stderr: "" } as CommandResult;
    },
  } as unknown as BenchContext & { calls: string[] };
}

test("the fastest of N runs is kept, by the time the caller names, for a child and for a command", async () => {
  const ctx = scripted(3, [50, 20, 40], [300, 500, 200]);
  const byWall = await fastestChild(ctx, "m.js", "f", null);
  assert.equal(byWall.ms, 20);
  assert.equal(byWall.runs, 3);
  const ctx2 = scripted(3, [50, 20, 40], []);
  // By a time the child reports (a cold filter's coldMs = 1000 - ms here): the run with ms 50 has the least.
  const byCold = await fastestChild(ctx2, "m.js", "f", null, (r) => (r.value as { coldMs: number }).coldMs);
  assert.equal(byCold.ms, 50);
  const t = await fastestCommand(ctx, "tshark", ["-r", "x"], "/tmp/out");
  assert.equal(t.ms, 200);
  assert.equal(t.runs, 3);
  assert.deepEqual(ctx.calls.filter((x) => x.startsWith("command")), Array(3).fill("command tshark > /tmp/out"));
  assert.equal(bestOf(3), "best of 3");
  assert.equal(bestOf(1), "");
});

test("a failing command run is reported as it is, not replaced by a faster success", async () => {
  const ctx = scripted(3, [], [300, 100, 50], [0, 2, 0]);
  const t = await fastestCommand(ctx, "tshark", []);
  assert.equal(t.code, 2);
  assert.equal(t.runs, 2);
});
