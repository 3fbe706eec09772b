// The hidden first cell: puts the library and the display functions in scope of every cell, with full types.
// It is an ordinary tslab cell, so its imports and functions carry to later cells exactly like a user's would
// (tslab keeps them in the declarations it type-checks the next cell against), and a user may shadow any name.

import type { OpenFn } from "./progress.js";

/** The global through which the prelude's functions reach the running kernel (see server.ts). */
export const KERNEL_GLOBAL = Symbol.for("wirebook.kernel");

/** What the kernel puts at globalThis[KERNEL_GLOBAL] for the prelude's functions. */
export interface KernelApi {
  display(value: unknown, displayId?: string): string;
  updateDisplay(displayId: string, value: unknown): void;
  /** The library's `open` with a progress line for slow reads (progress.ts). */
  openCapture<T>(open: OpenFn<T>, path: string, options?: Record<string, unknown>): Promise<T>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The prelude's source. `libExports` are the runtime export names of the library ("wirebook"), or undefined when
 * the library could not be loaded; each becomes a name in scope, and the whole library is `wirebook`.
 */
export function preludeSource(libExports: readonly string[] | undefined): string {
  const lines: string[] = [];
  if (libExports) {
    lines.push(`import * as wirebook from "wirebook";`);
    const names = libExports.filter((n) => n !== "default" && n !== "wirebook" && n !== "display" &&
      n !== "updateDisplay" && n !== "open" && IDENTIFIER.test(n));
    if (names.length > 0) lines.push(`import { ${names.join(", ")} } from "wirebook";`);
    if (libExports.includes("open")) lines.push(
      `/** Opens a capture and indexes its frames; a read that takes a while shows a progress line. */`,
      `function open(path: string, options?: Parameters<typeof wirebook.open>[1]): ReturnType<typeof wirebook.open> {`,
      `  return (globalThis as any)[Symbol.for("wirebook.kernel")].openCapture(wirebook.open, path, options);`,
      `}`);
  }
  lines.push(
    `/** Shows \`value\` as a rich output (table, chart, markdown, or text) now; returns its display id. */`,
    `function display(value: unknown, displayId?: string): string {`,
    `  return (globalThis as any)[Symbol.for("wirebook.kernel")].display(value, displayId);`,
    `}`,
    `/** Replaces the output shown under \`displayId\` (from display()) with \`value\`. */`,
    `function updateDisplay(displayId: string, value: unknown): void {`,
    `  (globalThis as any)[Symbol.for("wirebook.kernel")].updateDisplay(displayId, value);`,
    `}`,
  );
  return lines.join("\n") + "\n";
}
