// Fuzzing mqtt.ts and the TCP reassembler with mutated real MQTT packets (deterministic seeds): nothing throws,
// nothing hangs, every value has its field's type, nothing is read outside the layer, and the reassembler's memory
// accounting stays within its bounds and returns to zero when streams end.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { FieldDef, FieldValue } from "../../lib/dissectors/field.js";
import { mqtt, summary } from "../../lib/dissectors/mqtt.js";
import {
  limits, reassemble, reassemblyStats, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN,
} from "../../lib/dissectors/tcp-reassembly.js";
import { requireTool } from "../oracle/tshark.js";
import { corpusFile, framePackets, RecordingContext, rng, streamBytes, tcpSegments } from "./mqtt-corpus.js";

const FILES = ["mqtt311-pub-qos2.pcap", "mqtt311-sub-unsub-qos1.pcap", "mqtt31-pub-qos1.pcap", "mqtt5-pub-mosquitto-props.pcap",
  "mqtt5-sub-mosquitto-props.pcap", "mqtt5-unsub-qos1-with-rst.pcap", "mqtt5-connect-auth-method.pcap", "mqtt-long-payloads.pcap",
  "mqtt31-cloud-broker-keepalive.pcap"];

/** Real MQTT packets of the corpus (each direction of each clean stream, split by the reference framing). */
async function realPackets(): Promise<{ packets: Uint8Array[]; streams: Uint8Array[] }> {
  const packets: Uint8Array[] = [], streams: Uint8Array[] = [];
  for (const f of FILES) {
    const segs = (await tcpSegments(corpusFile(`mqtt/${f}`)!)).filter((s) => s.sport === 1883 || s.dport === 1883);
    for (const key of new Set(segs.map((s) => `${s.stream}/${s.dir}`))) {
      const [st, d] = key.split("/").map(Number);
      const bytes = streamBytes(segs, st, d);
      if (bytes.length === 0) continue;
      streams.push(bytes);
      for (const p of framePackets(bytes)) if (p.length < 5000) packets.push(p);
    }
  }
  return { packets, streams };
}

/** Changes 1-4 bytes, or cuts, or appends random bytes. */
function mutate(p: Uint8Array, rand: () => number): Uint8Array {
  const r = rand();
  if (r < 0.15) return p.slice(0, Math.floor(rand() * p.length));
  let b = p.slice();
  if (r < 0.25) {
    b = new Uint8Array(p.length + 1 + Math.floor(rand() * 20));
    b.set(p);
    for (let i = p.length; i < b.length; i++) b[i] = Math.floor(rand() * 256);
  }
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n && b.length > 0; k++) {
    // Favour the fixed header and length fields, where the interesting branches are.
    const at = rand() < 0.4 ? Math.floor(rand() * Math.min(8, b.length)) : Math.floor(rand() * b.length);
    b[at] = rand() < 0.3 ? [0x00, 0x7f, 0x80, 0xff, 0x01][Math.floor(rand() * 5)] : Math.floor(rand() * 256);
  }
  return b;
}

const NUMERIC = new Set(["uint8", "uint16", "uint32", "uint64", "bool", "none"]);
const MAX: Record<string, number> = { uint8: 0xff, uint16: 0xffff, uint32: 0xffffffff, bool: 1, none: 1, uint64: 2 ** 53 };

function checkValue(f: FieldDef, v: FieldValue): void {
  if (v === undefined) return;
  if (NUMERIC.has(f.type)) {
    assert.equal(typeof v, "number", f.abbrev);
    assert.ok(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX[f.type], `${f.abbrev} = ${v}`);
  } else if (f.type === "string") assert.equal(typeof v, "string", f.abbrev);
  else if (f.type === "bytes") assert.ok(v instanceof Uint8Array, f.abbrev);
}

/** Reads every field and the summary of each recorded mqtt layer through a view of exactly the layer's bytes. */
function readAll(ctx: RecordingContext): void {
  for (const l of ctx.layers) {
    assert.ok(l.o <= l.end && l.end <= l.b.length, "layer inside its buffer");
    // Getters must read only b[o..end): give them a view that ends at `end` and starts at `o`.
    const view = l.b.subarray(l.o, l.end);
    for (const f of mqtt.fields) {
      if (f.get) checkValue(f, f.get(view, 0, view.length, l.rep, l.aux));
      else if (f.each) f.each(view, 0, view.length, l.rep, l.aux, (v) => { assert.notEqual(v, undefined, f.abbrev); checkValue(f, v); });
    }
    assert.equal(typeof summary(view, 0, view.length, l.rep, l.aux), "string");
  }
}

test("mqtt.ts on thousands of mutated real packets: no exception, typed values, reads only its layer", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const { packets } = await realPackets();
  assert.ok(packets.length >= 60, `${packets.length} real packets`);
  const rand = rng(20240601);
  const started = Date.now();
  let cases = 0;
  for (; cases < 50000 && Date.now() - started < 12000; cases++) {
    const p = packets[Math.floor(rand() * packets.length)];
    const b = mutate(p, rand);
    const r = mqtt.pduLength(b, 0, b.length);
    assert.ok(r === -1 || r === 0 || (r > 0 && Number.isInteger(r)));
    assert.ok([-1, 0, 1].includes(mqtt.heuristic!(b, 0, b.length)));
    const ctx = new RecordingContext(true);
    mqtt.reset!();
    // The connection's version: from a real CONNECT of the right level, sometimes none.
    const ver = [0, 3, 4, 5][Math.floor(rand() * 4)];
    if (ver > 0) {
      const connect = packets.find((q) => q[0] === 0x10 && q[q[1] < 128 ? 2 + (q[3] === 4 ? 6 : 8) : 0] === ver);
      if (connect) ctx.dissect(mqtt, connect, 0, connect.length, connect.length);
    }
    ctx.frame = 1;
    const end = rand() < 0.8 ? b.length : Math.floor(rand() * (b.length + 1));
    const rep = rand() < 0.8 ? b.length : end + Math.floor(rand() * 100);
    ctx.dissect(mqtt, b, 0, end, rep);
    readAll(ctx);
  }
  t.diagnostic(`${cases} mutated packets in ${Date.now() - started} ms`);
  assert.ok(cases >= 5000);
});

test("the reassembler on mutated, re-cut, reordered and truncated real streams: no exception, bounded memory", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const { streams } = await realPackets();
  const saved = { ...limits };
  limits.maxPdu = 1 << 20;
  limits.maxOutOfOrder = 64 << 10;
  limits.maxTotal = 4 << 20;
  const rand = rng(777);
  const started = Date.now();
  let runs = 0, segments = 0, calls = 0;
  try {
    for (; runs < 6000 && Date.now() - started < 12000; runs++) {
      const ctx = new RecordingContext(runs % 4 === 0);
      mqtt.reset!();
      const nStreams = 1 + Math.floor(rand() * 3);
      const isn = Math.floor(rand() * 2 ** 32);
      const plans: { stream: number; seq: number; data: Uint8Array; flags: number }[] = [];
      for (let s = 0; s < nStreams; s++) {
        let bytes = streams[Math.floor(rand() * streams.length)];
        if (rand() < 0.7) bytes = mutate(bytes, rand);
        plans.push({ stream: s, seq: isn, data: new Uint8Array(0), flags: rand() < 0.8 ? TCP_SYN : TCP_ACK });
        for (let o = 0; o < bytes.length;) {
          const n = Math.min(bytes.length - o, 1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 2000)));
          plans.push({ stream: s, seq: (isn + 1 + o) >>> 0, data: bytes.subarray(o, o + n), flags: TCP_ACK });
          o += n;
        }
        plans.push({ stream: s, seq: (isn + 1 + bytes.length) >>> 0, data: new Uint8Array(0), flags: rand() < 0.8 ? TCP_FIN | TCP_ACK : TCP_RST });
      }
      // Disorder: swaps, duplicates, drops, bogus sequence numbers.
      for (let k = 0; k + 1 < plans.length; k++) {
        const r = rand();
        if (r < 0.05) [plans[k], plans[k + 1]] = [plans[k + 1], plans[k]];
        else if (r < 0.08) plans.splice(k, 0, plans[Math.floor(rand() * (k + 1))]);
        else if (r < 0.10 && plans[k].data.length > 0) plans.splice(k, 1);
        else if (r < 0.11) plans[k] = { ...plans[k], seq: Math.floor(rand() * 2 ** 32) };
      }
      plans.forEach((p, k) => {
        ctx.frame = k;
        const dir = rand() < 0.1 ? 1 : 0;
        const ack = rand() < 0.05 ? Math.floor(rand() * 2 ** 32) : (isn + Math.floor(rand() * 3000)) >>> 0;
        const cap = rand() < 0.03 ? Math.floor(rand() * p.data.length) : p.data.length;
        reassemble(ctx, p.stream, dir, p.seq, ack, p.flags, p.data, 0, cap, p.data.length, mqtt);
        const st = reassemblyStats();
        assert.ok(st.buffered >= 0 && st.buffered <= limits.maxTotal + limits.maxOutOfOrder, `buffered ${st.buffered}`);
        segments++;
      });
      for (const c of ctx.calls) assert.ok(c.o >= 0 && c.o <= c.end && c.end <= c.b.length && c.rep >= c.end - c.o);
      calls += ctx.calls.length;
      if (ctx.run) readAll(ctx);
      // Closing every stream from both sides releases everything.
      for (let s = 0; s < nStreams; s++) for (const dir of [0, 1]) reassemble(ctx, s, dir, 0, 0, TCP_RST, new Uint8Array(0), 0, 0, 0, mqtt);
      assert.equal(reassemblyStats().buffered, 0);
    }
  } finally {
    Object.assign(limits, saved);
  }
  t.diagnostic(`${runs} runs, ${segments} segments, ${calls} packets dissected in ${Date.now() - started} ms`);
  assert.ok(runs >= 500);
});
