// Every TCP field of a real handshake, asserted value by value (the values tshark 4.0.17 prints for these frames),
// and the stateful ones on a capture that starts mid-connection.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";

/** The fields of frame i as tshark -T fields prints them. */
async function fieldsOf(rel: string, fields: readonly string[], frames: readonly number[]): Promise<Record<string, string>[]> {
  const cap = await open(path.join(corpusDir(), rel));
  try {
    const cols = cap.columns(fields);
    return frames.map((i) => Object.fromEntries(fields.map((f, k) => [f, formatFrame(cols[k], i - 1)])));
  } finally {
    cap.close();
  }
}

test("a real IPv6 handshake: every header, option and stream field", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // mqtt/mqtt311-pub-qos2.pcap, tshark's summaries:
  //   1  ::1 → ::1  TCP 94 38546 → 1883 [SYN] Seq=0 Win=65476 Len=0 MSS=65476 SACK_PERM TSval=1943894897 TSecr=0 WS=128
  //   2  ::1 → ::1  TCP 94 1883 → 38546 [SYN, ACK] Seq=0 Ack=1 Win=65464 Len=0 MSS=65476 SACK_PERM TSval=1943894897 TSecr=1943894897 WS=128
  //   3  ::1 → ::1  TCP 86 38546 → 1883 [ACK] Seq=1 Ack=1 Win=65536 Len=0 TSval=1943894897 TSecr=1943894897
  const expect: Record<string, [string, string, string]> = {
    "tcp.srcport": ["38546", "1883", "38546"],
    "tcp.dstport": ["1883", "38546", "1883"],
    "tcp.port": ["38546,1883", "1883,38546", "38546,1883"],
    "tcp.stream": ["0", "0", "0"],
    "tcp.completeness": ["0", "1", "3"],
    "tcp.len": ["0", "0", "0"],
    "tcp.seq": ["0", "0", "1"],
    "tcp.seq_raw": ["2182024519", "269257231", "2182024520"],
    "tcp.nxtseq": ["1", "1", "1"],
    "tcp.ack": ["0", "1", "1"],
    "tcp.ack_raw": ["0", "2182024520", "269257232"],
    "tcp.hdr_len": ["40", "40", "32"],
    "tcp.flags": ["0x0002", "0x0012", "0x0010"],
    "tcp.flags.syn": ["1", "1", "0"],
    "tcp.flags.ack": ["0", "1", "1"],
    "tcp.flags.ae": ["0", "0", "0"],
    "tcp.flags.str": ["··········S·", "·······A··S·", "·······A····"],
    "tcp.window_size_value": ["65476", "65464", "512"],
    "tcp.window_size": ["65476", "65464", "65536"],
    "tcp.window_size_scalefactor": ["", "", "128"],
    "tcp.checksum": ["0x0030", "0x0030", "0x0028"],
    "tcp.checksum.status": ["2", "2", "2"],
    "tcp.urgent_pointer": ["0", "0", "0"],
    "tcp.options": ["0204ffc40402080a73dd7b710000000001030307", "0204ffc40402080a73dd7b7173dd7b7101030307", "0101080a73dd7b7173dd7b71"],
    "tcp.option_kind": ["2,4,8,1,3", "2,4,8,1,3", "1,1,8"],
    "tcp.option_len": ["4,2,10,3", "4,2,10,3", "10"],
    "tcp.options.mss_val": ["65476", "65476", ""],
    "tcp.options.wscale.shift": ["7", "7", ""],
    "tcp.options.wscale.multiplier": ["128", "128", ""],
    "tcp.options.timestamp.tsval": ["1943894897", "1943894897", "1943894897"],
    "tcp.options.timestamp.tsecr": ["0", "1943894897", "1943894897"],
    "tcp.time_relative": ["0.000000000", "0.000012000", "0.000029000"],
    "tcp.time_delta": ["0.000000000", "0.000012000", "0.000017000"],
    "tcp.analysis.acks_frame": ["", "1", "2"],
    "tcp.analysis.ack_rtt": ["", "0.000012000", "0.000017000"],
    "tcp.analysis.initial_rtt": ["", "", "0.000029000"],
    "tcp.connection.syn": ["1", "", ""],
    "tcp.connection.synack": ["", "1", ""],
    "tcp.payload": ["", "", ""],
  };
  const rows = await fieldsOf("mqtt/mqtt311-pub-qos2.pcap", Object.keys(expect), [1, 2, 3]);
  for (const [field, values] of Object.entries(expect)) {
    assert.deepEqual(rows.map((r) => r[field]), values, field);
  }
});

test("mid-stream capture: relative numbers start at 1 on both sides", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // mqtt/mqtt-pingreq-pingresp.pcap: a PINGREQ and its PINGRESP, no handshake. tshark: Seq=1 Ack=1 Len=2 both ways.
  const rows = await fieldsOf("mqtt/mqtt-pingreq-pingresp.pcap", ["tcp.seq", "tcp.ack", "tcp.nxtseq", "tcp.len", "tcp.completeness",
    "tcp.window_size_scalefactor", "tcp.analysis.acks_frame", "tcp.analysis.bytes_in_flight"], [1, 2]);
  assert.deepEqual(rows[0], { "tcp.seq": "1", "tcp.ack": "1", "tcp.nxtseq": "3", "tcp.len": "2", "tcp.completeness": "0",
    "tcp.window_size_scalefactor": "-1", "tcp.analysis.acks_frame": "", "tcp.analysis.bytes_in_flight": "2" });
  assert.deepEqual(rows[1], { "tcp.seq": "1", "tcp.ack": "3", "tcp.nxtseq": "3", "tcp.len": "2", "tcp.completeness": "0",
    "tcp.window_size_scalefactor": "-1", "tcp.analysis.acks_frame": "1", "tcp.analysis.bytes_in_flight": "2" });
});

test("a snap length that cuts the options: fields up to the cut, window scaling from the SYN/ACK", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // general/snaplen-truncated-tcp.pcap frame 1: 34 of 40 header bytes captured, a timestamp option whose length byte
  // says 8 ("option length should be 10"), then the capture ends: tshark shows kinds 2,4,8 and lengths 4,2,8.
  const rows = await fieldsOf("general/snaplen-truncated-tcp.pcap", ["tcp.hdr_len", "tcp.len", "tcp.option_kind", "tcp.option_len",
    "tcp.option.len.invalid", "tcp.options.timestamp.tsval", "tcp.time_delta", "tcp.window_size_scalefactor", "tcp.payload", "tcp.nxtseq"], [1, 3, 4]);
  assert.deepEqual(rows[0], { "tcp.hdr_len": "40", "tcp.len": "0", "tcp.option_kind": "2,4,8", "tcp.option_len": "4,2,8",
    "tcp.option.len.invalid": "1", "tcp.options.timestamp.tsval": "", "tcp.time_delta": "0.000000000", "tcp.window_size_scalefactor": "",
    "tcp.payload": "", "tcp.nxtseq": "1" });
  assert.equal(rows[1]["tcp.window_size_scalefactor"], "-2", "the SYN/ACK had no window scale: no scaling either way");
  assert.equal(rows[2]["tcp.len"], "84", "tcp.len comes from IP's length, not from the 0 bytes captured");
  assert.equal(rows[2]["tcp.nxtseq"], "85");
  assert.equal(rows[2]["tcp.payload"], "");
});
