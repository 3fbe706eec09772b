// Request -> reply handlers (kernel/handler.ts) with a fake engine and fake outputs: no sockets, no TypeScript.

import { test } from "node:test";
import assert from "node:assert/strict";
import { codePointToIndex, handle, indexToCodePoint, type Engine, type KernelContext } from "../../kernel/handler.js";
import { stringStartAt } from "../../kernel/field-complete.js";
import { completeField, lookupField } from "../../lib/dissectors/registry.js";
import type { CellOutcome } from "../../kernel/executor.js";

function fakeContext(outcome: CellOutcome) {
  const published: [string, unknown][] = [];
  const cells: string[] = [];
  const engine: Engine = {
    execute: async (code, cell) => {
      cells.push(cell);
      return code === "1" ? { ok: true, hasValue: true, value: 1 } : outcome;
    },
    complete: (_code, pos) => ({ start: pos - 2, end: pos, candidates: ["fromTs"] }),
    inspect: () => undefined,
    isComplete: (code) => (code.endsWith("{") ? { completed: false, indent: "  " } : { completed: true }),
  };
  const flags = { interrupted: 0, shutdown: undefined as boolean | undefined };
  const ctx: KernelContext = {
    engine: async () => engine,
    outputs: {
      executeInput: (code, n) => void published.push(["execute_input", { code, n }]),
      executeResult: async (value, n) => void published.push(["execute_result", { value, n }]),
      error: (c) => void published.push(["error", c]),
    },
    executionCount: 0,
    interrupt: () => void flags.interrupted++,
    shutdown: (restart) => void (flags.shutdown = restart),
    implementationVersion: "0.0.0",
    languageVersion: "5.0.4",
  };
  return { ctx, published, cells, flags };
}

test("execute: counts, publishes input and result, names the cell by its count", async () => {
  const { ctx, published, cells } = fakeContext({ ok: true, hasValue: true, value: 42 });
  const reply = await handle(ctx, { msg_type: "execute_request", content: { code: "x" } });
  assert.deepEqual(reply, { status: "ok", execution_count: 1, user_expressions: {}, payload: [] });
  assert.deepEqual(published, [["execute_input", { code: "x", n: 1 }], ["execute_result", { value: 42, n: 1 }]]);
  assert.deepEqual(cells, ["cell[1]"]);
});

test("execute: silent publishes nothing and does not count; store_history false does not count", async () => {
  const { ctx, published } = fakeContext({ ok: true, hasValue: true, value: 42 });
  await handle(ctx, { msg_type: "execute_request", content: { code: "x", silent: true } });
  await handle(ctx, { msg_type: "execute_request", content: { code: "x", store_history: false } });
  assert.equal(ctx.executionCount, 0);
  assert.equal(published.filter(([t]) => t === "execute_input").length, 1);
});

test("execute: an error is published and replied with ename/evalue/traceback", async () => {
  const error = { ename: "Error", evalue: "no", traceback: ["Error: no"] };
  const { ctx, published } = fakeContext({ ok: false, error });
  const reply = await handle(ctx, { msg_type: "execute_request", content: { code: "x", user_expressions: { a: "1" } } });
  assert.deepEqual(reply, { status: "error", execution_count: 1, ...error });
  assert.deepEqual(published.at(-1), ["error", error]);
});

test("execute: user_expressions come back as mime bundles", async () => {
  const { ctx } = fakeContext({ ok: true, hasValue: false });
  const reply = await handle(ctx, { msg_type: "execute_request", content: { code: "x", user_expressions: { a: "1" } } });
  assert.deepEqual(reply.user_expressions, { a: { status: "ok", data: { "text/plain": "1" }, metadata: {} } });
});

test("complete: field names inside a string, the engine's candidates outside", async () => {
  const { ctx } = fakeContext({ ok: true, hasValue: false });
  const code = 'cap.filter("frame.ti';
  const r = await handle(ctx, { msg_type: "complete_request", content: { code, cursor_pos: code.length } });
  assert.deepEqual(r.matches, completeField("frame.ti").map((f) => f.abbrev));
  assert.equal(r.cursor_start, code.indexOf("frame"));
  const outside = await handle(ctx, { msg_type: "complete_request", content: { code: "cap.fi", cursor_pos: 6 } });
  assert.deepEqual(outside.matches, ["fromTs"]);
});

test("complete and inspect count code points, not UTF-16 units", async () => {
  const { ctx } = fakeContext({ ok: true, hasValue: false });
  const code = '/* 📦 */ f("eth.ty';
  const cps = [...code].length;
  const r = await handle(ctx, { msg_type: "complete_request", content: { code, cursor_pos: cps } });
  assert.deepEqual(r.matches, ["eth.type"]);
  assert.equal(r.cursor_start, cps - "eth.ty".length);
  assert.equal(codePointToIndex("a📦b", 2), 3);
  assert.equal(indexToCodePoint("a📦b", 3), 2);
});

test("inspect: a field inside a string shows description and type", async () => {
  const { ctx } = fakeContext({ ok: true, hasValue: false });
  const code = 'filter("frame.len > 100")';
  const r = await handle(ctx, { msg_type: "inspect_request", content: { code, cursor_pos: code.indexOf("len") } });
  const f = lookupField("frame.len")!.field;
  assert.equal(r.found, true);
  assert.match((r.data as Record<string, string>)["text/plain"], new RegExp(`frame.len: ${f.type}`));
  assert.ok((r.data as Record<string, string>)["text/plain"].includes(f.description));
  const none = await handle(ctx, { msg_type: "inspect_request", content: { code: "xyz", cursor_pos: 1 } });
  assert.equal(none.found, false);
});

test("stringStartAt: quotes, escapes, comments and template literals", () => {
  assert.equal(stringStartAt('f("ab', 5), 3);
  assert.equal(stringStartAt('f("a\\"b', 7), 3);
  assert.equal(stringStartAt('f("a") + x', 9), -1);
  assert.equal(stringStartAt('// "not a string', 16), -1);
  assert.equal(stringStartAt("`a ${ g('x", 10), 9);
  assert.equal(stringStartAt("`a ${ {b: 1} } tc", 17), 14, "template text after a nested object");
});

test("is_complete, history, comm_info, kernel_info, interrupt and shutdown", async () => {
  const { ctx, flags } = fakeContext({ ok: true, hasValue: false });
  assert.deepEqual(await handle(ctx, { msg_type: "is_complete_request", content: { code: "if (x) {" } }),
    { status: "incomplete", indent: "  " });
  assert.deepEqual(await handle(ctx, { msg_type: "history_request", content: {} }), { status: "ok", history: [] });
  assert.deepEqual(await handle(ctx, { msg_type: "comm_info_request", content: {} }), { status: "ok", comms: {} });
  const info = await handle(ctx, { msg_type: "kernel_info_request", content: {} });
  assert.equal((info.language_info as Record<string, string>).file_extension, ".ts");
  await handle(ctx, { msg_type: "interrupt_request", content: {} });
  assert.equal(flags.interrupted, 1);
  assert.deepEqual(await handle(ctx, { msg_type: "shutdown_request", content: { restart: true } }), { status: "ok", restart: true });
  assert.equal(flags.shutdown, true);
});
