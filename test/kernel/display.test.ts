// Mime bundles (kernel/display.ts): the display symbol, Arquero tables, Vega-Lite, markdown, fallback text.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { displayBundle, escapeHtml, tableBundle, TABLE_PREVIEW_ROWS } from "../../kernel/display.js";

test("escapeHtml escapes the five HTML-significant characters", () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
});

test("an object's Symbol.for('Jupyter.display') wins, and text/plain is always added", async () => {
  const v = { [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>x</b>" }) };
  const b = await displayBundle(v);
  assert.equal(b.data["text/html"], "<b>x</b>");
  assert.equal(typeof b.data["text/plain"], "string");
  const w = { [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "mine" }) };
  assert.equal((await displayBundle(w)).data["text/plain"], "mine");
});

test("an Arquero table: escaped cells, column names and types, counts, only the first rows", async () => {
  const t = aq.table({
    "<th>": ["<script>alert(1)</script>", "a&b", null],
    n: [1, 2, 3],
    when: [new Date(0), new Date(1000), new Date(2000)],
  });
  const b = await displayBundle(t);
  const html = b.data["text/html"] as string;
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(!html.includes("<script>"));
  assert.ok(html.includes("&lt;th&gt;"), "column names are escaped too");
  assert.ok(html.includes("a&amp;b"));
  assert.ok(html.includes("1970-01-01T00:00:00.000Z"));
  assert.ok(html.includes(">date<") && html.includes(">number<") && html.includes(">string<"));
  assert.ok(html.includes("3 rows × 3 columns"));
  assert.ok(b.data["text/plain"].includes("3 rows × 3 columns"));

  const big = aq.table({ i: Array.from({ length: 5000 }, (_, k) => k) });
  const bb = tableBundle(big);
  assert.equal((bb["text/html"] as string).match(/<tr><th>\d+<\/th>/g)?.length, TABLE_PREVIEW_ROWS);
  assert.ok((bb["text/html"] as string).includes("5000 rows × 1 columns (first 20 shown)"));
  assert.ok(bb["text/plain"].split("\n").length <= TABLE_PREVIEW_ROWS + 3);
});

test("a Vega-Lite spec gets vegalite JSON and an SVG rendered in the kernel", async () => {
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values: [{ k: "a", v: 1 }, { k: "b", v: 3 }] },
    mark: { type: "line" },
    encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative" } },
  };
  const before = JSON.stringify(spec);
  const b = await displayBundle(spec);
  assert.deepEqual(b.data["application/vnd.vegalite.v5+json"], spec);
  assert.equal(Object.getOwnPropertySymbols(spec.data.values[0]).length, 0, "rendering leaves the user's data alone");
  assert.equal(JSON.stringify(spec), before);
  assert.match(b.data["image/svg+xml"] as string, /^<svg/);
  assert.equal(b.data["text/plain"], "<Vega-Lite chart: line>");
});

test("a broken Vega-Lite spec falls back to text, it does not throw", async () => {
  const b = await displayBundle({ $schema: "vega-lite", mark: 42 });
  assert.match(b.data["text/plain"], /display failed/);
});

test("markdown findings and everything else", async () => {
  assert.deepEqual((await displayBundle({ markdown: "# Found" })).data, { "text/markdown": "# Found", "text/plain": "# Found" });
  assert.deepEqual((await displayBundle("text")).data, { "text/plain": "'text'" });
  assert.deepEqual((await displayBundle({ a: [1, 2] })).data, { "text/plain": "{ a: [ 1, 2 ] }" });
});
