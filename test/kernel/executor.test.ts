// The executor (kernel/executor.ts) on tslab, without sockets: cell positions in tracebacks across cells,
// silent runs that share a count, local .ts imports, and a missing library named as such.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { createExecutor, type CellOutcome, type Executor } from "../../kernel/executor.js";

let dir = "";
let ex: Executor;
const startDir = process.cwd();

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-executor-"));
  await writeFile(path.join(dir, "helper.ts"), "export function triple(x: number): number {\n  return 3 * x;\n}\n");
  process.chdir(dir); // tslab's converter resolves from the process's working directory, as a kernel's is
  ex = createExecutor({ cwd: dir, unavailable: new Map([["wirebook", "not built"]]) });
});

after(async () => {
  ex.close();
  process.chdir(startDir);
  await rm(dir, { recursive: true, force: true });
});

function errorOf(r: CellOutcome) {
  assert.equal(r.ok, false);
  return (r as Extract<CellOutcome, { ok: false }>).error;
}

test("a function from an earlier cell throws: each frame names its own cell and line", async () => {
  assert.ok((await ex.execute("\n\nfunction inner(): number {\n  throw new RangeError(\"deep\");\n}", "cell[1]")).ok);
  const e = errorOf(await ex.execute("const a = 1;\nconst b = inner();", "cell[2]"));
  assert.equal(e.ename, "RangeError");
  const tb = e.traceback.join("\n");
  assert.match(tb, /at inner \(cell\[1\]:4:9\)/);
  assert.match(tb, /at cell\[2\]:2:11/);
});

test("a silent run with the same count does not take over the earlier cell's positions", async () => {
  assert.ok((await ex.execute("function g(): void {\n  (null as any).x;\n}", "cell[3]")).ok);
  assert.ok((await ex.execute("const quiet = 1;\n\n\n\nquiet", "cell[3]")).ok);
  const e = errorOf(await ex.execute("g()", "cell[4]"));
  assert.match(e.traceback.join("\n"), /at g \(cell\[3\]:2:17\)/); // `.x` of `  (null as any).x`
});

test("a .ts file beside the notebook is importable", async () => {
  const r = await ex.execute('import { triple } from "./helper";\ntriple(14)', "cell[5]");
  assert.deepEqual(r, { ok: true, hasValue: true, value: 42 });
});

test("a module that failed to load says why instead of 'Cannot find module'", async () => {
  const e = errorOf(await ex.execute('const w = require("wirebook");\nw.open', "cell[6]"));
  assert.match(e.evalue, /module "wirebook" is not available in this kernel: not built/);
});

test("the last expression's value is returned, undefined and null are no value", async () => {
  assert.deepEqual(await ex.execute("({ a: 1 })", "cell[7]"), { ok: true, hasValue: true, value: { a: 1 } });
  assert.deepEqual(await ex.execute("undefined", "cell[8]"), { ok: true, hasValue: false, value: undefined });
});

test("regression: a shorthand property naming an earlier cell's variable ({ lateness }) is not a ReferenceError", async () => {
  assert.deepEqual(await ex.execute("let lateness = 10;", "cell[9]"), { ok: true, hasValue: false });
  assert.deepEqual(await ex.execute("const opts = { lateness, factor: 1.5 };\nopts", "cell[10]"),
    { ok: true, hasValue: true, value: { lateness: 10, factor: 1.5 } });
  assert.deepEqual(await ex.execute("let factor = 0; ({ factor } = opts);\nfactor", "cell[11]"), { ok: true, hasValue: true, value: 1.5 });
});
