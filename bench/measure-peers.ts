// Peers that run inside Node: pcap-parser 0.2.1 (event-based; classic microsecond pcap only), walking every packet.

import { createRequire } from "node:module";
import * as fs from "node:fs";
import type { WalkResult } from "./measure-bare.js";

interface PcapPacket { header: { capturedLength: number }; data: Uint8Array }
interface PcapParser {
  on(ev: "packet", f: (p: PcapPacket) => void): PcapParser;
  on(ev: "end", f: () => void): PcapParser;
  on(ev: "error", f: (e: Error) => void): PcapParser;
}

const require = createRequire(import.meta.url);

/** pcap-parser's parse(path).on('packet') over the whole file. Resolves at 'end'; rejects on 'error'. */
export function pcapParser(args: { path: string }): Promise<WalkResult> {
  const { parse } = require("pcap-parser") as { parse(path: string): PcapParser };
  return new Promise((resolve, reject) => {
    let packets = 0, captured = 0;
    parse(args.path)
      .on("packet", (p) => { packets++; captured += p.header.capturedLength; })
      .on("error", reject)
      .on("end", () => resolve({ packets, fileBytes: fs.statSync(args.path).size, capturedBytes: captured }));
  });
}
