// A notebook executed end to end by `jupyter nbconvert --to html --execute`, with the kernelspec found through
// JUPYTER_PATH: the HTML must hold the table (escaped) and the chart as SVG.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { JUPYTER, ROOT, jupyterGate, tempKernelspec } from "./jupyter-env.js";

const gate = jupyterGate();

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source })),
    metadata: {
      kernelspec: { name: "wirebook", display_name: "Wirebook (TypeScript)", language: "typescript" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

test("nbconvert --execute renders the table and the SVG chart into HTML", { skip: gate.skip, timeout: 180_000 }, async () => {
  if (gate.missing) assert.fail(`Jupyter is required on CI: ${gate.missing}`);
  const spec = await tempKernelspec();
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-nbconvert-"));
  try {
    const arquero = createRequire(path.join(ROOT, "package.json")).resolve("arquero");
    await writeFile(path.join(work, "case.ipynb"), notebook([
      `const aq: any = require(${JSON.stringify(arquero)});\n` +
        `const flows = aq.table({ host: ["<img src=x onerror=alert(1)>", "10.0.0.2"], bytes: [1200, 640] });\nflows`,
      `({ $schema: "https://vega.github.io/schema/vega-lite/v5.json",\n` +
        `  data: { values: flows.objects() },\n  mark: "bar",\n` +
        `  encoding: { x: { field: "host", type: "nominal" }, y: { field: "bytes", type: "quantitative" } } })`,
      `console.log("flows:", flows.numRows())`,
    ]));
    await promisify(execFile)(JUPYTER, ["nbconvert", "--to", "html", "--execute", "case.ipynb", "--output-dir", work],
      { cwd: work, env: { ...process.env, JUPYTER_PATH: spec.jupyterPath }, timeout: 170_000 });
    const html = await readFile(path.join(work, "case.html"), "utf8");
    assert.ok(html.includes('class="wirebook-table"'), "the table's HTML");
    assert.ok(html.includes("<td>&lt;img src=x onerror=alert(1)&gt;</td>"), "the hostile value, escaped in its cell");
    assert.ok(!html.includes("<img src=x"), "never as a tag");
    assert.ok(html.includes("2 rows × 2 columns"));
    // The chart, rendered to SVG by the kernel, reaches the page as a markdown image (nbconvert 6.5's cleaner empties
    // inline SVG): decode it and look for the bars.
    const uri = /<img[^>]*src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(html);
    assert.ok(uri, "an SVG image in the page");
    const svg = Buffer.from(uri[1], "base64").toString("utf8");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<path aria-label="host: [^"]*; bytes: \d+"/g) ?? []).length, 2, "one bar per row");
    assert.ok(html.includes("flows: 2"), "stream output");
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(spec.dir, { recursive: true, force: true });
  }
});
