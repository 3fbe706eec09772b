// Hand-built sample captures shared by the pcapng, fuzz and gzip tests.

import { block, bytes, concat, custom, dsb, epb, idb, isb, nrb, pb, pcapFile, shb, spb } from "./writers.js";

export const LE = true, BE = false;

/** Three sections: little-endian, big-endian, little-endian again. */
export function buildFile(withCustom: boolean): Uint8Array {
  return concat(
    shb(LE, { comments: ["first section", "second comment"], hardware: "x86_64", os: "Linux 6.1", userappl: "hand" }),
    idb(LE, { linktype: 1, snaplen: 0, name: "eth0", description: "uplink", tsresol: 9 }),
    idb(LE, { linktype: 101, snaplen: 100, name: "raw0", tsresol: 0x80 | 20, tsoffset: 100n }),
    epb(LE, { ifid: 0, ts: 1700000000123456789n, data: bytes(60, 1), comments: ["hello"] }),
    epb(LE, { ifid: 1, ts: (1700000000n << 20n) + 524288n + 1n, data: bytes(40, 2), len: 1000 }),
    spb(LE, { len: 80, data: bytes(80, 3) }),
    nrb(LE, [
      { type: 1, addr: [10, 0, 0, 1], names: ["a.example", "b.example"] },
      { type: 2, addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], names: ["v6.example"] },
      { type: 3, addr: [0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc], names: ["nic.example"] },
    ]),
    isb(LE, { ifid: 0, ts: 0n, recv: 10n, drop: 1n, osdrop: 2n, delivered: 7n }),
    dsb(LE, "CLIENT_RANDOM 00 11\n"),
    withCustom ? custom(LE, 32473, bytes(7)) : new Uint8Array(0),
    withCustom ? custom(LE, 32473, bytes(8), false) : new Uint8Array(0),
    block(LE, 0x99, (w) => w.u32(5)),
    epb(LE, { ifid: 0, ts: 1700000000999999999n, data: bytes(3, 4), comments: ["two", "comments"] }),
    shb(BE, { userappl: "second" }),
    idb(BE, { linktype: 113, snaplen: 64 }),
    epb(BE, { ifid: 0, ts: 1700000001000002n, data: bytes(64, 5), len: 200 }),
    spb(BE, { len: 100, data: bytes(64, 6) }),
    pb(BE, { ifid: 0, ts: 1700000002000003n, data: bytes(30, 7), comments: ["old packet block"] }),
    shb(LE),
    idb(LE, { linktype: 256, tsresol: 12 }),
    idb(LE, { linktype: 228, tsresol: 0x80 | 30, tsoffset: -5n }),
    epb(LE, { ifid: 0, ts: 12345678901234567890n, data: bytes(5, 8) }),
    epb(LE, { ifid: 1, ts: (1700000000n << 30n) + 123456789n, data: bytes(6, 9) }),
  );
}

// [caplen, len, time, global interface, section-local interface, data seed]
export const EXPECTED: [number, number, string, number, number, number][] = [
  [60, 60, "1700000000.123456789", 0, 0, 1],
  [40, 1000, "1700000100.500000953", 1, 1, 2],
  [80, 80, "0.000000000", 0, 0, 3],
  [3, 3, "1700000000.999999999", 0, 0, 4],
  [64, 200, "1700000001.000002000", 2, 0, 5],
  [64, 100, "0.000000000", 2, 0, 6],
  [30, 30, "1700000002.000003000", 2, 0, 7],
  [5, 5, "12345678.901234567", 3, 0, 8],
  [6, 6, "1699999995.114978094", 4, 1, 9],
];

/** A small classic pcap of `n` frames of varied sizes, in either byte order and precision. */
export function samplePcap(le: boolean, nano: boolean, n = 12): Uint8Array {
  const records = Array.from({ length: n }, (_, i) => ({
    sec: 1700000000 + i, frac: nano ? i * 123456789 % 1e9 : i * 123457 % 1e6, data: bytes((i * 37) % 120, i), len: (i * 37) % 120 + (i % 3) * 10,
  }));
  return pcapFile({ le, nano, snaplen: 262144, records });
}
