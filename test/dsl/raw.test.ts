// Pseudo-columns over a real capture: frame slices are the frame's own bytes, `ip.src#2` is the quoted IP header of
// an ICMP error (samples/dns-icmp.pcap frame 16: "eth:ethertype:ip:icmp:ip:udp:data"), protocol contains/matches
// flags agree with the bytes. Names round-trip through parseRawName.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { frameBytes } from "../../lib/capture/chunks.js";
import { compileFilter } from "../../lib/dsl/compile.js";
import { parseRawName, rawName } from "../../lib/dsl/raw-names.js";
import { filterColumns, inLayers, rawColumn } from "../../lib/dsl/raw.js";
import { open } from "../../lib/table/capture.js";
import { projectRoot, requireTool, tsharkFields, tsharkFrames } from "../oracle/tshark.js";

const SAMPLE = path.join(projectRoot(), "samples", "dns-icmp.pcap");

test("pseudo-column names are canonical and parse back", () => {
  assert.equal(rawName("frame", null, [{ from: -4, length: null }]), "frame[-4:]");
  assert.equal(rawName("ip.src", [{ from: 2, length: 1 }], null), "ip.src#[2:1]");
  assert.equal(rawName("ip", [{ from: 1, length: 1 }], [{ from: 12, length: 4 }, { from: 0, length: 1 }]), "ip#[1:1][12:4,0:1]");
  assert.deepEqual(parseRawName("ip#[1:1][12:4,0:1]"), {
    field: "ip", layers: [{ from: 1, length: 1 }], bytes: [{ from: 12, length: 4 }, { from: 0, length: 1 }], test: null,
  });
  assert.deepEqual(parseRawName("tcp[*] contains 4745"), { field: "tcp", layers: null, bytes: "pdu", test: { contains: Uint8Array.of(0x47, 0x45) } });
  assert.deepEqual(parseRawName('frame[*] matches "a\\"b"'), { field: "frame", layers: null, bytes: "pdu", test: { matches: 'a"b' } });
  assert.equal(parseRawName("ip.src"), null);
  assert.equal(parseRawName("tcp[*] contains xyz"), null);
  assert.equal(parseRawName("ip.src#[a]"), null);
});

test("layer ranges: 1-based, negative from the last, open-ended", () => {
  assert.equal(inLayers([{ from: 2, length: 1 }], 2, 2), true);
  assert.equal(inLayers([{ from: 2, length: 1 }], 1, 2), false);
  assert.equal(inLayers([{ from: -1, length: 1 }], 3, 3), true);
  assert.equal(inLayers([{ from: 1, length: null }], 5, 5), true);
  assert.equal(inLayers([{ from: 0, length: 1 }], 1, 1), false);
});

test("frame slices are the captured bytes of each frame", async () => {
  const cap = await open(SAMPLE);
  try {
    const last4 = rawColumn("frame[-4:]", cap)!, head = rawColumn("frame[0:6,12:2]", cap)!;
    for (let i = 0; i < cap.count; i++) {
      const b = frameBytes(cap.file, i);
      assert.deepEqual(last4.get(i), b.subarray(b.length - 4));
      assert.deepEqual(head.get(i), Uint8Array.from([...b.subarray(0, 6), ...b.subarray(12, 14)]));
    }
    const beyond = rawColumn("frame[5000:]", cap)!;
    assert.equal(beyond.presentCount(), 0);
    assert.equal(rawColumn("no.such.field#[1:1]", cap), null);
  } finally {
    cap.close();
  }
});

test("ip.src#2 is the IP header quoted in an ICMP error, as tshark's second ip.src", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const cap = await open(SAMPLE);
  try {
    const second = rawColumn("ip.src#[2:1]", cap)!, first = rawColumn("ip.src#[1:1]", cap)!, last = rawColumn("ip.src#[-1:1]", cap)!;
    const rows = await tsharkFields(SAMPLE, ["ip.src"]);
    const text = (v: number) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    rows.forEach(([srcs], i) => {
      const want = srcs.split(",");
      assert.equal(first.has(i) ? text(first.get(i) as number) : "", want[0] ?? "", `frame ${i + 1} ip.src#1`);
      assert.equal(second.has(i) ? text(second.get(i) as number) : "", want[1] ?? "", `frame ${i + 1} ip.src#2`);
      assert.equal(last.has(i) ? text(last.get(i) as number) : "", want[want.length - 1] ?? "", `frame ${i + 1} ip.src#-1`);
    });
    assert.ok(second.presentCount() > 0, "the sample has an ICMP error quoting an IP header");
  } finally {
    cap.close();
  }
});

test("filters over pseudo-columns select what tshark selects on the sample", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const cap = await open(SAMPLE);
  try {
    for (const f of ["ip.src#2", "udp.srcport#[-1] == 50878", 'udp contains "\\x00"', "ip#2[9] == 11", 'frame matches "local"', "icmp[0] == 03", "len(udp) == 8", "frame[-1] == 00"]) {
      const c = compileFilter(f);
      const out = c.run(filterColumns(cap, c.fields), cap.count);
      const got: number[] = [];
      out.forEach((x, i) => { if (x) got.push(i + 1); });
      assert.deepEqual(got, await tsharkFrames(SAMPLE, f), f);
    }
  } finally {
    cap.close();
  }
});
