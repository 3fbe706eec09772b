// Damaged and hostile input, by name: each gives a CaptureError (no usable header) or keeps every frame before the
// damage and says in info.stopped where (byte offset) and why reading stopped. tshark, when installed, must agree on
// how many frames are readable.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CaptureError, readCapture } from "../../lib/capture/read.js";
import { HAVE_TSHARK, tmpFile, tsharkFrames } from "./helpers.js";
import { block, bytes, concat, epb, idb, pcapFile, shb, spb } from "./writers.js";

const LE = true;
const rec = (i: number) => ({ sec: 1600000000 + i, frac: i, data: bytes(10, i) });
/** Three 10-byte records: headers at 24, 50, 76. */
const PCAP3 = pcapFile({ le: LE, records: [rec(0), rec(1), rec(2)] });
const ng = (i: number) => epb(LE, { ifid: 0, ts: 1600000000000000n + BigInt(i), data: bytes(10, i) });
const NG_HEAD = concat(shb(LE), idb(LE, { linktype: 1 }));
/** Offset of the first EPB after NG_HEAD (SHB 28 + IDB 20). */
const E1 = 48, EPB_LEN = 44;

function patch(b: Uint8Array, at: number, v: number, le = LE): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, v, le);
  return out;
}

/** `tshark`: its complaint, or null where tshark 4.0 reads the file differently (the reason is in a comment). */
interface Stop { frames: number; offset: number; message: RegExp; tshark?: RegExp | null }

/** Five 10-byte records: headers at 24, 50, 76, 102, 128. */
const PCAP5 = pcapFile({ le: LE, records: [rec(0), rec(1), rec(2), rec(3), rec(4)] });

const STOPS: [string, Uint8Array, Stop][] = [
  ["pcap: last record's data cut short", PCAP3.subarray(0, PCAP3.length - 5),
    { frames: 2, offset: 76, message: /cut short in the middle of a packet: packet 3 at offset 76 needs 26 bytes, only 21 left/, tshark: /cut short in the middle of a packet/ }],
  ["pcap: last record header cut short", PCAP3.subarray(0, 76 + 7),
    { frames: 2, offset: 76, message: /record header: 7 of 16 bytes at offset 76/, tshark: /cut short/ }],
  ["pcap: absurd captured length", patch(PCAP5, 102 + 8, 300000),
    { frames: 3, offset: 102, message: /300000-byte packet, bigger than the maximum of 262144/, tshark: /300000-byte packet, bigger than maximum of 262144/ }],
  ["pcap: captured length 0xffffffff", patch(PCAP5, 102 + 8, 0xffffffff),
    { frames: 3, offset: 102, message: /4294967295-byte packet, bigger than the maximum of 262144/, tshark: /4294967295-byte packet/ }],
  // tshark's open-time heuristics (wiretap/libpcap.c) try other pcap variants when the second record looks wrong and
  // read that record as a frame with time -1.000001; we stop at it.
  ["pcap: absurd captured length in the second record", patch(PCAP5, 50 + 8, 0xffffffff),
    { frames: 1, offset: 50, message: /4294967295-byte packet/, tshark: null }],
  // tshark reports the absurd last record as cut short; we name the length.
  ["pcap: absurd captured length in the last record", patch(PCAP3, 76 + 8, 300000),
    { frames: 2, offset: 76, message: /300000-byte packet/, tshark: /cut short/ }],
  ["pcapng: last block cut short", concat(NG_HEAD, ng(0), ng(1)).subarray(0, E1 + EPB_LEN + 30),
    { frames: 1, offset: E1 + EPB_LEN, message: /cut short in the middle of a block: 30 bytes at offset 92 of a 44-byte block/, tshark: /cut short/ }],
  ["pcapng: last block header cut short", concat(NG_HEAD, ng(0), ng(1)).subarray(0, E1 + EPB_LEN + 6),
    { frames: 1, offset: E1 + EPB_LEN, message: /cut short in the middle of a block: 6 bytes at offset 92/, tshark: /cut short/ }],
  ["pcapng: block length not a multiple of 4", patch(concat(NG_HEAD, ng(0), ng(1), ng(2)), E1 + EPB_LEN + 4, 45),
    { frames: 1, offset: 92, message: /bad total length 45 \(not a multiple of 4\)/, tshark: /damaged or corrupt/ }],
  ["pcapng: block length below the minimum", patch(concat(NG_HEAD, ng(0), ng(1)), E1 + EPB_LEN + 4, 8),
    { frames: 1, offset: 92, message: /bad total length 8 \(less than 12\)/, tshark: /damaged or corrupt/ }],
  ["pcapng: absurd block length", patch(concat(NG_HEAD, ng(0), ng(1)), E1 + EPB_LEN + 4, 0x7ffffff0),
    { frames: 1, offset: 92, message: /bad total length 2147483632 \(more than 134348832\)/, tshark: /too large/ }],
  ["pcapng: block total length mismatch at the end of a block", patch(concat(NG_HEAD, ng(0), ng(1), ng(2)), E1 + 2 * EPB_LEN - 4, 48),
    { frames: 1, offset: 92, message: /total length 44 at its start but 48 at its end \(offset 132\)/, tshark: /first 44 and second 48/ }],
  ["pcapng: unknown byte-order magic in a later section", concat(NG_HEAD, ng(0), patch(shb(LE), 8, 0x1a2b3c11), ng(1)),
    { frames: 1, offset: 92, message: /unknown byte-order magic 0x1a2b3c11/, tshark: /unknown byte-order magic number 0x1a2b3c11/ }],
  ["pcapng: unknown section version", concat(NG_HEAD, ng(0), shb(LE, { major: 2 }), ng(1)),
    { frames: 1, offset: 92, message: /unknown version 2\.0/, tshark: /unknown SHB version 2\.0/ }],
  ["pcapng: captured length larger than its block", patch(concat(NG_HEAD, ng(0), ng(1)), E1 + EPB_LEN + 20, 200),
    { frames: 1, offset: 92, message: /captured length 200 is larger than its 44-byte block/, tshark: /too small for 200 bytes/ }],
  ["pcapng: captured length above the maximum", concat(NG_HEAD, ng(0), epb(LE, { ifid: 0, ts: 0n, data: bytes(300000) })),
    { frames: 1, offset: 92, message: /captured length 300000 is bigger than the maximum of 262144/, tshark: /cap_len 300000 is larger than 262144/ }],
  ["pcapng: interface id out of range", concat(NG_HEAD, ng(0), epb(LE, { ifid: 3, ts: 0n, data: bytes(4) })),
    { frames: 1, offset: 92, message: /names interface 3, but its section has 1 interfaces/, tshark: /interface index 3 is not less than section interface count 1/ }],
  ["pcapng: SPB before any IDB", concat(shb(LE), spb(LE, { len: 4, data: bytes(4) })),
    { frames: 0, offset: 28, message: /simple packet block at offset 28 before any interface description block/ }],
  ["pcapng: EPB shorter than its fixed fields, at the end of the file", concat(NG_HEAD, ng(0), block(LE, 6, (w) => w.u32(0))),
    { frames: 1, offset: 92, message: /block of type 0x00000006 at offset 92 is too short \(16 bytes\)/, tshark: /damaged or corrupt/ }],
  ["pcapng: ISB too short", concat(NG_HEAD, ng(0), block(LE, 5, (w) => w.u32(0))),
    { frames: 1, offset: 92, message: /block of type 0x00000005 at offset 92 is too short \(16 bytes\)/ }],
];

for (const [name, data, want] of STOPS) {
  test(name, async () => {
    const file = tmpFile("bad.cap", data);
    const c = await readCapture(file);
    try {
      assert.equal(c.index.count, want.frames, "frames kept");
      assert.ok(c.info.stopped, "stopped is set");
      assert.equal(c.info.stopped.offset, want.offset);
      assert.match(c.info.stopped.message, want.message);
      assert.match(c.info.stopped.message, new RegExp(`offset ${want.offset}\\b`), "the message names the offset");
      for (let i = 0; i < c.index.count; i++) assert.ok(c.index.offset[i] + c.index.caplen[i] <= c.source.size);
      if (HAVE_TSHARK && want.tshark !== null) {
        const ts = tsharkFrames(file);
        assert.equal(ts.frames.length, want.frames, "tshark reads as many frames");
        if (want.tshark) assert.match(ts.stderr, want.tshark);
      }
    } finally {
      c.source.close();
    }
  });
}

const THROWS: [string, Uint8Array, RegExp][] = [
  ["zero-length file", new Uint8Array(0), /^empty file$/],
  ["no capture at all", new TextEncoder().encode("hello world, not a capture"), /^not a pcap or pcapng file: magic 0x68656c6c at offset 0$/],
  ["three bytes", Uint8Array.of(0xd4, 0xc3, 0xb2), /^not a pcap or pcapng file: magic 0xd4c3b2 \(3 bytes\) at offset 0$/],
  ["modified (Kuznetzov) pcap", Uint8Array.of(0x34, 0xcd, 0xb2, 0xa1, ...PCAP3.subarray(4)), /^unsupported pcap variant: "modified" \(Kuznetzov\) pcap, magic 0x34cdb2a1 at offset 0$/],
  ["pcap file header cut short", PCAP3.subarray(0, 10), /^pcap file header cut short: 10 of 24 bytes at offset 0$/],
  ["pcapng first section header cut short", NG_HEAD.subarray(0, 20), /^pcapng section header block cut short: 20 bytes at offset 0$/],
  ["pcapng first section with an unknown byte-order magic", patch(NG_HEAD, 8, 0x01020304), /unknown byte-order magic 0x01020304/],
  ["pcapng first section with a mismatched trailing length", patch(NG_HEAD, 24, 32), /total length 28 at its start but 32 at its end/],
];

for (const [name, data, message] of THROWS) {
  test(`${name}: CaptureError`, async () => {
    const file = tmpFile("bad.cap", data);
    await assert.rejects(readCapture(file), (e: unknown) => {
      assert.ok(e instanceof CaptureError, `a CaptureError, not ${String(e)}`);
      assert.match(e.message, message);
      assert.equal(e.offset, 0);
      return true;
    });
  });
}

test("a missing file rejects with the fs error (ENOENT), not a CaptureError", async () => {
  await assert.rejects(readCapture("/nonexistent/x.pcap"), { code: "ENOENT" });
});

test("a damaged file warns at most 1000 times and says how many more there were", async () => {
  const records = Array.from({ length: 1500 }, (_, i) => ({ sec: 1, frac: 2000000, data: bytes(1, i) }));
  const c = await readCapture(tmpFile("many.pcap", pcapFile({ le: LE, records })));
  assert.equal(c.index.count, 1500);
  assert.equal(c.info.warnings.length, 1001);
  assert.match(c.info.warnings[1000].message, /^500 more warnings not kept$/);
  c.source.close();
});
