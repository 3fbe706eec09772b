// Test captures as plain records: read and write classic pcap, and record a Python sender's traffic with tcpdump on
// the loopback of a network namespace of its own (`unshare -n`), so tests make real captures without touching the host.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** One pcap record. */
export interface Rec { sec: number; usec: number; data: Uint8Array; len: number }

/** Reads a classic pcap of either byte order and time resolution (microseconds are assumed for writing back). */
export function readPcap(file: string): { linktype: number; recs: Rec[] } {
  const b = fs.readFileSync(file), dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true), le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const linktype = dv.getUint32(20, le), recs: Rec[] = [];
  for (let at = 24; at + 16 <= b.length;) {
    const cap = dv.getUint32(at + 8, le);
    if (at + 16 + cap > b.length) break;
    recs.push({ sec: dv.getUint32(at, le), usec: dv.getUint32(at + 4, le) % 1000000, len: dv.getUint32(at + 12, le), data: b.subarray(at + 16, at + 16 + cap) });
    at += 16 + cap;
  }
  return { linktype, recs };
}

/** Writes a little-endian microsecond pcap. */
export function writePcap(file: string, linktype: number, recs: readonly Rec[]): void {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(262144, 16); h.writeUInt32LE(linktype, 20);
  parts.push(h);
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(r.sec, 0); rh.writeUInt32LE(r.usec, 4); rh.writeUInt32LE(r.data.length, 8); rh.writeUInt32LE(r.len, 12);
    parts.push(rh, Buffer.from(r.data));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

/**
 * Runs the Python `sender` in a fresh network namespace (loopback up, MTU 1280) while tcpdump captures its loopback
 * into dir/name; returns the pcap, or why there is none. tcpdump is waited for ("listening") before the sender starts.
 */
export function captureInNetns(dir: string, sender: string, name: string, timeoutMs: number): Promise<{ file?: string; why?: string }> {
  const script = path.join(dir, "sender.py"), file = path.join(dir, name);
  fs.writeFileSync(script, sender);
  const shell = `ip link set lo up && ip link set lo mtu 1280 && { tcpdump -U -i lo -w '${file}' 2>'${dir}/tcpdump.err' & TP=$!; } && ` +
    `for i in $(seq 50); do grep -q listening '${dir}/tcpdump.err' 2>/dev/null && break; sleep 0.1; done; python3 '${script}'; ` +
    // Stop tcpdump only once the file has stopped growing: on a loaded machine it writes the last packets late.
    `prev=-1; for i in $(seq 40); do sleep 0.3; s=$(stat -c %s '${file}' 2>/dev/null || echo 0); [ "$s" = "$prev" ] && break; prev=$s; done; ` +
    `kill $TP; wait $TP 2>/dev/null; true`;
  return new Promise((resolve) => {
    const p = spawn("unshare", ["-n", "sh", "-c", shell], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => { err += d; });
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0 || !fs.existsSync(file) || fs.statSync(file).size <= 24) resolve({ why: `netns capture failed (exit ${code}): ${err.trim().slice(0, 200)}` });
      else resolve({ file });
    });
    p.on("error", (e) => resolve({ why: `unshare: ${e.message}` }));
  });
}
