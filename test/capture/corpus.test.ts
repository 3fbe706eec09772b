// Every capture of the shared corpus against tshark (the oracle): frame count, and per frame captured length,
// original length, exact timestamp, interface and its link type; the SHA-256 against MANIFEST.tsv; the damaged files
// keep the frames before the damage and name its offset.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { formatEpoch } from "../../lib/capture/frame-index.js";
import { readCapture } from "../../lib/capture/read.js";
import { CORPUS, HAVE_CORPUS, HAVE_TSHARK, manifest, need, tsharkFramesAsync } from "./helpers.js";

/** Wireshark's WTAP_ENCAP number -> the LINKTYPE values it is read from (wiretap/pcap-common.c pcap_to_wtap_map). */
const WTAP_TO_LINKTYPE: Record<number, number[]> = {
  1: [1], 7: [12, 14, 101, 228, 229], 15: [0], 25: [113], 141: [239], 161: [256], 210: [276],
};

test("corpus: every capture matches tshark frame by frame", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`) || !need(t, HAVE_TSHARK, "tshark not installed")) return;
  const rows = manifest();
  assert.ok(rows.length >= 50, "the manifest lists the corpus");
  // tshark on three files at a time, ahead of the subtests that await them.
  const results = new Map<string, ReturnType<typeof tsharkFramesAsync>>();
  let next = 0;
  const launch = (): void => {
    if (next >= rows.length) return;
    const r = rows[next++];
    const p = tsharkFramesAsync(path.join(CORPUS, r.path));
    results.set(r.path, p);
    void p.then(launch);
  };
  for (let k = 0; k < 3; k++) launch();
  for (const row of rows) {
    await t.test(row.path, async () => {
      const ts = await results.get(row.path)!;
      const c = await readCapture(path.join(CORPUS, row.path));
      try {
        const { index, info } = c;
        assert.equal(info.sha256, row.sha256, "sha256 as in MANIFEST.tsv");
        assert.equal(index.count, ts.frames.length, "frame count as tshark");
        assert.equal(index.count, row.packets, "frame count as in MANIFEST.tsv");
        assert.equal(info.format, row.linktypes.startsWith("pcapng") ? "pcapng" : "pcap");
        const listed = [...row.linktypes.matchAll(/\((\d+)\)/g)].map((m) => +m[1]).sort((a, b) => a - b);
        assert.deepEqual([...new Set(info.interfaces.map((f) => f.linktype))].sort((a, b) => a - b), listed, "link types as in MANIFEST.tsv");
        ts.frames.forEach((f, i) => {
          const at = `frame ${i + 1}`;
          assert.equal(index.caplen[i], f.caplen, `${at} caplen`);
          assert.equal(index.len[i], f.len, `${at} len`);
          assert.equal(formatEpoch(index.tsSec[i], index.tsNsec[i]), f.time, `${at} time`);
          // Classic pcap has no interface id for tshark; it is interface 0 here.
          assert.equal(String(index.iface[i]), f.iface === "" ? "0" : f.iface, `${at} interface`);
          const lts = WTAP_TO_LINKTYPE[f.encap];
          assert.ok(lts, `${at}: add WTAP encap ${f.encap} to WTAP_TO_LINKTYPE`);
          assert.ok(lts.includes(info.interfaces[index.iface[i]].linktype), `${at} link type ${info.interfaces[index.iface[i]].linktype} vs encap ${f.encap}`);
          assert.ok(index.offset[i] + index.caplen[i] <= c.source.size);
        });
      } finally {
        c.source.close();
      }
    });
  }
});

test("corpus: corrupt record length keeps the 18 packets before it and names the record's offset", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`)) return;
  const c = await readCapture(path.join(CORPUS, "general/corrupt-record-length-smtp.pcap"));
  assert.equal(c.index.count, 18);
  // The damaged record header follows the 18th packet's data.
  const at = c.index.offset[17] + c.index.caplen[17];
  assert.equal(at, 3695);
  assert.deepEqual(c.info.stopped, {
    offset: at, frame: 19,
    message: "damaged record: packet 19 claims a 3925868813-byte packet, bigger than the maximum of 262144 (record header at offset 3695)",
  });
  c.source.close();
});

test("corpus: a file cut short keeps its 2696 whole packets and names where the cut record starts", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`)) return;
  const c = await readCapture(path.join(CORPUS, "general/cut-short-http-mime.pcap"));
  assert.equal(c.index.count, 2696);
  const at = c.index.offset[2695] + c.index.caplen[2695];
  assert.equal(at, c.source.size - 1);
  assert.equal(c.info.stopped?.offset, at);
  assert.match(c.info.stopped?.message ?? "", /^cut short in the middle of a packet record header: 1 of 16 bytes at offset 2715459/);
  c.source.close();
});

test("corpus: pcapng metadata: interface names, comments, resolutions", async (t) => {
  if (!need(t, HAVE_CORPUS, `corpus not found at ${CORPUS}`)) return;
  const c = await readCapture(path.join(CORPUS, "general/pcapng-two-linktypes-comments.pcapng"));
  // As capinfos lists them.
  assert.deepEqual(c.info.interfaces.map((f) => [f.name, f.linktype, f.tsUnitsPerSec]), [["lo", 1, 1e9], [undefined, 113, 1e6]]);
  assert.ok(c.info.interfaces[0].stats, "interface 0 has a statistics block");
  assert.equal(c.info.interfaces[1].stats, undefined);
  assert.equal(c.info.tsPrecision, "mixed");
  assert.ok(c.info.frameComments.size > 0, "per-packet comments");
  const many = await readCapture(path.join(CORPUS, "general/pcapng-many-interfaces.pcapng"));
  assert.equal(many.info.interfaces.length, 11);
  c.source.close();
  many.source.close();
});

test("a missing corpus or tshark skips with a message, but fails when CI=true", () => {
  const saved = process.env.CI;
  try {
    const skipped: string[] = [];
    delete process.env.CI;
    assert.equal(need({ skip: (m) => skipped.push(m ?? "") }, false, "corpus not found at X"), false);
    assert.deepEqual(skipped, ["corpus not found at X"]);
    process.env.CI = "true";
    assert.throws(() => need({ skip: () => undefined }, false, "tshark not installed"), /tshark not installed \(required when CI=true\)/);
    assert.equal(need({ skip: () => undefined }, true, "unused"), true);
  } finally {
    if (saved === undefined) delete process.env.CI; else process.env.CI = saved;
  }
});
