// The markdown renderer, parameter injection and the report's escaping, without a kernel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { renderMarkdown } from "../../lib/report/markdown.js";
import { renderReport, scriptJson } from "../../lib/report/html.js";
import { injectParameters, parseParam, type Notebook } from "../../lib/report/notebook.js";

test("markdown: headings, lists, code, emphasis, links; everything escaped; unsafe links not linked", () => {
  assert.equal(renderMarkdown("# A <b>"), "<h1>A &lt;b&gt;</h1>");
  assert.equal(renderMarkdown("- one\n- **two**\n"), "<ul><li>one</li><li><strong>two</strong></li></ul>");
  assert.equal(renderMarkdown("1. a\n2. b"), "<ol><li>a</li><li>b</li></ol>");
  assert.equal(renderMarkdown("```ts\nx < 1\n```"), '<pre><code class="language-ts">x &lt; 1</code></pre>');
  assert.equal(renderMarkdown("use `a <b> *c*` and *d*"), "<p>use <code>a &lt;b&gt; *c*</code> and <em>d</em></p>");
  assert.equal(renderMarkdown("[T0855](https://attack.mitre.org/techniques/T0855/)"), '<p><a href="https://attack.mitre.org/techniques/T0855/">T0855</a></p>');
  assert.equal(renderMarkdown("[x](javascript:alert(1))"), "<p>x (javascript:alert(1))</p>");
  const hostile = renderMarkdown('<img src=x onerror=alert(1)> <script>alert(1)</script> [a"b](http://x/"onmouseover=1)');
  assert.ok(!/<img|<script|"onmouseover/.test(hostile), hostile);
});

test("parameters: -p parsing and injection after the parameters cell", () => {
  assert.deepEqual(parseParam("n=5"), ["n", 5]);
  assert.deepEqual(parseParam("capture=a.pcap"), ["capture", "a.pcap"]);
  assert.throws(() => parseParam("1x=2"));
  const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
    { cell_type: "markdown", source: "# t", metadata: {} },
    { cell_type: "code", source: "let n = 1;", metadata: { tags: ["parameters"] } },
    { cell_type: "code", source: "n", metadata: {} }] };
  const out = injectParameters(nb, { n: 5, s: "</script>\u2028" });
  assert.equal(out.cells.length, 4);
  assert.equal(out.cells[2].source, '// Parameters injected by `wirebook run`\nn = 5;\ns = "</script>\\u2028";');
  assert.equal(injectParameters(out, { n: 6 }).cells.length, 4, "a re-run replaces the injected cell");
});

test("report: outputs escaped, </script> inert in embedded JSON, CSP with script hashes and no network", () => {
  assert.equal(scriptJson({ a: "</script><b>" }), '{"a":"\\u003c/script>\\u003cb>"}');
  const hostile = "<img src=x onerror=alert(1)>";
  const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", source: `x = "${hostile}"`, metadata: {},
    execution_count: 1, outputs: [
      { output_type: "stream", name: "stdout", text: `${hostile}\n</script>` },
      { output_type: "display_data", data: { "application/vnd.vegalite.v5+json": { title: "</script><script>alert(1)</script>" }, "text/plain": "c" } },
      { output_type: "error", ename: "Error", evalue: hostile, traceback: [`Error: ${hostile}`] }] }] };
  const html = renderReport(nb, { title: hostile, notebook: "n.ipynb", version: "0", date: "d", parameters: { capture: hostile },
    captures: [{ file: hostile, sha256: "ab", bytes: 1 }], status: "ok" });
  assert.ok(!html.includes("<img src=x"), "no hostile tag anywhere");
  assert.equal(html.match(/<\/script>/g)!.length, html.match(/<script/g)!.length, "every script element closes where it should");
  assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
});
