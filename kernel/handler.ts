// Request -> reply: one function per msg_type, no sockets. Side effects go through the injected KernelContext
// (outputs to iopub, the language engine, interrupt/shutdown), so every handler is unit-testable with fakes.
// Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html (5.3); cursor positions are in code points.

import type {
  CompleteReply, CompleteRequest, ErrorContent, ExecuteReply, ExecuteRequest, InspectReply, InspectRequest,
  IsCompleteReply, IsCompleteRequest, Request, ShutdownRequest,
} from "./messages.js";
import { PROTOCOL_VERSION } from "./messages.js";
import type { Executor } from "./executor.js";
import { completeFieldAt, describeField, fieldAt } from "./field-complete.js";
import { displayBundle } from "./display.js";

/** The language engine as handlers use it (the executor, or a fake in tests). */
export type Engine = Pick<Executor, "execute" | "complete" | "inspect" | "isComplete">;

/** What an execute publishes on iopub, in order. Implementations never throw (an iopub failure is only logged). */
export interface Outputs {
  executeInput(code: string, count: number): void;
  executeResult(value: unknown, count: number): Promise<void>;
  error(content: ErrorContent): void;
}

export interface KernelContext {
  /** Resolves once the engine is ready (its first build takes about a second). */
  engine(): Promise<Engine>;
  readonly outputs: Outputs;
  /** execution_count of the last stored execution. */
  executionCount: number;
  interrupt(): void;
  /** Stops the process after the reply is sent (a restart is the client starting a new one). */
  shutdown(restart: boolean): void;
  readonly implementationVersion: string;
  readonly languageVersion: string;
}

/** The reply content for `req`. Never rejects: a failure inside a handler becomes an error reply. */
export async function handle(ctx: KernelContext, req: Request): Promise<Record<string, unknown>> {
  switch (req.msg_type) {
    case "kernel_info_request": return { ...kernelInfo(ctx) };
    case "execute_request": return { ...await execute(ctx, req.content) };
    case "complete_request": return { ...complete(await ctx.engine(), req.content) };
    case "inspect_request": return { ...inspect(await ctx.engine(), req.content) };
    case "is_complete_request": return { ...isComplete(await ctx.engine(), req.content) };
    case "history_request": return { status: "ok", history: [] };
    case "comm_info_request": return { status: "ok", comms: {} };
    case "interrupt_request": ctx.interrupt(); return { status: "ok" };
    case "shutdown_request": return shutdown(ctx, req.content);
  }
}

/** kernel_info_reply content. */
export function kernelInfo(ctx: Pick<KernelContext, "implementationVersion" | "languageVersion">) {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "wirebook",
    implementation_version: ctx.implementationVersion,
    language_info: {
      name: "typescript",
      version: ctx.languageVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: "typescript",
      pygments_lexer: "typescript",
    },
    banner: `Wirebook ${ctx.implementationVersion}: TypeScript for packet forensics (tslab, TypeScript ${ctx.languageVersion})`,
    help_links: [],
    debugger: false,
  };
}

/**
 * Runs a cell: execute_input, then execute_result or error, then the reply. `silent` publishes nothing and stores
 * no history; `store_history` advances execution_count. The server aborts queued cells after an error reply whose
 * request had stop_on_error (the default).
 */
export async function execute(ctx: KernelContext, req: ExecuteRequest): Promise<ExecuteReply> {
  const silent = req.silent === true;
  const store = !silent && req.store_history !== false;
  if (store) ctx.executionCount++;
  const count = ctx.executionCount;
  if (!silent) ctx.outputs.executeInput(req.code, count);
  const engine = await ctx.engine();
  const outcome = await engine.execute(req.code, `cell[${count}]`);
  if (!outcome.ok) {
    if (!silent) ctx.outputs.error(outcome.error);
    return { status: "error", execution_count: count, ...outcome.error };
  }
  if (outcome.hasValue && !silent) await ctx.outputs.executeResult(outcome.value, count);
  const user_expressions = await userExpressions(engine, req.user_expressions ?? {});
  return { status: "ok", execution_count: count, user_expressions, payload: [] };
}

/** Each user expression evaluated after the cell: a mime bundle, or an error (spec: "user_expressions"). */
async function userExpressions(engine: Engine, exprs: Record<string, string>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, code] of Object.entries(exprs)) {
    const r = await engine.execute(code, `user_expression[${key}]`);
    if (!r.ok) out[key] = { status: "error", ...r.error };
    else out[key] = { status: "ok", ...await displayBundle(r.hasValue ? r.value : undefined) };
  }
  return out;
}

/** complete_reply: field names inside a string literal, TypeScript's completions elsewhere. */
export function complete(engine: Engine, req: CompleteRequest): CompleteReply {
  const pos = codePointToIndex(req.code, req.cursor_pos);
  const toCp = (i: number) => indexToCodePoint(req.code, i);
  const fields = completeFieldAt(req.code, pos);
  if (fields) {
    const types = fields.fields.map((f) => ({
      start: toCp(fields.start), end: toCp(fields.end), text: f.abbrev, type: "field", signature: `${f.type}: ${f.description}`,
    }));
    return { status: "ok", matches: fields.fields.map((f) => f.abbrev), cursor_start: toCp(fields.start),
      cursor_end: toCp(fields.end), metadata: { _jupyter_types_experimental: types } };
  }
  const c = engine.complete(req.code, pos);
  return { status: "ok", matches: c.candidates, cursor_start: toCp(c.start), cursor_end: toCp(c.end), metadata: {} };
}

/** inspect_reply: a field's description and type inside a string literal, TypeScript's quick info elsewhere. */
export function inspect(engine: Engine, req: InspectRequest): InspectReply {
  const pos = codePointToIndex(req.code, req.cursor_pos);
  const field = fieldAt(req.code, pos) ?? (pos > 0 ? fieldAt(req.code, pos - 1) : undefined);
  if (field) {
    const d = describeField(field);
    return { status: "ok", found: true, data: { "text/plain": d.plain, "text/markdown": d.markdown }, metadata: {} };
  }
  const info = engine.inspect(req.code, pos) ?? (pos > 0 ? engine.inspect(req.code, pos - 1) : undefined);
  if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
  const signature = (info.displayParts ?? []).map((p) => p.text).join("");
  const docs = (info.documentation ?? []).map((p) => p.text).join("");
  const tags = (info.tags ?? []).map((t) => `@${t.name} ${(t.text ?? []).map((x) => x.text).join("")}`);
  const plain = [signature, docs, ...tags].filter((s) => s !== "").join("\n\n");
  const markdown = ["```typescript\n" + signature + "\n```", docs, ...tags].filter((s) => s !== "").join("\n\n");
  return { status: "ok", found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
}

/** is_complete_reply from tslab's parser: "incomplete" with an indent when the code ends mid-construct. */
export function isComplete(engine: Engine, req: IsCompleteRequest): IsCompleteReply {
  const r = engine.isComplete(req.code);
  return r.completed ? { status: "complete" } : { status: "incomplete", indent: r.indent ?? "" };
}

function shutdown(ctx: KernelContext, req: ShutdownRequest): Record<string, unknown> {
  const restart = req.restart === true;
  ctx.shutdown(restart);
  return { status: "ok", restart };
}

/** The UTF-16 index of code point offset `cp` in `s` (Jupyter counts code points, JS strings UTF-16 units). */
export function codePointToIndex(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

/** The code point offset of UTF-16 index `i` in `s`. */
export function indexToCodePoint(s: string, i: number): number {
  let cp = 0;
  for (let j = 0; j < i && j < s.length; cp++) j += (s.codePointAt(j) ?? 0) > 0xffff ? 2 : 1;
  return cp;
}
