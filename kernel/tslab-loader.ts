// Loads tslab's converter with two adjustments tslab has no option for:
//  1. inline source maps on both of its emits (TS -> ESM JS -> CommonJS), so a runtime error's line is the cell's;
//  2. "wirebook" resolvable by the type checker from a notebook in any directory: paths under
//     <cwd>/node_modules/wirebook are forwarded to this package, as tslab itself forwards <cwd>/node_modules/tslab
//     (converter.js forwardTslabPath).
// Both are done by handing converter.js a wrapper of its TypeScript module through require.cache, before it loads.
// The wrapper inherits everything from the real module; only the two emit entry points and `sys` differ.

import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** What the kernel uses of tslab's converter module (tslab/dist/converter.d.ts, narrowed). */
export interface TslabConverterModule {
  createConverter(options?: { isJS?: boolean }): TslabConverter;
  isCompleteCode(content: string): { completed: boolean; indent?: string };
}

export interface TslabDiagnostic {
  start: { offset: number; line: number; character: number };
  end: { offset: number; line: number; character: number };
  messageText: string;
  category: number;
  code: number;
  fileName?: string;
}

export interface TslabConvertResult {
  output?: string;
  declOutput?: string;
  diagnostics: TslabDiagnostic[];
  lastExpressionVar?: string;
  hasToplevelAwait?: boolean;
  sideOutputs?: { path: string; data: string }[];
}

export interface TslabQuickInfo {
  kind: string;
  textSpan: { start: number; length: number };
  displayParts?: { text: string; kind: string }[];
  documentation?: { text: string; kind: string }[];
  tags?: { name: string; text?: { text: string }[] }[];
}

export interface TslabConverter {
  convert(prevDecl: string, src: string): TslabConvertResult;
  inspect(prevDecl: string, src: string, position: number): TslabQuickInfo | undefined;
  complete(prevDecl: string, src: string, position: number): { start: number; end: number; candidates: string[] };
  close(): void;
}

type Fn = (...args: never[]) => unknown;
type Sys = Record<string, unknown>;

/** Functions of ts.sys whose first argument is a path (the ones module resolution and watching use). */
const PATH_METHODS = ["fileExists", "readFile", "directoryExists", "realpath", "getDirectories", "readDirectory",
  "watchFile", "watchDirectory", "getModifiedTime", "getFileSize"];

/** The root of this package (two levels above dist/kernel/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let loaded: TslabConverterModule | undefined;

/**
 * tslab's converter module, patched as described above for a kernel whose working directory is `cwd`.
 * Must run before anything else in the process loads tslab's converter; throws if something already has.
 */
export function loadTslab(cwd: string, packageRoot = PACKAGE_ROOT): TslabConverterModule {
  if (loaded) return loaded;
  const req = createRequire(path.join(packageRoot, "package.json"));
  const converterPath = req.resolve("tslab/dist/converter.js");
  if (req.cache[converterPath]) throw new Error("tslab's converter was loaded before the kernel could patch it");
  const treq = createRequire(converterPath);
  const tsPath = treq.resolve("@tslab/typescript-for-tslab");
  const real = treq(tsPath) as Record<string, unknown>;
  const entry = treq.cache[tsPath];
  if (!entry) throw new Error(`TypeScript for tslab not in require.cache: ${tsPath}`);
  entry.exports = wrapTypeScript(real, forwardingSys(real.sys as Sys, cwd, packageRoot));
  loaded = treq(converterPath) as TslabConverterModule;
  return loaded;
}

function wrapTypeScript(real: Record<string, unknown>, sys: Sys): object {
  const createHost = real.createWatchCompilerHost as (...a: unknown[]) => unknown;
  const transpile = real.transpileModule as (input: string, o: { compilerOptions?: object }) => unknown;
  // Own properties are needed: the real module's exports are non-configurable getters, so assignment would fail.
  return Object.create(real, {
    __esModule: { value: true }, // so tslab's __importStar returns this object as is
    sys: { value: sys },
    createWatchCompilerHost: {
      value: (roots: unknown, options: object, ...rest: unknown[]) =>
        createHost(roots, { ...options, inlineSourceMap: true }, ...rest),
    },
    transpileModule: {
      value: (input: string, o: { compilerOptions?: object }) =>
        transpile(input, { ...o, compilerOptions: { ...o.compilerOptions, inlineSourceMap: true } }),
    },
  });
}

/** A ts.sys whose path functions see <cwd>/node_modules/wirebook/... as <packageRoot>/... */
function forwardingSys(base: Sys, cwd: string, packageRoot: string): Sys {
  const virtualRoot = path.join(cwd, "node_modules", "wirebook");
  const forward = (p: unknown): unknown => {
    if (typeof p !== "string") return p;
    const rel = path.relative(virtualRoot, p);
    return rel.startsWith("..") || path.isAbsolute(rel) ? p : path.join(packageRoot, rel);
  };
  const sys: Sys = Object.create(base);
  for (const name of PATH_METHODS) {
    const fn = base[name] as Fn | undefined;
    if (typeof fn !== "function") continue;
    sys[name] = (p: unknown, ...rest: unknown[]) => (fn as (...a: unknown[]) => unknown).call(base, forward(p), ...rest);
  }
  // The virtual node_modules must exist for resolution to look inside it, as tslab fakes it for itself.
  const dirExists = sys.directoryExists as (p: string) => boolean;
  sys.directoryExists = (p: string) => dirExists(p) || p === path.join(cwd, "node_modules");
  return sys;
}
