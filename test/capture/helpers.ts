// Shared by the capture tests: where the corpus is, whether tshark is there, temporary files, tshark's view of a file.

import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: the nearest folder above this file holding package.json (works from test/ and dist/test/). */
export const ROOT = (() => {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(d, "package.json"))) {
    const up = path.dirname(d);
    if (up === d) throw new Error("no package.json above the tests");
    d = up;
  }
  return d;
})();

/** The shared read-only capture corpus, ../shared/corpus relative to the project root. */
export const CORPUS = path.resolve(ROOT, "../shared/corpus");

export const HAVE_CORPUS = fs.existsSync(path.join(CORPUS, "MANIFEST.tsv"));
export const HAVE_TSHARK = spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0;

/** Skips the test with `why` when `ok` is false; in CI (CI=true) a missing prerequisite fails instead. */
export function need(t: { skip(why?: string): void }, ok: boolean, why: string): boolean {
  if (ok) return true;
  if (process.env.CI === "true") throw new Error(`${why} (required when CI=true)`);
  t.skip(why);
  return false;
}

/** A fresh private temporary folder, removed at exit. */
export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-test-"));
  process.on("exit", () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes bytes to a new file in a temporary folder and returns its path. */
export function tmpFile(name: string, bytes: Uint8Array): string {
  const p = path.join(tmpDir(), name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** One frame as tshark prints it. */
export interface TsharkFrame {
  caplen: number;
  len: number;
  /** frame.time_epoch text (empty for frames without a timestamp). */
  time: string;
  /** frame.interface_id text (empty when the format has none, as in classic pcap). */
  iface: string;
  /** frame.encap_type (Wireshark's WTAP_ENCAP number). */
  encap: number;
}

const TSHARK_ARGS = ["-T", "fields", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.time_epoch",
  "-e", "frame.interface_id", "-e", "frame.encap_type"];

function parseFrames(stdout: string): TsharkFrame[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => {
    const [caplen, len, time, iface, encap] = l.split("\t");
    return { caplen: +caplen, len: +len, time, iface, encap: +encap };
  });
}

/** tshark's frames of a file (one run; a damaged file yields the frames before the damage) and its complaint. */
export function tsharkFrames(file: string): { frames: TsharkFrame[]; stderr: string } {
  const r = spawnSync("tshark", ["-r", file, ...TSHARK_ARGS], { maxBuffer: 1 << 30 });
  return { frames: parseFrames(r.stdout.toString()), stderr: r.stderr.toString() };
}

/** tsharkFrames without blocking, so several files can be run at once. */
export function tsharkFramesAsync(file: string): Promise<{ frames: TsharkFrame[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile("tshark", ["-r", file, ...TSHARK_ARGS], { maxBuffer: 1 << 30 }, (_err, stdout, stderr) => {
      resolve({ frames: parseFrames(String(stdout)), stderr: String(stderr) });
    });
  });
}

/** MANIFEST.tsv rows: path, sha256, packets (the leading number), and the link type text. */
export function manifest(): { path: string; sha256: string; packets: number; linktypes: string }[] {
  const lines = fs.readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").split("\n").filter((l) => l.trim() !== "");
  const head = lines[0].split("\t");
  const col = (name: string) => head.indexOf(name);
  return lines.slice(1).map((l) => {
    const f = l.split("\t");
    return { path: f[col("path")], sha256: f[col("sha256")], packets: parseInt(f[col("packets")], 10), linktypes: f[col("format_and_linktype")] };
  });
}

/** SHA-256 hex of a file, by the sha256sum tool when present (an oracle independent of node:crypto). */
export function sha256sum(file: string): string {
  return execFileSync("sha256sum", [file]).toString().split(" ")[0];
}

/** Deterministic 32-bit generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
}
