// Smoke test of the filter and message-table benchmark sections: on a tiny capture they run, every row is well
// formed, Wirebook's and tshark's counts agree, and the targets carry a verdict. No timing assertions, by design.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeCapture } from "../../bench/make-capture.js";
import { runChild, runCommand } from "../../bench/proc.js";
import { formatRows, formatTargets } from "../../bench/report.js";
import { BENCH_FILTERS, runFilters } from "../../bench/filters-section.js";
import { BENCH_TABLES, runMessages } from "../../bench/messages-section.js";
import { SECTIONS, type BenchContext, type Row, type Target } from "../../bench/sections.js";

const PACKETS = 4000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-sections-test-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
const made = makeCapture({ packets: PACKETS, dir });

const tsharkMissing = spawnSync("tshark", ["-v"]).error !== undefined;
function needTshark(t: { skip(msg: string): void }): boolean {
  if (!tsharkMissing) return true;
  if (process.env.CI === "true") assert.fail("tshark is required in CI");
  t.skip("tshark not installed");
  return false;
}

/** A context like the runner's, collecting rows and targets. */
function context(): BenchContext & { rows: Row[]; targets: Target[] } {
  const rows: Row[] = [], targets: Target[] = [];
  return {
    rows, targets, dir, quick: false, repeat: 1, fields: [], tsharkFields: [],
    capture: { path: made.path, packets: made.packets, bytes: made.bytes, sha256: made.sha256 },
    child: (module, fn, args) => runChild(module, fn, args ?? null),
    command: (cmd, args, stdoutTo) => runCommand(cmd, args, stdoutTo),
    peerCapture: async () => ({ path: made.path, packets: made.packets, scale: 1 }),
    row: (r) => { rows.push(r); },
    target: (t) => { targets.push(t); },
    log: () => {},
  };
}

function wellFormed(rows: readonly Row[]): void {
  for (const r of rows) {
    assert.equal(typeof r.name, "string");
    assert.ok(r.name.length > 0);
    assert.ok(r.ms !== undefined && Number.isFinite(r.ms) && r.ms >= 0, `${r.name}: time`);
    assert.ok(r.packets !== undefined && Number.isInteger(r.packets) && r.packets > 0, `${r.name}: packets`);
    if (r.maxRssKB !== undefined) assert.ok(r.maxRssKB > 0, `${r.name}: peak RSS`);
    assert.doesNotMatch(r.note ?? "", /FAILED|exit \d/, r.name);
  }
  assert.match(formatRows(rows), /^measurement/);
}

test("sections: filters and messages are registered", () => {
  const names = SECTIONS.map((s) => s.name);
  assert.ok(names.includes("filters") && names.includes("messages"));
});

test("filters section: cold, warm and tshark rows per filter, counts agree, two targets per filter", async (t) => {
  if (!needTshark(t)) return;
  const ctx = context();
  await runFilters(ctx);
  assert.equal(ctx.rows.length, 3 * BENCH_FILTERS.length);
  wellFormed(ctx.rows);
  for (const { kind } of BENCH_FILTERS) {
    const cold = ctx.rows.find((r) => r.key === `filter-cold:${kind}`)!;
    const x = cold.extra as { matched: number; warmMatched: number; tsharkFrames: number; agree: boolean };
    assert.equal(x.matched, x.tsharkFrames, `${kind}: Wirebook and tshark frame counts`);
    assert.equal(x.warmMatched, x.matched, `${kind}: warm and cold counts`);
    assert.equal(x.agree, true);
  }
  // Every filter matches something on the generated capture (else the measurement would be meaningless).
  assert.ok(ctx.rows.filter((r) => r.key?.startsWith("filter-tshark:")).every((r) => (r.extra as { frames: number }).frames > 0));
  assert.equal(ctx.targets.length, 2 * BENCH_FILTERS.length);
  for (const tg of ctx.targets) assert.equal(typeof tg.pass, "boolean", tg.name);
  assert.match(formatTargets(ctx.targets), /goal ≥ 30×[\s\S]*goal < 50 ms/);
});

test("messages section: a Wirebook and a tshark row per table, message counts agree, one target per table", async (t) => {
  if (!needTshark(t)) return;
  const ctx = context();
  await runMessages(ctx);
  assert.equal(ctx.rows.length, 2 * BENCH_TABLES.length);
  wellFormed(ctx.rows);
  for (const { kind } of BENCH_TABLES) {
    const x = ctx.rows.find((r) => r.key === `messages:${kind}`)!.extra as { messages: number; tsharkMessages: number; columns: number };
    assert.ok(x.messages > 0, `${kind}: some messages`);
    assert.equal(x.messages, x.tsharkMessages, `${kind}: Wirebook and tshark message counts`);
    assert.ok(x.columns > BENCH_TABLES.find((b) => b.kind === kind)!.fields.length);
  }
  assert.equal(ctx.targets.length, BENCH_TABLES.length);
  for (const tg of ctx.targets) assert.equal(typeof tg.pass, "boolean", tg.name);
});
