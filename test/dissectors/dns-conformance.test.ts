// Every dns.* field we declare, frame by frame, against tshark 4.0 on every corpus and sample capture that carries
// DNS (UDP and TCP port 53): through the whole pipeline (reader, link/IP/UDP/TCP reassembly, dns.ts, dns-state.ts,
// formatting). Not compared: dns.response_in (Wireshark knows it only in a second pass; tshark -T fields is one).
// ipv6-http-mdns-icmpv6.pcap is mDNS: tshark 4.0 fills dns.* fields under the "mdns" protocol, which Wirebook does
// not dissect (a field belongs to one dissector here), so it is checked to show no DNS at all.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { corpusFiles, requireTool, sampleFiles } from "../oracle/tshark.js";
import { compareDns, report } from "./dns-compare.js";

const DNS_FILES = [
  "general/dns-udp-mixed-records.pcap", "general/dns-over-tcp.pcap", "general/pcapng-many-interfaces.pcapng",
  "general/tls13-clienthello-sni-curl.pcap", "modbus/modbus-write-multiple-coils-fc15.pcap",
];

test("every dns field of every corpus and sample DNS capture equals tshark's", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const files = [
    ...corpusFiles().filter((f) => DNS_FILES.some((d) => f.endsWith(path.sep + d.split("/").join(path.sep)))),
    ...sampleFiles().filter((f) => /dns/i.test(path.basename(f))),
  ];
  assert.ok(files.length >= 6, `${files.length} DNS captures`);
  let compared = 0, frames = 0;
  const failures: string[] = [];
  for (const f of files) {
    const r = await compareDns(f);
    compared += r.compared;
    frames += r.messages;
    t.diagnostic(report(r));
    assert.ok(r.messages > 0, `${f}: DNS frames expected`);
    if (r.mismatches.length > 0) failures.push(report(r));
  }
  t.diagnostic(`${files.length} files, ${frames} frames, ${compared} field×frame cells compared`);
  assert.deepEqual(failures, []);
});

test("mDNS (udp 5353) is not dissected as dns", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const f = corpusFiles().find((x) => x.endsWith("ipv6-http-mdns-icmpv6.pcap"));
  if (!f) return t.skip("ipv6-http-mdns-icmpv6.pcap not in the corpus");
  const r = await compareDns(f);
  t.diagnostic(report(r).split("\n")[0]);
  assert.ok(r.mismatches.every((m) => m.ours === ""), "only tshark's mdns frames differ");
});
