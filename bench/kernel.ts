// Kernel latency: time from process start to the first kernel_info_reply, and the median round trip of a
// trivial cell (`1+1`: execute_request -> execute_reply and status idle) over 20 runs, after one warm-up cell.
// Driven by a small ZeroMQ client written here (no Python). Targets: startup < 2 s, trivial cell < 50 ms.

import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as zmq from "zeromq";
import { decode, encode, type SigningKey } from "../kernel/wire.js";
import { makeMessage, type Message } from "../kernel/messages.js";

const KERNEL_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "kernel", "main.js");

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A kernel process on loopback and a client connected to its shell and iopub. */
export class KernelClient {
  readonly session = randomUUID();
  private readonly shell = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly key: SigningKey = { key: randomUUID(), scheme: "hmac-sha256" };
  private readonly iopubMsgs: Message[] = [];
  private iopubWaiters: (() => void)[] = [];
  private proc: ChildProcess | undefined;
  private dir = "";

  /** Spawns `node` running kernel/main.js's startKernel in `cwd` and connects. Returns the spawn time. */
  async start(cwd = os.tmpdir()): Promise<number> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-bench-"));
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    const conn = {
      transport: "tcp", ip: "127.0.0.1", shell_port: ports[0], control_port: ports[1], iopub_port: ports[2],
      stdin_port: ports[3], hb_port: ports[4], key: this.key.key, signature_scheme: this.key.scheme,
    };
    const file = path.join(this.dir, "connection.json");
    await writeFile(file, JSON.stringify(conn));
    const script = `import(${JSON.stringify(pathToFileURL(KERNEL_MAIN).href)}).then((m) => m.startKernel(${JSON.stringify(file)}))`;
    const t0 = performance.now();
    this.proc = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd, stdio: ["ignore", "ignore", "inherit"] });
    this.shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
    this.iopub.connect(`tcp://127.0.0.1:${conn.iopub_port}`);
    this.iopub.subscribe();
    void this.readIopub();
    return t0;
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const r = decode(this.key, frames);
        if ("error" in r) continue;
        this.iopubMsgs.push(r.msg);
        for (const w of this.iopubWaiters.splice(0)) w();
      }
    } catch {
      // closed
    }
  }

  /** Sends a request on shell; returns its msg_id. */
  async send(msgType: string, content: Record<string, unknown>): Promise<string> {
    const msg = makeMessage(msgType, this.session, undefined, content);
    await this.shell.send(encode(this.key, [], msg));
    return msg.header.msg_id;
  }

  /** The next shell reply to `msgId`, or undefined after `timeoutMs`. */
  async reply(msgId: string, timeoutMs: number): Promise<Message | undefined> {
    const deadline = Date.now() + timeoutMs;
    this.shell.receiveTimeout = Math.max(1, timeoutMs);
    while (Date.now() < deadline) {
      this.shell.receiveTimeout = Math.max(1, deadline - Date.now());
      let frames: Buffer[];
      try {
        frames = await this.shell.receive();
      } catch {
        return undefined;
      }
      const r = decode(this.key, frames);
      if (!("error" in r) && (r.msg.parent_header as { msg_id?: string }).msg_id === msgId) return r.msg;
    }
    return undefined;
  }

  /** Waits until iopub has published status idle for `msgId`. */
  async idle(msgId: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const isIdle = (m: Message) => m.header.msg_type === "status" && m.content.execution_state === "idle" &&
      (m.parent_header as { msg_id?: string }).msg_id === msgId;
    while (!this.iopubMsgs.some(isIdle)) {
      if (Date.now() > deadline) throw new Error(`no idle for ${msgId}`);
      await new Promise<void>((resolve) => {
        this.iopubWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Sends kernel_info until one is answered; resolves with the reply. */
  async kernelInfo(timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const id = await this.send("kernel_info_request", {});
      const r = await this.reply(id, 500);
      if (r) return r;
    }
    throw new Error("kernel did not answer kernel_info");
  }

  /** Runs `code`; resolves with the execute_reply once iopub is idle for it. */
  async execute(code: string): Promise<Message> {
    const id = await this.send("execute_request", { code, silent: false, store_history: true, user_expressions: {},
      allow_stdin: false, stop_on_error: true });
    const r = await this.reply(id, 60_000);
    if (!r) throw new Error(`no reply to ${code}`);
    await this.idle(id);
    return r;
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc!.once("exit", resolve));
      await this.send("shutdown_request", { restart: false });
      const timer = setTimeout(() => this.proc?.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.shell.close();
    this.iopub.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Measures startup (spawn -> first kernel_info_reply) and the median trivial-cell round trip over 20 runs; also
 * reports the first cell, which includes building the TypeScript engine.
 */
export async function benchKernel(): Promise<{ startupMs: number; trivialCellMs: number; firstCellMs: number }> {
  const client = new KernelClient();
  try {
    const t0 = await client.start();
    await client.kernelInfo();
    const startupMs = performance.now() - t0;
    const t1 = performance.now();
    await client.execute("1+1"); // builds the engine: tslab's converter, the library, the prelude
    const firstCellMs = performance.now() - t1;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await client.execute("1+1");
      if (r.content.status !== "ok") throw new Error(`1+1 failed: ${JSON.stringify(r.content)}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { startupMs, trivialCellMs: (times[9] + times[10]) / 2, firstCellMs };
  } finally {
    await client.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchKernel();
  console.log(`kernel startup ${r.startupMs.toFixed(0)} ms (target < 2000), trivial cell ${r.trivialCellMs.toFixed(1)} ms ` +
    `(target < 50), first cell ${r.firstCellMs.toFixed(0)} ms (engine build)`);
}
