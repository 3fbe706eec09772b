// The tshark oracle every conformance test asks: field values, filter frame sets and filter errors, exactly as
// tshark 4.0 prints them, cached on disk so a re-run starts no tshark at all.
// Cache: <project root>/.cache/tshark/ (gitignored), one JSON file per question, keyed by sha256 of the capture's
// bytes + the question + the time zone (frame.time prints local time) + the first line of `tshark -v`. The version line itself is cached per tshark binary
// (real path, size, mtime), so a cache hit needs only fs calls.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** What node:test's TestContext offers that requireTool needs. */
export interface Skippable { skip(message?: string): void }

export interface FieldsOptions {
  /** A display filter (-Y): only the frames it selects are printed. */
  filter?: string;
  /**
   * More tshark arguments that change what it decodes: "decode as" (`-d tcp.port==1884,mqtt`) and preferences
   * (`-o mqtt.show_msg_as_text:TRUE`). Part of the cache key: the same file asked with other arguments is another
   * question.
   */
  args?: readonly string[];
}

/** A tshark failure: its exit code and stderr (less the "Running as user root" warning). */
export class TsharkError extends Error {
  constructor(readonly code: number | null, readonly stderr: string, args: readonly string[]) {
    super(`tshark ${args.join(" ")} failed (exit ${code}): ${stderr}`);
    this.name = "TsharkError";
  }
}

/** Wireshark's registration of one field (a line of `tshark -G fields`). */
export interface TsharkField {
  name: string;
  abbrev: string;
  /** "FT_UINT16", "FT_IPv4", … */
  type: string;
  proto: string;
  /** "BASE_HEX", "BASE_DEC", a bit width for booleans, or "". */
  base: string;
  mask: number;
  description: string;
}

// ---------------------------------------------------------------- locations

/** The project root: the nearest folder above this module holding package.json. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("wirebook project root not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The shared corpus folder (../shared/corpus from the project root), whether or not it exists. */
export function corpusDir(): string {
  return path.resolve(projectRoot(), "../shared/corpus");
}

const CAPTURE = /\.(pcap|pcapng|cap)(\.gz)?$/i;

function listCaptures(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && CAPTURE.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Every capture file of the shared corpus (absolute paths, sorted); [] when the corpus is missing. */
export function corpusFiles(): string[] {
  return listCaptures(corpusDir());
}

/** Every capture the project made itself (samples/, absolute paths, sorted). */
export function sampleFiles(): string[] {
  return listCaptures(path.join(projectRoot(), "samples"));
}

/** Absolute path of an executable found on PATH, or null. */
export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

/**
 * The project's rule for missing prerequisites: returns true when `name` (an executable on PATH, or "corpus") is
 * there; otherwise skips the test with a message and returns false — but throws when CI=true, where a missing tool
 * is a broken CI setup, not a reason to pass.
 */
export function requireTool(t: Skippable, name: string): boolean {
  const ok = name === "corpus" ? corpusFiles().length > 0 : which(name) !== null;
  if (ok) return true;
  const what = name === "corpus" ? `the shared corpus (${corpusDir()})` : `${name} (not on PATH)`;
  if (process.env.CI === "true") throw new Error(`${what} is missing, and CI=true requires it`);
  t.skip(`${what} is missing`);
  return false;
}

// ---------------------------------------------------------------- running tshark

const STDERR_NOISE = /^Running as user "root" and group "root"\. This could be dangerous\.\n?/m;
/** tshark's words for a file it read only partly: the frames before the damage are still its answer. */
const DAMAGED = /appears to (have been cut short|be damaged or corrupt)/;

interface RunResult { code: number | null; stdout: string; stderr: string }

function run(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile("tshark", args as string[], { maxBuffer: 1 << 30, encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === "string") return reject(err); // ENOENT etc.
        resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr: stderr.replace(STDERR_NOISE, "").trim() });
      });
  });
}

// ---------------------------------------------------------------- the cache

function cacheDir(): string {
  const d = path.join(projectRoot(), ".cache", "tshark");
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp + rename): parallel test processes may race on the same key. */
function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
}

let versionMemo: Promise<string> | undefined;

/** The first line of `tshark -v`, cached per binary (path, size, mtime) so a cache hit starts no tshark. */
export function tsharkVersion(): Promise<string> {
  versionMemo ??= (async () => {
    const bin = which("tshark");
    if (!bin) throw new Error("tshark is not on PATH");
    const real = fs.realpathSync(bin), st = fs.statSync(real);
    const id = `${real}:${st.size}:${st.mtimeMs}`;
    const file = path.join(cacheDir(), `version-${createHash("sha256").update(id).digest("hex").slice(0, 16)}.json`);
    const hit = readJson<{ id: string; version: string }>(file);
    if (hit?.id === id) return hit.version;
    const r = await run(["-v"]);
    if (r.code !== 0) throw new TsharkError(r.code, r.stderr, ["-v"]);
    const version = r.stdout.split("\n")[0].trim();
    writeJson(file, { id, version });
    return version;
  })();
  return versionMemo;
}

const shaMemo = new Map<string, { id: string; sha: Promise<string> }>();

/** sha256 of a file's content, memoised per (path, size, mtime) within this process. */
export function fileSha256(file: string): Promise<string> {
  const st = fs.statSync(file), id = `${st.size}:${st.mtimeMs}`;
  const hit = shaMemo.get(file);
  if (hit?.id === id) return hit.sha;
  const sha = new Promise<string>((resolve, reject) => {
    const h = createHash("sha256");
    fs.createReadStream(file).on("data", (c) => h.update(c)).on("error", reject).on("end", () => resolve(h.digest("hex")));
  });
  shaMemo.set(file, { id, sha });
  return sha;
}

/** Answers a question from the cache, or computes and stores it. */
async function cached<T>(question: object, compute: () => Promise<T>): Promise<T> {
  // The time zone is part of the question: tshark prints absolute times (frame.time) in local time.
  const tz = `${process.env.TZ ?? ""}|${Intl.DateTimeFormat().resolvedOptions().timeZone}`;
  const key = createHash("sha256").update(JSON.stringify({ ...question, tz, tshark: await tsharkVersion() })).digest("hex");
  const file = path.join(cacheDir(), `${key}.json`);
  const hit = readJson<{ answer: T }>(file);
  if (hit) return hit.answer;
  const answer = await compute();
  writeJson(file, { question, answer });
  return answer;
}

// ---------------------------------------------------------------- the questions

/** Splits tshark's -T fields output into rows of fields. */
function parseRows(stdout: string, width: number): string[][] {
  if (stdout === "") return [];
  const lines = stdout.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => {
    const row = line.split("\t");
    if (row.length !== width) throw new Error(`tshark printed ${row.length} fields where ${width} were asked: ${JSON.stringify(line)}`);
    return row;
  });
}

/**
 * Every frame's values of `fields`, exactly as `tshark -n -r FILE [ARGS] [-Y FILTER] -T fields -E occurrence=a
 * -E aggregator=, -E separator=/t -e …` prints them: one row per (selected) frame, one string per field, "" when
 * absent. One tshark run per (file, fields, filter, args), cached. Throws a TsharkError with tshark's stderr when tshark
 * fails — except for a damaged or cut-short file, whose readable frames are returned as tshark printed them.
 */
export async function tsharkFields(file: string, fields: readonly string[], opts: FieldsOptions = {}): Promise<string[][]> {
  if (fields.length === 0) throw new Error("tsharkFields: no fields asked");
  const sha = await fileSha256(file);
  const extra = opts.args ?? [];
  // The key has `args` only when some are given, so the questions asked before they existed keep their answers.
  const question = { kind: "fields", sha, fields, filter: opts.filter ?? null, ...(extra.length > 0 ? { args: extra } : {}) };
  return cached(question, async () => {
    const args = ["-n", "-r", file, ...extra];
    if (opts.filter !== undefined) args.push("-Y", opts.filter);
    args.push("-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t");
    for (const f of fields) args.push("-e", f);
    const r = await run(args);
    if (r.code !== 0 && !(DAMAGED.test(r.stderr) && r.stdout !== "")) throw new TsharkError(r.code, r.stderr, args);
    return parseRows(r.stdout, fields.length);
  });
}

/** The frame numbers (1-based) that display filter `filter` selects in `file`. */
export async function tsharkFrames(file: string, filter: string): Promise<number[]> {
  const rows = await tsharkFields(file, ["frame.number"], { filter });
  return rows.map((r) => Number(r[0]));
}

/** A 24-byte pcap with no packets: enough for tshark to compile a filter. */
function emptyCapture(): string {
  const file = path.join(cacheDir(), "empty.pcap");
  if (!fs.existsSync(file)) {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, h);
    fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * tshark's error text for a display filter it rejects (e.g. `"foo" is neither a field nor a protocol name.`,
 * without the "tshark: " prefix), or null when it accepts the filter. Cached per filter and tshark version.
 */
export async function tsharkRejects(filter: string): Promise<string | null> {
  return cached({ kind: "rejects", filter }, async () => {
    const args = ["-n", "-r", emptyCapture(), "-Y", filter, "-T", "fields", "-e", "frame.number"];
    const r = await run(args);
    if (r.code === 0) return null;
    return r.stderr.replace(/^tshark: /, "");
  });
}

/** One occurrence of a field in tshark's PDML: its display text and, when the field has bytes, its raw value. */
export interface PdmlValue {
  show: string;
  /** Hex of the field's bytes, or for a bit field the masked and shifted value in hex; absent for generated fields. */
  value?: string;
}

const XML_ENTITY: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unxml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : XML_ENTITY[e] ?? m);
}

/**
 * The PDML (`tshark -n -r FILE -T pdml`) occurrences of `fields` in every frame: result[frame][field] lists them in
 * tree order. Lets a test take a field's raw bytes from tshark itself. Cached like tsharkFields.
 */
export async function tsharkPdml(file: string, fields: readonly string[]): Promise<PdmlValue[][][]> {
  const sha = await fileSha256(file);
  return cached({ kind: "pdml", parser: 2, sha, fields }, async () => {
    const args = ["-n", "-r", file, "-T", "pdml"];
    const r = await run(args);
    if (r.code !== 0 && !(DAMAGED.test(r.stderr) && r.stdout !== "")) throw new TsharkError(r.code, r.stderr, args);
    const want = new Map(fields.map((f, k) => [f, k]));
    const frames: PdmlValue[][][] = [];
    let cur: PdmlValue[][] | null = null;
    // Whole-text scan: a show="…" attribute may hold raw newlines; ">" inside attribute values is escaped (&gt;).
    for (const m of r.stdout.matchAll(/<packet>|<field\s([^>]*)>/g)) {
      if (m[1] === undefined) { cur = fields.map(() => []); frames.push(cur); continue; }
      const name = /^name="([^"]*)"/.exec(m[1]);
      const k = name ? want.get(name[1]) : undefined;
      if (k === undefined || !cur) continue;
      const show = /\sshow="([^"]*)"/.exec(m[1]), value = /\svalue="([^"]*)"/.exec(m[1]);
      cur[k].push(value ? { show: unxml(show?.[1] ?? ""), value: value[1] } : { show: unxml(show?.[1] ?? "") });
    }
    return frames;
  });
}

let fieldsMemo: Promise<Map<string, TsharkField>> | undefined;

/** Every field Wireshark registers (`tshark -G fields`), by abbrev. Run once per tshark version, cached on disk. */
export function tsharkFieldTypes(): Promise<Map<string, TsharkField>> {
  fieldsMemo ??= (async () => {
    const version = await tsharkVersion();
    const file = path.join(cacheDir(), `fields-${createHash("sha256").update(version).digest("hex").slice(0, 16)}.tsv`);
    let text: string;
    if (fs.existsSync(file)) text = fs.readFileSync(file, "utf8");
    else {
      const r = await run(["-G", "fields"]);
      if (r.code !== 0) throw new TsharkError(r.code, r.stderr, ["-G", "fields"]);
      text = r.stdout;
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    }
    const map = new Map<string, TsharkField>();
    for (const line of text.split("\n")) {
      const c = line.split("\t");
      if (c[0] === "F" && c.length >= 7) {
        map.set(c[2], { name: c[1], abbrev: c[2], type: c[3], proto: c[4], base: c[5], mask: Number(c[6]) || 0, description: c[7] ?? "" });
      } else if (c[0] === "P" && c.length >= 3) {
        map.set(c[2], { name: c[1], abbrev: c[2], type: "FT_PROTOCOL", proto: c[2], base: "", mask: 0, description: "" });
      }
    }
    return map;
  })();
  return fieldsMemo;
}

/** Our FieldType for a Wireshark FT_ type name (FT_UINT16 -> "uint16"), or null when we have no equivalent. */
export function ourType(ft: string): string | null {
  const m: Record<string, string> = {
    FT_PROTOCOL: "protocol", FT_NONE: "none", FT_BOOLEAN: "bool",
    FT_UINT8: "uint8", FT_UINT16: "uint16", FT_UINT24: "uint24", FT_UINT32: "uint32", FT_UINT64: "uint64",
    FT_INT8: "int8", FT_INT16: "int16", FT_INT32: "int32", FT_INT64: "int64", FT_DOUBLE: "double",
    // FT_FLOAT is held as a double; its getters round to single precision, and the formatter prints what tshark does.
    FT_FLOAT: "double",
    FT_ETHER: "ether", FT_IPv4: "ipv4", FT_IPv6: "ipv6", FT_BYTES: "bytes", FT_STRING: "string",
    FT_STRINGZ: "string", FT_UINT_STRING: "string", FT_STRINGZPAD: "string", FT_STRINGZTRUNC: "string",
    FT_ABSOLUTE_TIME: "abs_time", FT_RELATIVE_TIME: "rel_time", FT_FRAMENUM: "framenum",
  };
  return m[ft] ?? null;
}
