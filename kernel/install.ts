// Writes the kernelspec `wirebook`: kernel.json and two logos. Jupyter finds kernelspecs under
// <data dir>/kernels/<name>/ (https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs).

import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { logoPng } from "./png.js";
import { PACKAGE_ROOT } from "./tslab-loader.js";

export const KERNEL_NAME = "wirebook";

/** Where to install: the user's data dir, the Python environment's prefix, or an explicit prefix. */
export type InstallTarget = { kind: "user" } | { kind: "sys-prefix"; python?: string } | { kind: "prefix"; dir: string };

export interface InstallOptions {
  readonly target: InstallTarget;
  /** The script Jupyter runs as `node <bin> kernel -f <file>`; default <package>/bin/wirebook.js. */
  readonly bin?: string;
}

/** The kernels directory a target means (the spec goes in its `wirebook` subdirectory). */
export function kernelsDir(target: InstallTarget): string {
  switch (target.kind) {
    case "user": return path.join(os.homedir(), ".local", "share", "jupyter", "kernels");
    case "prefix": return path.join(path.resolve(target.dir), "share", "jupyter", "kernels");
    case "sys-prefix": {
      const python = target.python ?? "/usr/bin/python3";
      const prefix = execFileSync(python, ["-c", "import sys;print(sys.prefix)"], { encoding: "utf8" }).trim();
      return path.join(prefix, "share", "jupyter", "kernels");
    }
  }
}

/**
 * The kernel process's environment additions. MALLOC_MMAP_THRESHOLD_: glibc serves an allocation from its heap once it
 * is below the mmap threshold, and raises that threshold (up to 32 MiB) each time a large block is freed; after that,
 * the typed arrays a decode builds and drops are carved from the heap and their pages are not given back to the system.
 * A fixed 128 KiB threshold keeps every large array in its own mapping, returned when freed. Measured on the full decode
 * of the 2M-frame benchmark capture: RSS after the decode 835 -> 683 MB, peak 827 -> 784 MB, same CPU time. Ignored by
 * other C libraries.
 */
export const KERNEL_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: "131072" };

/** kernel.json's content. interrupt_mode "signal": see kernel/main.ts for why a message cannot stop a busy loop. */
export function kernelJson(bin: string): Record<string, unknown> {
  return {
    argv: [process.execPath, path.resolve(bin), "kernel", "-f", "{connection_file}"],
    display_name: "Wirebook (TypeScript)",
    language: "typescript",
    interrupt_mode: "signal",
    env: { ...KERNEL_ENV },
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec; returns its directory. Overwrites an existing one. */
export async function installKernelspec(opts: InstallOptions): Promise<string> {
  const dir = path.join(kernelsDir(opts.target), KERNEL_NAME);
  await mkdir(dir, { recursive: true });
  const bin = opts.bin ?? path.join(PACKAGE_ROOT, "bin", "wirebook.js");
  await writeFile(path.join(dir, "kernel.json"), JSON.stringify(kernelJson(bin), null, 2) + "\n");
  await writeFile(path.join(dir, "logo-32x32.png"), logoPng(32));
  await writeFile(path.join(dir, "logo-64x64.png"), logoPng(64));
  return dir;
}
