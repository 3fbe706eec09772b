// The per-stream summary (tcp-conversations.ts) against tshark's TCP conversation table (-z conv,tcp) on real
// captures: the same conversations, endpoints, frames and bytes each way, and start times.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { tcpConversations, type Endpoint } from "../../lib/dissectors/tcp-conversations.js";
import { open } from "../../lib/table/capture.js";
import { ipv6Text } from "../../lib/table/address-text.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";

const FILES = ["general/http-simple-get.pcap", "general/dns-over-tcp.pcap", "mqtt/mqtt311-pub-qos2.pcap", "mqtt/mqtt5-unsub-qos1-with-rst.pcap",
  "mqtt/mqtt-missing-connect-mixed-flows.pcap", "general/c2-trickbot-http-post.pcap"];

interface Row { a: string; b: string; framesBA: number; bytesBA: string; framesAB: number; bytesAB: string; start: string }

/** tshark -q -z conv,tcp, one row per conversation ("<-" is B to A, "->" A to B). */
function tsharkConversations(file: string): Row[] {
  const out = execFileSync("tshark", ["-n", "-r", file, "-q", "-z", "conv,tcp"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const rows: Row[] = [];
  for (const line of out.split("\n")) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+) (\d+ bytes|[\d.]+ \w?B)\s+(\d+) (\d+ bytes|[\d.]+ \w?B)\s+\d+ \S+ \S+\s+([\d.]+)/.exec(line);
    if (m) rows.push({ a: m[1], b: m[2], framesBA: +m[3], bytesBA: m[4], framesAB: +m[5], bytesAB: m[6], start: m[7] });
  }
  return rows;
}

const text = (e: Endpoint) => `${e.address.length === 16 ? ipv6Text(e.address) : Array.from(e.address).join(".")}:${e.port}`;
/** tshark prints small byte counts exactly and larger ones rounded ("59 kB"): compare the exact ones. */
const bytesAgree = (theirs: string, ours: number) => !theirs.endsWith(" bytes") || theirs === `${ours} bytes`;

test("tcp conversations match tshark's conversation table", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  for (const rel of FILES) {
    const file = path.join(corpusDir(), rel);
    const rows = tsharkConversations(file);
    const cap = await open(file);
    try {
      const convs = tcpConversations(cap).filter((c) => c !== undefined);
      assert.equal(convs.length, rows.length, `${rel}: number of conversations`);
      const t0 = cap.file.index.tsSec[0] + cap.file.index.tsNsec[0] / 1e9;
      for (const r of rows) {
        const c = convs.find((x) => text(x.a) === r.a && text(x.b) === r.b);
        assert.ok(c, `${rel}: conversation ${r.a} <-> ${r.b} (ours: ${convs.map((x) => `${text(x.a)} <-> ${text(x.b)}`).join(", ")})`);
        assert.deepEqual(c.packets, [r.framesAB, r.framesBA], `${rel} ${r.a}: frames each way`);
        assert.ok(bytesAgree(r.bytesAB, c.bytes[0]) && bytesAgree(r.bytesBA, c.bytes[1]), `${rel} ${r.a}: bytes ${c.bytes} vs ${r.bytesAB}/${r.bytesBA}`);
        assert.equal((c.firstTime - t0).toFixed(6), Number(r.start).toFixed(6), `${rel} ${r.a}: start`);
      }
    } finally {
      cap.close();
    }
  }
});

test("a conversation's flags and payload bytes (http-simple-get: one stream, handshake to FIN)", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const cap = await open(path.join(corpusDir(), "general/http-simple-get.pcap"));
  try {
    const [c] = tcpConversations(cap);
    // tshark: tcp.len 152 (the GET) one way; 1448 + 1448 + 1448 + 893 = 5237 the other (its FIN ends at nxtseq 5239).
    assert.deepEqual(c.payload, [152, 5237]);
    assert.deepEqual([c.syn, c.synAck, c.fin, c.rst], [true, true, true, false]);
    assert.equal(c.firstFrame, 1);
    assert.equal(c.lastFrame, 16);
  } finally {
    cap.close();
  }
});
