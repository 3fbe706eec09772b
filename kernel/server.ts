// The sockets: shell and control (ROUTER), iopub (PUB), stdin (ROUTER, bound but unused: cells never ask for input),
// heartbeat (REP, in a worker thread so a long cell does not look like a dead kernel). Shell requests run one at
// a time in arrival order; control requests run at once, even while a cell awaits. Every request is wrapped in
// status busy ... idle on iopub (try/finally). Iopub sends are queued and never awaited by a reply.
// Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#general-message-format

import * as zmq from "zeromq";
import { randomUUID } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { asRequest, makeMessage, replyType, type Header, type Message, type Request } from "./messages.js";
import { decode, encode, type Received, type SigningKey } from "./wire.js";
import { startHeartbeat, stopHeartbeat } from "./heartbeat.js";

/** A Jupyter connection file's content. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

export type Channel = "shell" | "control";

/** Answers one request; the server adds status, framing and signing. */
export type RequestHandler = (channel: Channel, req: Request, msg: Message) => Promise<Record<string, unknown>>;

export interface ServerOptions {
  readonly connection: ConnectionInfo;
  readonly handler: RequestHandler;
  /** The kernel's own log (stderr), never a cell's output. */
  readonly log: (line: string) => void;
}

/** One pending send at a time per socket (zeromq.js rejects a second concurrent send with EBUSY). */
class Sender {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly sock: zmq.Writable, private readonly log: (s: string) => void, private readonly name: string) {}
  send(frames: Uint8Array[]): Promise<void> {
    const p = this.tail.then(() => this.sock.send(frames));
    this.tail = p.catch((e: unknown) => this.log(`${this.name} send failed: ${(e as Error).message}`));
    return this.tail;
  }
}

export class KernelServer {
  readonly session = randomUUID();
  private readonly key: SigningKey;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly senders: Record<"shell" | "control" | "iopub", Sender>;
  private heartbeat: Worker | undefined;
  private readonly queue: Received[] = [];
  private pumping = false;
  private readonly aborted = new Set<string>();
  private afterReply: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: ServerOptions) {
    const c = opts.connection;
    this.key = { key: c.key, scheme: c.signature_scheme || "hmac-sha256" };
    // A short linger so a shutdown_reply and the last status still leave when the sockets close.
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.linger = 200;
    this.senders = {
      shell: new Sender(this.shell, opts.log, "shell"),
      control: new Sender(this.control, opts.log, "control"),
      iopub: new Sender(this.iopub, opts.log, "iopub"),
    };
  }

  /** Binds every socket and starts serving. Resolves once bound. */
  async start(): Promise<void> {
    const c = this.opts.connection;
    const addr = (port: number) => `${c.transport}://${c.ip}${c.transport === "ipc" ? "-" : ":"}${port}`;
    await Promise.all([
      this.shell.bind(addr(c.shell_port)), this.control.bind(addr(c.control_port)),
      this.stdin.bind(addr(c.stdin_port)), this.iopub.bind(addr(c.iopub_port)),
    ]);
    this.heartbeat = await startHeartbeat(addr(c.hb_port), this.opts.log);
    void this.readLoop(this.shell, "shell");
    void this.readLoop(this.control, "control");
    this.publish("status", { execution_state: "starting" }, undefined);
  }

  /** Sends an iopub message; never throws and never blocks the caller. */
  publish(msgType: string, content: Record<string, unknown>, parent: Header | undefined): void {
    if (this.closed) return;
    try {
      const msg = makeMessage(msgType, this.session, parent, content);
      void this.senders.iopub.send([Buffer.from(`kernel.${this.session}.${msgType}`), ...encode(this.key, [], msg)]);
    } catch (e) {
      this.opts.log(`iopub ${msgType} not sent: ${(e as Error).message}`);
    }
  }

  /** Closes every socket; further publishes are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) await stopHeartbeat(this.heartbeat);
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
  }

  private async readLoop(sock: zmq.Router, channel: Channel): Promise<void> {
    try {
      for await (const frames of sock) {
        const r = decode(this.key, frames);
        if ("error" in r) {
          // Never act on a message we cannot authenticate; the log line names no content of it.
          this.opts.log(`dropped a ${channel} message: ${r.error}`);
          continue;
        }
        if (channel === "control") void this.dispatch("control", r);
        else {
          this.queue.push(r);
          void this.pump();
        }
      }
    } catch (e) {
      if (!this.closed) this.opts.log(`${channel} loop ended: ${(e as Error).message}`);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let r = this.queue.shift(); r; r = this.queue.shift()) await this.dispatch("shell", r);
    } finally {
      this.pumping = false;
    }
  }

  private async dispatch(channel: Channel, { identities, msg }: Received): Promise<void> {
    const req = asRequest(msg);
    if (!req || (channel === "control" && req.msg_type === "execute_request")) {
      this.opts.log(`ignored ${msg.header.msg_type} on ${channel}`);
      return;
    }
    this.publish("status", { execution_state: "busy" }, msg.header);
    try {
      const content = this.aborted.delete(msg.header.msg_id)
        ? { status: "aborted" }
        : await this.answer(channel, req, msg);
      const reply = makeMessage(replyType(req.msg_type), this.session, msg.header, content);
      await this.senders[channel].send(encode(this.key, identities, reply));
      if (req.msg_type === "execute_request" && content.status === "error" && req.content.stop_on_error !== false) {
        await this.abortQueuedExecutes();
      }
    } finally {
      this.publish("status", { execution_state: "idle" }, msg.header);
      for (const f of this.afterReply.splice(0)) f();
    }
  }

  /** Runs `f` once the request being answered has had its reply and its idle status sent (for shutdown). */
  whenReplied(f: () => void): void {
    this.afterReply.push(f);
  }

  private async answer(channel: Channel, req: Request, msg: Message): Promise<Record<string, unknown>> {
    try {
      return await this.opts.handler(channel, req, msg);
    } catch (e) {
      const err = e as Error;
      this.opts.log(`${req.msg_type} failed: ${err.stack ?? err}`);
      return { status: "error", ename: err.name ?? "Error", evalue: err.message ?? String(e), traceback: [] };
    }
  }

  /** After a failed cell, execute requests already waiting are answered "aborted" (ipykernel's stop_on_error). */
  private async abortQueuedExecutes(): Promise<void> {
    // Let the read loop take in what has already arrived on the socket.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    for (const r of this.queue) if (r.msg.header.msg_type === "execute_request") this.aborted.add(r.msg.header.msg_id);
  }
}
