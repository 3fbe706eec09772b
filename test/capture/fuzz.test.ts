// Fuzz: thousands of deterministic mutations (bit flips, absurd lengths, truncations, inserted, deleted and duplicated
// bytes, spliced files, gzip-wrapped) of real and hand-built captures. readCapture may only throw CaptureError, must
// never hang, and the index must stay consistent with the bytes.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { CaptureError, readCapture } from "../../lib/capture/read.js";
import type { CaptureFile } from "../../lib/capture/types.js";
import { CORPUS, HAVE_CORPUS, rng, tmpDir } from "./helpers.js";
import { buildFile, samplePcap } from "./samples.js";
import { concat, epb, idb, shb, spb } from "./writers.js";

const ITERATIONS = 10000;
const CORPUS_SEEDS = ["general/vlan-pcp-dei.pcapng", "general/bigendian-icmp.pcap", "mqtt/mqtt-iot-device-vlan-disconnect.pcapng",
  "general/nanosecond-bigendian-http.pcap", "general/sll2-icmp-icmpv6-arp.pcap"];
const ABSURD = [0, 1, 3, 11, 12, 13, 28, 0x7fffffff, 0x80000000, 0xffffffff, 262144, 262145, 134348832, 134348836, 0x10000];

function seeds(): Uint8Array[] {
  const out = [
    samplePcap(true, false), samplePcap(false, true), buildFile(true), buildFile(false),
    concat(shb(false), idb(false, { linktype: 1, snaplen: 8, tsresol: 0x80 | 40 }), spb(false, { len: 20, data: new Uint8Array(8) }),
      epb(false, { ifid: 0, ts: 0xffffffffffffffffn, data: new Uint8Array(3) })),
  ];
  if (HAVE_CORPUS) for (const f of CORPUS_SEEDS) out.push(new Uint8Array(fs.readFileSync(path.join(CORPUS, f))));
  return out;
}

function mutate(b: Uint8Array, next: () => number, pool: Uint8Array[]): Uint8Array {
  const pos = () => (b.length === 0 ? 0 : next() % b.length);
  switch (next() % 8) {
    case 0: { // bit flips
      b = b.slice();
      for (let k = 1 + next() % 8; k > 0 && b.length; k--) b[pos()] ^= 1 << (next() % 8);
      return b;
    }
    case 1: { // absurd 32-bit value at an aligned offset, either byte order
      if (b.length < 4) return b;
      b = b.slice();
      const at = (next() % (b.length >> 2)) * 4;
      new DataView(b.buffer).setUint32(at, ABSURD[next() % ABSURD.length], next() % 2 === 0);
      return b;
    }
    case 2: return b.subarray(0, pos()); // truncation
    case 3: { // inserted bytes
      const at = pos(), ins = Uint8Array.from({ length: 1 + next() % 16 }, () => next() & 0xff);
      return concat(b.subarray(0, at), ins, b.subarray(at));
    }
    case 4: { // deleted bytes
      const at = pos();
      return concat(b.subarray(0, at), b.subarray(at + 1 + next() % 16));
    }
    case 5: { // a slice duplicated
      const at = pos(), end = at + next() % 200;
      return concat(b.subarray(0, end), b.subarray(at, end), b.subarray(end));
    }
    case 6: { // head of one file, tail of another
      const other = pool[next() % pool.length];
      return concat(b.subarray(0, pos()), other.subarray(other.length ? next() % other.length : 0));
    }
    default: { // interesting single bytes
      b = b.slice();
      if (b.length) b[pos()] = [0, 0xff, 0x7f, 0x80, 0x0a, 0x0d][next() % 6];
      return b;
    }
  }
}

function checkConsistent(c: CaptureFile): void {
  const { index, info, source } = c;
  for (let i = 0; i < index.count; i++) {
    const off = index.offset[i];
    if (!(off + index.caplen[i] <= source.size)) assert.fail(`frame ${i + 1}: offset ${off} + caplen ${index.caplen[i]} > size ${source.size}`);
    if (i > 0 && !(off > index.offset[i - 1])) assert.fail(`frame ${i + 1}: offset ${off} not after the previous frame`);
    if (!(index.iface[i] < info.interfaces.length)) assert.fail(`frame ${i + 1}: interface ${index.iface[i]} of ${info.interfaces.length}`);
    if (!(index.tsNsec[i] < 1e9) || !Number.isInteger(index.tsSec[i])) assert.fail(`frame ${i + 1}: time ${index.tsSec[i]}.${index.tsNsec[i]}`);
  }
  assert.ok(info.warnings.length <= 1001);
  for (const p of [...info.warnings, ...(info.stopped ? [info.stopped] : [])]) {
    assert.ok(p.offset >= 0 && p.offset <= source.size, `problem offset ${p.offset} of ${source.size}: ${p.message}`);
  }
  if (index.count > 0) {
    const last = index.count - 1;
    const buf = new Uint8Array(index.caplen[last]);
    assert.equal(source.read(index.offset[last], buf.length, buf, 0), buf.length);
  }
}

test(`fuzz: ${ITERATIONS} mutated captures: only CaptureError, never a hang, a consistent index`, { timeout: 30000 }, async (t) => {
  const pool = seeds();
  const next = rng(0xc0ffee);
  const dir = tmpDir();
  const started = Date.now();
  let read = 0, rejected = 0, stopped = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    let b = pool[next() % pool.length];
    for (let k = 1 + next() % 3; k > 0; k--) b = mutate(b, next, pool);
    // Some mutants go through gzip, some with the compressed stream damaged too.
    if (it % 25 === 0) {
      b = zlib.gzipSync(b);
      if (it % 50 === 0) b = mutate(b, next, pool);
    }
    // A new file each time: truncating one in place costs milliseconds on a filesystem mounted with discard.
    const file = path.join(dir, `mutant-${it}`);
    fs.writeFileSync(file, b);
    let c: CaptureFile;
    try {
      c = await readCapture(file);
    } catch (e) {
      fs.unlinkSync(file);
      if (!(e instanceof CaptureError)) assert.fail(`iteration ${it}: threw ${(e as Error)?.stack ?? String(e)}`);
      rejected++;
      continue;
    }
    try {
      checkConsistent(c);
    } catch (e) {
      throw new Error(`iteration ${it}: ${(e as Error).message}`);
    } finally {
      c.source.close();
    }
    fs.unlinkSync(file);
    read++;
    if (c.info.stopped) stopped++;
  }
  const ms = Date.now() - started;
  t.diagnostic(`${read} read (${stopped} of them stopped early), ${rejected} rejected with CaptureError, in ${ms} ms`);
  // Every outcome occurred, so the mutations reach past the headers.
  assert.ok(read > ITERATIONS / 10 && rejected > 10 && stopped > ITERATIONS / 10, `read ${read}, rejected ${rejected}, stopped ${stopped}`);
  assert.ok(ms < 25000, `took ${ms} ms`);
});
