// Real TCP and UDP captures for the transport tests, made on the spot: a private network namespace (unshare -n),
// tcpdump on its loopback (MTU 1280), and a Python script that talks through the kernel's own stack — handshakes
// with window scaling, SACK permitted and timestamps; a connection reset with SO_LINGER 0 and a second connection
// from the same client port (port reuse); a refused connection; a bulk transfer into a small receive buffer
// (window full / zero window / window updates); an idle connection with keep-alives; UDP datagrams, an empty one,
// and one to a closed port (the ICMP error quotes it) — over IPv4 and IPv6. Then real packets from these captures
// and the corpus, cut or patched, for the edge cases.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { captureInNetns, readPcap, type Rec } from "./pcap-files.js";

export { readPcap, writePcap, type Rec } from "./pcap-files.js";

const SENDER = String.raw`
import socket, struct, time, threading
def serve(fam, addr, port, slow=False):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if slow: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((addr, port)); s.listen(8)
    def loop():
        while True:
            c, _ = s.accept()
            if slow:
                time.sleep(0.4)
                while c.recv(2048): time.sleep(0.01)
            else:
                d = c.recv(4096)
                if d: c.sendall(b'echo:' + d)
                time.sleep(0.05)
            c.close()
    threading.Thread(target=loop, daemon=True).start()
for fam, lo in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    serve(fam, lo, 48100); serve(fam, lo, 48101, slow=True)
time.sleep(0.1)
for fam, lo in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    # a normal exchange, then an abortive close (RST) and a new connection from the same client port
    for i in range(2):
        c = socket.socket(fam, socket.SOCK_STREAM); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((lo, 48000 + (fam == socket.AF_INET6)))
        c.connect((lo, 48100)); c.sendall(b'hello %d' % i); c.recv(100)
        if i == 0: c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close(); time.sleep(0.05)
    try:
        r = socket.socket(fam, socket.SOCK_STREAM); r.connect((lo, 48199))
    except OSError: pass
    b = socket.socket(fam, socket.SOCK_STREAM); b.connect((lo, 48101)); b.settimeout(3)
    try: b.sendall(b'x' * 120000)
    except OSError: pass
    b.close(); time.sleep(0.1)
    k = socket.socket(fam, socket.SOCK_STREAM); k.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    k.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1); k.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    k.connect((lo, 48100)); time.sleep(2.3); k.sendall(b'late'); k.recv(100); k.close()
    u = socket.socket(fam, socket.SOCK_DGRAM); us = socket.socket(fam, socket.SOCK_DGRAM); us.bind((lo, 48102))
    u.sendto(b"datagram", (lo, 48102)); u.sendto(b"", (lo, 48102)); u.sendto(b"to nowhere", (lo, 48198))
    time.sleep(0.1)
time.sleep(0.3)
`;

/** Runs the sender in a fresh network namespace while tcpdump captures its loopback; the pcap, or why not. */
export function makeTransportCapture(dir: string): Promise<{ file?: string; why?: string }> {
  return captureInNetns(dir, SENDER, "transport.pcap", 40_000);
}

/** A temporary folder for one test run. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-transport-"));
}

/** Frames (1-based) of a corpus pcap, as records. */
export function corpusPackets(corpus: string, rel: string, frames: readonly number[]): { linktype: number; recs: Rec[] } {
  const { linktype, recs } = readPcap(path.join(corpus, rel));
  return { linktype, recs: frames.map((n) => ({ ...recs[n - 1], data: Uint8Array.from(recs[n - 1].data) })) };
}

/** A copy of a record with some bytes changed: [offset, value] pairs. */
export function patched(r: Rec, changes: readonly (readonly [number, number])[]): Rec {
  const data = Uint8Array.from(r.data);
  for (const [at, v] of changes) data[at] = v;
  return { ...r, data, len: Math.max(r.len, data.length) };
}
