// Shared by the tests that drive the kernel through real Jupyter tools: is Jupyter here, and a kernelspec for it.
// Without Jupyter a test skips with the reason, except on CI (CI=true), where it fails: CI must run them.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installKernelspec } from "../../kernel/install.js";

/** The repository root (tests run from dist/test/kernel/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const PYTHON = "/usr/bin/python3";
export const JUPYTER = "/usr/bin/jupyter";
const MODULES = ["jupyter_client", "nbclient", "nbformat", "nbconvert", "zmq"];

/** Why Jupyter cannot be used here, or undefined when it can. */
export function jupyterMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (!existsSync(JUPYTER)) return `${JUPYTER} not found (apt-get install jupyter-nbconvert)`;
  const r = spawnSync(PYTHON, ["-c", `import ${MODULES.join(", ")}`], { encoding: "utf8" });
  if (r.status !== 0) return `Python modules missing (${MODULES.join(", ")}): ${r.stderr.trim().split("\n").pop()}`;
  return undefined;
}

/**
 * node:test options for a Jupyter test: `skip` with the reason when Jupyter is missing, except on CI, where the
 * test runs and `failIfMissing()` fails it.
 */
export function jupyterGate(): { skip: string | false; missing: string | undefined } {
  const missing = jupyterMissing();
  const ci = process.env.CI === "true";
  return { skip: missing && !ci ? `Jupyter not available: ${missing}` : false, missing };
}

/**
 * A temporary Jupyter data dir holding the `wirebook` kernelspec, whose argv runs this checkout's dist/ through a
 * small launcher (the package's bin/ is the CLI's, tested elsewhere). Returns the JUPYTER_PATH entry and the dir.
 */
export async function tempKernelspec(): Promise<{ jupyterPath: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-kernel-test-"));
  const launcher = path.join(dir, "launch-kernel.mjs");
  const cmd = pathToFileURL(path.join(ROOT, "dist", "cli", "kernel-cmd.js")).href;
  await writeFile(launcher, [
    `const { runKernelCommand } = await import(${JSON.stringify(cmd)});`,
    `const code = await runKernelCommand(process.argv.slice(3));`,
    `if (code !== 0) process.exit(code);`,
  ].join("\n") + "\n");
  await installKernelspec({ target: { kind: "prefix", dir }, bin: launcher });
  return { jupyterPath: path.join(dir, "share", "jupyter"), dir };
}
