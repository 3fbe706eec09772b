// Turns type errors and runtime exceptions into Jupyter `error` content whose positions are the cell's own.

import { inspect } from "node:util";
import type { ErrorContent } from "./messages.js";
import type { TslabDiagnostic } from "./tslab-loader.js";
import { mapStack, type CellMapper } from "./source-map.js";

const RED = "\x1b[31m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** The error for a cell that did not type-check: one "cell[N]:line:col - error TSxxxx: message" per diagnostic. */
export function compileError(cell: string, code: string, diags: readonly TslabDiagnostic[]): ErrorContent {
  const lines = code.split("\n");
  const traceback: string[] = [];
  for (const d of diags) {
    const where = `${d.fileName ?? cell}:${d.start.line + 1}:${d.start.character + 1}`;
    traceback.push(`${BOLD}${where}${RESET} - ${RED}error TS${d.code}${RESET}: ${d.messageText}`);
    if (!d.fileName && lines[d.start.line] !== undefined) traceback.push(snippet(lines, d.start.line, d.start.character));
  }
  const first = diags[0];
  const evalue = first ? `${first.start.line + 1}:${first.start.character + 1} - ${first.messageText}` : "compile error";
  return { ename: "TypeScriptError", evalue, traceback };
}

/** The source line with a caret under `column` (0-based), indented like a stack frame. */
function snippet(lines: readonly string[], line: number, column: number): string {
  const text = lines[line] ?? "";
  return `    ${text}\n    ${" ".repeat(Math.max(0, column))}${RED}^${RESET}`;
}

/** Error-like values as ename/evalue/traceback; cell frames mapped to cell positions, kernel frames dropped. */
export function runtimeError(e: unknown, mappers: ReadonlyMap<string, CellMapper>,
  sources: ReadonlyMap<string, string>): ErrorContent {
  if (!(e instanceof Error)) {
    const text = inspect(e, { depth: 2 });
    return { ename: "Uncaught", evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
  }
  const ename = e.name || "Error";
  const evalue = e.message;
  const stack = mapStack(e.stack ?? `${ename}: ${evalue}`, mappers);
  // A function from an earlier cell is called through tslab's `exports` proxy, which V8 names "Proxy.f".
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l)).map((l) => l.replace(/^(\s+at )Proxy\./, "$1"));
  const userFrames = frames.filter((l) => !isKernelFrame(l));
  const traceback = [`${RED}${BOLD}${ename}${RESET}: ${evalue}`, ...userFrames];
  const top = userFrames.map((l) => /(cell\[[^\]]+\]):(\d+):(\d+)/.exec(l)).find((m) => m !== null);
  if (top) {
    const src = sources.get(top[1]);
    if (src !== undefined) traceback.push(`${top[1]}, line ${top[2]}:`, snippet(src.split("\n"), +top[2] - 1, +top[3] - 1));
  }
  return { ename, evalue, traceback };
}

/** Frames of the kernel itself and of Node's internals: noise in a user's traceback. */
function isKernelFrame(line: string): boolean {
  return line.includes("node:internal") || line.includes("/dist/kernel/") || line.includes("/kernel/executor.") ||
    line.includes("node:vm") || line.includes("evalmachine.");
}
