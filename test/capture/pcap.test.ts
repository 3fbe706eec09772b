// Classic pcap reading, on hand-built files: both byte orders, micro- and nanosecond magic, snap-length truncation.

import assert from "node:assert/strict";
import { test } from "node:test";
import { frameBytes } from "../../lib/capture/chunks.js";
import { formatEpoch } from "../../lib/capture/frame-index.js";
import { readCapture } from "../../lib/capture/read.js";
import { HAVE_TSHARK, need, sha256sum, tmpFile, tsharkFrames } from "./helpers.js";
import { bytes, pcapFile, type PcapRecord } from "./writers.js";

const RECORDS: PcapRecord[] = [
  { sec: 1700000000, frac: 1, data: bytes(60, 1) },
  { sec: 1700000000, frac: 999999, data: bytes(0) },
  { sec: 1700000001, frac: 500000, data: bytes(68, 3), len: 1514 },
  { sec: 0xffffffff, frac: 0, data: bytes(1, 9) },
];

for (const le of [true, false]) {
  for (const nano of [false, true]) {
    test(`pcap ${le ? "little" : "big"}-endian ${nano ? "nanosecond" : "microsecond"}: every frame's offset, time and lengths`, async () => {
      const records = RECORDS.map((r) => ({ ...r, frac: nano ? r.frac * 1000 + 7 : r.frac }));
      const file = tmpFile("t.pcap", pcapFile({ le, nano, linktype: 113, snaplen: 68, records }));
      const c = await readCapture(file);
      try {
        const { info, index } = c;
        assert.equal(info.format, "pcap");
        assert.equal(info.byteOrder, le ? "little" : "big");
        assert.equal(info.version, "2.4");
        assert.equal(info.tsPrecision, nano ? "nano" : "micro");
        assert.equal(info.compression, "none");
        assert.equal(info.sha256, sha256sum(file));
        assert.deepEqual(info.interfaces, [{ linktype: 113, snaplen: 68, tsUnitsPerSec: nano ? 1e9 : 1e6, tsOffset: 0, section: 0 }]);
        assert.equal(info.stopped, undefined);
        assert.deepEqual(info.warnings, []);
        assert.equal(index.count, 4);
        let off = 24;
        for (let i = 0; i < 4; i++) {
          const r = records[i];
          assert.equal(index.offset[i], off + 16, `offset of frame ${i + 1}`);
          assert.equal(index.caplen[i], r.data.length);
          assert.equal(index.len[i], r.len ?? r.data.length);
          assert.equal(index.tsSec[i], r.sec);
          assert.equal(index.tsNsec[i], nano ? r.frac : r.frac * 1000);
          assert.equal(index.iface[i], 0);
          assert.deepEqual(frameBytes(c, i), r.data);
          off += 16 + r.data.length;
        }
        // Snap-length truncation: frame 3 kept 68 of 1514 bytes.
        assert.ok(index.caplen[2] < index.len[2]);
      } finally {
        c.source.close();
      }
    });
  }
}

test("pcap: the FCS bits above the link type are masked off", async () => {
  const file = tmpFile("fcs.pcap", pcapFile({ le: true, linktype: 1 | 0x10000000 | 4 << 28, records: [RECORDS[0]] }));
  const c = await readCapture(file);
  assert.equal(c.info.interfaces[0].linktype, 1);
  c.source.close();
});

test("pcap: a fraction of a second out of range carries into the seconds, with a warning naming the offset", async () => {
  const file = tmpFile("frac.pcap", pcapFile({ le: true, records: [{ sec: 5, frac: 1500000, data: bytes(10) }] }));
  const c = await readCapture(file);
  assert.equal(formatEpoch(c.index.tsSec[0], c.index.tsNsec[0]), "6.500000000");
  assert.equal(c.info.warnings.length, 1);
  assert.equal(c.info.warnings[0].offset, 28);
  assert.match(c.info.warnings[0].message, /fraction of a second 1500000/);
  c.source.close();
});

test("pcap: captured length above the snap length or the original length is kept, with warnings", async () => {
  const file = tmpFile("snap.pcap", pcapFile({ le: true, snaplen: 100, records: [{ sec: 1, frac: 0, data: bytes(200), len: 150 }] }));
  const c = await readCapture(file);
  assert.equal(c.index.count, 1);
  assert.equal(c.index.caplen[0], 200);
  assert.deepEqual(c.info.warnings.map((w) => w.offset), [32, 32]);
  assert.match(c.info.warnings.map((w) => w.message).join("\n"), /exceeds original length 150[\s\S]*exceeds the snap length 100/);
  if (HAVE_TSHARK) assert.equal(tsharkFrames(file).frames.length, 1);
  c.source.close();
});

test("pcap: hand-built files agree with tshark frame by frame", async (t) => {
  if (!need(t, HAVE_TSHARK, "tshark not installed")) return;
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      const records = RECORDS.map((r) => ({ ...r, frac: nano ? r.frac * 1000 + 7 : r.frac }));
      const file = tmpFile("t.pcap", pcapFile({ le, nano, records }));
      const c = await readCapture(file);
      const ts = tsharkFrames(file).frames;
      assert.equal(ts.length, c.index.count);
      ts.forEach((f, i) => {
        assert.equal(formatEpoch(c.index.tsSec[i], c.index.tsNsec[i]), f.time);
        assert.equal(c.index.caplen[i], f.caplen);
        assert.equal(c.index.len[i], f.len);
      });
      c.source.close();
    }
  }
});
