// nbformat 4 notebooks: the shapes the runner reads and writes (https://nbformat.readthedocs.io/en/latest/format_description.html).

export type Source = string | string[];

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: "stdout" | "stderr";
  text?: Source;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: Source;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export function sourceText(s: Source | undefined): string {
  return Array.isArray(s) ? s.join("") : s ?? "";
}

/** Parses and checks the outline of an nbformat 4 notebook. */
export function parseNotebook(json: string): Notebook {
  const nb = JSON.parse(json) as Notebook;
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error("not an nbformat 4 notebook");
  for (const c of nb.cells) c.metadata ??= {};
  return nb;
}

/** A parameter value as a TypeScript literal (JSON is valid TypeScript for strings, numbers, booleans, arrays). */
export function literal(v: unknown): string {
  return JSON.stringify(v).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** `-p NAME=VALUE`: VALUE is JSON when it parses as JSON (numbers, true, [..]), else a string. */
export function parseParam(arg: string): [string, unknown] {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new Error(`parameter "${arg}" is not NAME=VALUE`);
  const name = arg.slice(0, eq), raw = arg.slice(eq + 1);
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new Error(`parameter name "${name}" is not an identifier`);
  try {
    return [name, JSON.parse(raw)];
  } catch {
    return [name, raw];
  }
}

/**
 * Papermill's injection: a cell tagged `injected-parameters` right after the cell tagged `parameters` (or first),
 * assigning each value. The parameters cell must declare them with `let` so they can be reassigned.
 */
export function injectParameters(nb: Notebook, params: Record<string, unknown>): Notebook {
  const cells = nb.cells.filter((c) => !c.metadata.tags?.includes("injected-parameters"));
  if (Object.keys(params).length === 0) return { ...nb, cells };
  const at = cells.findIndex((c) => c.metadata.tags?.includes("parameters"));
  const source = "// Parameters injected by `wirebook run`\n" +
    Object.entries(params).map(([k, v]) => `${k} = ${literal(v)};`).join("\n");
  const cell: Cell = { cell_type: "code", id: "injected-parameters", source, execution_count: null, outputs: [],
    metadata: { tags: ["injected-parameters"] } };
  cells.splice(at + 1, 0, cell);
  return { ...nb, cells };
}
