// The heartbeat: a REP socket that echoes every message (spec: "Heartbeat for kernels"). It runs in a worker
// thread so that a cell blocking the main thread does not make the kernel look dead to a client that checks it.

import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";

interface HeartbeatData { readonly wirebookHeartbeat: string }

/** Starts the echo in a worker bound to `address`; resolves once bound. Falls back to this thread on failure. */
export async function startHeartbeat(address: string, log: (s: string) => void): Promise<Worker | undefined> {
  try {
    const worker = new Worker(new URL(import.meta.url), { workerData: { wirebookHeartbeat: address }, execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", (m) => (m === "bound" ? resolve() : reject(new Error(String(m)))));
      worker.once("error", reject);
    });
    worker.unref();
    return worker;
  } catch (e) {
    log(`heartbeat worker failed (${(e as Error).message}); answering heartbeats on the main thread`);
    void echo(address);
    return undefined;
  }
}

async function echo(address: string, onBound?: () => void): Promise<void> {
  const sock = new zmq.Reply();
  sock.linger = 0;
  await sock.bind(address);
  onBound?.();
  parentPort?.on("message", (m) => {
    if (m === "close") sock.close();
  });
  try {
    for await (const frames of sock) await sock.send(frames);
  } catch (e) {
    if (!sock.closed) throw e;
  }
  parentPort?.close();
}

/** Stops the heartbeat worker: closes its socket first (terminating a thread inside zeromq aborts the process). */
export async function stopHeartbeat(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.postMessage("close");
  const timer = setTimeout(() => void worker.terminate(), 2000);
  await exited;
  clearTimeout(timer);
}

if (!isMainThread && (workerData as HeartbeatData | undefined)?.wirebookHeartbeat) {
  const address = (workerData as HeartbeatData).wirebookHeartbeat;
  echo(address, () => parentPort?.postMessage("bound")).catch((e: unknown) => parentPort?.postMessage(String(e)));
}
