// The file's SHA-256 when a worker hashes it beside (and after) indexing: exact, readable synchronously right after
// readCapture returns, awaitable, stopped by close() without keeping the process alive, and failing with an Error
// (never a crash or a hang) when the file changes under it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readCapture, sha256Of, WORKER_HASH_MIN } from "../../lib/capture/read.js";
import { FileHash } from "../../lib/capture/sha256.js";
import { CHUNK_BYTES } from "../../lib/capture/walk.js";
import { rng, sha256sum, tmpDir } from "./helpers.js";

const READ_JS = fileURLToPath(new URL("../../lib/capture/read.js", import.meta.url));

/** A classic pcap of `bytes` or a little more: records of 1500 pseudo-random bytes (real data, not holes). */
function densePcap(bytes: number, seed: number): { file: string; count: number } {
  const next = rng(seed);
  const count = Math.ceil((bytes - 24) / 1516);
  const buf = Buffer.alloc(24 + count * 1516);
  buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6); buf.writeUInt32LE(65535, 16); buf.writeUInt32LE(1, 20);
  for (let i = 0, at = 24; i < count; i++, at += 1516) {
    buf.writeUInt32LE(1700000000 + i, at); buf.writeUInt32LE(i % 1000000, at + 4); buf.writeUInt32LE(1500, at + 8); buf.writeUInt32LE(1500, at + 12);
    for (let j = at + 16; j < at + 1516; j += 4) buf.writeUInt32LE(next(), j);
  }
  const file = path.join(tmpDir(), "dense.pcap");
  fs.writeFileSync(file, buf);
  return { file, count };
}

/**
 * A sparse classic pcap of about `bytes`: 256 KiB records whose data are holes (read back as zeros). Indexing it
 * reads fast; hashing it takes several times longer, so the hash is still running when readCapture returns.
 */
function sparsePcap(bytes: number): { file: string; count: number } {
  const RECORD = 16 + 262144;
  const count = Math.ceil((bytes - 24) / RECORD);
  const file = path.join(tmpDir(), "sparse.pcap");
  const fd = fs.openSync(file, "w");
  try {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(262144, 16); h.writeUInt32LE(1, 20);
    fs.writeSync(fd, h, 0, 24, 0);
    const r = Buffer.alloc(16);
    for (let i = 0; i < count; i++) {
      r.writeUInt32LE(1700000000 + i, 0); r.writeUInt32LE(0, 4); r.writeUInt32LE(262144, 8); r.writeUInt32LE(262144, 12);
      fs.writeSync(fd, r, 0, 16, 24 + i * RECORD);
    }
    fs.ftruncateSync(fd, 24 + count * RECORD);
  } finally {
    fs.closeSync(fd);
  }
  return { file, count };
}

/** Runs an ES module snippet in a fresh node with `args`; `READ` in the code is the path of read.js. */
function runNode(code: string, ...args: string[]): { out: Record<string, unknown> } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code.replaceAll("READ", JSON.stringify(READ_JS)), ...args],
    { timeout: 60000, encoding: "utf8" });
  assert.equal(r.status, 0, `child failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return { out: JSON.parse(line) as Record<string, unknown> };
}

test("sha256: a file hashed by the worker has the exact digest, readable synchronously right after readCapture", async () => {
  const { file, count } = densePcap(3 * CHUNK_BYTES + 12345, 11);
  const want = sha256sum(file);
  assert.equal(createHash("sha256").update(fs.readFileSync(file)).digest("hex"), want);
  const c = await readCapture(file, { hashInWorkerFrom: CHUNK_BYTES });
  try {
    assert.equal(c.index.count, count);
    // Read at once: the getter waits for the worker.
    assert.equal(c.info.sha256, want);
    assert.equal(c.info.sha256, want, "a second read gives the same digest");
    assert.equal(await sha256Of(c.info), want);
    assert.deepEqual(Object.keys(c.info).includes("sha256"), true, "sha256 stays an enumerable property");
  } finally {
    c.source.close();
  }
  assert.equal(c.info.sha256, want, "a digest that was ready stays readable after close");
});

test("sha256: awaiting the digest (sha256Of) before any synchronous read gives the exact digest", async () => {
  const { file } = densePcap(2 * CHUNK_BYTES + 999, 12);
  const c = await readCapture(file, { hashInWorkerFrom: 0 });
  try {
    assert.equal(await sha256Of(c.info), sha256sum(file));
    assert.equal(c.info.sha256, sha256sum(file));
  } finally {
    c.source.close();
  }
});

test("sha256: the default threshold hashes large files in the worker and smaller ones inline, with the same digests", async () => {
  assert.equal(WORKER_HASH_MIN, 64 << 20);
  const { file } = densePcap(CHUNK_BYTES + 5000, 13);
  const c = await readCapture(file);
  // Below the threshold the digest is a plain value by the time readCapture returns.
  assert.equal(Object.getOwnPropertyDescriptor(c.info, "sha256")?.value, sha256sum(file));
  c.source.close();
});

test("sha256: a file modified while the worker hashes it gives an Error on reading the digest, not a wrong digest", async () => {
  const { file, count } = sparsePcap(256 << 20);
  let appended = false;
  // After the first chunk the worker has started; the indexer keeps to the size it opened.
  const c = await readCapture(file, {
    hashInWorkerFrom: 0,
    onProgress: () => { if (!appended) { fs.appendFileSync(file, Buffer.alloc(100)); appended = true; } },
  });
  try {
    assert.equal(c.index.count, count);
    assert.throws(() => c.info.sha256, (e: Error) => e instanceof Error &&
      /SHA-256 of .* is not available: the file (was replaced or modified|changed size)/.test(e.message));
    await assert.rejects(sha256Of(c.info), /is not available/);
  } finally {
    c.source.close();
  }
});

test("sha256: FileHash reports a missing file and a file other than the one opened as Errors", async () => {
  const { file } = densePcap(100000, 14);
  const s = fs.statSync(file);
  const id = { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  assert.equal(await new FileHash(file, id).hexAsync(), sha256sum(file));
  assert.throws(() => new FileHash(file + ".gone", id).hex(), /is not available: ENOENT/);
  await assert.rejects(new FileHash(file + ".gone", id).hexAsync(), /is not available: ENOENT/);
  assert.throws(() => new FileHash(file, { ...id, size: id.size + 1 }).hex(), /was replaced or modified/);
  const cancelled = new FileHash(file, id);
  cancelled.cancel();
  assert.throws(() => cancelled.hex(), /closed before hashing finished/);
});

/** Paths of FileHash and readCapture's modules for the child processes. */
const SHA_JS = fileURLToPath(new URL("../../lib/capture/sha256.js", import.meta.url));
/** A 1 GiB sparse pcap, made once: hashing it takes most of a second even on a fast idle machine. */
let gib: string | null = null;
const gibPcap = () => (gib ??= sparsePcap(1 << 30).file);
/** Counts this process's descriptors open on argv[1] (child-side snippet). */
const OPEN_FDS = `const open = () => fs.readdirSync("/proc/self/fd").filter((fd) => {
  try { return fs.readlinkSync("/proc/self/fd/" + fd) === process.argv[1]; } catch { return false; } }).length;`;

test("sha256: cancelling a running hash stops the worker, closes its descriptor, and the digest read says why", () => {
  if (!fs.existsSync("/proc/self/fd")) return;
  const { out } = runNode(`
    import * as fs from "node:fs";
    const { FileHash } = await import(${JSON.stringify(SHA_JS)});
    ${OPEN_FDS}
    const s = fs.statSync(process.argv[1]);
    const h = new FileHash(process.argv[1], { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs });
    await new Promise((r) => setTimeout(r, 50));
    h.cancel();
    let outcome;
    try { outcome = "digest " + h.hex(); } catch (e) { outcome = "error " + e.message; }
    // The worker checks for cancellation between 4 MiB reads, then closes its descriptor and exits.
    await new Promise((r) => setTimeout(r, 300));
    const fds = open();
    const end = performance.now();
    process.on("exit", () => console.log(JSON.stringify({ outcome, fds, exitMs: performance.now() - end })));
  `, gibPcap());
  assert.match(String(out.outcome), /^error SHA-256 of .* is not available: the capture was closed before hashing finished$/);
  assert.equal(out.fds, 0, "no descriptor of the file left open");
  assert.ok(Number(out.exitMs) < 500, `exit ${out.exitMs} ms after the script ended`);
});

test("sha256: closing a capture whose hash is still running: no descriptor left, the process exits promptly", (t) => {
  if (!fs.existsSync("/proc/self/fd")) return;
  const { out } = runNode(`
    import * as fs from "node:fs";
    const { readCapture } = await import(READ);
    ${OPEN_FDS}
    const c = await readCapture(process.argv[1], { hashInWorkerFrom: 0 });
    c.source.close();
    let outcome;
    try { outcome = "digest " + c.info.sha256; } catch (e) { outcome = "error " + e.message; }
    await new Promise((r) => setTimeout(r, 300));
    const fds = open();
    const end = performance.now();
    process.on("exit", () => console.log(JSON.stringify({ outcome, fds, exitMs: performance.now() - end })));
  `, gibPcap());
  // Normally the worker is far from done when readCapture returns; on a starved machine it may win the race, and
  // then the digest must be the right one.
  const outcome = String(out.outcome);
  t.diagnostic(outcome.slice(0, 60));
  if (outcome.startsWith("digest ")) assert.equal(outcome, `digest ${sha256sum(gibPcap())}`);
  else assert.match(outcome, /^error SHA-256 of .* is not available: the capture was closed before hashing finished$/);
  assert.equal(out.fds, 0, "no descriptor of the file left open");
  assert.ok(Number(out.exitMs) < 500, `exit ${out.exitMs} ms after the script ended`);
});

test("sha256: a capture left open with its hash still running does not keep the process alive", () => {
  const { out } = runNode(`
    const { readCapture } = await import(READ);
    const c = await readCapture(process.argv[1], { hashInWorkerFrom: 0 });
    const end = performance.now();
    process.on("exit", () => console.log(JSON.stringify({ count: c.index.count, exitMs: performance.now() - end })));
  `, gibPcap());
  assert.ok(Number(out.count) > 0);
  // Hashing 1 GiB takes most of a second at the least; the process must not wait for it.
  assert.ok(Number(out.exitMs) < 300, `exit ${out.exitMs} ms after the script ended`);
});

/** Nice values of this process's threads (Linux /proc; field 19 of stat, after the parenthesised name). */
function threadNices(): number[] {
  return fs.readdirSync("/proc/self/task").flatMap((tid) => {
    try { return [Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1].split(" ")[16])]; } catch { return []; }
  });
}

test("sha256: the worker hashes at lowered priority until someone waits for the digest, then at normal priority", async (t) => {
  if (process.platform !== "linux") { t.skip("thread priorities are set on Linux only"); return; }
  const base = threadNices().filter((n) => n === 10).length;
  const c = await readCapture(gibPcap(), { hashInWorkerFrom: 0 });
  try {
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      return ok();
    };
    assert.ok(await until(() => threadNices().filter((n) => n === 10).length > base), "a thread at nice 10 while the hash runs unwaited");
    const digest = sha256Of(c.info);
    // Raising a thread's priority back needs CAP_SYS_NICE or RLIMIT_NICE; without them it stays lowered.
    const mayRaise = process.getuid?.() === 0 || /Max nice priority\s+([1-9]\d*)/.test(fs.readFileSync("/proc/self/limits", "utf8"));
    if (mayRaise) assert.ok(await until(() => threadNices().filter((n) => n === 10).length === base), "back to normal priority once awaited");
    assert.equal(await digest, sha256sum(gibPcap()));
  } finally {
    c.source.close();
  }
});
