// The built-in measurements, run in this order before the sections of sections.ts, each in a child process:
// bare (the record-header loop), index (readCapture), decode (open + columns of every L2–L4 field),
// tshark (-T fields for the same fields, as far as tshark knows them), pcap-parser.

import type { ChildResult } from "./proc.js";
import { bestOf, fastestChild, fastestCommand } from "./repeat.js";
import type { BenchContext, Section } from "./sections.js";
import type { WalkResult } from "./measure-bare.js";
import type { DecodeResult } from "./measure-decode.js";
import type { IndexResult } from "./measure-index.js";

const join = (...parts: string[]) => parts.filter((p) => p).join("; ");

const bare: Section = {
  name: "bare",
  async run(ctx) {
    const r = await fastestChild(ctx, "measure-bare.js", "bareLoop", { path: ctx.capture.path });
    const v = r.value as WalkResult;
    ctx.row({ key: "bare", name: "bare loop (record headers, 4 MiB readSync)", packets: v.packets, bytes: v.fileBytes, ms: r.ms, cpuMs: r.cpuMs, maxRssKB: r.maxRssKB, note: bestOf(r.runs) });
    const h = await fastestChild(ctx, "measure-bare.js", "bareLoopHashed", { path: ctx.capture.path });
    ctx.row({
      key: "bare+sha256", name: "bare loop + SHA-256, one thread", packets: v.packets, bytes: v.fileBytes, ms: h.ms, cpuMs: h.cpuMs, maxRssKB: h.maxRssKB,
      note: join("for reference: readCapture also hashes the file", bestOf(h.runs)),
    });
  },
};

/**
 * Two rows from the same runs: readCapture (the index, what the target compares with the bare loop), and the time
 * until the file's SHA-256 was available, since for large files a worker hashes on after readCapture returned.
 */
const index: Section = {
  name: "index",
  async run(ctx) {
    const runs: ChildResult[] = [];
    for (let i = 0; i < ctx.repeat; i++) runs.push(await ctx.child("measure-index.js", "frameIndex", { path: ctx.capture.path }));
    const value = (r: ChildResult) => r.value as IndexResult;
    const best = (t: (v: IndexResult) => number) => runs.reduce((a, b) => (t(value(b)) < t(value(a)) ? b : a));
    const r = best((v) => v.indexMs), v = value(r);
    ctx.row({
      key: "index", name: "wirebook frame index (readCapture)", packets: v.packets, bytes: v.fileBytes, ms: v.indexMs, cpuMs: v.indexCpuMs, maxRssKB: r.maxRssKB,
      note: join(`index ${(v.indexBytes / v.packets).toFixed(1)} B/packet`,
        v.hashInWorker ? "SHA-256 runs on in a worker (next row); CPU includes it while readCapture ran" : "includes SHA-256 of the file", bestOf(runs.length)),
      extra: { indexBytes: v.indexBytes, bytesPerPacket: v.indexBytes / v.packets },
    });
    const h = best((x) => x.hashMs), hv = value(h);
    const sameHash = hv.sha256 === ctx.capture.sha256 ? "digest matches the generator's" : `sha256 differs from the generator's (${hv.sha256.slice(0, 12)}…)`;
    ctx.row({
      key: "index+sha256", name: "…until its SHA-256 is available", packets: hv.packets, bytes: hv.fileBytes, ms: hv.hashMs, cpuMs: hv.hashCpuMs, maxRssKB: h.maxRssKB,
      note: join(hv.hashInWorker ? "from the call of readCapture; the worker reads the file on its own" : "hashed during readCapture", sameHash, bestOf(runs.length)),
    });
  },
};

const decode: Section = {
  name: "decode",
  async run(ctx) {
    const wirebookMs = (r: ChildResult) => (r.value as DecodeResult).openMs + (r.value as DecodeResult).decodeMs;
    const r = await fastestChild(ctx, "measure-decode.js", "fullDecode", { path: ctx.capture.path, fields: ctx.fields }, wirebookMs);
    const v = r.value as DecodeResult;
    const absent = Object.entries(v.present).filter(([, p]) => !p).map(([f]) => f);
    ctx.row({
      key: "decode", name: `wirebook L2–L4 decode (${v.fields} fields)`, packets: v.packets, bytes: v.fileBytes, ms: v.openMs + v.decodeMs, cpuMs: v.cpuMs, maxRssKB: r.maxRssKB,
      note: join(`open ${(v.openMs / 1000).toFixed(2)} s + columns ${(v.decodeMs / 1000).toFixed(2)} s; ${v.layers.toLocaleString("en-US")} layers ` +
        `(${(v.layerBytes / 1e6).toFixed(0)} MB), columns ${(v.columnBytes / 1e6).toFixed(0)} MB; ${v.malformedFrames} frames flagged malformed`,
      `${absent.length} fields never present`, bestOf(r.runs)),
      extra: { ...v, absent },
    });
  },
};

/** tshark -n -r F -T fields -E occurrence=a -e … > /dev/null, on the first 200k packets when --quick. */
const tshark: Section = {
  name: "tshark",
  async run(ctx) {
    if (ctx.tsharkFields.length === 0) {
      const why = ctx.fields.length === 0 ? "no field list (the registry did not load)" : "tshark missing or knows none of the fields";
      ctx.row({ key: "tshark", name: "tshark -T fields", note: `skipped: ${why}` });
      return;
    }
    const peer = await ctx.peerCapture(200_000);
    const args = ["-n", "-r", peer.path, "-T", "fields", "-E", "occurrence=a"];
    for (const f of ctx.tsharkFields) args.push("-e", f);
    ctx.log(`tshark -T fields with ${ctx.tsharkFields.length} fields on ${peer.packets.toLocaleString("en-US")} packets (minutes for 2M)…`);
    const r = await fastestCommand(ctx, "tshark", args);
    const complaints = r.stderr.split("\n").filter((l) => l.trim() && !/Running as user/.test(l)).slice(0, 3).join(" | ");
    const scaled = peer.scale !== 1 ? `--quick: ran on the first ${peer.packets.toLocaleString("en-US")} packets, time scaled ×${peer.scale.toFixed(2)}, RSS not scaled` : "";
    ctx.row({
      key: "tshark", name: `tshark -T fields (${ctx.tsharkFields.length} fields)`, packets: ctx.capture.packets, bytes: ctx.capture.bytes,
      ms: r.ms * peer.scale, cpuMs: r.cpuMs * peer.scale, maxRssKB: r.maxRssKB,
      note: join(`${ctx.tsharkFields.length} of ${ctx.fields.length} fields are known to tshark 4.0`, scaled, r.code !== 0 ? `exit ${r.code}` : "", complaints ? `stderr: ${complaints}` : "", bestOf(r.runs)),
      extra: { measuredMs: r.ms, measuredPackets: peer.packets, scale: peer.scale, exit: r.code },
    });
  },
};

const pcapParser: Section = {
  name: "pcap-parser",
  async run(ctx) {
    const r = await fastestChild(ctx, "measure-peers.js", "pcapParser", { path: ctx.capture.path });
    const v = r.value as WalkResult;
    ctx.row({ key: "pcap-parser", name: "pcap-parser 0.2.1 (on 'packet')", packets: v.packets, bytes: v.fileBytes, ms: r.ms, cpuMs: r.cpuMs, maxRssKB: r.maxRssKB, note: bestOf(r.runs) });
  },
};

/** The built-in measurements, in run order; `--only` names: bare, index, decode, tshark, pcap-parser. */
export const BUILTINS: readonly Section[] = [bare, index, decode, tshark, pcapParser];
