// Reading in bounded chunks: records cut by chunk ends (carried over), blocks larger than the headroom or than a whole
// chunk (assembled apart), files large enough to hash in the worker thread, progress and abort.

import assert from "node:assert/strict";
import { test } from "node:test";
import { frameBytes } from "../../lib/capture/chunks.js";
import { readCapture, WORKER_HASH_MIN } from "../../lib/capture/read.js";
import { CHUNK_BYTES, HEAD_BYTES } from "../../lib/capture/walk.js";
import { rng, sha256sum, tmpFile } from "./helpers.js";
import { bytes, concat, custom, epb, idb, nrb, shb } from "./writers.js";

/** Expected frames of a generated file. */
interface Frames { offset: number[]; caplen: number[]; len: number[]; sec: number[]; nsec: number[] }

/** A classic pcap of n records with pseudo-random sizes (0..maxCap), built with Buffer writes (fast for big files). */
function bigPcap(n: number, le: boolean, seed: number, maxCap = 1600): { file: Uint8Array; want: Frames } {
  const next = rng(seed);
  const caps = Array.from({ length: n }, () => next() % (maxCap + 1));
  const buf = Buffer.alloc(24 + caps.reduce((s, c) => s + 16 + c, 0));
  const u32 = (v: number, at: number) => le ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at);
  const u16 = (v: number, at: number) => le ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at);
  u32(0xa1b2c3d4, 0); u16(2, 4); u16(4, 6); u32(262144, 16); u32(1, 20);
  const want: Frames = { offset: [], caplen: [], len: [], sec: [], nsec: [] };
  let at = 24;
  caps.forEach((c, i) => {
    const sec = 1700000000 + (i >> 10), usec = next() % 1000000;
    u32(sec, at); u32(usec, at + 4); u32(c, at + 8); u32(c + (i % 5), at + 12);
    buf.fill(i & 0xff, at + 16, at + 16 + c);
    want.offset.push(at + 16); want.caplen.push(c); want.len.push(c + (i % 5)); want.sec.push(sec); want.nsec.push(usec * 1000);
    at += 16 + c;
  });
  return { file: buf, want };
}

function assertFrames(got: Awaited<ReturnType<typeof readCapture>>, want: Frames): void {
  const ix = got.index;
  assert.equal(ix.count, want.offset.length);
  for (let i = 0; i < ix.count; i++) {
    if (ix.offset[i] !== want.offset[i] || ix.caplen[i] !== want.caplen[i] || ix.len[i] !== want.len[i] ||
      ix.tsSec[i] !== want.sec[i] || ix.tsNsec[i] !== want.nsec[i]) {
      assert.fail(`frame ${i + 1}: got ${ix.offset[i]}/${ix.caplen[i]}/${ix.len[i]}/${ix.tsSec[i]}.${ix.tsNsec[i]}, ` +
        `want ${want.offset[i]}/${want.caplen[i]}/${want.len[i]}/${want.sec[i]}.${want.nsec[i]}`);
    }
  }
}

for (const le of [true, false]) {
  test(`chunks: a ${le ? "little" : "big"}-endian pcap of several chunks: records cut by chunk ends are carried over`, async () => {
    const { file, want } = bigPcap(30000, le, le ? 1 : 2);
    assert.ok(file.length > 4 * CHUNK_BYTES / 2 && file.length > CHUNK_BYTES);
    const c = await readCapture(tmpFile("big.pcap", file));
    assertFrames(c, want);
    assert.equal(c.info.stopped, undefined);
    for (const i of [0, 1234, 29999]) assert.deepEqual(frameBytes(c, i), new Uint8Array(want.caplen[i]).fill(i & 0xff));
    c.source.close();
  });
}

test("chunks: pcapng blocks larger than the headroom and than a whole chunk are assembled; options across chunk ends", async () => {
  const LE = true;
  const parts: Uint8Array[] = [shb(LE), idb(LE, { linktype: 249, name: "usb" })];
  const want: { caplen: number; comment?: string }[] = [];
  let size = parts[0].length + parts[1].length;
  const add = (b: Uint8Array) => { parts.push(b); size += b.length; };
  const next = rng(7);
  for (let i = 0; size < 3 * CHUNK_BYTES; i++) {
    if (i === 40) add(custom(LE, 1, bytes(2 * HEAD_BYTES + 3)));
    if (i === 900) add(nrb(LE, [{ type: 1, addr: [192, 0, 2, 1], names: ["x".repeat(60000), "y.example"] }]));
    const caplen = i === 500 ? CHUNK_BYTES + 12345 : next() % 3000;
    const comment = i % 7 === 0 ? `comment ${i} ${"z".repeat(next() % 20000)}` : undefined;
    add(epb(LE, { ifid: 0, ts: 1700000000000000n + BigInt(i), data: bytes(caplen, i), comments: comment ? [comment] : [] }));
    want.push({ caplen, comment });
  }
  const c = await readCapture(tmpFile("big.pcapng", concat(...parts)));
  assert.equal(c.info.stopped, undefined);
  assert.equal(c.index.count, want.length);
  want.forEach((w, i) => {
    assert.equal(c.index.caplen[i], w.caplen, `caplen of frame ${i + 1}`);
    assert.equal(c.index.tsNsec[i], i * 1000);
    assert.deepEqual(c.info.frameComments.get(i), w.comment ? [w.comment] : undefined, `comment of frame ${i + 1}`);
  });
  assert.deepEqual(frameBytes(c, 500), bytes(CHUNK_BYTES + 12345, 500));
  assert.equal(c.info.names.get("192.0.2.1")?.[1], "y.example");
  c.source.close();
});

test("chunks: a file past the worker threshold is hashed in the worker: sha256 and frames still exact", async () => {
  const { file, want } = bigPcap(Math.ceil(WORKER_HASH_MIN / 800) + 1000, true, 3);
  assert.ok(file.length >= WORKER_HASH_MIN);
  const path = tmpFile("huge.pcap", file);
  const c = await readCapture(path);
  assertFrames(c, want);
  assert.equal(c.info.sha256, sha256sum(path));
  c.source.close();
});

test("chunks: many tiny records outgrow the index's first capacity several times, across chunk ends, in either byte order", async () => {
  for (const le of [true, false]) {
    const { file, want } = bigPcap(400000, le, le ? 5 : 6, 20);
    assert.ok(file.length > CHUNK_BYTES && want.offset.length > 4 * Math.floor(file.length / 128));
    const c = await readCapture(tmpFile("tiny.pcap", file));
    assertFrames(c, want);
    assert.equal(c.info.stopped, undefined);
    assert.ok(c.index.iface.every((v) => v === 0));
    assert.equal(c.index.byteLength, 30 * want.offset.length);
    c.source.close();
  }
});

test("chunks: onProgress reports growing byte counts up to the total and the frame count", async () => {
  const { file, want } = bigPcap(30000, true, 4);
  const seen: { bytes: number; total: number; frames: number }[] = [];
  const c = await readCapture(tmpFile("p.pcap", file), { onProgress: (p) => seen.push(p) });
  assert.ok(seen.length >= 3);
  for (let k = 1; k < seen.length; k++) assert.ok(seen[k].bytes > seen[k - 1].bytes && seen[k].frames >= seen[k - 1].frames);
  assert.deepEqual(seen[seen.length - 1], { bytes: file.length, total: file.length, frames: want.offset.length });
  c.source.close();
});

test("chunks: an aborted signal rejects with its reason, before and during reading", async () => {
  const { file } = bigPcap(30000, true, 5);
  const path = tmpFile("a.pcap", file);
  await assert.rejects(readCapture(path, { signal: AbortSignal.abort() }), { name: "AbortError" });
  const ac = new AbortController();
  await assert.rejects(readCapture(path, { signal: ac.signal, onProgress: () => ac.abort() }), { name: "AbortError" });
});
