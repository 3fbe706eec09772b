// Everything a running cell sends to iopub: captured stdout/stderr, display(), updateDisplay(), the result, errors.
// All of it goes through one ordered chain, so a chart that takes a moment to render still appears before the
// console.log that followed it. Publishing never throws; a failure is logged to the kernel's own stderr.

import { randomBytes } from "node:crypto";
import type { ErrorContent, Header } from "./messages.js";
import type { Outputs } from "./handler.js";
import { displayBundle } from "./display.js";
import type { KernelApi } from "./prelude.js";
import { openWithProgress, type OpenFn } from "./progress.js";

/** Sends one iopub message (the server's signing publisher). Must not throw. */
export type Publish = (msgType: string, content: Record<string, unknown>, parent: Header | undefined) => void;

/** How long buffered stream text waits for more before it is sent. */
const STREAM_FLUSH_MS = 30;

/** Iopub outputs of the current execution; `parent` is the execute_request they belong to. */
export class CellOutputs implements Outputs, KernelApi {
  private parent: Header | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pending: { name: "stdout" | "stderr"; text: string } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly publish: Publish, private readonly log: (s: string) => void) {}

  /** Outputs from now on (including late ones from timers of a finished cell) belong to `parent`. */
  setParent(parent: Header): void {
    this.flushStream();
    this.parent = parent;
  }

  /** True once some execute request has set a parent: before that, writes to stdout are the kernel's own. */
  get capturing(): boolean {
    return this.parent !== undefined;
  }

  /** Buffers text written to process.stdout / process.stderr by a cell. */
  stream(name: "stdout" | "stderr", text: string): void {
    if (this.pending && this.pending.name !== name) this.flushStream();
    if (this.pending) this.pending.text += text;
    else this.pending = { name, text };
    this.timer ??= setTimeout(() => this.flushStream(), STREAM_FLUSH_MS);
  }

  private flushStream(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    const parent = this.parent;
    this.pending = undefined;
    if (p) this.enqueue(() => this.publish("stream", { name: p.name, text: p.text }, parent));
  }

  /** Runs `task` after every output enqueued before it; errors are logged, never thrown. */
  private enqueue(task: () => void | Promise<void>): void {
    const parent = this.parent;
    this.chain = this.chain.then(task).catch((e: unknown) => {
      this.log(`wirebook: output for ${parent?.msg_id ?? "?"} failed: ${(e as Error)?.stack ?? String(e)}\n`);
    });
  }

  /** Resolves when everything enqueued so far is published, or after `timeoutMs` (so a reply is never held). */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.flushStream();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([this.chain, timeout]);
    clearTimeout(timer);
  }

  executeInput(code: string, count: number): void {
    this.flushStream();
    const parent = this.parent;
    this.enqueue(() => this.publish("execute_input", { code, execution_count: count }, parent));
  }

  async executeResult(value: unknown, count: number): Promise<void> {
    this.flushStream();
    const parent = this.parent;
    this.enqueue(async () => {
      const b = await displayBundle(value);
      this.publish("execute_result", { execution_count: count, data: b.data, metadata: b.metadata }, parent);
    });
  }

  error(content: ErrorContent): void {
    this.flushStream();
    const parent = this.parent;
    this.enqueue(() => this.publish("error", { ...content }, parent));
  }

  /** display(value): publishes display_data now (in order) and returns its display id for updateDisplay. */
  display(value: unknown, displayId?: string): string {
    const id = displayId ?? randomBytes(8).toString("hex");
    this.show("display_data", value, id);
    return id;
  }

  /** updateDisplay(id, value): replaces what display() showed under `id`. */
  updateDisplay(displayId: string, value: unknown): void {
    this.show("update_display_data", value, displayId);
  }

  /** open() from the prelude: the library's open with a progress line for reads slower than half a second. */
  openCapture<T>(open: OpenFn<T>, path: string, options?: Record<string, unknown>): Promise<T> {
    return openWithProgress(this, open, path, options);
  }

  private show(msgType: string, value: unknown, id: string): void {
    this.flushStream();
    const parent = this.parent;
    this.enqueue(async () => {
      const b = await displayBundle(value);
      this.publish(msgType, { data: b.data, metadata: b.metadata, transient: { display_id: id } }, parent);
    });
  }
}

/** Routes process.stdout / process.stderr writes to `outputs` once a cell has run; returns the original writers. */
export function captureStdio(outputs: CellOutputs): { stdout: (s: string) => void; stderr: (s: string) => void } {
  const original = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  for (const name of ["stdout", "stderr"] as const) {
    const write = (chunk: unknown, enc?: unknown, cb?: unknown): boolean => {
      const done = typeof enc === "function" ? enc : cb;
      if (!outputs.capturing) return original[name](chunk as string, enc as BufferEncoding, cb as () => void);
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(
        typeof enc === "string" ? (enc as BufferEncoding) : "utf8");
      outputs.stream(name, text);
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    };
    (process[name] as { write: unknown }).write = write;
  }
  return { stdout: (s) => void original.stdout(s), stderr: (s) => void original.stderr(s) };
}
