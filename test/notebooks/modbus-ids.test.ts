// The modbus-ids notebook end to end: executed by `wirebook run`'s runner (our ZeroMQ client) and by
// `jupyter nbconvert --execute`; its report, and a hostile one, opened in headless Chromium: charts drawn by
// vega-embed, no script errors, no network, hostile text shown and inert. A failing cell still writes the report.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { runRunCommand } from "../../cli/run-cmd.js";
import { JUPYTER, ROOT, jupyterGate, tempKernelspec } from "../kernel/jupyter-env.js";
import { chromiumSkip, openInChromium, problems } from "./chromium.js";

const NOTEBOOK = path.join(ROOT, "notebooks", "modbus-ids", "modbus-ids.ipynb");

test("modbus-ids runs with `wirebook run`: exit 0, the finding, and a report whose charts vega-embed draws", { timeout: 180_000, skip: chromiumSkip }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-modbus-ids-"));
  try {
    const html = path.join(work, "report.html"), out = path.join(work, "executed.ipynb");
    assert.equal(await runRunCommand([NOTEBOOK, "--html", html, "--out", out]), 0);
    const nb = JSON.parse(await readFile(out, "utf8"));
    const text = JSON.stringify(nb);
    assert.ok(text.includes("OK: one alert, 12 FC 16 writes from 127.0.0.3 to registers 40"));
    assert.ok(text.includes("modbus: unit 1, function 16"));
    const page = await readFile(html, "utf8");
    assert.ok(page.includes("modbus-ids.pcap</code> · 28687 bytes · SHA-256 <code>bb2e0310d07ae92cc12f249c3278f0f2f2ac1d8162af860f00b8e9d44da397d3"), "provenance");
    const { dom, log } = await openInChromium(html);
    const charts = dom.match(/<div class="chart[^"]*"/g) ?? [];
    assert.equal(charts.length, 3, "heatmap, timeline, ladder");
    assert.ok(charts.every((c) => c.includes("embedded")), `every chart embedded: ${charts.join(" ")}`);
    assert.ok((dom.match(/<svg[^>]*class="marks"/g) ?? []).length >= 3, "vega-embed's SVG in the DOM");
    assert.deepEqual(problems(log), []);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test("a hostile, failing notebook: report still written, exit 1, error in place, hostile text shown and inert", { timeout: 120_000, skip: chromiumSkip }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-hostile-"));
  try {
    const hostile = "<img src=x onerror=alert(1)>";
    const cells = [
      `let topic = ${JSON.stringify(hostile)};`,
      `const t = aq.table({ "mqtt.topic": [topic, "</script><script>alert(2)</script>"], n: [1, 2] });\nt`,
      `import { histogram } from ${JSON.stringify(path.join(ROOT, "dist", "lib", "charts", "index.js"))};\nhistogram(t, { field: "n", color: "mqtt.topic" })`,
      `console.log(topic); throw new Error("failed on " + topic)`,
      `console.log("never runs")`,
    ];
    const nbFile = path.join(work, "hostile.ipynb");
    await writeFile(nbFile, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [{ cell_type: "markdown", metadata: {}, source: `# Hostile ${hostile}` },
        ...cells.map((source, i) => ({ cell_type: "code", metadata: i === 0 ? { tags: ["parameters"] } : {}, source, outputs: [], execution_count: null }))] }));
    const html = path.join(work, "hostile.html");
    assert.equal(await runRunCommand([nbFile, "--html", html, "-p", `topic=${hostile}`]), 1);
    const page = await readFile(html, "utf8");
    assert.ok(!page.includes("<img src=x"), "no hostile tag in the file");
    assert.ok(page.includes('<pre class="error">'), "the error in place");
    assert.ok(!page.includes("never runs\n</pre>"), "cells after the failure did not run");
    const { dom, log } = await openInChromium(html);
    assert.ok(dom.includes("&lt;img src=x onerror=alert(1)&gt;"), "the hostile text is shown as text");
    assert.ok(!/<img src="?x/.test(dom), "never as an element");
    assert.match(dom, /<div class="chart embedded"/, "the chart with hostile labels is drawn");
    assert.deepEqual(problems(log), []);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

const gate = jupyterGate();
test("modbus-ids runs under `jupyter nbconvert --to html --execute`", { skip: gate.skip, timeout: 240_000 }, async () => {
  if (gate.missing) assert.fail(`Jupyter is required on CI: ${gate.missing}`);
  const spec = await tempKernelspec();
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-nbconvert-ids-"));
  try {
    await promisify(execFile)(JUPYTER, ["nbconvert", "--to", "html", "--execute", NOTEBOOK, "--output-dir", work],
      { cwd: path.dirname(NOTEBOOK), env: { ...process.env, JUPYTER_PATH: spec.jupyterPath }, timeout: 230_000 });
    const html = await readFile(path.join(work, "modbus-ids.html"), "utf8");
    assert.ok(html.includes("OK: one alert, 12 FC 16 writes from 127.0.0.3 to registers 40"));
    assert.ok(html.includes("data:image/svg+xml;base64,"), "the charts as SVG images");
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(spec.dir, { recursive: true, force: true });
  }
});
