// A minimal Jupyter client in TypeScript (no Python): starts `wirebook kernel -f CONN` as a child process with a
// connection file written here, talks to it over ZeroMQ with HMAC-SHA256-signed messages (kernel/wire.ts framing),
// and collects what a cell publishes on iopub. Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zmq from "zeromq";
import { decode, encode, type SigningKey } from "../../kernel/wire.js";
import type { Header, Message } from "../../kernel/messages.js";

export interface KernelOptions {
  /** The command that starts the kernel; "{connection_file}" is replaced. Default: this checkout's bin/wirebook.js. */
  argv?: string[];
  cwd?: string;
  /** Kernel stderr goes here (default: discarded unless WIREBOOK_DEBUG is set). */
  onStderr?: (s: string) => void;
}

/** A free TCP port on 127.0.0.1 (bound then released; the kernel binds it right after). */
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

export class KernelClient {
  private readonly session = randomUUID();
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly waiters = new Map<string, { iopub: (m: Message) => void; reply: (m: Message) => void }>();
  private exited = false;

  private constructor(private readonly key: SigningKey, private readonly child: ChildProcess, private readonly dir: string) {
    child.once("exit", () => { this.exited = true; });
  }

  /** Starts a kernel and waits until it answers kernel_info and its iopub reaches us. */
  static async start(options: KernelOptions = {}): Promise<KernelClient> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "wirebook-run-"));
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    const conn = { transport: "tcp", ip: "127.0.0.1", shell_port: ports[0], control_port: ports[1], iopub_port: ports[2],
      stdin_port: ports[3], hb_port: ports[4], key: randomBytes(32).toString("hex"), signature_scheme: "hmac-sha256",
      kernel_name: "wirebook" };
    const file = path.join(dir, "kernel.json");
    await writeFile(file, JSON.stringify(conn), { mode: 0o600 });
    const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "..", "bin", "wirebook.js");
    const argv = (options.argv ?? [process.execPath, bin, "kernel", "-f", "{connection_file}"]).map((a) => a.replace("{connection_file}", file));
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, JPY_PARENT_PID: String(process.pid) } });
    const onErr = options.onStderr ?? ((s: string) => { if (process.env.WIREBOOK_DEBUG) process.stderr.write(s); });
    child.stderr!.on("data", (b: Buffer) => onErr(b.toString()));
    child.stdout!.on("data", (b: Buffer) => onErr(b.toString()));
    const client = new KernelClient({ key: conn.key, scheme: conn.signature_scheme }, child, dir);
    const addr = (p: number) => `tcp://127.0.0.1:${p}`;
    client.shell.connect(addr(conn.shell_port));
    client.control.connect(addr(conn.control_port));
    client.iopub.connect(addr(conn.iopub_port));
    client.iopub.subscribe();
    void client.pump(client.shell, "reply");
    void client.pump(client.control, "reply");
    void client.pump(client.iopub, "iopub");
    await client.waitReady();
    return client;
  }

  /** Repeats kernel_info until a reply and its iopub status both arrive (iopub subscriptions take a moment). */
  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error("the kernel exited while starting");
      let sawIopub = false;
      const reply = this.request(this.shell, "kernel_info_request", {}, () => { sawIopub = true; });
      const got = await Promise.race([reply.then(() => true), sleep(1000).then(() => false)]);
      if (got) {
        await sleep(100);
        if (sawIopub) return;
      }
    }
    throw new Error("the kernel did not answer kernel_info within 60 s");
  }

  private async pump(sock: zmq.Dealer | zmq.Subscriber, kind: "reply" | "iopub"): Promise<void> {
    try {
      for await (const frames of sock) {
        const r = decode(this.key, frames as Buffer[]);
        if ("error" in r) continue; // unsigned or forged: ignored, as the kernel does
        const parent = (r.msg.parent_header as Partial<Header>).msg_id;
        const w = parent ? this.waiters.get(parent) : undefined;
        if (w) (kind === "reply" ? w.reply : w.iopub)(r.msg);
      }
    } catch {
      // socket closed
    }
  }

  /** Sends a request; resolves with its reply. `onIopub` sees every iopub message the request causes. */
  request(sock: zmq.Dealer, msgType: string, content: Record<string, unknown>, onIopub: (m: Message) => void = () => {}): Promise<Message> {
    const header: Header = { msg_id: randomUUID(), session: this.session, username: "wirebook-run",
      date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
    const msg: Message = { header, parent_header: {}, metadata: {}, content };
    return new Promise((resolve) => {
      this.waiters.set(header.msg_id, { iopub: onIopub, reply: resolve });
      void sock.send(encode(this.key, [], msg));
    });
  }

  /**
   * Executes `code`; resolves with the reply once the kernel is idle again, having passed each iopub message
   * (stream, display_data, execute_result, error, update_display_data, clear_output) to `onIopub`.
   */
  async execute(code: string, onIopub: (m: Message) => void, timeoutMs = 600_000): Promise<Message> {
    let idle!: () => void;
    const idleSeen = new Promise<void>((r) => { idle = r; });
    const reply = this.request(this.shell, "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      (m) => {
        if (m.header.msg_type === "status" && m.content.execution_state === "idle") idle();
        else onIopub(m);
      });
    const timeout = sleep(timeoutMs).then(() => { throw new Error(`cell did not finish within ${timeoutMs / 1000} s`); });
    const r = await Promise.race([reply, timeout]);
    await Promise.race([idleSeen, sleep(2000)]);
    return r;
  }

  /** Asks the kernel to shut down, then makes sure the process is gone and the sockets closed. */
  async shutdown(): Promise<void> {
    if (!this.exited) {
      await Promise.race([this.request(this.control, "shutdown_request", { restart: false }), sleep(3000)]);
      const gone = new Promise<void>((r) => (this.exited ? r() : this.child.once("exit", () => r())));
      if (!(await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]))) this.child.kill("SIGKILL");
    }
    for (const s of [this.shell, this.control, this.iopub]) { s.linger = 0; s.close(); }
    await rm(this.dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
