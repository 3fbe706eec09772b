// A small, safe markdown renderer for notebook markdown cells: ATX headings, paragraphs, bullet and numbered lists,
// fenced and indented code, block quotes, inline code, *emphasis*, **strong** and [links](http…). Everything is
// HTML-escaped first; only the tags made here are markup. Link targets are limited to http(s), mailto and #anchors.

import { escapeHtml } from "../table/html.js";

export function renderMarkdown(md: string): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w-]*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      out.push(`<pre><code${fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : ""}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) { out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`); i++; continue; }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { out.push("<hr>"); i++; continue; }
    if (/^\s*$/.test(line)) { i++; continue; }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i]) && /\d/.test(/^\s*([-*+]|\d+)/.exec(lines[i])![1]) === ordered) {
        let item = lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, "");
        for (i++; i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*([-*+]|\d+[.)])\s+/.test(lines[i]); i++) item += " " + lines[i].trim();
        items.push(`<li>${inline(item)}</li>`);
      }
      out.push(ordered ? `<ol>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`);
      continue;
    }
    if (/^ {4}/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && (/^ {4}/.test(lines[i]) || lines[i].trim() === ""); i++) body.push(lines[i].slice(4));
      out.push(`<pre><code>${escapeHtml(body.join("\n").replace(/\n+$/, ""))}</code></pre>`);
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*>\s?/, ""));
      out.push(`<blockquote>${renderMarkdown(body.join("\n"))}</blockquote>`);
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && lines[i].trim() !== "" && !/^(#{1,6}\s|\s*(```|~~~)|\s*([-*+]|\d+[.)])\s+|\s*>)/.test(lines[i]); i++) para.push(lines[i].trim());
    out.push(`<p>${inline(para.join("\n"))}</p>`);
  }
  return out.join("\n");
}

/** Inline markup over escaped text: code spans first (their content is left alone), then links, strong, emphasis. */
function inline(text: string): string {
  const parts = text.split(/(`+[^`]*?`+)/);
  return parts.map((p, k) => {
    if (k % 2 === 1) return `<code>${escapeHtml(p.replace(/^`+|`+$/g, ""))}</code>`;
    let s = escapeHtml(p);
    s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => {
      const raw = href.replace(/&amp;/g, "&");
      return /^(https?:\/\/|mailto:|#)/i.test(raw) ? `<a href="${escapeHtml(raw)}">${label}</a>` : `${label} (${href})`;
    });
    s = s.replace(/\*\*(\S(?:.*?\S)?)\*\*/g, "<strong>$1</strong>").replace(/__(\S(?:.*?\S)?)__/g, "<strong>$1</strong>");
    s = s.replace(/(^|[^*\w])\*(\S(?:.*?\S)?)\*(?!\*)/g, "$1<em>$2</em>").replace(/(^|\W)_(\S(?:.*?\S)?)_(?!\w)/g, "$1<em>$2</em>");
    return s.replace(/ {2,}\n/g, "<br>\n");
  }).join("");
}
