// Gzip-compressed captures: detected by magic (not name), decompressed once to a private temporary file, identical
// frames to the plain file, SHA-256 of the .gz as stored, several members, damaged streams, temporary file cleanup.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { frameBytes } from "../../lib/capture/chunks.js";
import { readCapture } from "../../lib/capture/read.js";
import type { CaptureFile } from "../../lib/capture/types.js";
import { CORPUS, HAVE_CORPUS, need, sha256sum, tmpFile } from "./helpers.js";
import { buildFile, samplePcap } from "./samples.js";

function sameFrames(a: CaptureFile, b: CaptureFile): void {
  assert.equal(a.index.count, b.index.count);
  for (const k of ["offset", "tsSec", "tsNsec", "caplen", "len", "iface"] as const) {
    assert.deepEqual(a.index[k].subarray(0, a.index.count), b.index[k].subarray(0, b.index.count), k);
  }
  for (let i = 0; i < a.index.count; i++) assert.deepEqual(frameBytes(a, i), frameBytes(b, i));
}

function gunzipDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("wirebook-gunzip-"));
}

test("gzip: a corpus capture gzipped reads to identical frames; sha256 is of the .gz file", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`)) return;
  for (const rel of ["general/pcapng-two-linktypes-comments.pcapng", "modbus/modbus-multiple-pdus-per-segment.pcap"]) {
    const plain = path.join(CORPUS, rel);
    // Named without .gz: detection is by the magic 1f 8b.
    const gz = tmpFile(path.basename(rel), zlib.gzipSync(fs.readFileSync(plain)));
    const a = await readCapture(plain);
    const b = await readCapture(gz);
    try {
      assert.equal(b.info.compression, "gzip");
      assert.equal(b.info.sha256, sha256sum(gz));
      assert.notEqual(b.info.sha256, a.info.sha256);
      assert.equal(b.info.fileSize, fs.statSync(gz).size);
      assert.equal(b.source.size, a.source.size);
      assert.deepEqual({ ...b.info, path: "", sha256: "", fileSize: 0, compression: "none" }, { ...a.info, path: "", sha256: "", fileSize: 0 });
      sameFrames(a, b);
    } finally {
      a.source.close();
      b.source.close();
    }
  }
});

test("gzip: a plain capture named .gz is read as plain", async () => {
  const file = tmpFile("x.pcap.gz", samplePcap(true, false));
  const c = await readCapture(file);
  assert.equal(c.info.compression, "none");
  assert.equal(c.index.count, 12);
  c.source.close();
});

test("gzip: several members are one stream (a capture split in two members; two pcapng files concatenated)", async () => {
  const bytes = buildFile(false);
  const plain = tmpFile("p.pcapng", bytes);
  const split = tmpFile("s.gz", Buffer.concat([zlib.gzipSync(bytes.subarray(0, 300)), zlib.gzipSync(bytes.subarray(300))]));
  const a = await readCapture(plain);
  const b = await readCapture(split);
  sameFrames(a, b);
  const two = tmpFile("two.gz", Buffer.concat([zlib.gzipSync(bytes), zlib.gzipSync(bytes)]));
  const c = await readCapture(two);
  assert.equal(c.index.count, 2 * a.index.count);
  assert.equal(c.info.sections.length, 6);
  for (const f of [a, b, c]) f.source.close();
});

test("gzip: a damaged gzip stream keeps the frames decompressed before the damage and says why it stopped", async () => {
  const plain = samplePcap(true, false, 5000);
  const gz = zlib.gzipSync(plain, { level: 1 });
  // Cut short: every byte decompressed before the cut is kept.
  const c = await readCapture(tmpFile("cut.gz", gz.subarray(0, Math.floor(gz.length * 0.6))));
  assert.ok(c.index.count > 2000 && c.index.count < 5000, `${c.index.count} frames`);
  assert.match(c.info.stopped?.message ?? "", /gzip stream damaged near compressed byte \d+: unexpected end of file/);
  assert.equal(c.info.sha256.length, 64);
  c.source.close();
  // A wrong CRC is found at the end of the member: the output of the last 64 KiB slice fed to zlib is lost with it.
  const bad = Buffer.from(gz);
  bad[gz.length - 6] ^= 0xff;
  const d = await readCapture(tmpFile("crc.gz", bad));
  assert.ok(d.index.count > 0 && d.index.count < 5000, `${d.index.count} frames`);
  assert.match(d.info.stopped?.message ?? "", /incorrect data check/);
  d.source.close();
});

test("gzip: an empty gzip stream and a gzip of no capture are CaptureErrors", async () => {
  await assert.rejects(readCapture(tmpFile("e.gz", zlib.gzipSync(Buffer.alloc(0)))), { name: "CaptureError", message: /^empty file/ });
  await assert.rejects(readCapture(tmpFile("n.gz", zlib.gzipSync(Buffer.from("hello world")))),
    { name: "CaptureError", message: "not a pcap or pcapng file: magic 0x68656c6c at offset 0 inside the gzip stream" });
});

test("gzip: the temporary file is removed on close(), and for small captures at once", async () => {
  const before = new Set(gunzipDirs());
  const small = await readCapture(tmpFile("s.gz", zlib.gzipSync(samplePcap(false, true))));
  assert.deepEqual(gunzipDirs().filter((d) => !before.has(d)), [], "a small capture is held in memory");
  small.source.close();
  // A capture larger than one chunk is read from the temporary file until close().
  const big = samplePcap(true, false, 120000);
  assert.ok(big.length > 4 << 20);
  const c = await readCapture(tmpFile("b.gz", zlib.gzipSync(big)));
  const made = gunzipDirs().filter((d) => !before.has(d));
  assert.equal(made.length, 1);
  assert.equal(fs.statSync(path.join(os.tmpdir(), made[0])).mode & 0o777, 0o700);
  assert.equal(c.index.count, 120000);
  c.source.close();
  assert.deepEqual(gunzipDirs().filter((d) => !before.has(d)), []);
});

test("gzip: the temporary file is removed at process exit when close() is never called", (t) => {
  const big = tmpFile("b.gz", zlib.gzipSync(samplePcap(true, false, 120000)));
  const read = new URL("../../lib/capture/read.js", import.meta.url).href;
  const script = `import(${JSON.stringify(read)}).then(async (m) => { await m.readCapture(${JSON.stringify(big)}); ` +
    `const fs = await import("node:fs"); console.log(fs.readdirSync(${JSON.stringify(os.tmpdir())}).filter((n) => n.startsWith("wirebook-gunzip-")).join(",")); })`;
  const before = new Set(gunzipDirs());
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const during = r.stdout.trim().split(",").filter((d) => d !== "" && !before.has(d));
  assert.ok(during.length >= 1, "the child made a temporary folder");
  for (const d of during) assert.ok(!fs.existsSync(path.join(os.tmpdir(), d)), `${d} removed at exit`);
  void t;
  void fileURLToPath;
});
