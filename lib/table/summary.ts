// What `capinfos` plus `tshark -z io,phs` say about a capture: file facts, provenance, time span, link types and
// the protocol hierarchy (frames and bytes per protocol path), computed from the index and the layer table.

import { linktypeName } from "../capture/linktypes.js";
import type { CaptureProblem } from "../capture/types.js";
import type { Capture } from "./capture.js";

export interface HierarchyNode {
  proto: string;
  frames: number;
  bytes: number;
  children: HierarchyNode[];
}

export interface CaptureSummary {
  path: string;
  format: string;
  compression: string;
  fileSize: number;
  sha256: string;
  packets: number;
  bytes: number;
  /** Seconds since the epoch of the first and last frame (NaN when empty). */
  first: number;
  last: number;
  duration: number;
  linktypes: { linktype: number; name: string; frames: number }[];
  interfaces: number;
  malformed: number;
  hierarchy: HierarchyNode[];
  warnings: CaptureProblem[];
  stopped?: CaptureProblem;
}

/** Summarises a capture (dissects it if not done yet). Contract: never throws on a readable capture. */
export function summarize(cap: Capture): CaptureSummary {
  const { index, info } = cap.file;
  const n = index.count;
  let bytes = 0, first = Infinity, last = -Infinity;
  const perIface = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    bytes += index.len[i];
    const t = index.tsSec[i] + index.tsNsec[i] / 1e9;
    if (t < first) first = t;
    if (t > last) last = t;
    perIface.set(index.iface[i], (perIface.get(index.iface[i]) ?? 0) + 1);
  }
  const lt = new Map<number, number>();
  for (const [iface, c] of perIface) {
    const l = info.interfaces[iface]?.linktype ?? -1;
    lt.set(l, (lt.get(l) ?? 0) + c);
  }
  const layers = cap.layers();
  let malformed = 0;
  for (let i = 0; i < n; i++) malformed += layers.malformed[i];
  return {
    path: info.path, format: info.format, compression: info.compression, fileSize: info.fileSize, sha256: info.sha256,
    packets: n, bytes, first: n ? first : NaN, last: n ? last : NaN, duration: n ? last - first : 0,
    linktypes: [...lt].map(([linktype, frames]) => ({ linktype, name: linktypeName(linktype), frames })),
    interfaces: info.interfaces.length, malformed, hierarchy: hierarchy(cap), warnings: info.warnings, stopped: info.stopped,
  };
}

/** Protocol hierarchy: each frame counts once at every node on its stack path ("frame" at the root). */
function hierarchy(cap: Capture): HierarchyNode[] {
  const layers = cap.layers(), { len, count } = cap.file.index;
  const root: HierarchyNode = { proto: "frame", frames: 0, bytes: 0, children: [] };
  for (let i = 0; i < count; i++) {
    let node = root;
    node.frames++;
    node.bytes += len[i];
    for (let l = layers.frameStart[i]; l < layers.frameStart[i + 1]; l++) {
      const proto = cap.protoName(layers.proto[l]);
      let child = node.children.find((c) => c.proto === proto);
      if (!child) node.children.push((child = { proto, frames: 0, bytes: 0, children: [] }));
      child.frames++;
      child.bytes += len[i];
      node = child;
    }
  }
  return [root];
}

const iso = (t: number) => (Number.isFinite(t) ? new Date(t * 1000).toISOString() : "n/a");

/** The summary as capinfos-like text. */
export function summaryText(s: CaptureSummary): string {
  const lines = [
    `File name:           ${s.path}`,
    `File format:         ${s.format}${s.compression !== "none" ? ` (${s.compression}-compressed)` : ""}`,
    `File size:           ${s.fileSize} bytes`,
    `SHA256:              ${s.sha256}`,
    `Encapsulation:       ${s.linktypes.map((l) => `${l.name} (${l.linktype}): ${l.frames} frames`).join(", ") || "none"}`,
    `Interfaces:          ${s.interfaces}`,
    `Number of packets:   ${s.packets}`,
    `Data size:           ${s.bytes} bytes`,
    `First packet time:   ${iso(s.first)}`,
    `Last packet time:    ${iso(s.last)}`,
    `Capture duration:    ${s.duration.toFixed(6)} seconds`,
    `Malformed packets:   ${s.malformed}`,
  ];
  for (const w of s.warnings.slice(0, 10)) lines.push(`Warning:             at byte ${w.offset}: ${w.message}`);
  if (s.stopped) lines.push(`Reading stopped:     at byte ${s.stopped.offset}: ${s.stopped.message}`);
  lines.push("", "Protocol Hierarchy Statistics", "");
  const walk = (node: HierarchyNode, depth: number) => {
    lines.push(`${" ".repeat(depth * 2)}${node.proto.padEnd(40 - depth * 2)} frames:${node.frames} bytes:${node.bytes}`);
    for (const c of [...node.children].sort((a, b) => b.frames - a.frames)) walk(c, depth + 1);
  };
  for (const h of s.hierarchy) walk(h, 0);
  return lines.join("\n");
}
