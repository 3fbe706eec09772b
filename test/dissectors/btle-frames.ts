// Real BLE frames for the BLE tests: the records of the corpus's classic-pcap BLE captures (LINKTYPE 256), read
// with a minimal pcap reader (the files are read-only; nothing is copied).

import * as fs from "node:fs";
import * as path from "node:path";
import { corpusDir } from "../oracle/tshark.js";

/** The BLE capture folder of the shared corpus, or null when it is missing. */
export function bleDir(): string | null {
  const d = path.join(corpusDir(), "ble");
  return fs.existsSync(d) ? d : null;
}

/** Every record of a little-endian classic pcap file. */
export function pcapFrames(file: string): Uint8Array[] {
  const buf = new Uint8Array(fs.readFileSync(file));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  for (let p = 24; p + 16 <= buf.length;) {
    const incl = dv.getUint32(p + 8, true);
    out.push(buf.slice(p + 16, p + 16 + incl));
    p += 16 + incl;
  }
  return out;
}

/** Frames of every classic-pcap BLE capture of the corpus ([] when the corpus is missing). */
export function bleFrames(): Uint8Array[] {
  const d = bleDir();
  if (d === null) return [];
  return fs.readdirSync(d).filter((f) => f.endsWith(".pcap")).sort().flatMap((f) => pcapFrames(path.join(d, f)));
}
