// `wirebook fields CAPTURE -e FIELD …`: one line a frame, byte-compatible with `tshark -n -r CAPTURE -T fields -e …`
// (tab-separated, occurrences joined by ",", absent fields empty; -E header/separator/occurrence/aggregator as in
// tshark). Output is streamed in chunks with back-pressure, so a 2M-frame capture never becomes one string.

import { compileFilter, DisplayFilterError } from "../lib/dsl/index.js";
import type { Writable } from "node:stream";
import { lookupField } from "../lib/dissectors/registry.js";
import type { Capture } from "../lib/table/capture.js";
import { open } from "../lib/table/capture.js";
import { formatFrame, type FormatOptions, type Occurrence } from "../lib/table/tshark-format.js";

const USAGE = `usage: wirebook fields CAPTURE -e FIELD [-e FIELD …] [-E header=y|n] [-E separator=/t|/s|C]
                      [-E occurrence=a|f|l] [-E aggregator=,|/s|C]
Prints the fields of every frame like tshark -n -r CAPTURE -T fields.
`;

/** The parsed command line. */
export interface FieldsArgs {
  capture: string;
  fields: string[];
  header: boolean;
  separator: string;
  occurrence: Occurrence;
  aggregator: string;
  /** A display filter (-Y); applied through FieldsIo.selectFrames. */
  filter?: string;
}

/** Where the command writes, and the hook that turns a display filter into a frame mask (the DSL plugs in here). */
export interface FieldsIo {
  stdout: Writable;
  stderr: Writable;
  /** 1 per frame to print, 0 to skip; frames beyond the mask's length are skipped. */
  selectFrames?: (cap: Capture, filter: string) => Uint8Array | Promise<Uint8Array>;
}

class UsageError extends Error {}

/** tshark's spelling of separators: "/t" tab, "/s" space, anything else taken as is. */
function separatorText(v: string): string {
  return v === "/t" ? "\t" : v === "/s" ? " " : v;
}

/** Parses argv (after "fields"). Throws UsageError with a message for the user. */
export function parseFieldsArgs(argv: readonly string[]): FieldsArgs {
  const a: FieldsArgs = { capture: "", fields: [], header: false, separator: "\t", occurrence: "a", aggregator: "," };
  const value = (i: number, opt: string): string => {
    if (i >= argv.length) throw new UsageError(`option ${opt} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-e") a.fields.push(value(++i, arg));
    else if (arg === "-r") a.capture = value(++i, arg);
    else if (arg === "-Y") a.filter = value(++i, arg);
    else if (arg === "-n") continue; // accepted for tshark compatibility: we never resolve names
    else if (arg === "-T") {
      if (value(++i, arg) !== "fields") throw new UsageError("only -T fields is supported");
    }
    else if (arg === "-E") {
      const opt = value(++i, arg), eq = opt.indexOf("=");
      const key = eq < 0 ? opt : opt.slice(0, eq), v = eq < 0 ? "" : opt.slice(eq + 1);
      if (key === "header" && (v === "y" || v === "n")) a.header = v === "y";
      else if (key === "separator" && v !== "") a.separator = separatorText(v);
      else if (key === "aggregator" && v !== "") a.aggregator = separatorText(v);
      else if (key === "occurrence" && (v === "a" || v === "f" || v === "l")) a.occurrence = v;
      else throw new UsageError(`invalid -E option "${opt}"`);
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else if (!a.capture) a.capture = arg;
    else throw new UsageError(`unexpected argument "${arg}" (one capture at a time)`);
  }
  if (!a.capture) throw new UsageError("no capture file given");
  if (a.fields.length === 0) throw new UsageError("no field given (-e FIELD)");
  return a;
}

/** Thrown inside writeFields once the reader has gone away (`wirebook fields … | head`). */
class ClosedOutput extends Error {}

/** Writes one chunk, waiting when the stream's buffer is full; rejects once the stream has failed. */
function write(out: Writable, s: string): Promise<void> | void {
  if (out.destroyed || out.writableEnded) throw new ClosedOutput();
  if (out.write(s)) return;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off("drain", done);
      out.off("error", done);
      out.off("close", done);
      err || out.destroyed ? reject(new ClosedOutput()) : resolve();
    };
    out.once("drain", done);
    out.once("error", done);
    out.once("close", done);
  });
}

const CHUNK = 1 << 16;

/**
 * Writes the selected frames' fields. Reads only the named columns (one decoding pass for all of them).
 * Contract: every field must be registered (runFieldsCommand checks first).
 */
export async function writeFields(cap: Capture, args: FieldsArgs, out: Writable, mask?: Uint8Array | null): Promise<void> {
  const cols = cap.columns(args.fields);
  const fmt: FormatOptions = { occurrence: args.occurrence, aggregator: args.aggregator, index: cap.file.index };
  const sep = args.separator, n = cap.count, w = cols.length;
  let buf = args.header ? args.fields.join(sep) + "\n" : "";
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    let line = formatFrame(cols[0], i, fmt);
    for (let k = 1; k < w; k++) line += sep + formatFrame(cols[k], i, fmt);
    buf += line + "\n";
    if (buf.length >= CHUNK) {
      const p = write(out, buf);
      buf = "";
      if (p) await p;
    }
  }
  if (buf) await write(out, buf);
}

/** Where `wirebook fields` writes. -Y plugs in here: add `selectFrames: (cap, filter) => mask` (the DSL's compile). */
function defaultIo(): FieldsIo {
  return { stdout: process.stdout, stderr: process.stderr, selectFrames: filterMask };
}

/** The frames a display filter selects (1 = selected); throws DisplayFilterError with the caret message. */
export function filterMask(cap: Capture, filter: string): Uint8Array {
  const f = compileFilter(filter);
  cap.columns(f.fields);
  return f.run((a: string) => cap.column(a), cap.count);
}

/** Runs `wirebook fields …`; returns the exit code (0 ok, 1 unreadable capture, 2 usage or unknown field). */
export async function runFieldsCommand(argv: string[], io: FieldsIo = defaultIo()): Promise<number> {
  let args: FieldsArgs;
  try {
    args = parseFieldsArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`wirebook fields: ${e.message}\n${USAGE}`);
    return 2;
  }
  // tshark's wording and order: "Some fields aren't valid:" then each unknown name, sorted, on a tab-indented line.
  const unknown = [...new Set(args.fields.filter((f) => !lookupField(f)))].sort();
  if (unknown.length) {
    io.stderr.write(`wirebook: Some fields aren't valid:\n${unknown.map((f) => `\t${f}\n`).join("")}`);
    return 2;
  }
  let cap: Capture;
  try {
    cap = await open(args.capture);
  } catch (e) {
    io.stderr.write(`wirebook: ${args.capture}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    let mask: Uint8Array | null = null;
    if (args.filter !== undefined) {
      if (!io.selectFrames) {
        io.stderr.write("wirebook fields: -Y is not available yet\n");
        return 2;
      }
      try {
        mask = await io.selectFrames(cap, args.filter);
      } catch (e) {
        if (!(e instanceof DisplayFilterError)) throw e;
        io.stderr.write(`wirebook: invalid display filter: ${e.message}\n`);
        return 2; // tshark exits 2 for an invalid display filter too
      }
    }
    // A reader that goes away (EPIPE) ends the output quietly, as tshark does under `| head`.
    const onError = () => { /* reported through ClosedOutput */ };
    io.stdout.on("error", onError);
    try {
      await writeFields(cap, args, io.stdout, mask);
    } catch (e) {
      if (e instanceof ClosedOutput) return 0;
      throw e;
    } finally {
      io.stdout.off("error", onError);
    }
    // Like tshark: the frames before the damage are printed, then the reason, and a non-zero exit.
    const stopped = cap.info.stopped;
    if (stopped) {
      io.stderr.write(`wirebook: ${args.capture}: ${stopped.message}\n`);
      return 2;
    }
    return 0;
  } finally {
    cap.close();
  }
}
