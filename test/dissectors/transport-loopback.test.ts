// A capture made now on a private loopback (transport-captures.ts): handshakes with window scaling and SACK,
// a reset connection and a new one from the same client port, a refused connection, a bulk transfer into a tiny
// receive buffer (window full, zero window, window updates, retransmissions, SACK blocks), keep-alives, UDP
// datagrams (one empty, one to a closed port, quoted by the ICMP error) — over IPv4 and IPv6. Every transport field
// of every frame must match tshark's; the stream numbering must show the port reuse.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { requireTool } from "../oracle/tshark.js";
import { compareTransport, report } from "./transport-compare.js";
import { makeTransportCapture, tempDir } from "./transport-captures.js";

test("a live loopback capture of TCP and UDP over IPv4 and IPv6 matches tshark field by field", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "tcpdump") || !requireTool(t, "unshare") || !requireTool(t, "python3")) return;
  const dir = tempDir();
  try {
    const made = await makeTransportCapture(dir);
    if (!made.file) {
      if (process.env.CI === "true") throw new Error(made.why);
      return t.skip(made.why);
    }
    const r = await compareTransport(made.file);
    t.diagnostic(report(r));
    assert.equal(r.mismatches.length, 0, report(r, 30));
    const cap = await open(made.file);
    try {
      const [reused, stream, port] = cap.columns(["tcp.analysis.reused_ports", "tcp.stream", "tcp.srcport"]);
      // The reset connection and the next one from client port 48000 (IPv4) / 48001 (IPv6) are two streams.
      const byPort = new Map<number, Set<number>>();
      for (let i = 0; i < cap.count; i++) {
        const p = port.get(i) as number | undefined, s = stream.get(i) as number | undefined;
        if ((p === 48000 || p === 48001) && s !== undefined) (byPort.get(p) ?? byPort.set(p, new Set()).get(p)!).add(s);
      }
      assert.equal(byPort.get(48000)?.size, 2, "IPv4: two streams from the same client port");
      assert.equal(byPort.get(48001)?.size, 2, "IPv6: two streams from the same client port");
      assert.ok(reused.presentCount() >= 2, "the second SYNs are flagged as port reuse");
    } finally {
      cap.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
