// The TCP analysis fields (tcp.analysis.*, tcp.connection.fin_active/passive) and what
// tcp_print_sequence_number_analysis() shows of a segment's analysis (packet-tcp.c): nothing without a result;
// the ACKed frame and its RTT; the initial RTT; bytes in flight and bytes since PSH when non-zero; then one item per
// flag (a fast or spurious retransmission also shows "retransmission", a duplicate ACK shows its item twice — the
// field and the expert item share the abbrev).

import type { FieldDef, FieldType } from "./field.js";
import {
  A_ACK_LOST_PACKET, A_DUPLICATE_ACK, A_FAST_RETRANSMISSION, A_KEEP_ALIVE, A_KEEP_ALIVE_ACK, A_LOST_PACKET,
  A_OUT_OF_ORDER, A_RETRANSMISSION, A_REUSED_PORTS, A_SPURIOUS_RETRANSMISSION, A_WINDOW_FULL, A_WINDOW_UPDATE,
  A_ZERO_WINDOW, A_ZERO_WINDOW_PROBE, A_ZERO_WINDOW_PROBE_ACK, type SeqAnalyzer,
} from "./tcp-analysis.js";

export type Declare = (abbrev: string, name: string, type: FieldType, description: string) => FieldDef;

/** Where an analysis field's occurrences go (decode/row-numbers.ts RowNumbers). */
export interface NumberOut { put(row: number, v: number): void }

/** The analysis fields, declared through the replay's `derived` (so one replay fills them all). */
export function analysisFields(declare: Declare): FieldDef[] {
  const flag = (abbrev: string, name: string) => declare(abbrev, name, "none", `Analysis flag: ${name}`);
  return [
    declare("tcp.analysis", "SEQ/ACK analysis", "none", "Present when the sequence analysis has something to say about the segment"),
    declare("tcp.analysis.flags", "TCP Analysis Flags", "none", "Present when any analysis flag is set"),
    declare("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", "framenum", "The segment this one acknowledges exactly"),
    declare("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", "rel_time", "Seconds from that segment to this ACK"),
    declare("tcp.analysis.initial_rtt", "iRTT", "rel_time", "Seconds from the SYN to the first pure ACK of the handshake"),
    declare("tcp.analysis.bytes_in_flight", "Bytes in flight", "uint32", "Unacknowledged bytes after this segment"),
    declare("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", "uint32", "Bytes since the last PSH in this direction"),
    flag("tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace"),
    flag("tcp.analysis.retransmission", "This frame is a (suspected) retransmission"),
    declare("tcp.analysis.rto", "The RTO for this segment was", "rel_time", "Seconds since the segment this one retransmits"),
    declare("tcp.analysis.rto_frame", "RTO based on delta from frame", "framenum", "The segment the RTO is measured from"),
    flag("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission"),
    flag("tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission"),
    flag("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment"),
    flag("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)"),
    flag("tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)"),
    flag("tcp.analysis.window_update", "TCP window update"),
    flag("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full"),
    flag("tcp.analysis.keep_alive", "TCP keep-alive segment"),
    flag("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment"),
    flag("tcp.analysis.duplicate_ack", "Duplicate ACK"),
    declare("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", "uint32", "How many duplicates of this ACK so far"),
    declare("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", "framenum", "The ACK this one duplicates"),
    flag("tcp.analysis.zero_window_probe", "TCP Zero Window Probe"),
    flag("tcp.analysis.zero_window", "TCP Zero Window segment"),
    flag("tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe"),
    flag("tcp.connection.fin_active", "This frame initiates the connection closing"),
    flag("tcp.connection.fin_passive", "This frame undergoes the connection closing"),
  ];
}

/**
 * Appends what tcp_print_sequence_number_analysis() shows for the segment of frame f (0-based) to the columns.
 * `seconds(i, j)` is the exact time from frame j to frame i.
 */
export function printAnalysis(a: SeqAnalyzer, s: number, f: number, out: Record<string, NumberOut>, seconds: (i: number, j: number) => number): void {
  const ta = a.ta;
  if (!ta.exists) return;
  out["tcp.analysis"].put(f, 1);
  if (ta.frameAcked >= 0) {
    out["tcp.analysis.acks_frame"].put(f, ta.frameAcked + 1);
    const rtt = seconds(f, ta.ackFrom);
    if (rtt !== 0) out["tcp.analysis.ack_rtt"].put(f, rtt);
  }
  if (a.hasInitialRtt(s)) {
    const irtt = seconds(a.initialRttAck(s), a.initialRttSyn(s));
    if (irtt !== 0) out["tcp.analysis.initial_rtt"].put(f, irtt);
  }
  if (ta.bytesInFlight !== 0) {
    out["tcp.analysis.bytes_in_flight"].put(f, ta.bytesInFlight);
    out["tcp.analysis.push_bytes_sent"].put(f, ta.pushBytesSent);
  }
  const fl = ta.flags;
  if (fl === 0) return;
  out["tcp.analysis.flags"].put(f, 1);
  if (fl & A_REUSED_PORTS) out["tcp.analysis.reused_ports"].put(f, 1);
  if (fl & A_RETRANSMISSION) {
    out["tcp.analysis.retransmission"].put(f, 1);
    if (ta.rtoFrame >= 0 && seconds(f, ta.rtoFrame) !== 0) {
      out["tcp.analysis.rto"].put(f, seconds(f, ta.rtoFrame));
      out["tcp.analysis.rto_frame"].put(f, ta.rtoFrame + 1);
    }
  }
  if (fl & A_FAST_RETRANSMISSION) { out["tcp.analysis.fast_retransmission"].put(f, 1); out["tcp.analysis.retransmission"].put(f, 1); }
  if (fl & A_SPURIOUS_RETRANSMISSION) { out["tcp.analysis.spurious_retransmission"].put(f, 1); out["tcp.analysis.retransmission"].put(f, 1); }
  if (fl & A_OUT_OF_ORDER) out["tcp.analysis.out_of_order"].put(f, 1);
  if (fl & A_LOST_PACKET) out["tcp.analysis.lost_segment"].put(f, 1);
  if (fl & A_ACK_LOST_PACKET) out["tcp.analysis.ack_lost_segment"].put(f, 1);
  if (fl & A_WINDOW_UPDATE) out["tcp.analysis.window_update"].put(f, 1);
  if (fl & A_WINDOW_FULL) out["tcp.analysis.window_full"].put(f, 1);
  if (fl & A_KEEP_ALIVE) out["tcp.analysis.keep_alive"].put(f, 1);
  if (fl & A_KEEP_ALIVE_ACK) out["tcp.analysis.keep_alive_ack"].put(f, 1);
  if (ta.dupackNum) {
    if (fl & A_DUPLICATE_ACK) out["tcp.analysis.duplicate_ack"].put(f, 1);
    out["tcp.analysis.duplicate_ack_num"].put(f, ta.dupackNum);
    out["tcp.analysis.duplicate_ack_frame"].put(f, ta.dupackFrame + 1);
    out["tcp.analysis.duplicate_ack"].put(f, 1); // the expert item shares the abbrev
  }
  if (fl & A_ZERO_WINDOW_PROBE) out["tcp.analysis.zero_window_probe"].put(f, 1);
  if (fl & A_ZERO_WINDOW) out["tcp.analysis.zero_window"].put(f, 1);
  if (fl & A_ZERO_WINDOW_PROBE_ACK) out["tcp.analysis.zero_window_probe_ack"].put(f, 1);
}

