// `wirebook install [--user | --sys-prefix | --prefix DIR]`: registers the kernel with Jupyter.

import { installKernelspec, type InstallTarget } from "../kernel/install.js";

const USAGE = "usage: wirebook install [--user | --sys-prefix | --prefix DIR]  (default --user)";

/** Parses the flags after "install" and writes the kernelspec; returns the exit code. */
export async function runInstallCommand(argv: string[]): Promise<number> {
  let target: InstallTarget | undefined;
  const set = (t: InstallTarget) => {
    if (target) throw new Error("choose one of --user, --sys-prefix, --prefix");
    target = t;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === "--user") set({ kind: "user" });
      else if (a === "--sys-prefix") set({ kind: "sys-prefix" });
      else if (a === "--prefix") {
        const dir = argv[++i];
        if (!dir) throw new Error("--prefix needs a directory");
        set({ kind: "prefix", dir });
      } else if (a.startsWith("--prefix=")) set({ kind: "prefix", dir: a.slice("--prefix=".length) });
      else if (a === "-h" || a === "--help") {
        console.log(USAGE);
        return 0;
      } else throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    }
    const dir = await installKernelspec({ target: target ?? { kind: "user" } });
    console.log(`Installed kernelspec wirebook in ${dir}`);
    return 0;
  } catch (e) {
    console.error(`wirebook install: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
}
