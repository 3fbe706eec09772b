// The evidence is never touched: the capture is opened read-only ("r"), its mtime and content are unchanged after
// reading, and a file without write permission reads fine.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { frameChunks } from "../../lib/capture/chunks.js";
import { readCapture } from "../../lib/capture/read.js";
import { CORPUS, HAVE_CORPUS, need, sha256sum, tmpFile } from "./helpers.js";
import { samplePcap } from "./samples.js";

const fsMutable = createRequire(import.meta.url)("node:fs") as typeof fs;

/** Runs fn while recording the flags of every fs.openSync and fs.createReadStream call. */
async function recordOpens<T>(fn: () => Promise<T>): Promise<{ result: T; opens: [string, string][] }> {
  const opens: [string, string][] = [];
  const openSync = fsMutable.openSync;
  const createReadStream = fsMutable.createReadStream;
  fsMutable.openSync = ((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    opens.push([String(p), String(flags ?? "r")]);
    return openSync(p, flags ?? "r", mode);
  }) as typeof fs.openSync;
  fsMutable.createReadStream = ((p: fs.PathLike, o?: { flags?: string }) => {
    opens.push([String(p), o?.flags ?? "r"]);
    return createReadStream(p, o as Parameters<typeof fs.createReadStream>[1]);
  }) as typeof fs.createReadStream;
  syncBuiltinESMExports();
  try {
    return { result: await fn(), opens };
  } finally {
    fsMutable.openSync = openSync;
    fsMutable.createReadStream = createReadStream;
    syncBuiltinESMExports();
  }
}

for (const [name, bytes] of [
  ["plain pcap larger than one chunk", samplePcap(true, false, 60000)],
  ["gzip", zlib.gzipSync(samplePcap(false, true, 60000))],
] as const) {
  test(`read-only: ${name}: opened with "r" only, mtime and content unchanged, readable without write permission`, async () => {
    const file = tmpFile("evidence.pcap", bytes);
    const old = new Date(Date.now() - 86400e3);
    fs.utimesSync(file, old, old);
    fs.chmodSync(file, 0o444);
    const before = fs.statSync(file);
    const sum = sha256sum(file);
    const { result: c, opens } = await recordOpens(() => readCapture(file));
    for (const chunk of frameChunks(c)) void chunk;
    c.source.close();
    const mine = opens.filter(([p]) => p === file);
    assert.ok(mine.length >= 1, "the capture was opened");
    assert.deepEqual(mine.map(([, f]) => f), mine.map(() => "r"));
    const after = fs.statSync(file);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.size, before.size);
    assert.equal(after.mode, before.mode);
    assert.equal(sha256sum(file), sum);
    assert.equal(c.info.sha256, sum);
  });
}

test("read-only: a corpus file's mtime is unchanged after reading", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`)) return;
  const file = path.join(CORPUS, "general/c2-merlin-http3-beacon.pcapng");
  const before = fs.statSync(file);
  const c = await readCapture(file);
  c.source.close();
  assert.equal(fs.statSync(file).mtimeMs, before.mtimeMs);
});
