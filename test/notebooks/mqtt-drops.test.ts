// The mqtt-drops notebook end to end: executed by `wirebook run`'s runner (our ZeroMQ client) and by
// `jupyter nbconvert --execute`; the finding must be in both, and the report must carry the capture's provenance.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { runRunCommand } from "../../cli/run-cmd.js";
import { JUPYTER, ROOT, jupyterGate, tempKernelspec } from "../kernel/jupyter-env.js";
import { assertReportRenders, chromiumSkip } from "./chromium.js";

const NOTEBOOK = path.join(ROOT, "notebooks", "mqtt-drops", "mqtt-drops.ipynb");
const FINDING = "OK: sensor-sleepy dropped by the broker for keep-alive expiry 2× (keep-alive 5 s, silence 11.1 s, 9.1 s); " +
  "gateway-7 ended by a client RST; intruder refused with CONNACK 5";

test("mqtt-drops runs with `wirebook run`: exit 0, the finding, provenance and three charts drawn in Chromium", { timeout: 180_000, skip: chromiumSkip }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-mqtt-drops-"));
  try {
    const html = path.join(work, "report.html"), out = path.join(work, "executed.ipynb");
    assert.equal(await runRunCommand([NOTEBOOK, "--html", html, "--out", out]), 0);
    const text = JSON.stringify(JSON.parse(await readFile(out, "utf8")));
    assert.ok(text.includes(FINDING), "the asserted finding");
    const page = await readFile(html, "utf8");
    assert.ok(page.includes("mqtt-drops.pcap</code> · 11317 bytes · SHA-256 <code>7f6f81c71a71f802365cc063f75f715ab20b0326228dc69c6d424e62f930840b"), "provenance");
    assert.ok(page.includes("keep-alive expiry"), "the session table");
    assert.equal((page.match(/<div class="chart[^"]*"/g) ?? []).length, 3, "timeline, I/O graph, ladder");
    await assertReportRenders(html, 3);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test("mqtt-drops with a stricter keep-alive factor: the broker closes no longer count as expiries, the asserts fail", { timeout: 180_000 }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-mqtt-drops-p-"));
  try {
    const html = path.join(work, "report.html");
    assert.equal(await runRunCommand([NOTEBOOK, "--html", html, "--out", path.join(work, "x.ipynb"), "-p", "keepalive_factor=3"]), 1);
    assert.ok((await readFile(html, "utf8")).includes("expected at least one keep-alive expiry"));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

const gate = jupyterGate();
test("mqtt-drops runs under `jupyter nbconvert --to html --execute`", { skip: gate.skip, timeout: 240_000 }, async () => {
  if (gate.missing) assert.fail(`Jupyter is required on CI: ${gate.missing}`);
  const spec = await tempKernelspec();
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-nbconvert-mqtt-"));
  try {
    await promisify(execFile)(JUPYTER, ["nbconvert", "--to", "html", "--execute", NOTEBOOK, "--output-dir", work],
      { cwd: path.dirname(NOTEBOOK), env: { ...process.env, JUPYTER_PATH: spec.jupyterPath }, timeout: 230_000 });
    const html = await readFile(path.join(work, "mqtt-drops.html"), "utf8");
    assert.ok(html.includes(FINDING.replace("×", "&#215;")) || html.includes(FINDING), "the finding");
    assert.ok(html.includes("data:image/svg+xml;base64,"), "the charts as SVG images");
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(spec.dir, { recursive: true, force: true });
  }
});
