// Frame-by-frame comparison of the transport fields (tcp.*, udp.*, data.*) with tshark's, for the transport
// conformance tests (the loop itself is protocol-compare.ts). The transport's own: the layer after tcp/udp in
// frame.protocols is checked too, protocol fields are compared by presence, and the known differences are each
// counted under their reason.

import type { Column } from "../../lib/decode/column.js";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { data } from "../../lib/dissectors/data.js";
import { byPorts } from "../../lib/dissectors/handoff.js";
import { isStreamDissector } from "../../lib/dissectors/tcp-reassembly.js";
import { tcp } from "../../lib/dissectors/tcp.js";
import { udp } from "../../lib/dissectors/udp.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { compareFrames, report as reportOf, type Frame, type Result } from "./protocol-compare.js";

export type { Mismatch } from "./protocol-compare.js";

/** Every field the transport dissectors declare. */
export const TRANSPORT_FIELDS: readonly FieldDef[] = [...tcp.fields, ...udp.fields, ...data.fields];

/** Why a cell or a frame is not compared (or compared differently): each is a deliberate, named difference. */
export const REASONS = {
  lower: "the layers below the transport differ from tshark's (owned by the link/network dissectors and their tests)",
  app: "tshark hands the payload to an application dissector we do not have yet; we show it as data",
  held: "tshark's application dissector holds the segment for its own TCP reassembly (HTTP, TLS, …); we show it as data",
  reassembled: "tshark shows data over bytes reassembled from several segments (reassembly of undecoded payload is not done)",
  nanos: "a relative time of more than 2^53 ns (104 days) has no nanosecond digits in a double",
  owned: "the layer after tcp/udp is one of our application dissectors, or the stream reassembly feeding one: what it makes of the payload is its own tests' business",
  missing: "tshark prints \"<MISSING>\" for tcp.options when the capture ends right after the fixed header; we leave it absent",
} as const;
export type Reason = keyof typeof REASONS;

export type TransportResult = Result<Reason>;

const TRANSPORT = new Set(["tcp", "udp"]);
const CLASSIFY = ["frame.protocols", "tcp.payload", "tcp.analysis.retransmission", "tcp.analysis.out_of_order"];
const BY_ABBREV = new Map(TRANSPORT_FIELDS.map((f) => [f.abbrev, f]));

/** Both stacks, and where the transport layer is in each (-1: none). */
function stacksOf(f: Frame<Reason>) {
  const t = f.theirs("frame.protocols").split(":"), o = f.ours("frame.protocols").split(":");
  return { t, o, ti: t.findIndex((p) => TRANSPORT.has(p)), oi: o.findIndex((p) => TRANSPORT.has(p)) };
}

/**
 * Compares one capture, every frame: the transport fields, and the layer after tcp/udp in frame.protocols. Never
 * skips silently: every frame or cell not compared, and every difference excused, is counted under a reason.
 */
export function compareTransport(file: string): Promise<TransportResult> {
  let toStream: (i: number) => boolean = () => false;
  /** This frame's stacks are the same on both sides; if not, why its data cells are not compared (null: "app"). */
  let sameStack = true, dataReason: Reason | null = null;
  return compareFrames<Reason>(file, {
    fields: TRANSPORT_FIELDS.map((f) => f.abbrev),
    theirContext: CLASSIFY,
    ourContext: ["frame.protocols"],
    everyFrame: true,
    begin(_rows, _col, cap) {
      const [sp, dp] = cap.columns(["tcp.srcport", "tcp.dstport"]);
      /** The TCP payload of frame i goes to a stream dissector (reassembly), whose output is not the transport's. */
      toStream = (i) => sp.has(i) && isStreamDissector(byPorts(cap.tables.tcpPort, sp.get(i) as number, dp.get(i) as number));
    },
    leaveFrame(f) {
      const { t, o, ti, oi } = stacksOf(f);
      const cut = ti < 0 ? t.length : ti + 1;
      const lower = t.slice(0, cut).join(":") !== o.slice(0, ti < 0 ? o.length : cut).join(":") && (ti >= 0 || oi >= 0);
      return lower ? { reason: "lower", count: TRANSPORT_FIELDS.length } : null;
    },
    before(f) {
      const { t, o, ti } = stacksOf(f);
      sameStack = t.join(":") === o.join(":");
      dataReason = null;
      if (ti < 0) return;
      f.compared();
      const tn = t[ti + 1] ?? "", on = o[ti + 1] ?? "";
      if (tn === on) return;
      dataReason = classifyNext(tn, on, f.theirs("tcp.payload") !== "", t[ti] === "tcp" &&
        (f.theirs("tcp.analysis.retransmission") !== "" || f.theirs("tcp.analysis.out_of_order") !== ""), o[ti] === "tcp" && toStream(f.i));
      if (dataReason === null) f.mismatch("frame.protocols", t.join(":"), o.join(":"));
    },
    view: (f, field, theirs) => [theirs, cellText(BY_ABBREV.get(field)!, f.column(field), f.i, theirs)],
    leaveOut(f, field, theirs) {
      if (!field.startsWith("data")) return null;
      if (!sameStack) return dataReason ?? "app";
      return theirs !== f.ours(field) && reassembledData(f.theirs("tcp.payload"), theirs) ? "reassembled" : null;
    },
    excuse(_f, field, theirs, ours) {
      if (field === "tcp.options" && theirs === "<MISSING>" && ours === "") return "missing";
      if (BY_ABBREV.get(field)!.type === "rel_time" && nanosLost(theirs, ours)) return "nanos";
      return null;
    },
  });
}

/**
 * What to make of a frame whose layer after the transport differs: null (a real mismatch) unless tshark has an
 * application protocol or holds the payload for its reassembly while we show data.
 */
function classifyNext(theirs: string, ours: string, tcpPayload: boolean, retransmission: boolean, toStream: boolean): Reason | null {
  if (toStream || (ours !== "" && ours !== "data")) return "owned";
  if (ours !== "data") return null;
  if (theirs !== "" && theirs !== "data") return "app";
  if (theirs === "" && tcpPayload && !retransmission) return "held";
  return null;
}

/** tshark's data (of a TCP segment) is not this segment's payload: it comes from bytes reassembled before it. */
function reassembledData(payload: string, theirs: string): boolean {
  return theirs !== "" && payload !== "" && (theirs.length > payload.length || !payload.includes(theirs.split(",")[0]));
}

/**
 * Our cell as tshark would print it. Protocol-typed fields are compared by presence and count: tshark prints a
 * tree label ("Transmission Control Protocol, Src Port: …") or the option's bytes, which we do not keep.
 */
function cellText(f: FieldDef, c: Column, i: number, theirs: string): string {
  if (f.type !== "protocol") return formatFrame(c, i);
  const n = c.count(i);
  if (n === 0) return "";
  if (f.abbrev === "tcp" || f.abbrev === "udp" || f.abbrev === "data") return theirs !== "" ? theirs : "<present>";
  const tn = theirs === "" ? 0 : theirs.split(",").length;
  return tn === n ? theirs : `<${n} occurrences>`;
}

/** Both are the same time to within what a double holds at that magnitude. */
function nanosLost(theirs: string, ours: string): boolean {
  const a = Number(theirs), b = Number(ours);
  return Math.abs(a) >= 2 ** 53 / 1e9 && Math.abs(a - b) <= Math.abs(a) * 2 ** -52 * 4;
}

/** The shared report: per field the frames that differ and the first example; the exclusions by reason. */
export const report = (r: TransportResult, maxLines = 14): string =>
  reportOf(r, { label: "tcp/udp/data fields", reasons: REASONS, clip: 70, maxLines });
