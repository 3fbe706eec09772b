// The ble-rogue notebook end to end with `wirebook run`'s runner: on its bundled capture (exit 0, the finding
// asserted, the evidence's SHA-256 in the report) and on a real public Sniffle capture from the corpus with the
// finding's assertion switched off by a parameter; and under `jupyter nbconvert --execute`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { runRunCommand } from "../../cli/run-cmd.js";
import { JUPYTER, ROOT, jupyterGate, tempKernelspec } from "../kernel/jupyter-env.js";
import { corpusDir, fileSha256, requireTool } from "../oracle/tshark.js";
import { assertReportRenders, chromiumSkip } from "./chromium.js";
const NOTEBOOK = path.join(ROOT, "notebooks", "ble-rogue", "ble-rogue.ipynb");
const BUNDLED = path.join(ROOT, "notebooks", "ble-rogue", "ble-rogue.pcap");
const SNIFFLE = path.join(corpusDir(), "ble", "ble-ll-phdr-sniffle-adv.pcap");
const FINDING = "OK: one rogue advertiser, d7:4c:0f:be:ac:07 (TEMP-07): address type, company id, uuid, layout, interval";

/**
 * Runs the notebook with `wirebook run` into a temp folder; returns the exit code, executed notebook text and report.
 * With `charts`, the report is also opened in headless Chromium and must show that many charts drawn live.
 */
async function run(params: string[], charts?: number): Promise<{ code: number; text: string; page: string }> {
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-ble-rogue-"));
  try {
    const html = path.join(work, "report.html"), out = path.join(work, "executed.ipynb");
    const code = await runRunCommand([NOTEBOOK, ...params, "--html", html, "--out", out]);
    if (charts !== undefined) await assertReportRenders(html, charts);
    return { code, text: await readFile(out, "utf8"), page: await readFile(html, "utf8") };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

test("ble-rogue runs on its bundled capture: exit 0, the rogue beacon found and asserted, five charts drawn in Chromium", { timeout: 180_000, skip: chromiumSkip }, async () => {
  const r = await run([], 5);
  assert.equal(r.code, 0, r.text.slice(0, 2000));
  assert.ok(r.text.includes(FINDING), "the finding");
  assert.ok(r.page.includes(FINDING));
  assert.ok(r.page.includes(await fileSha256(BUNDLED)), "the evidence's SHA-256 in the report");
  assert.equal((JSON.parse(r.text).cells as { outputs?: { data?: Record<string, unknown> }[] }[])
    .flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.vegalite.v5+json"]).length, 5);
});

test("ble-rogue runs on a real Sniffle capture from the corpus with -p capture=… -p expected_rogue=", { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, "corpus")) return;
  const r = await run(["-p", `capture=${SNIFFLE}`, "-p", "expected_rogue="]);
  assert.equal(r.code, 0, r.text.slice(0, 2000));
  assert.ok(r.text.includes("OK: 3 advertisers profiled"), "the investigation ran on the corpus capture");
  assert.ok(r.page.includes("dea0a950e1ce05ed59139d925f047ff2bb8739aebaee4a348afa0aa0236ed45a"), "its SHA-256 (MANIFEST.tsv)");
});

test("on the corpus capture, the bundled finding's assertion fails the run (the assert cell is live)", { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, "corpus")) return;
  const r = await run(["-p", `capture=${SNIFFLE}`]);
  assert.equal(r.code, 1);
  assert.match(r.text, /expected d7:4c:0f:be:ac:07, got|expected exactly one suspect/);
});

const gate = jupyterGate();
test("ble-rogue runs under `jupyter nbconvert --to html --execute`", { skip: gate.skip, timeout: 240_000 }, async () => {
  if (gate.missing) assert.fail(`Jupyter is required on CI: ${gate.missing}`);
  const spec = await tempKernelspec();
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-nbconvert-ble-"));
  try {
    await promisify(execFile)(JUPYTER, ["nbconvert", "--to", "html", "--execute", NOTEBOOK, "--output-dir", work],
      { cwd: path.dirname(NOTEBOOK), env: { ...process.env, JUPYTER_PATH: spec.jupyterPath }, timeout: 230_000 });
    const html = await readFile(path.join(work, "ble-rogue.html"), "utf8");
    assert.ok(html.includes(FINDING));
    assert.ok(html.includes("data:image/svg+xml;base64,"), "the charts as SVG images");
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(spec.dir, { recursive: true, force: true });
  }
});
