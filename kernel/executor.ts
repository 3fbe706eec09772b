// Runs cells: tslab's converter type-checks a cell against the declarations of the cells before it and emits
// CommonJS that reads earlier cells' values from a shared `exports`; we run that in this context.
// Mirrors tslab's createExecutor (dist/executor.js) with what the kernel needs on top: each cell gets its own file
// name ("cell[N]") and source map so tracebacks show cell lines; the last expression's value is returned instead of
// printed; "wirebook" resolves to this package's library from any directory.

import { expandShorthand } from "./shorthand.js";
import * as path from "node:path";
import * as vm from "node:vm";
import Module, { createRequire } from "node:module";
import type { ErrorContent } from "./messages.js";
import { loadTslab, type TslabConverter, type TslabConverterModule, type TslabQuickInfo } from "./tslab-loader.js";
import { cellMapper, type CellMapper } from "./source-map.js";
import { compileError, runtimeError } from "./traceback.js";

/** What a cell produced: its last expression's value (hasValue false when there was none, or it was nullish). */
export type CellOutcome =
  | { readonly ok: true; readonly hasValue: boolean; readonly value?: unknown }
  | { readonly ok: false; readonly error: ErrorContent };

/** The kernel's view of the language engine. All methods but execute are synchronous and never throw. */
export interface Executor {
  /** Type-checks and runs `code` as the cell named `cell` ("cell[3]"). Never rejects. */
  execute(code: string, cell: string): Promise<CellOutcome>;
  complete(code: string, pos: number): { start: number; end: number; candidates: string[] };
  inspect(code: string, pos: number): TslabQuickInfo | undefined;
  isComplete(code: string): { completed: boolean; indent?: string };
  /** Ends a pending top-level await of the running cell (a blocked loop is ended by SIGINT, see main.ts). */
  interrupt(): void;
  /** The values declared by cells so far (tslab's `exports`). */
  readonly locals: Record<string, unknown>;
  close(): void;
}

export interface ExecutorOptions {
  /** The notebook's directory: relative imports and node_modules resolve from here. Must be process.cwd(), which
   * is where tslab's converter resolves types from (Jupyter starts a kernel in the notebook's directory). */
  readonly cwd: string;
  /** Modules a cell's `import ... from "<name>"` gets without resolution ("wirebook" -> the library). */
  readonly builtins?: ReadonlyMap<string, unknown>;
  /** Module names that must not fall through to Node's resolution, with why they are missing. */
  readonly unavailable?: ReadonlyMap<string, string>;
}

const CELL_GLOBAL = Symbol.for("wirebook.cell");
const INTERRUPTED = "Interrupted";

/** Builds an executor; takes about a second (tslab's converter builds a TypeScript watch program). */
export function createExecutor(opts: ExecutorOptions): Executor {
  const tslab: TslabConverterModule = loadTslab(opts.cwd);
  const conv: TslabConverter = tslab.createConverter();
  const locals = createExports();
  const mappers = new Map<string, CellMapper>();
  const sources = new Map<string, string>();
  const sideOutputs = new Map<string, string>();
  const sideModules = new Map<string, Module>();
  const baseRequire = createRequire(path.join(opts.cwd, "__cell__.js"));
  const builtins = new Map<string, unknown>(opts.builtins ?? []);
  for (const [name, why] of opts.unavailable ?? []) {
    if (!builtins.has(name)) builtins.set(name, unavailableModule(name, why));
  }
  const cellRequire = wrapRequire(baseRequire, opts.cwd, builtins, sideOutputs, sideModules);
  (globalThis as Record<symbol, unknown>)[CELL_GLOBAL] = { exports: locals, require: cellRequire };
  let prevDecl = "";
  const interruptError = new Error(INTERRUPTED);
  let rejectInterrupt: (e: Error) => void = () => {};
  let interruptPromise = newInterruptPromise();

  function newInterruptPromise(): Promise<never> {
    const p = new Promise<never>((_, reject) => { rejectInterrupt = reject; });
    p.catch(() => {}); // nobody may be waiting on it
    return p;
  }

  /** A name no earlier cell had: silent runs share their count with the cell before ("cell[5]" -> "cell[5.1]"). */
  function uniqueName(cell: string): string {
    if (!mappers.has(cell)) return cell;
    for (let k = 1; ; k++) {
      const name = cell.replace(/\]$/, `.${k}]`);
      if (!mappers.has(name)) return name;
    }
  }

  async function execute(code: string, requested: string): Promise<CellOutcome> {
    const cell = uniqueName(requested);
    const converted = conv.convert(prevDecl, expandShorthand(code));
    for (const out of converted.sideOutputs ?? []) {
      sideModules.delete(out.path);
      sideOutputs.set(out.path, out.data);
    }
    if (converted.diagnostics.length > 0) return { ok: false, error: compileError(cell, code, converted.diagnostics) };
    if (!converted.output) {
      prevDecl = converted.declOutput ?? "";
      return { ok: true, hasValue: false };
    }
    const prefix = converted.hasToplevelAwait ? "(async function(exports, require) { " : "(function(exports, require) { ";
    const access = `globalThis[Symbol.for("wirebook.cell")]`;
    const wrapped = `${prefix}${converted.output}\n})(${access}.exports, ${access}.require)`;
    mappers.set(cell, cellMapper(converted.output, prefix.length));
    sources.set(cell, code);
    try {
      // breakOnSigint: SIGINT ends a synchronous loop in the cell with ERR_SCRIPT_EXECUTION_INTERRUPTED.
      const ret: unknown = vm.runInThisContext(wrapped, { filename: cell, breakOnSigint: true });
      if (converted.hasToplevelAwait) await Promise.race([ret, interruptPromise]);
    } catch (e) {
      return { ok: false, error: asError(e) };
    }
    prevDecl = converted.declOutput ?? "";
    const name = converted.lastExpressionVar;
    if (!name) return { ok: true, hasValue: false };
    const value = locals[name];
    delete locals[name];
    return { ok: true, hasValue: value !== undefined && value !== null, value };
  }

  function asError(e: unknown): ErrorContent {
    if ((e as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || e === interruptError) {
      return { ename: INTERRUPTED, evalue: "execution interrupted", traceback: [`${INTERRUPTED}: execution interrupted`] };
    }
    return runtimeError(e, mappers, sources);
  }

  return {
    execute,
    complete: (code, pos) => safe(() => conv.complete(prevDecl, code, pos), { start: pos, end: pos, candidates: [] }),
    inspect: (code, pos) => safe(() => conv.inspect(prevDecl, code, pos), undefined),
    isComplete: (code) => safe(() => tslab.isCompleteCode(code), { completed: true }),
    interrupt() {
      rejectInterrupt(interruptError);
      interruptPromise = newInterruptPromise();
    },
    locals,
    close: () => conv.close(),
  };
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** A module whose every property access throws why it is missing (imports compile to property reads). */
function unavailableModule(name: string, why: string): object {
  const fail = (): never => {
    throw new Error(`module "${name}" is not available in this kernel: ${why}`);
  };
  return new Proxy({}, { get: (_t, prop) => (prop === "__esModule" || typeof prop === "symbol" ? undefined : fail()),
    has: fail, ownKeys: fail });
}

/** tslab's exports object: `defineProperty` is treated as assignment so imported names stay rewritable. */
function createExports(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    defineProperty(_t, prop, attrs) {
      if (prop === "__esModule") return true;
      target[prop as string] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
}

/** `require` for cells: builtins first, then modules compiled from the notebook's own .ts files, then Node. */
function wrapRequire(base: NodeJS.Require, dir: string, builtins: ReadonlyMap<string, unknown>,
  sideOutputs: Map<string, string>, sideModules: Map<string, Module>): NodeJS.Require {
  function fromSide(id: string): Module | undefined {
    if (!id.startsWith(".")) return undefined;
    let file = path.resolve(dir, id);
    if (path.extname(file) === "") file += ".js";
    const cached = sideModules.get(file);
    if (cached) return cached;
    const src = sideOutputs.get(file);
    if (src === undefined) return undefined;
    const mod = new Module(file) as Module & { _compile(src: string, file: string): void };
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
    mod.require = wrapRequire(createRequire(file), path.dirname(file), builtins, sideOutputs, sideModules);
    sideModules.set(file, mod); // before compiling, so import cycles terminate as in Node
    mod._compile(src, file);
    return mod;
  }
  const req = ((id: string) => {
    if (builtins.has(id)) return builtins.get(id);
    return fromSide(id)?.exports ?? base(id);
  }) as NodeJS.Require;
  return Object.assign(req, { resolve: base.resolve, cache: base.cache, main: base.main, extensions: base.extensions });
}
