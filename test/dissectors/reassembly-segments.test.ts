// The TCP reassembler alone, fed real MQTT segments from corpus captures (and real stream bytes cut into segments
// again): in order, several packets per segment, packets spanning segments, retransmissions, overlaps, out-of-order
// segments, missing segments (with and without a known packet length), a mid-stream start, memory bounds, sequence
// number wrap-around, snap-length truncation. A DissectContext double records every ctx.call().

import assert from "node:assert/strict";
import { test } from "node:test";
import { mqtt } from "../../lib/dissectors/mqtt.js";
import {
  limits, REASM_GAP, REASM_OUT_OF_ORDER, REASM_OVERFLOW, REASM_OVERLAP, REASM_PDU_DROPPED, REASM_RETRANSMISSION,
  REASM_SKIPPED, REASM_TOO_LARGE, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, reassemble, reassemblyStats, resetReassembly,
} from "../../lib/dissectors/tcp-reassembly.js";
import { requireTool } from "../oracle/tshark.js";
import { corpusFile, framePackets, RecordingContext, rng, type Seg, streamBytes, tcpSegments } from "./mqtt-corpus.js";

/** Feeds segments (their frame numbers become ctx.frame); returns the OR of the REASM_* bits per frame. */
function feed(ctx: RecordingContext, segs: readonly Seg[]): Map<number, number> {
  const bits = new Map<number, number>();
  for (const s of segs) {
    ctx.frame = s.frame;
    const r = reassemble(ctx, s.stream, s.dir, s.seq, s.ack, s.flags, s.b, s.o, s.end, s.rep, mqtt);
    bits.set(s.frame, (bits.get(s.frame) ?? 0) | r);
  }
  return bits;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function load(t: { skip(m?: string): void }, rel: string): Promise<Seg[] | null> {
  if (!requireTool(t, "corpus")) return null;
  const f = corpusFile(rel);
  assert.ok(f, `${rel} is in the corpus`);
  return tcpSegments(f);
}

test("several packets in one segment are dissected in place, from the frame's own bytes", async (t) => {
  // mqtt311-sub-unsub-qos1.pcap #10: "Unsubscribe Request (id=2), Unsubscribe Request (id=3)" in one 24-byte segment.
  const segs = await load(t, "mqtt/mqtt311-sub-unsub-qos1.pcap");
  if (!segs) return;
  const ctx = new RecordingContext();
  feed(ctx, segs);
  const in10 = ctx.calls.filter((c) => c.frame === 9);
  assert.equal(in10.length, 2);
  const seg = segs.find((s) => s.frame === 9)!;
  for (const c of in10) assert.equal(c.b, seg.b, "no copy for a packet inside one segment");
  assert.deepEqual(in10.map((c) => [c.o - seg.o, c.end - c.o, c.rep]), [[0, 12, 12], [12, 12, 12]]);
  assert.deepEqual(in10.map((c) => c.bytes[0]), [0xa2, 0xa2]);
});

test("a packet spanning segments is copied once, exactly its length, and belongs to the frame where it completes", async (t) => {
  // mqtt5-publish-jpeg-reassembly.pcap #9: "Publish Message [topicX]", 35 KB in a 32 KB and a 3 KB segment.
  const segs = await load(t, "mqtt/mqtt5-publish-jpeg-reassembly.pcap");
  if (!segs) return;
  const ctx = new RecordingContext();
  feed(ctx, segs);
  const pub = ctx.calls.filter((c) => c.bytes[0] >> 4 === 3);
  assert.equal(pub.length, 1);
  const c = pub[0];
  assert.equal(c.frame, 8);
  assert.ok(!segs.some((s) => s.b === c.b), "the spanning packet is in a buffer of its own");
  assert.equal(c.o, 0);
  assert.equal(c.b.length, c.end);
  assert.equal(c.rep, c.end);
  const last = segs.find((s) => s.frame === 8)!;
  const ref = framePackets(streamBytes(segs, last.stream, last.dir));
  assert.ok(ref.some((p) => hex(p) === hex(c.bytes)), "byte for byte the packet the stream carries");
  assert.equal(reassemblyStats().buffered, 0, "nothing held once the stream is closed");
});

test("every packet of every clean corpus MQTT stream is delivered once, in order, byte for byte", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const files = ["mqtt311-pub-qos2.pcap", "mqtt311-sub-unsub-qos1.pcap", "mqtt31-pub-qos1.pcap", "mqtt5-pub-mosquitto-props.pcap",
    "mqtt5-sub-mosquitto-props.pcap", "mqtt5-unsub-qos1-with-rst.pcap", "mqtt5-connect-auth-method.pcap",
    "mqtt5-publish-jpeg-reassembly.pcap", "mqtt-long-payloads.pcap", "mqtt-iot-device-vlan-disconnect.pcapng",
    "mqtt31-cloud-broker-keepalive.pcap"];
  let packets = 0;
  for (const f of files) {
    const segs = (await tcpSegments(corpusFile(`mqtt/${f}`)!)).filter((s) => s.sport === 1883 || s.dport === 1883);
    const ctx = new RecordingContext();
    // Each call records which (stream, dir) it came from through the segment fed last.
    const origin: string[] = [];
    for (const s of segs) {
      ctx.frame = s.frame;
      const before = ctx.calls.length;
      reassemble(ctx, s.stream, s.dir, s.seq, s.ack, s.flags, s.b, s.o, s.end, s.rep, mqtt);
      for (let k = before; k < ctx.calls.length; k++) origin.push(`${s.stream}/${s.dir}`);
    }
    for (const key of new Set(segs.map((s) => `${s.stream}/${s.dir}`))) {
      const [st, d] = key.split("/").map(Number);
      const want = framePackets(streamBytes(segs, st, d)).map(hex);
      const got = ctx.calls.filter((_, k) => origin[k] === key).map((c) => hex(c.bytes));
      assert.deepEqual(got, want, `${f} stream ${key}`);
      packets += want.length;
    }
  }
  assert.ok(packets >= 80, `${packets} packets checked`);
});

// ---------------------------------------------------------------- the same bytes, cut into segments again

interface Plan { seq: number; data: Uint8Array }

/** Real client-to-broker bytes of mqtt-long-payloads.pcap (SUBSCRIBE, PUBLISH of up to ~100 KB, DISCONNECT). */
async function longStream(t: { skip(m?: string): void }): Promise<{ isn: number; bytes: Uint8Array; packets: Uint8Array[] } | null> {
  const segs = await load(t, "mqtt/mqtt-long-payloads.pcap");
  if (!segs) return null;
  const syn = segs.find((s) => s.flags === TCP_SYN)!;
  const bytes = streamBytes(segs, syn.stream, syn.dir);
  return { isn: syn.seq, bytes, packets: framePackets(bytes) };
}

/** Cuts bytes (starting at sequence number first) into segments of 1..max bytes. */
function cut(bytes: Uint8Array, first: number, rand: () => number, max = 3000): Plan[] {
  const out: Plan[] = [];
  for (let o = 0; o < bytes.length;) {
    const n = Math.min(bytes.length - o, 1 + Math.floor(rand() * max));
    out.push({ seq: (first + o) >>> 0, data: bytes.subarray(o, o + n) });
    o += n;
  }
  return out;
}

/** Feeds a SYN then the planned segments (frame k + 1 for plan k) on stream 0 direction 0; returns the REASM bits. */
function play(ctx: RecordingContext, isn: number, plan: readonly Plan[], extra?: (k: number) => void): number {
  let bits = 0;
  ctx.frame = 0;
  bits |= reassemble(ctx, 0, 0, isn, 0, TCP_SYN, new Uint8Array(0), 0, 0, 0, mqtt);
  plan.forEach((p, k) => {
    ctx.frame = k + 1;
    const frame = new Uint8Array(p.data.length + 54); // a frame-like buffer: 54 bytes of headers, then the payload
    frame.set(p.data, 54);
    bits |= reassemble(ctx, 0, 0, p.seq, 1, TCP_ACK, frame, 54, frame.length, p.data.length, mqtt);
    extra?.(k);
  });
  return bits;
}

/** The frame in which each packet's last byte first becomes contiguous with the stream start. */
function completionFrames(isn: number, plan: readonly Plan[], packets: readonly Uint8Array[]): number[] {
  const have = new Uint8Array(packets.reduce((a, p) => a + p.length, 0));
  const ends: number[] = [];
  let e = 0;
  for (const p of packets) ends.push(e += p.length);
  const frames: number[] = new Array(packets.length).fill(-1);
  let front = 0, next = 0;
  plan.forEach((p, k) => {
    const start = (p.seq - isn - 1) | 0;
    for (let i = Math.max(start, 0); i < start + p.data.length && i < have.length; i++) have[i] = 1;
    while (front < have.length && have[front]) front++;
    while (next < ends.length && ends[next] <= front) frames[next++] = k + 1;
  });
  return frames;
}

test("re-cut, retransmitted, overlapping and reordered segments give the same packets, each in its completing frame", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  const want = s.packets.map(hex);
  for (let seed = 1; seed <= 12; seed++) {
    const rand = rng(seed);
    let plan = cut(s.bytes, s.isn + 1, rand, seed % 3 === 0 ? 40 : 3000);
    const kinds: string[] = [];
    if (seed % 2 === 0) {
      // Retransmissions: a copy of an earlier segment, whole.
      const out: Plan[] = [];
      for (const p of plan) { out.push(p); if (rand() < 0.2) out.push(out[Math.floor(rand() * out.length)]); }
      plan = out;
      kinds.push("retransmission");
    }
    if (seed % 4 === 1) {
      // Overlaps: a segment that starts inside the previous one (with the same bytes, since it is the same stream).
      plan = plan.map((p, k) => {
        if (k === 0 || rand() > 0.3) return p;
        const back = Math.min(plan[k - 1].data.length, 1 + Math.floor(rand() * 20));
        const off = ((p.seq - s.isn - 1) | 0) - back;
        return { seq: (s.isn + 1 + off) >>> 0, data: s.bytes.subarray(off, off + back + p.data.length) };
      });
      kinds.push("overlap");
    }
    if (seed % 3 !== 2) {
      // Out of order: swap neighbours.
      for (let k = 0; k + 1 < plan.length; k += 2) if (rand() < 0.3) [plan[k], plan[k + 1]] = [plan[k + 1], plan[k]];
      kinds.push("out of order");
    }
    const ctx = new RecordingContext();
    const bits = play(ctx, s.isn, plan);
    assert.deepEqual(ctx.calls.map((c) => hex(c.bytes)), want, `seed ${seed} (${kinds.join(", ")})`);
    assert.deepEqual(ctx.calls.map((c) => c.frame), completionFrames(s.isn, plan, s.packets), `seed ${seed}: frames`);
    assert.equal(bits & (REASM_GAP | REASM_PDU_DROPPED | REASM_SKIPPED), 0, `seed ${seed}: nothing lost`);
    if (kinds.includes("out of order")) assert.ok(bits & REASM_OUT_OF_ORDER);
    if (kinds.includes("retransmission")) assert.ok(bits & REASM_RETRANSMISSION);
    if (kinds.includes("overlap")) assert.ok(bits & REASM_OVERLAP);
  }
});

test("sequence numbers wrap around 2^32 without a hiccup", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  const isn = 0xffffffff - 5000;
  const ctx = new RecordingContext();
  play(ctx, isn, cut(s.bytes, (isn + 1) >>> 0, rng(7)));
  assert.deepEqual(ctx.calls.map((c) => hex(c.bytes)), s.packets.map(hex));
});

/** Plan index of the segment holding stream offset `at`. */
const segAt = (plan: Plan[], isn: number, at: number) => plan.findIndex((p) => {
  const o = (p.seq - isn - 1) | 0;
  return o <= at && at < o + p.data.length;
});

test("a segment lost inside a packet of known length: that packet is dropped, the next one decodes", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  // The biggest PUBLISH; lose a segment strictly inside it. The broker's ACK past the hole says it was sent.
  const big = s.packets.reduce((m, p, k) => (p.length > s.packets[m].length ? k : m), 0);
  const start = s.packets.slice(0, big).reduce((a, p) => a + p.length, 0);
  const plan = cut(s.bytes, s.isn + 1, rng(3), 1000);
  const lost = segAt(plan, s.isn, start + 5000);
  assert.ok(lost > 0 && segAt(plan, s.isn, start) < lost && segAt(plan, s.isn, start + s.packets[big].length - 1) > lost);
  const kept = plan.filter((_, k) => k !== lost);
  const ctx = new RecordingContext();
  let bits = 0;
  const ackAfter = kept.indexOf(plan[lost + 1]);
  const played = play(ctx, s.isn, kept, (k) => {
    if (k !== ackAfter) return;
    const p = kept[k];
    ctx.frame = 10000;
    bits |= reassemble(ctx, 0, 1, 1, (p.seq + p.data.length) >>> 0, TCP_ACK, new Uint8Array(0), 0, 0, 0, mqtt);
  });
  bits |= played;
  const want = s.packets.filter((_, k) => k !== big).map(hex);
  assert.deepEqual(ctx.calls.map((c) => hex(c.bytes)), want);
  assert.equal(bits & (REASM_GAP | REASM_PDU_DROPPED), REASM_GAP | REASM_PDU_DROPPED);
  assert.equal(bits & REASM_SKIPPED, 0, "the packet's length told where the next one starts");
  assert.ok(bits & REASM_OUT_OF_ORDER, "the segment after the hole waited for the ACK");
});

test("a segment lost across packet boundaries: the stream finds a packet start again (heuristic)", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  // Lose the bytes from inside packet 2 (SUBSCRIBE ... PUBLISH) to inside a later packet: no length to go by.
  const ends: number[] = [];
  s.packets.reduce((a, p) => (ends.push(a + p.length), a + p.length), 0);
  const plan: Plan[] = [];
  const holeFrom = ends[1] - 3, holeTo = ends[2] + 7;
  plan.push({ seq: (s.isn + 1) >>> 0, data: s.bytes.subarray(0, holeFrom) });
  for (const p of cut(s.bytes.subarray(holeTo), s.isn + 1 + holeTo, rng(11), 1500)) plan.push(p);
  const ctx = new RecordingContext();
  let bits = play(ctx, s.isn, plan.slice(0, 1));
  ctx.frame = 5000; // the broker's ACK shows the hole was sent
  bits |= reassemble(ctx, 0, 1, 1, (s.isn + 1 + holeTo) >>> 0, TCP_ACK, new Uint8Array(0), 0, 0, 0, mqtt);
  plan.slice(1).forEach((p, k) => {
    ctx.frame = 6000 + k;
    const f = new Uint8Array(p.data);
    bits |= reassemble(ctx, 0, 0, p.seq, 1, TCP_ACK, f, 0, f.length, f.length, mqtt);
  });
  const firstAfter = ends.findIndex((_e, k) => k > 0 && ends[k - 1] >= holeTo);
  const want = [...s.packets.slice(0, 1), ...s.packets.slice(firstAfter)].map(hex);
  assert.deepEqual(ctx.calls.map((c) => hex(c.bytes)), want);
  assert.ok(bits & REASM_GAP && bits & REASM_SKIPPED && bits & REASM_PDU_DROPPED);
  assert.equal(reassemblyStats().skippedBytes, ends[firstAfter - 1] - holeTo);
});

test("the peer's ACK of bytes never captured declares the gap at once (a capture that missed the CONNECT)", async (t) => {
  // mqtt-missing-connect-mixed-flows.pcap: #15 "[TCP ACKed unseen segment]" ACK=17 from the broker, #22 "Subscribe
  // Request (id=1) [house/bulbs/bulb1]" at Seq=17, then "[TCP ACKed unseen segment], Subscribe Ack (id=1)" in #23.
  const segs = await load(t, "mqtt/mqtt-missing-connect-mixed-flows.pcap");
  if (!segs) return;
  const mq = segs.filter((s) => s.sport === 1883 || s.dport === 1883);
  const ctx = new RecordingContext();
  const bits = feed(ctx, mq);
  assert.ok((bits.get(14)! & REASM_GAP) !== 0, "frame 15's ACK shows 16 bytes of the client were not captured");
  const byFrame = (f: number) => ctx.calls.filter((c) => c.frame === f).map((c) => c.bytes[0]);
  assert.deepEqual(byFrame(21), [0x82], "frame 22: SUBSCRIBE");
  assert.deepEqual(byFrame(22), [0x90], "frame 23: SUBACK");
  assert.deepEqual(byFrame(15), [0x20], "frame 16: CONNACK");
});

test("a capture that starts mid-stream takes its first byte as a packet start; a 1-byte header waits for the rest", async (t) => {
  // mqtt-midstream-split.pcap: #2 carries 1 byte (0x20), #4 the other 51 of "Connect Ack"; #6, #8, #10 carry
  // "Publish Message [topicX]" (35 771 bytes); #12 "Disconnect Req".
  const segs = await load(t, "mqtt/mqtt-midstream-split.pcap");
  if (!segs) return;
  const ctx = new RecordingContext();
  feed(ctx, segs);
  assert.deepEqual(ctx.calls.map((c) => [c.frame + 1, c.bytes[0], c.end - c.o]), [[4, 0x20, 52], [10, 0x30, 35771], [12, 0xe0, 2]]);
  assert.equal(reassemblyStats().buffered, 0);
});

test("out-of-order bytes beyond limits.maxOutOfOrder declare the hole lost", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  const saved = { ...limits };
  limits.maxOutOfOrder = 4000;
  try {
    const plan = cut(s.bytes, s.isn + 1, rng(5), 700);
    const lost = segAt(plan, s.isn, 200); // inside the first PUBLISH's header region: resync needed
    const ctx = new RecordingContext();
    const bits = play(ctx, s.isn, plan.filter((_, k) => k !== lost));
    assert.ok(bits & REASM_OVERFLOW && bits & REASM_GAP);
    assert.ok(reassemblyStats().peak <= 4000 + s.packets.reduce((m, p) => Math.max(m, p.length), 0));
    const got = ctx.calls.map((c) => hex(c.bytes));
    const want = s.packets.map(hex);
    assert.ok(got.length >= want.length - 3 && got.every((g) => want.includes(g)), "later packets decode, and only real ones");
  } finally {
    Object.assign(limits, saved);
  }
});

test("a packet longer than limits.maxPdu is skipped, and the stream stays in step", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  const saved = { ...limits };
  limits.maxPdu = 10000;
  try {
    const ctx = new RecordingContext();
    const bits = play(ctx, s.isn, cut(s.bytes, s.isn + 1, rng(9), 1400));
    assert.ok(bits & REASM_TOO_LARGE);
    // Segments are at most 1400 bytes, so every packet over 10000 bytes spans segments and is skipped.
    assert.deepEqual(ctx.calls.map((c) => hex(c.bytes)), s.packets.filter((p) => p.length <= 10000).map(hex));
    assert.ok(reassemblyStats().peak <= 10000);
  } finally {
    Object.assign(limits, saved);
  }
});

test("memory is held only for the packet under construction, and released at FIN and at RST", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  resetReassembly();
  const ctx = new RecordingContext();
  const plan = cut(s.bytes, s.isn + 1, rng(2), 1400);
  play(ctx, s.isn, plan);
  const largest = s.packets.reduce((m, p) => Math.max(m, p.length), 0);
  assert.ok(reassemblyStats().peak <= largest, `peak ${reassemblyStats().peak} <= largest packet ${largest}`);
  ctx.frame++;
  const end = (s.isn + 1 + s.bytes.length) >>> 0;
  reassemble(ctx, 0, 0, end, 1, TCP_FIN | TCP_ACK, new Uint8Array(0), 0, 0, 0, mqtt);
  assert.equal(reassemblyStats().buffered, 0);
  // RST in the middle of a packet: what was held goes.
  const ctx2 = new RecordingContext();
  play(ctx2, s.isn, plan.slice(0, 30));
  assert.ok(reassemblyStats().buffered > 0);
  ctx2.frame = 99;
  const bits = reassemble(ctx2, 0, 1, 1, 0, TCP_RST, new Uint8Array(0), 0, 0, 0, mqtt);
  assert.equal(bits & REASM_PDU_DROPPED, REASM_PDU_DROPPED);
  assert.equal(reassemblyStats().buffered, 0);
  // After the RST, the stream ignores data until a new SYN.
  ctx2.frame = 100;
  const p = plan[30];
  reassemble(ctx2, 0, 0, p.seq, 1, TCP_ACK, p.data, 0, p.data.length, p.data.length, mqtt);
  assert.equal(reassemblyStats().buffered, 0);
});

test("a segment cut by the snap length: the packet is dissected with what was captured, the stream goes on", async (t) => {
  const s = await longStream(t);
  if (!s) return;
  const plan = cut(s.bytes, s.isn + 1, rng(4), 1400);
  const big = s.packets.findIndex((p) => p.length > 5000);
  const start = s.packets.slice(0, big).reduce((a, p) => a + p.length, 0);
  const k = segAt(plan, s.isn, start + 2000);
  const ctx = new RecordingContext();
  let bits = 0;
  ctx.frame = 0;
  reassemble(ctx, 0, 0, s.isn, 0, TCP_SYN, new Uint8Array(0), 0, 0, 0, mqtt);
  plan.forEach((p, i) => {
    ctx.frame = i + 1;
    const cap = i === k ? Math.min(100, p.data.length) : p.data.length; // snap length: only 100 bytes kept
    bits |= reassemble(ctx, 0, 0, p.seq, 1, TCP_ACK, p.data, 0, cap, p.data.length, mqtt);
  });
  const cutCall = ctx.calls.find((c) => c.frame === k + 1 && c.rep === s.packets[big].length)!;
  assert.ok(cutCall.end - cutCall.o < cutCall.rep, "the cut packet arrives with fewer captured bytes than reported");
  assert.equal(bits & REASM_SKIPPED, 0);
  assert.deepEqual(ctx.calls.filter((c) => c !== cutCall).map((c) => hex(c.bytes)), s.packets.filter((_, i) => i !== big).map(hex));
});
