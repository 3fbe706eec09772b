// Framing one direction of a TCP stream into PDUs, for tcp-reassembly.ts: the stream dissector's contract, the
// per-direction state, and the loop that cuts in-order bytes into PDUs (Wireshark's tcp_dissect_pdus()): whole PDUs
// are dissected in place, a PDU spanning segments is gathered into one buffer of exactly its length, a header split
// across segments is decided with the next bytes, and after lost bytes the dissector's heuristic finds a PDU start.

import type { DissectContext, Dissector } from "./dissector.js";

/** A dissector for PDUs carried in a TCP byte stream. */
export interface StreamDissector extends Dissector {
  /**
   * Length of the PDU starting at b[o] (whole PDU, header included) when b[o..end) holds enough to tell; -1 when
   * more bytes are needed to tell; 0 when b[o] cannot start a PDU. Contract: reads only b[o..end), never throws.
   */
  pduLength(b: Uint8Array, o: number, end: number): number;
  /**
   * Strict plausibility test that b[o..end) starts a PDU, used to find a boundary again after lost bytes and to
   * judge a header split across segments: 1 yes, 0 no, -1 cannot tell yet (more bytes would decide).
   * Defaults to pduLength() > 0. Contract: reads only b[o..end), never throws.
   */
  heuristic?(b: Uint8Array, o: number, end: number): number;
}

/** True when `d` frames its PDUs itself and wants its TCP payload reassembled. */
export function isStreamDissector(d: Dissector | null | undefined): d is StreamDissector {
  return d != null && typeof (d as StreamDissector).pduLength === "function";
}

// What reassemble() saw, as bits of its return value.
/** The segment lies beyond a hole: buffered until the hole is filled or declared lost. */
export const REASM_OUT_OF_ORDER = 0x01;
/** Every byte of the segment was seen before: ignored. */
export const REASM_RETRANSMISSION = 0x02;
/** The segment starts with bytes seen before: those were dropped (the first copy wins). */
export const REASM_OVERLAP = 0x04;
/** Bytes of a direction were declared lost (ACKed but never captured, the out-of-order bound reached, or cut by the snap length). */
export const REASM_GAP = 0x08;
/** A partial PDU was discarded (lost bytes, end of stream, or a memory bound). */
export const REASM_PDU_DROPPED = 0x10;
/** Bytes were skipped while looking for a PDU boundary after a gap. */
export const REASM_SKIPPED = 0x20;
/** A memory bound was reached (per-direction out-of-order bytes or all streams' bytes). */
export const REASM_OVERFLOW = 0x40;
/** A PDU longer than limits.maxPdu was skipped without being reassembled. */
export const REASM_TOO_LARGE = 0x80;

/** Memory bounds, in bytes. Change them before a pass (they are read on every segment). */
export const limits = {
  /** Largest PDU reassembled; a longer one is skipped (its length keeps the stream in sync). */
  maxPdu: 64 << 20,
  /** Out-of-order bytes waiting per direction before the hole before them is declared lost. */
  maxOutOfOrder: 1 << 20,
  /** All bytes buffered over all streams of a pass. */
  maxTotal: 512 << 20,
};

/**
 * The stream the PDU being dissected comes from, for stream dissectors' per-connection state (MQTT's protocol
 * version). Valid only while `frame` equals ctx.frame; stream is -1 outside a reassemble() delivery.
 */
export const current = { frame: -1, stream: -1, dir: 0 };

/** When the header of a PDU is split across segments, new bytes are looked at this many at a time to decide it. */
const PROBE = 64;

export const NONE = 0; // nothing seen in this direction yet
export const SYNCED = 1; // the next byte starts a PDU or continues the one under construction
export const RESYNC = 2; // a gap left us at an unknown place: look for a PDU start
export const CLOSED = 3; // FIN or RST seen: nothing more is decoded

/** One direction of one stream. */
export class Flow {
  state = NONE;
  /** Sequence number of the next byte expected (uint32). */
  next = 0;
  /** The PDU under construction: exactly `need` bytes once its length is known, else its header bytes so far. */
  pdu: Uint8Array | null = null;
  have = 0;
  /** Length of the PDU under construction; 0 while its header does not tell yet. */
  need = 0;
  /** Bytes still to pass over (the rest of a PDU too large or dropped). */
  skip = 0;
  /** Out-of-order segments (copies), sorted by sequence number, equal ones in arrival order. */
  ooo: Segment[] = [];
  oooBytes = 0;
  /** Sequence number of a FIN seen beyond a hole, -1 if none. */
  finSeq = -1;
}

export interface Segment { seq: number; data: Uint8Array }

/** Per-pass bookkeeping: bytes held (against limits.maxTotal), counters, and the REASM_* bits of the current call. */
export class Book {
  buffered = 0;
  peak = 0;
  gaps = 0;
  lostBytes = 0;
  skippedBytes = 0;
  droppedPdus = 0;
  /** REASM_* bits gathered during the current reassemble() call. */
  events = 0;
}

/** The current pass's bookkeeping (replaced by newBook() when a pass starts). */
export let book = new Book();

/** Starts the bookkeeping of a new pass. */
export function newBook(): void {
  book = new Book();
}

/**
 * Frames the in-order bytes b[o..end) of flow f into PDUs and dissects each complete one.
 * Readable version of the loop: skip what must be skipped; finish the PDU under construction; at a boundary, find
 * a PDU start if resynchronising, then dissect whole PDUs in place and start a new one with what is left.
 */
export function feed(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number, b: Uint8Array, o: number, end: number): void {
  while (o < end && f.state !== CLOSED) {
    if (f.skip > 0) {
      const n = Math.min(f.skip, end - o);
      f.skip -= n;
      o += n;
    } else if (f.pdu !== null && f.need > 0) {
      o = fill(ctx, f, d, stream, dir, b, o, end);
    } else if (f.pdu !== null) {
      o = decideHeader(ctx, f, d, stream, dir, b, o, end);
    } else {
      if (f.state === RESYNC) {
        const p = findStart(d, b, o, end);
        if (p > o) {
          book.events |= REASM_SKIPPED;
          book.skippedBytes += p - o;
        }
        if (p === end) return;
        o = p;
        f.state = SYNCED;
      }
      const r = d.pduLength(b, o, end);
      if (r > 0 && r <= end - o) {
        deliver(ctx, d, stream, dir, b, o, o + r, r);
        o += r;
      } else if (r > 0) {
        o = start(f, r, b, o, end);
      } else if (r < 0) {
        f.pdu = b.slice(o, end); // a header split across segments: keep it and decide with the next bytes
        f.need = 0;
        f.have = end - o;
        account(f.have);
        o = end;
      } else {
        f.state = RESYNC;
        book.events |= REASM_SKIPPED;
        book.skippedBytes++;
        o++; // not a PDU start: look from the next byte
      }
    }
  }
}

/** Starts a PDU of r bytes with b[o..end) (fewer than r): buffers it, or skips it when a bound forbids. */
function start(f: Flow, r: number, b: Uint8Array, o: number, end: number): number {
  if (r > limits.maxPdu || book.buffered + r > limits.maxTotal) {
    book.events |= r > limits.maxPdu ? REASM_TOO_LARGE : REASM_OVERFLOW;
    f.skip = r - (end - o);
    return end;
  }
  const pdu = new Uint8Array(r);
  pdu.set(b.subarray(o, end));
  f.pdu = pdu;
  f.need = r;
  f.have = end - o;
  account(r);
  return end;
}

/** Adds bytes to the PDU under construction; dissects it when complete. Returns the new read position. */
function fill(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number, b: Uint8Array, o: number, end: number): number {
  const pdu = f.pdu!;
  const n = Math.min(f.need - f.have, end - o);
  pdu.set(b.subarray(o, o + n), f.have);
  f.have += n;
  if (f.have === f.need) {
    const need = f.need;
    account(-pdu.length);
    f.pdu = null;
    f.have = 0;
    f.need = 0;
    deliver(ctx, d, stream, dir, pdu, 0, need, need);
  }
  return o + n;
}

/**
 * The PDU under construction holds only header bytes that did not tell its length: decide with new bytes.
 * Returns the new read position.
 */
function decideHeader(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number, b: Uint8Array, o: number, end: number): number {
  const head = f.pdu!, have = f.have;
  for (let take = Math.min(PROBE, end - o); ; take = Math.min(take * 2, end - o)) {
    const probe = new Uint8Array(have + take);
    probe.set(head.subarray(0, have));
    probe.set(b.subarray(o, o + take), have);
    const r = d.pduLength(probe, 0, probe.length);
    if (r < 0 && take < end - o) continue;
    account(-head.length);
    f.pdu = null;
    f.have = 0;
    if (r < 0 && probe.length <= limits.maxPdu) {
      f.pdu = probe; // still undecided: keep everything
      f.have = probe.length;
      account(probe.length);
      return end;
    }
    // Wireshark (tcp_dissect_pdus with a 2-byte minimum) waits for the next segment when one header byte ended a
    // segment, and gives up on the segment when two or more did without telling the length: the next segment then
    // starts a PDU. A header of 2+ bytes split across segments is rare in real traffic and typical of garbage, so
    // we decode it only when the dissector's strict test accepts it; otherwise we do as Wireshark does.
    const split = have >= 2;
    const judged = r > 0 && split && d.heuristic !== undefined ? d.heuristic(probe, 0, probe.length) : 1;
    if (judged < 0 && probe.length < PROBE && take === end - o) {
      f.pdu = probe; // too few bytes yet for the strict test to judge: wait for more
      f.have = probe.length;
      account(probe.length);
      return end;
    }
    if (r <= 0 || judged === 0) {
      book.events |= REASM_SKIPPED | REASM_PDU_DROPPED;
      book.skippedBytes += have;
      if (!split) f.state = RESYNC; // not a PDU start: look for one in the new bytes
      return o;
    }
    if (r <= probe.length) {
      // The whole PDU is in the probe (small PDUs: acks, pings).
      deliver(ctx, d, stream, dir, probe, 0, r, r);
      if (r >= have) return o + (r - have);
      f.pdu = head.slice(r, have); // a dissector that decided late: its extra header bytes start the next PDU
      f.have = have - r;
      account(f.have);
      return o;
    }
    if (r > limits.maxPdu || book.buffered + r > limits.maxTotal) {
      book.events |= r > limits.maxPdu ? REASM_TOO_LARGE : REASM_OVERFLOW;
      f.skip = r - probe.length;
      return o + take;
    }
    const pdu = new Uint8Array(r);
    pdu.set(probe);
    f.pdu = pdu;
    f.need = r;
    f.have = probe.length;
    account(r);
    return o + take; // fill() copies the rest
  }
}

/** First position in [o, end) where the dissector's heuristic accepts a PDU start; end when none. */
function findStart(d: StreamDissector, b: Uint8Array, o: number, end: number): number {
  for (let p = o; p < end; p++) {
    if (d.heuristic !== undefined ? d.heuristic(b, p, end) > 0 : d.pduLength(b, p, end) > 0) return p;
  }
  return end;
}

/** Dissects one PDU b[o..end) (rep bytes on the wire) with the stream named in `current`. */
export function deliver(ctx: DissectContext, d: StreamDissector, stream: number, dir: number, b: Uint8Array, o: number, end: number, rep: number): void {
  const savedFrame = current.frame, savedStream = current.stream, savedDir = current.dir;
  current.frame = ctx.frame;
  current.stream = stream;
  current.dir = dir;
  ctx.call(d, b, o, end, rep);
  current.frame = savedFrame;
  current.stream = savedStream;
  current.dir = savedDir;
}

/** Discards the PDU under construction (it counts as dropped). */
export function drop(f: Flow): void {
  if (f.pdu === null) return;
  book.events |= REASM_PDU_DROPPED;
  book.droppedPdus++;
  account(-f.pdu.length);
  f.pdu = null;
}

/** Counts n more (or fewer) bytes held. */
export function account(n: number): void {
  book.buffered += n;
  if (book.buffered > book.peak) book.peak = book.buffered;
}

