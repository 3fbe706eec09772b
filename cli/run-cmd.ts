// `wirebook run NOTEBOOK.ipynb [-p NAME=VALUE …] [--html OUT.html] [--out EXECUTED.ipynb]`: executes a notebook
// through the Wirebook kernel (no Python), writes the executed notebook and a one-file offline HTML report. A failing
// cell still yields both files, with the error in place, and exit code 1. Also `runStartNotebooks()` for npm start.

import { readdir, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { executeNotebook } from "../lib/report/execute.js";
import { renderReport } from "../lib/report/html.js";
import { parseParam } from "../lib/report/notebook.js";

const USAGE = "usage: wirebook run NOTEBOOK.ipynb [-p NAME=VALUE …] [--html OUT.html] [--out EXECUTED.ipynb]";

interface RunArgs { notebook: string; params: Record<string, unknown>; html?: string; out?: string }

export function parseRunArgs(argv: string[]): RunArgs | string {
  const params: Record<string, unknown> = {};
  let notebook: string | undefined, html: string | undefined, out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : undefined);
    try {
      if (a === "-p" || a === "--parameter") { const v = value(); if (!v) return `${a} needs NAME=VALUE`; const [k, x] = parseParam(v); params[k] = x; }
      else if (a === "--html") { html = value(); if (!html) return "--html needs a file"; }
      else if (a === "--out" || a === "-o") { out = value(); if (!out) return `${a} needs a file`; }
      else if (a.startsWith("-")) return `unknown option ${a}`;
      else if (notebook) return `unexpected argument ${a}`;
      else notebook = a;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (!notebook) return "no notebook given";
  return { notebook, params, html, out };
}

/** Runs one notebook; returns 0, 1 when a cell failed, 2 for bad usage. */
export async function runRunCommand(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) { console.log(USAGE); return 0; }
  const args = parseRunArgs(argv);
  if (typeof args === "string") { console.error(`wirebook run: ${args}\n${USAGE}`); return 2; }
  if (!existsSync(args.notebook)) { console.error(`wirebook run: ${args.notebook}: no such file`); return 2; }
  const base = args.notebook.replace(/\.ipynb$/i, "");
  const html = args.html ?? `${base}.html`, out = args.out ?? `${base}.executed.ipynb`;
  const ok = await runOne(args.notebook, args.params, html, out);
  return ok ? 0 : 1;
}

async function runOne(notebook: string, params: Record<string, unknown>, html: string, out: string): Promise<boolean> {
  const t0 = Date.now();
  const r = await executeNotebook(notebook, params);
  await mkdir(path.dirname(path.resolve(html)), { recursive: true });
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, JSON.stringify(r.notebook, null, 1) + "\n");
  await writeFile(html, renderReport(r.notebook, r.provenance));
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.failure) console.error(`${notebook}: cell ${r.failure.cell + 1} failed: ${r.failure.ename}: ${r.failure.evalue}`);
  console.log(`${notebook}: ${r.failure ? "FAILED" : "ok"} in ${secs} s → ${html} (executed notebook: ${out})`);
  return !r.failure;
}

/** npm start: runs every notebooks/<case>/<case>.ipynb on its bundled capture into reports/. Returns the exit code. */
export async function runStartNotebooks(root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")): Promise<number> {
  const dir = path.join(root, "notebooks"), reports = path.join(root, "reports");
  const cases = existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  let failed = 0;
  const written: string[] = [];
  for (const c of cases) {
    const files = (await readdir(path.join(dir, c))).filter((f) => f.endsWith(".ipynb") && !f.includes(".executed."));
    for (const f of files) {
      const name = f.replace(/\.ipynb$/, "");
      const html = path.join(reports, `${name}.html`);
      if (!(await runOne(path.join(dir, c, f), {}, html, path.join(reports, `${name}.ipynb`)))) failed++;
      written.push(html);
    }
  }
  console.log(written.length ? `\nReports:\n${written.map((w) => `  ${w}`).join("\n")}` : "no notebooks found");
  return failed ? 1 : 0;
}
