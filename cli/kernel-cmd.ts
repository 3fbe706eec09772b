// `wirebook kernel -f CONNECTION_FILE`: what Jupyter runs (kernel.json argv).

import { startKernel } from "../kernel/main.js";

const USAGE = "usage: wirebook kernel -f CONNECTION_FILE";

/** Starts the kernel; `argv` is what follows "kernel". Resolves once it serves; the process then stays up. */
export async function runKernelCommand(argv: string[]): Promise<number> {
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-f" || a === "--connection-file") file = argv[++i];
    else if (a.startsWith("--connection-file=")) file = a.slice("--connection-file=".length);
    else if (a.startsWith("-f=")) file = a.slice(3);
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`wirebook kernel: unexpected argument ${JSON.stringify(a)}\n${USAGE}`);
      return 2;
    }
  }
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  await startKernel(file);
  return 0;
}
