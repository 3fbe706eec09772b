// Test helpers for the MQTT and reassembly tests: real TCP segments out of real captures (a minimal Ethernet / VLAN /
// IPv4 / IPv6 / TCP walk, independent of the project's own dissectors, so the reassembler can be tested alone), a
// reference framing of a clean byte stream into MQTT packets, and a DissectContext double that records calls.

import * as fs from "node:fs";
import * as path from "node:path";
import { frameBytes } from "../../lib/capture/chunks.js";
import { readCapture } from "../../lib/capture/read.js";
import type { DissectContext, Dissector } from "../../lib/dissectors/dissector.js";
import { HandoffTables } from "../../lib/dissectors/handoff.js";
import { corpusDir } from "../oracle/tshark.js";

/** One TCP segment of a capture: the frame's bytes and where its payload is. */
export interface Seg {
  /** 0-based frame index. */
  frame: number;
  b: Uint8Array;
  /** Payload start and end (captured) in b, and its length on the wire. */
  o: number;
  end: number;
  rep: number;
  seq: number;
  ack: number;
  flags: number;
  sport: number;
  dport: number;
  /** Dense stream number (by endpoint pair, in order of first sight) and direction (0: first sender). */
  stream: number;
  dir: number;
}

/** A corpus capture's path, or null when the corpus is not there. */
export function corpusFile(rel: string): string | null {
  const p = path.join(corpusDir(), rel);
  return fs.existsSync(p) ? p : null;
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => (((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0);

/** Every TCP segment of an Ethernet capture, in frame order (frames that are not Ethernet/IP/TCP are skipped). */
export async function tcpSegments(file: string): Promise<Seg[]> {
  const cap = await readCapture(file);
  const out: Seg[] = [];
  const streams = new Map<string, { id: number; first: string }>();
  try {
    for (let i = 0; i < cap.index.count; i++) {
      const b = frameBytes(cap, i);
      let p = 12, type = u16(b, p);
      while (type === 0x8100 || type === 0x88a8) { p += 4; type = u16(b, p); }
      p += 2;
      let src: string, dst: string, ipEnd: number;
      if (type === 0x0800) {
        if (b[p + 9] !== 6) continue;
        ipEnd = p + u16(b, p + 2);
        src = b.subarray(p + 12, p + 16).join(".");
        dst = b.subarray(p + 16, p + 20).join(".");
        p += (b[p] & 15) * 4;
      } else if (type === 0x86dd) {
        if (b[p + 6] !== 6) continue;
        ipEnd = p + 40 + u16(b, p + 4);
        src = Buffer.from(b.subarray(p + 8, p + 24)).toString("hex");
        dst = Buffer.from(b.subarray(p + 24, p + 40)).toString("hex");
        p += 40;
      } else continue;
      const sport = u16(b, p), dport = u16(b, p + 2);
      const hl = (b[p + 12] >> 4) * 4;
      const a = `${src}/${sport}`, z = `${dst}/${dport}`;
      const key = a < z ? `${a}-${z}` : `${z}-${a}`;
      let s = streams.get(key);
      if (!s) streams.set(key, s = { id: streams.size, first: a });
      const o = p + hl, rep = ipEnd - o;
      out.push({
        frame: i, b, o, end: Math.min(b.length, ipEnd), rep, seq: u32(b, p + 4), ack: u32(b, p + 8), flags: b[p + 13],
        sport, dport, stream: s.id, dir: s.first === a ? 0 : 1,
      });
    }
  } finally {
    cap.source.close();
  }
  return out;
}

/** The bytes a direction sent, in sequence order, from a clean capture (no loss, no retransmission). */
export function streamBytes(segs: readonly Seg[], stream: number, dir: number): Uint8Array {
  const parts = segs.filter((s) => s.stream === stream && s.dir === dir && s.end > s.o).map((s) => s.b.subarray(s.o, s.end));
  return Buffer.concat(parts);
}

/** Splits a clean MQTT byte stream into its control packets (the reference framing). */
export function framePackets(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    let v = 0, mul = 1, i = 1;
    for (;;) {
      const c = bytes[o + i++];
      v += (c & 127) * mul;
      mul *= 128;
      if (c < 128) break;
    }
    const n = i + v;
    if (o + n > bytes.length) break;
    out.push(bytes.slice(o, o + n));
    o += n;
  }
  return out;
}

/** One ctx.call() a test double saw. */
export interface Call {
  frame: number;
  d: Dissector;
  b: Uint8Array;
  o: number;
  end: number;
  rep: number;
  /** Copy of b[o..end) at the time of the call. */
  bytes: Uint8Array;
}

/** A layer a test double recorded. */
export interface Rec {
  frame: number;
  d: Dissector;
  b: Uint8Array;
  o: number;
  end: number;
  rep: number;
  aux: number;
}

/**
 * A DissectContext double: records calls and, when `run` is true, runs the called dissector chain like walk.ts does
 * (so layers and problems are recorded too).
 */
export class RecordingContext implements DissectContext {
  frame = 0;
  linktype = 1;
  time = 0;
  /** One shared (empty) set of tables: building one per context would dominate fuzzing time. */
  get tables(): HandoffTables { return (RecordingContext.shared ??= new HandoffTables()); }
  private static shared: HandoffTables | undefined;
  /** A full pass: conversations numbered, every payload followed. */
  readonly tcpStreams = true;
  readonly udpStreams = true;
  follows(): boolean { return true; }
  followsTcp(): boolean { return true; }
  followsUdp(): boolean { return true; }
  nextOff = 0;
  nextEnd = 0;
  nextRep = 0;
  key = 0;
  readonly calls: Call[] = [];
  readonly layers: Rec[] = [];
  readonly problems: { frame: number; proto: string; reason: string }[] = [];
  private buf: Uint8Array | null = null;
  private switched: Uint8Array | null = null;

  constructor(readonly run = false) {}

  layer(d: Dissector, o: number, end: number, rep: number, aux = 0): number {
    this.layers.push({ frame: this.frame, d, b: this.buf!, o, end, rep, aux });
    return this.layers.length - 1;
  }
  malformed(proto: string, reason: string): void {
    this.problems.push({ frame: this.frame, proto, reason });
  }
  useBuffer(bytes: Uint8Array): Uint8Array {
    this.switched = bytes;
    this.buf = bytes;
    return bytes;
  }
  call(d: Dissector, b: Uint8Array, o: number, end: number, rep: number): void {
    this.calls.push({ frame: this.frame, d, b, o, end, rep, bytes: b.slice(o, end) });
    if (this.run) this.dissect(d, b, o, end, rep);
  }
  /** Runs a chain from d over b[o..end), like walk.ts's dissectFrame (exceptions propagate: tests want to see them). */
  dissect(d: Dissector | null, b: Uint8Array, o: number, end: number, rep: number): void {
    const savedBuf = this.buf, savedSwitched = this.switched;
    this.buf = b;
    this.switched = null;
    for (let depth = 0; d !== null && depth < 48; depth++) {
      const next: Dissector | null = d.dissect(this, b, o, end, rep);
      if (next === null) break;
      if (this.switched !== null) { b = this.switched; this.switched = null; }
      o = this.nextOff; end = this.nextEnd; rep = this.nextRep;
      this.buf = b;
      d = next;
    }
    this.buf = savedBuf;
    this.switched = savedSwitched;
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
