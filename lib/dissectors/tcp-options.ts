// TCP options: the walk over the option list and the option fields.
// RFC 9293 section 3.2 (EOL, NOP, MSS), RFC 7323 (window scale, timestamps), RFC 2018 (SACK), IANA "TCP Option Kind
// Numbers"; Wireshark packet-tcp.c tcp_dissect_options() and the dissect_tcpopt_* functions, whose order of reads
// decides which fields tshark shows for a cut-short or malformed option list: kind and length of every option it
// reaches, values only when the length is the one the option must have, nothing after a read past the capture.

import type { Emit, FieldDef, FieldType } from "./field.js";
import { copy, u16, u32 } from "./bytes.js";

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

/** Option kinds Wireshark 4.0 registers a dissector for (`tshark -G decodes`, table tcp.option); others are Unknown. */
const KNOWN = new Set([2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 19, 20, 21, 22, 23, 27, 28, 29, 30, 34, 76, 78, 172, 174, 253, 254]);

/** Lengths the fixed-size options must have (Wireshark's tcp_option_len_check); a mismatch stops at the length. */
const FIXED_LEN: Readonly<Record<number, number>> = { 2: 4, 3: 3, 4: 2, 6: 6, 7: 6, 8: 10, 11: 6, 12: 6, 13: 6, 19: 18, 28: 4 };

export const TCP_OPTION_KINDS: Readonly<Record<number, string>> = {
  0: "End of Option List (EOL)", 1: "No-Operation (NOP)", 2: "Maximum Segment Size", 3: "Window Scale", 4: "SACK Permitted",
  5: "SACK", 6: "Echo", 7: "Echo Reply", 8: "Time Stamp Option", 11: "CC", 12: "CC.NEW", 13: "CC.ECHO",
  19: "TCP MD5 signature", 20: "SCPS Capabilities", 21: "Selective Negative Acknowledgements",
  22: "Record Boundaries", 23: "Corruption experienced", 27: "Quick-Start Response", 28: "User Timeout",
  29: "TCP Authentication Option", 30: "Multipath TCP", 34: "TCP Fast Open Cookie", 76: "Riverbed Probe",
  78: "Riverbed Transparency", 172: "Accurate ECN Order 0", 174: "Accurate ECN Order 1", 253: "RFC3692-style Experiment 1",
  254: "RFC3692-style Experiment 2",
};

/** What one step of the walk met. */
export const enum Step {
  /** A one-byte option (EOL or NOP) at `at`. */
  Single,
  /** An option with kind and length at `at`, `len` bytes long, `cap` of them captured. */
  Option,
  /** A malformed length: Wireshark adds an expert item and stops the list (no exception). */
  BadLength,
  /** The list ended normally. */
  End,
  /** A read past the captured bytes: Wireshark's exception, which also ends the TCP dissection of the frame. */
  Truncated,
}

/**
 * A cursor over one segment's option list; one shared instance serves every getter (they run one at a time), so
 * walking allocates nothing. Contract: reads only b[start..end); never throws.
 */
export class OptionCursor {
  b: Uint8Array = new Uint8Array(0);
  at = 0;
  len = 0;
  cap = 0;
  kind = 0;
  private next = 0;
  private left = 0;
  private end = 0;
  private done = true;

  /** Starts at the options of the TCP header at b[o..end) whose header length is hl. */
  start(b: Uint8Array, o: number, end: number, hl: number): this {
    this.b = b;
    this.next = o + 20;
    this.left = hl - 20;
    this.end = end;
    this.done = false;
    return this;
  }

  /** Advances to the next option (tcp_dissect_options). */
  step(): Step {
    if (this.done) return Step.End;
    if (this.left <= 0) return this.stop(Step.End);
    const p = this.next, b = this.b;
    if (p >= this.end) return this.stop(Step.Truncated);
    const kind = b[p];
    this.kind = kind;
    this.at = p;
    this.left--;
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      this.next = p + 1;
      this.len = 1;
      this.cap = 1;
      // tshark 4.0 does not stop at EOL: each following byte is dissected too (padding shows as more EOLs).
      return Step.Single;
    }
    if (this.left === 0) return this.stop(Step.BadLength); // no room for the length byte
    if (p + 1 >= this.end) return this.stop(Step.Truncated);
    const len = b[p + 1];
    this.left--;
    if (len < 2 || len - 2 > this.left) return this.stop(Step.BadLength);
    this.len = len;
    this.cap = Math.min(this.end, p + len) - p;
    this.next = p + len;
    this.left -= len - 2;
    return Step.Option;
  }

  /** After an Option step: true when its dissector reads past the capture (tshark's exception ends the frame). */
  get overruns(): boolean {
    return this.cap < this.len && !optionCompletes(this.b, this.at, this.kind, this.len, this.cap);
  }

  private stop(s: Step): Step {
    this.done = true;
    return s;
  }
}

/** True when the option's dissector reads only captured bytes (otherwise tshark stops the frame there). */
function optionCompletes(b: Uint8Array, p: number, kind: number, len: number, cap: number): boolean {
  if (cap >= len) return true;
  const fixed = FIXED_LEN[kind];
  if (fixed !== undefined) return len !== fixed; // a wrong length stops before any value is read
  if (kind === TCPOPT_SACK) return cap >= 2 + sackBytesRead(len);
  return false;
}

/** Bytes of SACK edges dissect_tcpopt_sack reads: whole 4-byte edges while at least 4 bytes remain. */
const sackBytesRead = (len: number) => Math.floor((len - 2) / 4) * 4;

/** Walks the options of the segment at b[o..end) and reports whether tshark gets past them without an exception. */
export function optionsComplete(cur: OptionCursor, b: Uint8Array, o: number, end: number, hl: number): boolean {
  cur.start(b, o, end, hl);
  for (;;) {
    const s = cur.step();
    if (s === Step.End || s === Step.BadLength) return true;
    if (s === Step.Truncated) return false;
    if (s === Step.Option && cur.overruns) return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Option fields. Every getter walks the list with the shared cursor and emits what tshark would show.

const cursor = new OptionCursor();
const hlOf = (b: Uint8Array, o: number) => (b[o + 12] >> 4) * 4;
/** Options are dissected only for a complete fixed header (20 bytes captured, header length >= 20). */
const hasOptions = (b: Uint8Array, o: number, end: number) => end - o >= 20 && hlOf(b, o) > 20;

/** Calls `visit` for each option tshark reaches; emits through `emit`. */
function eachOption(b: Uint8Array, o: number, end: number, emit: Emit, visit: (c: OptionCursor, emit: Emit) => void): void {
  if (!hasOptions(b, o, end)) return;
  cursor.start(b, o, end, hlOf(b, o));
  for (;;) {
    const s = cursor.step();
    if (s === Step.End || s === Step.BadLength || s === Step.Truncated) return;
    visit(cursor, emit);
    if (s === Step.Option && cursor.overruns) return;
  }
}

/**
 * A field at bytes [off, off + size) of each option of `kind` whose length is right: shown when those bytes are
 * captured (tshark reads an option's fields in order, so the TSval of a cut-short timestamp option still shows).
 */
function optionValue(abbrev: string, name: string, type: FieldType, kind: number, off: number, size: number,
  read: (b: Uint8Array, p: number) => number, description: string): FieldDef {
  const visit = (c: OptionCursor, emit: Emit) => {
    if (c.kind === kind && c.len === FIXED_LEN[kind] && c.cap >= off + size) emit(read(c.b, c.at));
  };
  return { abbrev, name, type, description, each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visit) };
}

/** A presence field for each option of the given kinds (Wireshark registers each option as a protocol). */
function optionPresence(abbrev: string, name: string, match: (kind: number) => boolean): FieldDef {
  const visit = (c: OptionCursor, emit: Emit) => { if (match(c.kind)) emit(1); };
  return { abbrev, name, type: "protocol", description: `Present once per ${name} option`, each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visit) };
}

const visitKind = (c: OptionCursor, emit: Emit) => emit(c.kind);
const visitLen = (c: OptionCursor, emit: Emit) => { if (c.kind > TCPOPT_NOP) emit(c.len); };
const visitUnknownPayload = (c: OptionCursor, emit: Emit) => {
  if (!KNOWN.has(c.kind) && c.kind > TCPOPT_NOP && c.len > 2 && c.cap === c.len) emit(copy(c.b, c.at + 2, c.len - 2));
};
const visitSackCount = (c: OptionCursor, emit: Emit) => {
  if (c.kind === TCPOPT_SACK && c.cap >= 2 + sackBytesRead(c.len)) emit(Math.floor((c.len - 2) / 8));
};

export const OPTION_FIELDS: readonly FieldDef[] = [
  {
    abbrev: "tcp.options", name: "TCP Options", type: "bytes", description: "The option bytes (as captured)",
    // With none of the option bytes captured tshark prints "<MISSING>"; we leave the field absent.
    get: (b, o, e) => (hasOptions(b, o, e) && e - o > 20 ? copy(b, o + 20, Math.min(e - o, hlOf(b, o)) - 20) : undefined),
  },
  {
    abbrev: "tcp.option_kind", name: "Kind", type: "uint8", values: TCP_OPTION_KINDS, description: "Kind of each option, in order",
    each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visitKind),
  },
  {
    abbrev: "tcp.option_len", name: "Length", type: "uint8", description: "Length of each option that has a length byte",
    each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visitLen),
  },
  optionPresence("tcp.options.nop", "No-Operation (NOP)", (k) => k === TCPOPT_NOP),
  optionPresence("tcp.options.eol", "End of Option List (EOL)", (k) => k === TCPOPT_EOL),
  optionPresence("tcp.options.mss", "Maximum segment size", (k) => k === TCPOPT_MSS),
  optionPresence("tcp.options.wscale", "Window scale", (k) => k === TCPOPT_WINDOW),
  optionPresence("tcp.options.sack_perm", "SACK permitted", (k) => k === TCPOPT_SACK_PERM),
  optionPresence("tcp.options.sack", "SACK", (k) => k === TCPOPT_SACK),
  optionPresence("tcp.options.timestamp", "Timestamps", (k) => k === TCPOPT_TIMESTAMP),
  optionPresence("tcp.options.unknown", "Unknown", (k) => k > TCPOPT_NOP && !KNOWN.has(k)),
  optionValue("tcp.options.mss_val", "MSS Value", "uint16", TCPOPT_MSS, 2, 2, (b, p) => u16(b, p + 2), "Maximum segment size the sender accepts"),
  optionValue("tcp.options.wscale.shift", "Shift count", "uint8", TCPOPT_WINDOW, 2, 1, (b, p) => b[p + 2], "Window scale shift count (RFC 7323)"),
  optionValue("tcp.options.wscale.multiplier", "Multiplier", "uint16", TCPOPT_WINDOW, 2, 1, (b, p) => 1 << Math.min(b[p + 2], 14), "2^shift (shift capped at 14)"),
  optionValue("tcp.options.timestamp.tsval", "Timestamp value", "uint32", TCPOPT_TIMESTAMP, 2, 4, (b, p) => u32(b, p + 2), "TSval (RFC 7323)"),
  optionValue("tcp.options.timestamp.tsecr", "Timestamp echo reply", "uint32", TCPOPT_TIMESTAMP, 6, 4, (b, p) => u32(b, p + 6), "TSecr (RFC 7323)"),
  {
    abbrev: "tcp.options.sack.count", name: "TCP SACK Count", type: "uint8", description: "Number of complete SACK blocks in the option",
    each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visitSackCount),
  },
  {
    abbrev: "tcp.options.unknown.payload", name: "Payload", type: "bytes", description: "Bytes of an option Wireshark has no dissector for",
    each: (b, o, e, _r, _a, emit) => eachOption(b, o, e, emit, visitUnknownPayload),
  },
  {
    abbrev: "tcp.option.len.invalid", name: "Invalid length for option", type: "none", description: "Expert: an option whose length is wrong or runs past the header",
    each: (b, o, e, _r, _a, emit) => emitInvalidLengths(b, o, e, emit),
  },
];

function emitInvalidLengths(b: Uint8Array, o: number, end: number, emit: Emit): void {
  if (!hasOptions(b, o, end)) return;
  cursor.start(b, o, end, hlOf(b, o));
  for (;;) {
    const s = cursor.step();
    if (s === Step.BadLength) emit(1);
    if (s !== Step.Option && s !== Step.Single) return;
    if (s === Step.Option) {
      const fixed = FIXED_LEN[cursor.kind];
      if (fixed !== undefined && cursor.len !== fixed) emit(1);
      if (cursor.overruns) return;
    }
  }
}

/** The shift of the window scale option with the right length, as the scaling uses it (capped at 14); -1 if none. */
export function windowScaleShift(cur: OptionCursor, b: Uint8Array, o: number, end: number, hl: number): number {
  let shift = -1;
  if (end - o < 20 || hl <= 20) return shift;
  cur.start(b, o, end, hl);
  for (;;) {
    const s = cur.step();
    if (s !== Step.Option && s !== Step.Single) return shift;
    if (s === Step.Option && cur.kind === TCPOPT_WINDOW && cur.len === 3 && cur.cap === 3) shift = Math.min(b[cur.at + 2], 14);
    if (s === Step.Option && cur.overruns) return shift;
  }
}
