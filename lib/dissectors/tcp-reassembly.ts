// TCP stream reassembly for protocols that frame their own PDUs inside a byte stream (MQTT, Modbus/TCP, …):
// Wireshark's tcp_dissect_pdus() + desegment_tcp() with "reassemble out-of-order segments" on, bounded in memory.
// RFC 9293 §3.4 (sequence numbers, modulo 2^32), §3.10.7.4 (segment trimming); Wireshark epan/dissectors/
// packet-tcp.c (tcp_dissect_pdus, desegment_tcp); Zeek src/analyzer/protocol/tcp/TCP_Reassembler.cc (gap handling).
//
// tcp.ts calls reassemble() from one place, for every segment of a stream whose port hand-off is a StreamDissector
// (pure ACKs included: an ACK is how a capture gap is recognised). Per (tcp.stream, direction) it keeps the next
// expected sequence number, the bytes of one PDU under construction, and out-of-order segments up to a bound.
//   - A PDU wholly inside one segment is dissected from the frame's own buffer (no copy); a PDU spanning segments
//     is copied into one Uint8Array of exactly its length and dissected in the frame where it completes.
//   - Retransmitted or overlapping bytes already seen are dropped: the first copy wins (Wireshark keeps the first
//     copy of a byte in its reassembly too, and by default does not dissect retransmissions at all).
//   - Out-of-order segments wait (copied) until the hole before them is filled; their PDUs then belong to the frame
//     that filled it. A hole is declared lost when the peer ACKs past it (sent but not captured) or when the bytes
//     waiting behind it exceed `limits.maxOutOfOrder`; RST drops whatever waits.
//   - After a lost hole the partial PDU is dropped. If its length was known the next PDU boundary is known too and
//     decoding resumes there; otherwise the flow resynchronises: the stream dissector's heuristic() must accept a
//     position before decoding goes on (bytes before it are skipped).
//   - A stream seen first mid-connection (no SYN) is trusted to start at a PDU boundary, as Wireshark does.
// Decision (documented contract): gaps are not "malformed packets" — the capture lost bytes, the packets are fine.
// They are reported in reassemble()'s return value (REASM_* bits, for tcp.ts to surface as it likes, e.g. next to
// tcp.analysis.lost_segment) and counted in reassemblyStats(); ctx.malformed is never called from here.
// Memory: one PDU under construction and at most `maxOutOfOrder` bytes per direction, `maxTotal` over all streams;
// everything is released when a PDU completes, when a direction sees its FIN, and on RST.
// This file orders the bytes of each direction; tcp-pdu-framer.ts cuts the ordered bytes into PDUs.

import type { DissectContext } from "./dissector.js";
import {
  account, book, CLOSED, deliver, drop, feed, Flow, limits, newBook, NONE, REASM_GAP, REASM_OUT_OF_ORDER, REASM_OVERFLOW,
  REASM_OVERLAP, REASM_RETRANSMISSION, RESYNC, type StreamDissector, SYNCED,
} from "./tcp-pdu-framer.js";

export {
  current, isStreamDissector, limits, REASM_GAP, REASM_OUT_OF_ORDER, REASM_OVERFLOW, REASM_OVERLAP, REASM_PDU_DROPPED,
  REASM_RETRANSMISSION, REASM_SKIPPED, REASM_TOO_LARGE, type StreamDissector,
} from "./tcp-pdu-framer.js";

// TCP header flag bits (RFC 9293 §3.1), as in the 13th byte of the header.
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

class Stream {
  readonly flows = [new Flow(), new Flow()] as const;
}

/** Stands for a stream both of whose directions ended: later segments are ignored until a new SYN. */
const DEAD = new Stream();
DEAD.flows[0].state = CLOSED;
DEAD.flows[1].state = CLOSED;

/** Per-pass state: the streams by tcp.stream index, and the byte count against limits.maxTotal. */
class Table {
  streams: (Stream | undefined)[] = [];
}

let table = new Table();
let owner: DissectContext | null = null;

/** Forgets every stream (a new pass). Stream dissectors call it from their reset(); a new ctx also triggers it. */
export function resetReassembly(): void {
  table = new Table();
  newBook();
  owner = null;
}

/** Reassembly counters of the current pass, for tests and diagnostics. */
export function reassemblyStats(): { buffered: number; peak: number; gaps: number; lostBytes: number; skippedBytes: number; droppedPdus: number } {
  const t = book;
  return { buffered: t.buffered, peak: t.peak, gaps: t.gaps, lostBytes: t.lostBytes, skippedBytes: t.skippedBytes, droppedPdus: t.droppedPdus };
}

/** Signed distance a - b between two sequence numbers (RFC 9293 §3.4: modulo 2^32). */
const seqDiff = (a: number, b: number): number => (a - b) | 0;

/**
 * Feeds one TCP segment of stream `stream`, direction `dir` (0/1, as tcp.ts numbers them) to the reassembler:
 * `seq` and `ack` are the header's absolute numbers, `flags` its flag byte (TCP_* bits), b[o..end) the captured
 * payload and `rep` its length on the wire (> end - o when the capture cut the frame). Every PDU it completes is
 * dissected now with ctx.call(d, …). Returns the REASM_* bits of what happened.
 * Contract: never throws on packet content (a dissector that throws is caught by ctx.call); allocates only for
 * PDUs spanning segments, out-of-order segments and a stream's first segment.
 */
export function reassemble(ctx: DissectContext, stream: number, dir: number, seq: number, ack: number, flags: number,
  b: Uint8Array, o: number, end: number, rep: number, d: StreamDissector): number {
  if (ctx !== owner) {
    table = new Table();
    newBook();
    owner = ctx;
  }
  book.events = 0;
  let s = table.streams[stream];
  if (s === undefined || (s === DEAD && (flags & TCP_SYN) !== 0)) s = table.streams[stream] = new Stream();
  else if (s === DEAD) return 0;
  const f = s.flows[dir & 1], peer = s.flows[(dir & 1) ^ 1];
  if (flags & TCP_RST) {
    close(f);
    close(peer);
    table.streams[stream] = DEAD;
    return book.events;
  }
  // The peer's bytes this segment acknowledges but the capture never showed are lost: stop waiting for them.
  if ((flags & TCP_ACK) !== 0 && (peer.state === SYNCED || peer.state === RESYNC)) acked(ctx, peer, ack, d, stream, dir ^ 1);
  if (flags & TCP_SYN) {
    release(f);
    f.state = SYNCED;
    f.next = (seq + 1) >>> 0;
    seq = f.next;
  }
  if (f.state === CLOSED) return book.events;
  if (rep > 0) {
    if (f.state === NONE) {
      f.state = SYNCED;
      f.next = seq >>> 0;
    }
    segment(ctx, f, d, stream, dir, seq >>> 0, b, o, end, rep);
  }
  if (flags & TCP_FIN) {
    const fin = (seq + rep) >>> 0;
    if (f.state === NONE || seqDiff(fin, f.next) <= 0) close(f);
    else f.finSeq = fin;
  }
  if (f.state === CLOSED && peer.state === CLOSED) table.streams[stream] = DEAD;
  return book.events;
}

/** An in-sequence, retransmitted, overlapping or out-of-order segment of flow f. */
function segment(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number, seq: number,
  b: Uint8Array, o: number, end: number, rep: number): void {
  for (;;) {
    const rel = seqDiff(seq, f.next);
    if (rel > 0) {
      book.events |= REASM_OUT_OF_ORDER;
      const n = end - o;
      if (n === 0) return;
      if (f.oooBytes + n <= limits.maxOutOfOrder && book.buffered + n <= limits.maxTotal) {
        insert(f, seq, b.slice(o, end));
        return;
      }
      // No more room to wait: the hole before the first waiting byte is lost.
      book.events |= REASM_OVERFLOW;
      const first = f.ooo.length > 0 && seqDiff(f.ooo[0].seq, seq) < 0 ? f.ooo[0].seq : seq;
      lose(f, seqDiff(first, f.next));
      drain(ctx, f, d, stream, dir);
      if (f.state === CLOSED) return;
      continue;
    }
    if (rel + rep <= 0) {
      book.events |= REASM_RETRANSMISSION;
      return;
    }
    if (rel < 0) {
      book.events |= REASM_OVERLAP;
      o -= rel; // the first copy wins
      rep += rel;
      seq = f.next;
      if (o > end) o = end;
    }
    break;
  }
  const captured = end - o;
  feed(ctx, f, d, stream, dir, b, o, end);
  f.next = (seq + rep) >>> 0;
  if (captured < rep) truncated(ctx, f, d, stream, dir, rep - captured);
  drain(ctx, f, d, stream, dir);
}

/** Inserts an out-of-order copy, after any segment with the same or a lower sequence number. */
function insert(f: Flow, seq: number, data: Uint8Array): void {
  const q = f.ooo;
  let i = q.length;
  while (i > 0 && seqDiff(q[i - 1].seq, seq) > 0) i--;
  q.splice(i, 0, { seq, data });
  f.oooBytes += data.length;
  account(data.length);
}

/** Consumes waiting segments that the flow has reached; honours a FIN seen beyond a hole. */
function drain(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number): void {
  while (f.ooo.length > 0 && f.state !== CLOSED) {
    const s = f.ooo[0];
    const rel = seqDiff(s.seq, f.next);
    if (rel > 0) break;
    f.ooo.shift();
    f.oooBytes -= s.data.length;
    account(-s.data.length);
    if (-rel < s.data.length) {
      if (rel < 0) book.events |= REASM_OVERLAP;
      feed(ctx, f, d, stream, dir, s.data, -rel, s.data.length);
      f.next = (s.seq + s.data.length) >>> 0;
    } else {
      book.events |= REASM_RETRANSMISSION;
    }
  }
  if (f.finSeq >= 0 && seqDiff(f.finSeq, f.next) <= 0) close(f);
}

/** The peer acknowledged up to `ack`: anything before it not yet seen in flow f was lost by the capture. */
function acked(ctx: DissectContext, f: Flow, ack: number, d: StreamDissector, stream: number, dir: number): void {
  // Acks more than 2^30 ahead are nonsense (a mid-stream start, a broken stack): ignore them.
  while (f.state !== CLOSED) {
    const ahead = seqDiff(ack, f.next);
    if (ahead <= 0 || ahead >= 1 << 30) return;
    const first = f.ooo.length > 0 ? f.ooo[0].seq : -1;
    if (first !== -1 && seqDiff(first, ack) < 0) {
      lose(f, seqDiff(first, f.next));
      drain(ctx, f, d, stream, dir);
    } else {
      lose(f, ahead);
      drain(ctx, f, d, stream, dir);
      return;
    }
  }
}

/**
 * `n` bytes at f.next were lost. A PDU under construction is dropped; when its length was known the flow stays in
 * step (the rest of it is skipped), otherwise it must find a PDU start again.
 */
function lose(f: Flow, n: number): void {
  if (n <= 0) return;
  book.events |= REASM_GAP;
  book.gaps++;
  book.lostBytes += n;
  f.next = (f.next + n) >>> 0;
  if (f.state === RESYNC) return;
  if (f.skip > 0) {
    if (n < f.skip) {
      f.skip -= n;
      return;
    }
    f.skip = 0;
    f.state = RESYNC;
    return;
  }
  if (f.pdu !== null) {
    drop(f);
    if (f.need > 0 && n < f.need - f.have) {
      f.skip = f.need - f.have - n;
      f.need = 0;
      f.have = 0;
      return;
    }
    f.need = 0;
    f.have = 0;
  }
  f.state = RESYNC;
}

/** The capture cut the segment: `n` bytes of it were on the wire but are not in the file. */
function truncated(ctx: DissectContext, f: Flow, d: StreamDissector, stream: number, dir: number, n: number): void {
  // A PDU cut by the snap length is dissected with what there is (the dissector flags it), as Wireshark does
  // when it cannot reassemble; then the lost bytes are handled like any other gap.
  if (f.pdu !== null && f.need > 0 && f.have > 0) {
    const pdu = f.pdu, have = f.have, need = f.need;
    account(-pdu.length);
    f.pdu = null;
    f.have = 0;
    f.need = 0;
    f.skip = need - have;
    deliver(ctx, d, stream, dir, pdu, 0, have, need);
  }
  f.next = (f.next - n) >>> 0; // lose() advances it again
  lose(f, n);
}

/** Releases a flow's buffers and stops decoding it. */
function close(f: Flow): void {
  release(f);
  f.state = CLOSED;
}

/** Frees everything a flow holds (a partial PDU counts as dropped). */
function release(f: Flow): void {
  drop(f);
  f.need = 0;
  f.have = 0;
  f.skip = 0;
  if (f.oooBytes > 0) account(-f.oooBytes);
  f.ooo = [];
  f.oooBytes = 0;
  f.finSeq = -1;
}

