// scripts/make-captures.sh still makes real captures on this machine (root, network namespaces, the Debian tools):
// the quick scenarios are re-run into a temporary folder and read back with tshark. The committed samples/ are what
// everything else uses; this guards the script that makes them.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot, requireTool, tsharkFields } from "../oracle/tshark.js";

const SCRIPT = path.join(projectRoot(), "scripts", "make-captures.sh");

test("make-captures.sh makes the modbus, dns_icmp and nano captures with real software", async (t) => {
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error("CI must run as root to make captures");
    return t.skip("needs root (network namespaces)");
  }
  for (const tool of ["tshark", "tcpdump", "ip", "ping", "/usr/bin/python3"]) {
    if (tool.startsWith("/") ? !fs.existsSync(tool) : !requireTool(t, tool)) return t.skip(`${tool} missing`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-captures-"));
  try {
    const r = spawnSync("bash", [SCRIPT, "-o", dir, "modbus", "dns_icmp", "nano"], { encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const stacks = async (f: string) => new Set((await tsharkFields(path.join(dir, f), ["frame.protocols"])).map((row) => row[0]));
    const modbus = await stacks("modbus-tcp-poll.pcap");
    assert.ok(modbus.has("eth:ethertype:ip:tcp:mbtcp:modbus"), [...modbus].join(" "));
    const dns = await stacks("dns-icmp.pcap");
    assert.ok(dns.has("eth:ethertype:ip:udp:dns") && dns.has("eth:ethertype:ip:icmp:data"), [...dns].join(" "));
    const nano = fs.readFileSync(path.join(dir, "icmp-nanosecond.pcap")).readUInt32LE(0);
    assert.equal(nano, 0xa1b23c4d, "nanosecond pcap magic");
    // The exception response the client provokes (read past the data block).
    const exc = await tsharkFields(path.join(dir, "modbus-tcp-poll.pcap"), ["modbus.exception_code"]);
    assert.ok(exc.some((row) => row[0] === "2"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
