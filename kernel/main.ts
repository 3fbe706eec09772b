// The kernel's entry: reads the connection file, binds the sockets, answers kernel_info at once and builds the
// TypeScript engine just after (tslab's first build takes about a second), then serves until shutdown.
// Interrupts: kernel.json says interrupt_mode "signal". A cell stuck in a synchronous loop blocks the event loop,
// so no socket message can reach it; only a signal can (vm's breakOnSigint). SIGINT also ends a pending top-level
// await. An interrupt_request on control does the latter, which is all a message can do.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KernelServer, type Channel, type ConnectionInfo } from "./server.js";
import { handle, type Engine, type KernelContext } from "./handler.js";
import { CellOutputs, captureStdio } from "./outputs.js";
import { createExecutor, type Executor } from "./executor.js";
import { KERNEL_GLOBAL, preludeSource } from "./prelude.js";
import { PACKAGE_ROOT } from "./tslab-loader.js";
import type { Message, Request } from "./messages.js";

/** The library a cell gets as "wirebook" (dist/lib/index.js beside this kernel). */
const LIB_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "lib", "index.js");
/**
 * The engine is built once the kernel has been quiet this long (or at the first request that needs it), so the
 * kernel_info requests of a connecting client (jupyter_client repeats them until iopub answers) are not held up.
 */
const WARMUP_QUIET_MS = 400;

/** A running kernel: its server and a way to stop it. */
export interface RunningKernel {
  readonly server: KernelServer;
  stop(): Promise<void>;
}

/** Starts a kernel for the connection file at `connectionFilePath`; resolves once its sockets are bound. */
export async function startKernel(connectionFilePath: string): Promise<RunningKernel> {
  const connection = JSON.parse(await readFile(connectionFilePath, "utf8")) as ConnectionInfo;
  let server: KernelServer | undefined;
  const outputs = new CellOutputs((t, c, p) => server?.publish(t, c, p), (s) => log(s));
  const stdio = captureStdio(outputs);
  const log = (line: string) => stdio.stderr(line.endsWith("\n") ? line : line + "\n");
  (globalThis as Record<symbol, unknown>)[KERNEL_GLOBAL] = outputs;

  let executor: Executor | undefined;
  let enginePromise: Promise<Engine> | undefined;
  const engine = (): Promise<Engine> => (enginePromise ??= buildEngine(log).then((e) => (executor = e)));
  const stop = async () => {
    await server?.close();
    executor?.close();
  };
  const ctx: KernelContext = {
    engine,
    outputs,
    executionCount: 0,
    interrupt: () => executor?.interrupt(),
    shutdown: () => server?.whenReplied(() => void stop().finally(() => process.exit(0))),
    implementationVersion: await packageVersion(PACKAGE_ROOT),
    languageVersion: await packageVersion(path.join(PACKAGE_ROOT, "node_modules", "@tslab", "typescript-for-tslab")),
  };
  let warmup: NodeJS.Timeout | undefined;
  const warmLater = () => {
    clearTimeout(warmup);
    if (!enginePromise) warmup = setTimeout(() => void engine(), WARMUP_QUIET_MS).unref();
  };
  const handler = async (_channel: Channel, req: Request, msg: Message) => {
    clearTimeout(warmup);
    if (req.msg_type === "execute_request") outputs.setParent(msg.header as Message["header"]);
    const content = await handle(ctx, req);
    if (req.msg_type === "execute_request") await outputs.drain();
    warmLater();
    return content;
  };
  server = new KernelServer({ connection, handler, log });
  process.on("SIGINT", () => executor?.interrupt());
  process.on("uncaughtException", (e) => log(`uncaught exception: ${e.stack ?? e}`));
  process.on("unhandledRejection", (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? e}`));
  await server.start();
  warmLater();
  exitWithParent(stop);
  return { server, stop };
}

/** Jupyter names its own pid in JPY_PARENT_PID: a kernel whose launcher died stops too (as ipykernel does). */
function exitWithParent(stop: () => Promise<void>): void {
  const ppid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(ppid) || ppid <= 1) return;
  setInterval(() => {
    try {
      process.kill(ppid, 0);
    } catch {
      void stop().finally(() => process.exit(0));
    }
  }, 2000).unref();
}

/** The executor with the library and the display functions in scope (the prelude cell run). */
async function buildEngine(log: (s: string) => void): Promise<Executor> {
  const lib = await loadLibrary(log);
  const builtins = new Map<string, unknown>("error" in lib ? [] : [["wirebook", lib.ns]]);
  const unavailable = new Map<string, string>("error" in lib ? [["wirebook", lib.error]] : []);
  const executor = createExecutor({ cwd: process.cwd(), builtins, unavailable });
  let prelude = await executor.execute(preludeSource("error" in lib ? undefined : Object.keys(lib.ns)), "prelude");
  if (!prelude.ok) {
    log(`prelude with the library failed, continuing without it:\n${prelude.error.traceback.join("\n")}`);
    prelude = await executor.execute(preludeSource(undefined), "prelude");
  }
  return executor;
}

/**
 * The library's module namespace, or why it is missing (logged) when it is not built or fails to load. Loaded with
 * require() (ESM through require, Node >= 20.19): a failed import() leaves the modules it reached half-linked in the
 * ESM cache, and a cell's later require() of one of them (arquero) would then fail; a failed require() does not.
 */
async function loadLibrary(log: (s: string) => void): Promise<{ ns: Record<string, unknown> } | { error: string }> {
  try {
    try {
      return { ns: createRequire(import.meta.url)(LIB_ENTRY) as Record<string, unknown> };
    } catch (e) {
      if ((e as { code?: string }).code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
      return { ns: (await import(pathToFileURL(LIB_ENTRY).href)) as Record<string, unknown> }; // top-level await
    }
  } catch (e) {
    const error = `${LIB_ENTRY} did not load: ${(e as Error).message.split("\n")[0]}`;
    log(`wirebook library not available to cells: ${error}`);
    return { error };
  }
}

async function packageVersion(dir: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
