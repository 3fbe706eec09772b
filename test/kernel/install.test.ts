// The kernelspec (kernel/install.ts) and the `wirebook install` flags (cli/install-cmd.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { installKernelspec, kernelsDir } from "../../kernel/install.js";
import { runInstallCommand } from "../../cli/install-cmd.js";
import { ROOT } from "./jupyter-env.js";

test("install --prefix writes kernel.json and both logos under DIR/share/jupyter/kernels/wirebook", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-install-"));
  try {
    assert.equal(await runInstallCommand(["--prefix", dir]), 0);
    const spec = path.join(dir, "share", "jupyter", "kernels", "wirebook");
    assert.deepEqual((await readdir(spec)).sort(), ["kernel.json", "logo-32x32.png", "logo-64x64.png"]);
    const json = JSON.parse(await readFile(path.join(spec, "kernel.json"), "utf8"));
    assert.deepEqual(json.argv, [process.execPath, path.join(ROOT, "bin", "wirebook.js"), "kernel", "-f", "{connection_file}"]);
    assert.equal(json.display_name, "Wirebook (TypeScript)");
    assert.equal(json.language, "typescript");
    assert.equal(json.interrupt_mode, "signal");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("install targets: --user and --sys-prefix directories", () => {
  assert.equal(kernelsDir({ kind: "user" }), path.join(os.homedir(), ".local", "share", "jupyter", "kernels"));
  assert.equal(kernelsDir({ kind: "prefix", dir: "/opt/x" }), "/opt/x/share/jupyter/kernels");
});

test("install --sys-prefix asks /usr/bin/python3 for sys.prefix", { skip: !existsSync("/usr/bin/python3") && "no /usr/bin/python3" }, () => {
  const prefix = execFileSync("/usr/bin/python3", ["-c", "import sys;print(sys.prefix)"], { encoding: "utf8" }).trim();
  assert.equal(kernelsDir({ kind: "sys-prefix" }), path.join(prefix, "share", "jupyter", "kernels"));
});

test("install rejects unknown and conflicting flags", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-install-"));
  try {
    assert.equal(await runInstallCommand(["--bogus"]), 2);
    assert.equal(await runInstallCommand(["--user", "--prefix", dir]), 2);
    assert.equal(await runInstallCommand(["--prefix"]), 2);
    assert.equal(await installKernelspec({ target: { kind: "prefix", dir }, bin: "/x/bin.js" }),
      path.join(dir, "share", "jupyter", "kernels", "wirebook"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
