// The frame pseudo-protocol (Wireshark epan/dissectors/packet-frame.c): what the capture file says about each frame,
// derived from the frame index and the layer table rather than from packet bytes.

import { Column } from "../decode/column.js";
import type { DeriveSource, FieldDef } from "./field.js";

function dense(field: FieldDef, values: Column["values"], n: number): Column {
  return new Column(field, n, values, new Uint8Array(n).fill(1), null);
}

/** Frame fields read the frame index only, except those built from every layer (they need the full pass). */
const FROM_INDEX = { deriveDepth: "index" } as const;
const FROM_ALL_LAYERS = {} as const;

/** A dense column present in every frame, computed per frame index. */
function perFrame(field: Omit<FieldDef, "derive">, make: (src: DeriveSource) => Column["values"], depth: Partial<FieldDef> = FROM_INDEX): FieldDef {
  const def: FieldDef = { ...field, ...depth, derive: (src) => dense(def, make(src), src.file.index.count) };
  return def;
}

/** A column present only where `pick` returns a value. */
function sparse(field: Omit<FieldDef, "derive">, pick: (src: DeriveSource, i: number) => string | number | undefined, depth: Partial<FieldDef> = FROM_INDEX): FieldDef {
  const def: FieldDef = {
    ...field,
    ...depth,
    derive: (src) => {
      const n = src.file.index.count, valid = new Uint8Array(n);
      const values: (string | number)[] | Uint32Array = field.type === "string" ? new Array(n) : new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = pick(src, i);
        if (v !== undefined) { valid[i] = 1; values[i] = v; }
      }
      return new Column(def, n, values, valid, null);
    },
  };
  return def;
}

const seconds = (src: DeriveSource, i: number) => src.file.index.tsSec[i] + src.file.index.tsNsec[i] / 1e9;

/** Differences are taken on the exact (sec, nsec) pairs, so nanosecond deltas survive large epochs. */
function deltaSeconds(src: DeriveSource, i: number, j: number): number {
  const { tsSec, tsNsec } = src.file.index;
  return (tsSec[i] - tsSec[j]) + (tsNsec[i] - tsNsec[j]) / 1e9;
}

export const FRAME_FIELDS: readonly FieldDef[] = [
  perFrame({ abbrev: "frame", name: "Frame", type: "protocol", description: "Every frame: the capture file's record" },
    (src) => new Uint8Array(src.file.index.count).fill(1)),
  perFrame({ abbrev: "frame.number", name: "Frame Number", type: "uint32", description: "1-based position of the frame in the capture" },
    (src) => Uint32Array.from({ length: src.file.index.count }, (_, i) => i + 1)),
  perFrame({ abbrev: "frame.len", name: "Frame length on the wire", type: "uint32", description: "Original length of the frame in bytes" },
    (src) => src.file.index.len.slice(0, src.file.index.count)),
  perFrame({ abbrev: "frame.cap_len", name: "Frame length stored into the capture file", type: "uint32", description: "Bytes captured (less than frame.len when the snap length cut the frame)" },
    (src) => src.file.index.caplen.slice(0, src.file.index.count)),
  perFrame({ abbrev: "frame.time", name: "Arrival Time", type: "abs_time", description: "Capture timestamp (seconds since the epoch; exact form in the frame index)" },
    (src) => Float64Array.from({ length: src.file.index.count }, (_, i) => seconds(src, i))),
  perFrame({ abbrev: "frame.time_epoch", name: "Epoch Time", type: "rel_time", description: "Capture timestamp as seconds since 1970-01-01 UTC" },
    (src) => Float64Array.from({ length: src.file.index.count }, (_, i) => seconds(src, i))),
  perFrame({ abbrev: "frame.time_relative", name: "Time since reference or first frame", type: "rel_time", description: "Seconds since the first frame" },
    (src) => Float64Array.from({ length: src.file.index.count }, (_, i) => deltaSeconds(src, i, 0))),
  perFrame({ abbrev: "frame.time_delta", name: "Time delta from previous captured frame", type: "rel_time", description: "Seconds since the previous frame" },
    (src) => Float64Array.from({ length: src.file.index.count }, (_, i) => (i === 0 ? 0 : deltaSeconds(src, i, i - 1)))),
  // tshark shows interface fields only for formats that have interfaces (pcapng), not for classic pcap.
  sparse({ abbrev: "frame.interface_id", name: "Interface id", type: "uint32", description: "Index of the capture interface (pcapng IDB)" },
    (src, i) => (src.file.info.format === "pcapng" ? src.file.index.iface[i] : undefined)),
  perFrame({ abbrev: "frame.file_off", name: "File Offset", type: "int64", description: "Offset of the frame's data in the (decompressed) capture file" },
    (src) => src.file.index.offset.slice(0, src.file.index.count)),
  sparse({ abbrev: "frame.interface_name", name: "Interface name", type: "string", description: "Name of the capture interface (pcapng if_name, else its description, else \"unknown\", as tshark says)" },
    (src, i) => {
      // Wireshark's cf_get_interface_name(): if_name, else if_description, else "unknown".
      if (src.file.info.format !== "pcapng") return undefined;
      const ifc = src.file.info.interfaces[src.file.index.iface[i]];
      return ifc?.name ?? ifc?.description ?? "unknown";
    }),
  sparse({ abbrev: "frame.interface_description", name: "Interface description", type: "string", description: "Description of the capture interface (pcapng if_description)" },
    (src, i) => src.file.info.interfaces[src.file.index.iface[i]]?.description),
  {
    abbrev: "frame.comment", name: "Comment", type: "string", description: "Packet comment (pcapng opt_comment); one occurrence per comment",
    deriveDepth: "index",
    derive: (src) => commentColumn(FRAME_FIELDS_BY_NAME.get("frame.comment")!, src),
  },
  perFrame({ abbrev: "frame.protocols", name: "Protocols in frame", type: "string", description: "The frame's protocol stack, colon-separated (eth:ethertype:ip:tcp)" },
    protocolStacks, FROM_ALL_LAYERS),
  perFrame({ abbrev: "frame.malformed", name: "Malformed", type: "bool", description: "Wirebook: 1 when any dissector flagged the frame malformed or truncated" },
    (src) => src.layers().malformed, FROM_ALL_LAYERS),
  sparse({ abbrev: "_ws.expert.message", name: "Message", type: "string", description: "Why the frame is malformed (the problems joined by '; ')" },
    (src, i) => src.layers().problems.get(i)?.join("; "), FROM_ALL_LAYERS),
];

const FRAME_FIELDS_BY_NAME = new Map(FRAME_FIELDS.map((f) => [f.abbrev, f]));

function commentColumn(field: FieldDef, src: DeriveSource): Column {
  const n = src.file.index.count, starts = new Uint32Array(n + 1), values: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const c of src.file.info.frameComments.get(i) ?? []) values.push(c);
    starts[i + 1] = values.length;
  }
  return new Column(field, n, values, null, starts);
}

/**
 * "eth:ethertype:ip:tcp" per frame, interned: a capture has few distinct stacks. Stacks of up to five layers are
 * keyed by their proto ids packed into one number (10 bits each, exact in a double), so no string is built per frame.
 */
function protocolStacks(src: DeriveSource): string[] {
  const layers = src.layers(), n = src.file.index.count, out: string[] = new Array(n);
  const { frameStart, proto, aux } = layers;
  const listed = (l: number) => src.protoListed(proto[l], aux[l]);
  const byKey = new Map<number, string>(), byText = new Map<string, string>();
  const text = (from: number, to: number) => {
    let s = "";
    for (let l = from; l < to; l++) if (listed(l)) s += (s ? ":" : "") + src.protoName(proto[l]);
    return s;
  };
  for (let i = 0; i < n; i++) {
    const from = frameStart[i], to = frameStart[i + 1];
    if (to - from <= 5) {
      let key = to - from;
      for (let l = from; l < to; l++) key = key * 1024 + (listed(l) ? proto[l] : 1023);
      let v = byKey.get(key);
      if (v === undefined) byKey.set(key, (v = text(from, to)));
      out[i] = v;
    } else {
      const s = text(from, to);
      let v = byText.get(s);
      if (v === undefined) byText.set(s, (v = s));
      out[i] = v;
    }
  }
  return out;
}
