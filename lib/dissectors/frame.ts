// The frame pseudo-protocol (Wireshark epan/dissectors/packet-frame.c): what the capture file says about each frame,
// derived from the frame index and the layer table rather than from packet bytes.

import { Column, ColumnBuilder } from "../decode/column.js";
import { levelsOf } from "../decode/compact.js";
import { rowNumbers } from "../decode/row-numbers.js";
import type { Level, NumArray, Value } from "../decode/level.js";
import type { CaptureFile, InterfaceInfo } from "../capture/types.js";
import type { DeriveSource, FieldDef } from "./field.js";

// Columns here are built as levels directly (no Sink, nothing boxed per frame): a value for every frame is one typed
// array ("all" layout), narrowed by levelsOf's dense path; strings are dictionary codes.
//
// The frame index's arrays (lib/capture/frame-index.ts) are never written once readCapture has returned (it trims
// them to views of exactly `count` entries; nothing in lib writes an index afterwards), so frame.len,
// frame.cap_len and frame.file_off are views of them (indexView) rather than copies.

/** Frame fields read the frame index only, except those built from every layer (they need the full pass). */
const FROM_INDEX = { deriveDepth: "index" } as const;
const FROM_ALL_LAYERS = {} as const;

/** A field whose column `make` builds (given the field's own definition). */
function derived(field: Omit<FieldDef, "derive">, make: (def: FieldDef, src: DeriveSource) => Column, depth: Partial<FieldDef> = FROM_INDEX): FieldDef {
  const def: FieldDef = { ...field, ...depth, derive: (src) => make(def, src) };
  return def;
}

/** A column present in every frame, its values by frame in a typed array (narrowed; not modified, may be kept). */
function everyFrame(field: Omit<FieldDef, "derive">, make: (src: DeriveSource, n: number) => NumArray, depth: Partial<FieldDef> = FROM_INDEX): FieldDef {
  return derived(field, (def, src) => {
    const n = src.file.index.count;
    // levelsOf's dense path without a presence array: one pass for the narrowest kind, no Sink.
    return Column.of(def, n, levelsOf(def, n, make(src, n), null, null));
  }, depth);
}

/**
 * A column of every frame that is a view of one of the frame index's arrays, as it is: not narrowed, since a
 * narrower copy would cost memory the index's array (which stays) already holds (frame.len would be 4 MB more on
 * 2M frames).
 */
function indexView(field: Omit<FieldDef, "derive">, array: (src: DeriveSource) => NumArray): FieldDef {
  return derived(field, (def, src) => {
    const n = src.file.index.count;
    return Column.of(def, n, allFrames(n, { kind: "num", data: array(src).subarray(0, n) }));
  });
}

/** One level holding `enc` in every one of n frames (none when there are no frames). */
function allFrames(n: number, enc: Level["enc"]): Level[] {
  return n === 0 ? [] : [{ layout: "all", bits: null, valid: null, rows: null, repeat: false, count: n, enc }];
}

/** Epoch seconds of every frame as a double, computed once per index (frame.time and frame.time_epoch share it). */
const epochs = new WeakMap<object, Float64Array>();
function epochSeconds(file: CaptureFile): Float64Array {
  let t = epochs.get(file.index);
  if (t === undefined) {
    const { tsSec, tsNsec, count } = file.index;
    t = new Float64Array(count);
    for (let i = 0; i < count; i++) t[i] = tsSec[i] + tsNsec[i] / 1e9;
    epochs.set(file.index, t);
  }
  return t;
}

/**
 * Seconds of every frame since the previous frame (`previous`) or since the first. Differences are taken on the
 * exact (sec, nsec) pairs, so nanosecond deltas survive large epochs. Collected as they come (row-numbers.ts): the
 * time between frames takes few distinct values and becomes codes without a column of doubles first (16 MB of
 * garbage at the end of a full decode of 2M frames, its highest point).
 */
function deltas(def: FieldDef, src: DeriveSource, previous: boolean): Column {
  const { tsSec, tsNsec, count } = src.file.index, out = rowNumbers(def, count, count);
  for (let i = 0; i < count; i++) {
    const j = previous && i > 0 ? i - 1 : 0;
    out.put(i, (tsSec[i] - tsSec[j]) + (tsNsec[i] - tsNsec[j]) / 1e9);
  }
  return out.finish();
}

/**
 * A pcapng interface property of every frame (`value` of the frame's interface, absent where undefined): computed
 * once per distinct interface index, held as dictionary codes.
 */
function perInterface(def: FieldDef, src: DeriveSource, value: (ifc: InterfaceInfo | undefined) => string | number | undefined): Column {
  const { index, info } = src.file, n = index.count, iface = index.iface;
  const code = new Int32Array(65536).fill(-2), dict: Value[] = [];
  let present = 0;
  for (let i = 0; i < n; i++) {
    let c = code[iface[i]];
    if (c === -2) {
      const v = value(info.interfaces[iface[i]]);
      c = v === undefined ? -1 : dict.indexOf(v);
      if (v !== undefined && c < 0) { c = dict.length; dict.push(v); }
      code[iface[i]] = c;
    }
    if (c >= 0) present++;
  }
  if (present === 0) return Column.of(def, n, []);
  const bits = present === n ? null : new Uint8Array((n + 7) >>> 3), codes = dict.length === 1 ? null : dict.length <= 256 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const c = code[iface[i]];
    if (c < 0) continue;
    if (bits) bits[i >>> 3] |= 1 << (i & 7);
    if (codes) codes[i] = c;
  }
  const enc: Level["enc"] = codes === null ? { kind: "const", value: dict[0] } : { kind: "dict", codes, dict };
  return Column.of(def, n, [{ layout: bits ? "bits" : "all", bits, valid: null, rows: null, repeat: false, count: present, enc }]);
}

/** A string column from per-frame lists (comments, problems): one occurrence per entry, frames in order. */
function fromLists(def: FieldDef, n: number, lists: ReadonlyMap<number, readonly string[]>, join: boolean): Column {
  const b = new ColumnBuilder(def);
  for (const i of [...lists.keys()].filter((i) => i >= 0 && i < n).sort((x, y) => x - y)) {
    const l = lists.get(i)!;
    if (join) b.push(i, l.join("; "));
    else for (const v of l) b.push(i, v);
  }
  return b.finish(n);
}

const pcapng = (src: DeriveSource) => src.file.info.format === "pcapng";

export const FRAME_FIELDS: readonly FieldDef[] = [
  derived({ abbrev: "frame", name: "Frame", type: "protocol", description: "Every frame: the capture file's record" },
    (def, src) => Column.of(def, src.file.index.count, allFrames(src.file.index.count, { kind: "const", value: 1 }))),
  derived({ abbrev: "frame.number", name: "Frame Number", type: "uint32", description: "1-based position of the frame in the capture" },
    (def, src) => Column.of(def, src.file.index.count, frameNumbers(src.file.index.count))),
  indexView({ abbrev: "frame.len", name: "Frame length on the wire", type: "uint32", description: "Original length of the frame in bytes" },
    (src) => src.file.index.len),
  indexView({ abbrev: "frame.cap_len", name: "Frame length stored into the capture file", type: "uint32", description: "Bytes captured (less than frame.len when the snap length cut the frame)" },
    (src) => src.file.index.caplen),
  everyFrame({ abbrev: "frame.time", name: "Arrival Time", type: "abs_time", description: "Capture timestamp (seconds since the epoch; exact form in the frame index)" },
    (src) => epochSeconds(src.file)),
  everyFrame({ abbrev: "frame.time_epoch", name: "Epoch Time", type: "rel_time", description: "Capture timestamp as seconds since 1970-01-01 UTC" },
    (src) => epochSeconds(src.file)),
  derived({ abbrev: "frame.time_relative", name: "Time since reference or first frame", type: "rel_time", description: "Seconds since the first frame" },
    (def, src) => deltas(def, src, false)),
  derived({ abbrev: "frame.time_delta", name: "Time delta from previous captured frame", type: "rel_time", description: "Seconds since the previous frame" },
    (def, src) => deltas(def, src, true)),
  // tshark shows interface fields only for formats that have interfaces (pcapng), not for classic pcap.
  derived({ abbrev: "frame.interface_id", name: "Interface id", type: "uint32", description: "Index of the capture interface (pcapng IDB)" },
    (def, src) => {
      const n = src.file.index.count;
      return Column.of(def, n, pcapng(src) ? levelsOf(def, n, src.file.index.iface.subarray(0, n), null, null) : []);
    }),
  indexView({ abbrev: "frame.file_off", name: "File Offset", type: "int64", description: "Offset of the frame's data in the (decompressed) capture file" },
    (src) => src.file.index.offset),
  derived({ abbrev: "frame.interface_name", name: "Interface name", type: "string", description: "Name of the capture interface (pcapng if_name, else its description, else \"unknown\", as tshark says)" },
    // Wireshark's cf_get_interface_name(): if_name, else if_description, else "unknown".
    (def, src) => (pcapng(src) ? perInterface(def, src, (ifc) => ifc?.name ?? ifc?.description ?? "unknown") : Column.of(def, src.file.index.count, []))),
  derived({ abbrev: "frame.interface_description", name: "Interface description", type: "string", description: "Description of the capture interface (pcapng if_description)" },
    (def, src) => perInterface(def, src, (ifc) => ifc?.description)),
  derived({ abbrev: "frame.comment", name: "Comment", type: "string", description: "Packet comment (pcapng opt_comment); one occurrence per comment" },
    (def, src) => fromLists(def, src.file.index.count, src.file.info.frameComments, false)),
  derived({ abbrev: "frame.protocols", name: "Protocols in frame", type: "string", description: "The frame's protocol stack, colon-separated (eth:ethertype:ip:tcp)" },
    protocolStacks, FROM_ALL_LAYERS),
  everyFrame({ abbrev: "frame.malformed", name: "Malformed", type: "bool", description: "Wirebook: 1 when any dissector flagged the frame malformed or truncated" },
    (src) => src.layers().malformed, FROM_ALL_LAYERS),
  derived({ abbrev: "_ws.expert.message", name: "Message", type: "string", description: "Why the frame is malformed (the problems joined by '; ')" },
    (def, src) => fromLists(def, src.file.index.count, src.layers().problems, true), FROM_ALL_LAYERS),
];

/** 1 … n: the narrowest array that holds n (as levelsOf would narrow it; distinct values never pay as codes). */
function frameNumbers(n: number): Level[] {
  if (n <= 1) return allFrames(n, { kind: "const", value: 1 });
  const a = n <= 0xff ? new Uint8Array(n) : n <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i + 1;
  return allFrames(n, { kind: "num", data: a });
}

/**
 * "eth:ethertype:ip:tcp" per frame, as dictionary codes: a capture has few distinct stacks, so the text is built
 * once per stack, never per frame. Stacks of up to eight layers (eth:ethertype:vlan:ethertype:ip:tcp:mbtcp:modbus)
 * are keyed by their proto ids (10 bits each, an unlisted layer as 1023) packed with the layer count into three
 * 32-bit words, looked up in a small hash table of integers (StackKeys); longer ones (or proto ids past 10 bits) by
 * their text.
 */
function protocolStacks(def: FieldDef, src: DeriveSource): Column {
  const layers = src.layers(), n = src.file.index.count;
  const { frameStart, proto, aux } = layers;
  // Only a few protocols (mqtt, mbtcp) list a layer depending on its aux: the others are not asked per layer.
  // By proto id: 0 not asked yet, 1 always listed, 2 ask protoListed.
  const varies = new Uint8Array(1 << 16);
  const listed = (l: number) => {
    const p = proto[l];
    let v = varies[p];
    if (v === 0) varies[p] = v = src.protoListedVaries(p) ? 2 : 1;
    return v === 1 || src.protoListed(p, aux[l]);
  };
  const dict: string[] = [], keys = new StackKeys(), byText = new Map<string, number>();
  let codes: Uint8Array | Uint16Array | Uint32Array = new Uint8Array(n);
  const text = (from: number, to: number) => {
    let s = "";
    for (let l = from; l < to; l++) if (listed(l)) s += (s ? ":" : "") + src.protoName(proto[l]);
    return s;
  };
  /** The code of a stack's text (stacks that differ only in unlisted layers read alike: one text, one code). */
  const codeOf = (s: string): number => {
    let c = byText.get(s);
    if (c !== undefined) return c;
    c = dict.length;
    byText.set(s, c);
    dict.push(s);
    if (c === 256 || c === 65536) {
      const wider = c === 256 ? new Uint16Array(n) : new Uint32Array(n);
      wider.set(codes);
      codes = wider;
    }
    return c;
  };
  frames: for (let i = 0; i < n; i++) {
    const from = frameStart[i], to = frameStart[i + 1];
    if (to - from <= 8) {
      // Word 0: the count and layers 0-1; word 1: layers 2-4; word 2: layers 5-7.
      let w0 = to - from, w1 = 0, w2 = 0;
      for (let l = from; l < to; l++) {
        const p = proto[l];
        if (p >= 1023) { codes[i] = codeOf(text(from, to)); continue frames; }
        const sym = listed(l) ? p : 1023, k = l - from;
        if (k < 2) w0 = (w0 << 10) | sym;
        else if (k < 5) w1 = (w1 << 10) | sym;
        else w2 = (w2 << 10) | sym;
      }
      let c = keys.get(w0, w1, w2);
      if (c < 0) keys.set(w0, w1, w2, (c = codeOf(text(from, to))));
      codes[i] = c;
    } else codes[i] = codeOf(text(from, to));
  }
  return Column.of(def, n, allFrames(n, dict.length === 1 ? { kind: "const", value: dict[0] } : { kind: "dict", codes, dict }));
}

/** An open-addressing hash table from three 32-bit integers to a code (>= 0); -1 when absent. */
class StackKeys {
  /** Three words a slot. */
  private words = new Int32Array(64 * 3);
  private code = new Int32Array(64).fill(-1);
  private used = 0;

  get(a: number, b: number, c: number): number {
    const mask = this.code.length - 1, w = this.words;
    for (let h = StackKeys.hash(a, b, c) & mask; ; h = (h + 1) & mask) {
      const k = this.code[h];
      if (k === -1 || (w[3 * h] === a && w[3 * h + 1] === b && w[3 * h + 2] === c)) return k;
    }
  }

  set(a: number, b: number, c: number, code: number): void {
    if (2 * (this.used + 1) > this.code.length) this.grow();
    const mask = this.code.length - 1, w = this.words;
    let h = StackKeys.hash(a, b, c) & mask;
    while (this.code[h] !== -1) h = (h + 1) & mask;
    w[3 * h] = a;
    w[3 * h + 1] = b;
    w[3 * h + 2] = c;
    this.code[h] = code;
    this.used++;
  }

  private grow(): void {
    const { words, code } = this;
    this.words = new Int32Array(code.length * 2 * 3);
    this.code = new Int32Array(code.length * 2).fill(-1);
    this.used = 0;
    for (let h = 0; h < code.length; h++) if (code[h] !== -1) this.set(words[3 * h], words[3 * h + 1], words[3 * h + 2], code[h]);
  }

  private static hash(a: number, b: number, c: number): number {
    return Math.imul(a ^ Math.imul(b ^ Math.imul(c, 0xc2b2ae35 | 0), 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 12;
  }
}
