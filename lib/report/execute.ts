// Runs a notebook through the Wirebook kernel, papermill-style: parameters injected after the `parameters` cell,
// cells executed in order, outputs collected into the notebook (nbformat 4); the first failing cell stops the run
// (its error stays in place) and later cells keep no outputs.

import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import * as path from "node:path";
import type { Message } from "../../kernel/messages.js";
import { wirebookVersion } from "./assets.js";
import type { Provenance } from "./html.js";
import { KernelClient, type KernelOptions } from "./kernel-client.js";
import { injectParameters, parseNotebook, sourceText, type Cell, type Notebook, type Output } from "./notebook.js";

export interface RunResult {
  notebook: Notebook;
  /** The failing cell's index and error, when one failed. */
  failure?: { cell: number; ename: string; evalue: string };
  provenance: Provenance;
}

export async function executeNotebook(file: string, params: Record<string, unknown>, options: KernelOptions = {}): Promise<RunResult> {
  const nb = injectParameters(parseNotebook(await readFile(file, "utf8")), params);
  const cwd = options.cwd ?? path.dirname(path.resolve(file));
  const started = new Date();
  let failure: RunResult["failure"];
  const kernel = await KernelClient.start({ ...options, cwd });
  try {
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      cell.outputs = [];
      cell.execution_count = null;
      if (failure) continue;
      if (sourceText(cell.source).trim() === "") continue;
      const reply = await runCell(kernel, cell);
      if (reply.content.status !== "ok") {
        const c = reply.content as { ename?: string; evalue?: string };
        failure = { cell: i, ename: c.ename ?? "Error", evalue: c.evalue ?? String(reply.content.status) };
      }
    }
  } finally {
    await kernel.shutdown();
  }
  nb.metadata.wirebook = { executed: started.toISOString(), parameters: params, ...(failure ? { failure } : {}) };
  const provenance = await provenanceOf(file, nb, params, cwd, started, failure);
  return { notebook: nb, failure, provenance };
}

async function runCell(kernel: KernelClient, cell: Cell): Promise<Message> {
  const outputs: Output[] = (cell.outputs = []);
  const byDisplayId = new Map<string, Output[]>();
  const reply = await kernel.execute(sourceText(cell.source), (m) => {
    const c = m.content as Record<string, unknown>;
    switch (m.header.msg_type) {
      case "stream": {
        const last = outputs[outputs.length - 1];
        if (last?.output_type === "stream" && last.name === c.name) last.text = sourceText(last.text) + String(c.text);
        else outputs.push({ output_type: "stream", name: c.name as "stdout", text: String(c.text) });
        break;
      }
      case "display_data":
      case "execute_result": {
        const o: Output = { output_type: m.header.msg_type, data: c.data as Record<string, unknown>, metadata: (c.metadata ?? {}) as Record<string, unknown> };
        if (m.header.msg_type === "execute_result") o.execution_count = c.execution_count as number;
        outputs.push(o);
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        if (id) byDisplayId.set(id, [...(byDisplayId.get(id) ?? []), o]);
        break;
      }
      case "update_display_data": {
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        for (const o of (id && byDisplayId.get(id)) || []) { o.data = c.data as Record<string, unknown>; o.metadata = (c.metadata ?? {}) as Record<string, unknown>; }
        break;
      }
      case "clear_output":
        outputs.length = 0;
        break;
      case "error":
        outputs.push({ output_type: "error", ename: String(c.ename), evalue: String(c.evalue), traceback: (c.traceback as string[]) ?? [] });
        break;
    }
  });
  cell.execution_count = (reply.content.execution_count as number | undefined) ?? null;
  return reply;
}

/** Capture files: parameter values and `capture`-like strings of the notebook that name files, with SHA-256. */
async function provenanceOf(file: string, nb: Notebook, params: Record<string, unknown>, cwd: string, date: Date,
  failure: RunResult["failure"]): Promise<Provenance> {
  const candidates = new Set<string>();
  for (const v of Object.values(params)) if (typeof v === "string") candidates.add(v);
  for (const c of nb.cells) {
    if (c.cell_type !== "code" || !(c.metadata.tags?.includes("parameters") || c.metadata.tags?.includes("injected-parameters"))) continue;
    for (const m of sourceText(c.source).matchAll(/"([^"\n]+\.(?:pcap|pcapng|cap)(?:\.gz)?)"/g)) candidates.add(m[1]);
  }
  const captures: Provenance["captures"] = [];
  for (const f of candidates) {
    const p = path.resolve(cwd, f);
    const s = await stat(p).catch(() => undefined);
    if (!s?.isFile() || !/\.(pcap|pcapng|cap)(\.gz)?$/i.test(p)) continue;
    captures.push({ file: f, bytes: s.size, sha256: createHash("sha256").update(await readFile(p)).digest("hex") });
  }
  const heading = nb.cells.find((c) => c.cell_type === "markdown" && /^#\s/m.test(sourceText(c.source)));
  const title = heading ? /^#\s+(.*)$/m.exec(sourceText(heading.source))![1] : path.basename(file, ".ipynb");
  return {
    title, notebook: path.basename(file), version: wirebookVersion(), date: date.toISOString(), parameters: params, captures,
    status: failure ? `FAILED in cell ${failure.cell + 1}: ${failure.ename}: ${failure.evalue}` : "all cells ran",
  };
}
