// pcapng reading on hand-built files: several sections in opposite byte orders, per-section interfaces mapped to
// global ones, if_tsresol 10^-n and 2^-n, if_tsoffset, EPB/SPB/PB, NRB, ISB, DSB, custom and unknown blocks, comments.

import assert from "node:assert/strict";
import { test } from "node:test";
import { frameBytes } from "../../lib/capture/chunks.js";
import { formatEpoch } from "../../lib/capture/frame-index.js";
import { readCapture } from "../../lib/capture/read.js";
import { HAVE_TSHARK, need, sha256sum, tmpFile, tsharkFrames } from "./helpers.js";
import { BE, buildFile, EXPECTED, LE } from "./samples.js";
import { bytes, concat, idb, shb, spb } from "./writers.js";

test("pcapng: three sections, opposite byte orders, every block type: frames, interfaces, metadata", async () => {
  const file = tmpFile("all.pcapng", buildFile(true));
  const c = await readCapture(file);
  try {
    const { info, index } = c;
    assert.equal(info.format, "pcapng");
    assert.equal(info.byteOrder, "little");
    assert.equal(info.version, "1.0");
    assert.equal(info.tsPrecision, "mixed");
    assert.equal(info.sha256, sha256sum(file));
    assert.equal(info.stopped, undefined);
    assert.equal(index.count, EXPECTED.length);
    EXPECTED.forEach(([caplen, len, time, iface, , seed], i) => {
      assert.equal(index.caplen[i], caplen, `caplen of frame ${i + 1}`);
      assert.equal(index.len[i], len, `len of frame ${i + 1}`);
      assert.equal(formatEpoch(index.tsSec[i], index.tsNsec[i]), time, `time of frame ${i + 1}`);
      assert.equal(index.iface[i], iface, `interface of frame ${i + 1}`);
      assert.deepEqual(frameBytes(c, i), bytes(caplen, seed), `bytes of frame ${i + 1}`);
    });
    assert.deepEqual(info.interfaces.map((f) => [f.linktype, f.snaplen, f.section, f.tsUnitsPerSec, f.tsOffset, f.name, f.description]), [
      [1, 0, 0, 1e9, 0, "eth0", "uplink"],
      [101, 100, 0, 2 ** 20, 100, "raw0", undefined],
      [113, 64, 1, 1e6, 0, undefined, undefined],
      [256, 0, 2, 1e12, 0, undefined, undefined],
      [228, 0, 2, 2 ** 30, -5, undefined, undefined],
    ]);
    assert.deepEqual(info.interfaces[0].stats, { received: 10, dropped: 1, osDropped: 2, delivered: 7 });
    assert.deepEqual(info.sections, [
      { comment: ["first section", "second comment"], hardware: "x86_64", os: "Linux 6.1", application: "hand" },
      { application: "second" },
      {},
    ]);
    assert.deepEqual([...info.frameComments], [[0, ["hello"]], [3, ["two", "comments"]], [6, ["old packet block"]]]);
    assert.deepEqual([...info.names], [
      ["10.0.0.1", ["a.example", "b.example"]], ["2001:db8::1", ["v6.example"]], ["00:1b:21:aa:bb:cc", ["nic.example"]],
    ]);
    // Custom blocks and the unknown block are skipped with a warning each naming its offset; the DSB silently.
    assert.deepEqual(info.warnings.map((w) => w.message.replace(/ at offset \d+.*/, "")), [
      "skipped custom block (24 bytes)", "skipped custom block (24 bytes)", "skipped block of unknown type 0x00000099 (16 bytes)",
    ]);
    for (const w of info.warnings) assert.match(w.message, new RegExp(`offset ${w.offset}\\b`));
  } finally {
    c.source.close();
  }
});

test("pcapng: hand-built file agrees with tshark (times, lengths, section-local interface ids)", async (t) => {
  if (!need(t, HAVE_TSHARK, "tshark not installed")) return;
  const file = tmpFile("all.pcapng", buildFile(false));
  const c = await readCapture(file);
  const ts = tsharkFrames(file).frames;
  assert.equal(ts.length, c.index.count);
  ts.forEach((f, i) => {
    assert.equal(c.index.caplen[i], f.caplen);
    assert.equal(c.index.len[i], f.len);
    const mine = formatEpoch(c.index.tsSec[i], c.index.tsNsec[i]);
    if (i === 7) {
      // 10^-12 units: tshark 4.0 computes (ts % 10^12) * 10^9 in 64 bits, which wraps; ours is exact.
      const wrapped = (901234567890n * 1_000_000_000n) % 2n ** 64n / 10n ** 12n;
      assert.equal(f.time, `12345678.${String(wrapped).padStart(9, "0")}`);
      assert.equal(mine, "12345678.901234567");
    } else {
      // tshark prints no time for an SPB (it has none); we store 0.
      assert.equal(mine, f.time === "" ? "0.000000000" : f.time);
    }
    // tshark 4.0 prints the section-local interface id; ours is global, mapped from (section, local id).
    assert.equal(f.iface, String(EXPECTED[i][4]));
  });
  c.source.close();
});

test("pcapng: custom blocks are frames to tshark 4.0 but skipped here, as the warning says", async (t) => {
  if (!need(t, HAVE_TSHARK, "tshark not installed")) return;
  const file = tmpFile("custom.pcapng", buildFile(true));
  const c = await readCapture(file);
  assert.equal(tsharkFrames(file).frames.length, c.index.count + 2);
  c.source.close();
});

test("pcapng: SPB captured length is the original length cut to interface 0's snap length", async () => {
  const file = tmpFile("spb.pcapng", concat(shb(BE), idb(BE, { linktype: 1, snaplen: 16 }), spb(BE, { len: 1500, data: bytes(16) }), spb(BE, { len: 9, data: bytes(9) })));
  const c = await readCapture(file);
  assert.deepEqual([...c.index.caplen], [16, 9]);
  assert.deepEqual([...c.index.len], [1500, 9]);
  assert.deepEqual([...c.index.offset], [28 + 20 + 12, 28 + 20 + 32 + 12]);
  c.source.close();
});

test("pcapng: tsPrecision is micro or nano when every interface agrees", async () => {
  for (const [res, want] of [[undefined, "micro"], [9, "nano"]] as const) {
    const file = tmpFile("p.pcapng", concat(shb(LE), idb(LE, { linktype: 1, tsresol: res }), idb(LE, { linktype: 1, tsresol: res })));
    const c = await readCapture(file);
    assert.equal(c.info.tsPrecision, want);
    assert.equal(c.index.count, 0);
    c.source.close();
  }
});

test("pcapng: a file that stops early still reports its interfaces' precision", async () => {
  const file = tmpFile("stop.pcapng", concat(shb(LE), idb(LE, { linktype: 1, tsresol: 9 }), shb(LE, { major: 9 })));
  const c = await readCapture(file);
  assert.equal(c.info.tsPrecision, "nano");
  assert.match(c.info.stopped?.message ?? "", /unknown version 9\.0/);
  c.source.close();
});
