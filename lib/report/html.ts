// One executed notebook → one offline HTML file. Markdown cells rendered (escaped first), code cells with their
// outputs; charts drawn live by the inlined vega-embed, with the kernel's static SVG shown until embedding succeeds
// (and for readers without scripts). Every output string is escaped; text/html outputs (the kernel's tables, whose
// values it escapes) are the only HTML taken as is. A Content-Security-Policy allows only this page's own scripts
// (by hash) and no network at all, so markup that slipped through could neither run nor fetch.

import { createHash } from "node:crypto";
import { escapeHtml } from "../table/html.js";
import { chartScripts } from "./assets.js";
import { renderMarkdown } from "./markdown.js";
import { sourceText, type Cell, type Notebook, type Output } from "./notebook.js";

export const VEGALITE_MIMES = ["application/vnd.vegalite.v5+json", "application/vnd.vegalite.v4+json", "application/vnd.vegalite.v6+json"];

export interface Provenance {
  title: string;
  notebook: string;
  version: string;
  date: string;
  parameters: Record<string, unknown>;
  captures: { file: string; sha256: string; bytes: number }[];
  /** "ok", or the failing cell's error line. */
  status: string;
}

/** JSON that is safe inside a <script> element: no "<" (so no "</script>"), no U+2028/2029. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function renderReport(nb: Notebook, p: Provenance): string {
  const charts: unknown[] = [];
  const body = nb.cells.map((c) => renderCell(c, charts)).join("\n");
  const boot = BOOT;
  const scripts = [...chartScripts(), boot].map((s) => s.replace(/<\/(script)/gi, "<\\/$1"));
  const hashes = scripts.map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
  const csp = `default-src 'none'; script-src ${hashes.join(" ")} 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; ` +
    `font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head><body>
${provenanceHtml(p)}
<main>
${body}
</main>
<script type="application/json" id="wirebook-charts">${scriptJson(charts)}</script>
${scripts.map((s) => `<script>${s}</script>`).join("\n")}
</body></html>
`;
}

function provenanceHtml(p: Provenance): string {
  const rows: [string, string][] = [
    ["Notebook", escapeHtml(p.notebook)],
    ["Wirebook", escapeHtml(p.version)],
    ["Date", escapeHtml(p.date)],
    ["Status", escapeHtml(p.status)],
    ["Parameters", Object.keys(p.parameters).length ? Object.entries(p.parameters).map(([k, v]) =>
      `<code>${escapeHtml(k)} = ${escapeHtml(JSON.stringify(v))}</code>`).join("<br>") : "(defaults)"],
    ...p.captures.map((c): [string, string] => ["Capture", `<code>${escapeHtml(c.file)}</code> · ${c.bytes} bytes · SHA-256 <code>${escapeHtml(c.sha256)}</code>`]),
  ];
  return `<header class="provenance"><h1>${escapeHtml(p.title)}</h1><table>${rows.map(([k, v]) =>
    `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join("")}</table></header>`;
}

function renderCell(c: Cell, charts: unknown[]): string {
  const src = sourceText(c.source);
  if (c.cell_type === "markdown") return `<section class="md">${renderMarkdown(src)}</section>`;
  if (c.cell_type === "raw") return `<pre class="raw">${escapeHtml(src)}</pre>`;
  const n = c.execution_count ?? " ";
  const tag = c.metadata.tags?.includes("injected-parameters") ? ` <span class="tag">injected parameters</span>` : "";
  const outputs = (c.outputs ?? []).map((o) => renderOutput(o, charts)).join("\n");
  return `<section class="code"><div class="in"><span class="prompt">[${escapeHtml(String(n))}]</span>${tag}` +
    `<pre><code>${escapeHtml(src)}</code></pre></div>${outputs ? `<div class="out">${outputs}</div>` : ""}</section>`;
}

function renderOutput(o: Output, charts: unknown[]): string {
  if (o.output_type === "stream") return `<pre class="stream ${o.name === "stderr" ? "stderr" : ""}">${escapeHtml(stripAnsi(sourceText(o.text)))}</pre>`;
  if (o.output_type === "error") {
    const tb = (o.traceback ?? []).map(stripAnsi).join("\n") || `${o.ename}: ${o.evalue}`;
    return `<pre class="error">${escapeHtml(tb)}</pre>`;
  }
  const d = o.data ?? {};
  const vl = VEGALITE_MIMES.find((m) => d[m] !== undefined);
  if (vl) {
    const id = charts.length;
    charts.push(d[vl]);
    const svg = typeof d["image/svg+xml"] === "string" ? svgImg(d["image/svg+xml"] as string) : "";
    return `<div class="chart" data-chart="${id}"><div class="live"></div><div class="static">${svg}</div></div>`;
  }
  if (typeof d["text/html"] === "string" || Array.isArray(d["text/html"])) return `<div class="html">${sourceText(d["text/html"] as string)}</div>`;
  if (typeof d["image/svg+xml"] === "string") return svgImg(d["image/svg+xml"] as string);
  if (typeof d["image/png"] === "string") return `<img alt="image" src="data:image/png;base64,${escapeHtml(String(d["image/png"]).replace(/\s/g, ""))}">`;
  if (typeof d["text/markdown"] === "string" || Array.isArray(d["text/markdown"])) return `<div class="md">${renderMarkdown(sourceText(d["text/markdown"] as string))}</div>`;
  return `<pre class="text">${escapeHtml(sourceText(d["text/plain"] as string | undefined))}</pre>`;
}

/** An SVG as an <img> data URI: an SVG in an image never runs script and loads nothing. */
function svgImg(svg: string): string {
  return `<img class="svg" alt="chart" src="data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}">`;
}

function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

/** Draws each chart with vega-embed into its container; the static SVG stays visible if anything fails. */
const BOOT = `(function () {
  var specs = JSON.parse(document.getElementById("wirebook-charts").textContent);
  var boxes = document.querySelectorAll("div.chart[data-chart]");
  Array.prototype.forEach.call(boxes, function (box) {
    var spec = specs[Number(box.getAttribute("data-chart"))];
    if (typeof vegaEmbed !== "function" || !spec) return;
    // The kernel says v5; the inlined vega-lite is newer and compiles v5 specs: drop $schema so vega-embed does
    // not warn about the version, and say the mode instead.
    spec = Object.assign({}, spec);
    delete spec.$schema;
    vegaEmbed(box.querySelector(".live"), spec, { mode: "vega-lite", actions: false, renderer: "svg", loader: { load: function () { return Promise.reject(new Error("offline report: no data loading")); } } })
      .then(function () { box.classList.add("embedded"); })
      .catch(function (e) { box.classList.add("failed"); console.error("chart " + box.getAttribute("data-chart") + ": " + e.message); });
  });
})();`;

const CSS = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:1em;color:#222}
header.provenance{border-bottom:2px solid #ccc;margin-bottom:1em}header.provenance table{border-collapse:collapse;font-size:.9em}
header.provenance th{text-align:left;padding:2px 12px 2px 0;vertical-align:top}
section{margin:.8em 0}.in pre{background:#f6f8fa;border-left:3px solid #4a7;padding:.5em;overflow:auto;margin:0}
.prompt{color:#888;font-size:.8em}.tag{background:#fe8;font-size:.75em;padding:0 4px}
.out{padding:.3em 0 .3em 1em}pre.stream{margin:.2em 0;white-space:pre-wrap}pre.stderr{background:#fee}
pre.error{background:#fdd;border-left:3px solid #c00;padding:.5em;white-space:pre-wrap}
.html table{border-collapse:collapse;font-size:.85em}.html td,.html th{border:1px solid #ddd;padding:2px 6px}
.chart.embedded .static{display:none}img.svg{max-width:100%}pre code{white-space:pre-wrap}`;
