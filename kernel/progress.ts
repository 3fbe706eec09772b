// The progress line of a capture read: `open(path)` in a cell shows "Reading NAME: 1.2 M packets, 340 MB/s, 45%,
// ~2 s left", updated in place (display_data, then update_display_data with the same display_id) at most
// UPDATE_EVERY_MS apart, and ends as "Read NAME: N packets in T s". Reads shorter than SHOW_AFTER_MS show nothing.
// Formatting and throttling take a clock and a sink, so they are tested without a kernel.

import { basename } from "node:path";
import { escapeHtml } from "./display.js";

/** A read shows its line only once it has taken this long; WIREBOOK_PROGRESS_AFTER_MS overrides it (tests). */
export const SHOW_AFTER_MS = envMs("WIREBOOK_PROGRESS_AFTER_MS", 500);
/** Updates of the line at most this often (about four a second). */
export const UPDATE_EVERY_MS = 250;

/** What readCapture reports after each chunk. */
export interface ReadProgress {
  bytes: number;
  total: number;
  frames: number;
}

/** Where the line goes: the kernel's display() / updateDisplay() (KernelApi). */
export interface ProgressSink {
  display(value: unknown, displayId?: string): string;
  updateDisplay(displayId: string, value: unknown): void;
}

/** "812", "45.3 k", "1.2 M": packet counts as the line shows them. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} M`;
}

/** "0.4 s", "12 s", "3 min 5 s". */
export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** The running line: "Reading NAME: 1.2 M packets, 340 MB/s, 45%, ~2 s left". */
export function formatReading(name: string, p: ReadProgress, elapsedMs: number): string {
  const secs = Math.max(elapsedMs, 1) / 1000;
  const rate = p.bytes / secs;
  const parts = [`${formatCount(p.frames)} packets`, `${Math.round(rate / 1e6)} MB/s`];
  if (p.total > 0) {
    parts.push(`${Math.min(100, Math.floor((p.bytes / p.total) * 100))}%`);
    if (rate > 0 && p.bytes < p.total) parts.push(`~${formatSeconds((p.total - p.bytes) / rate)} left`);
  }
  return `Reading ${name}: ${parts.join(", ")}`;
}

/** The final line: "Read NAME: N packets in T s". */
export function formatDone(name: string, frames: number, elapsedMs: number): string {
  return `Read ${name}: ${frames} packets in ${formatSeconds(elapsedMs / 1000)}`;
}

/** A displayable line: text/plain plus a tiny text/html with the text escaped. */
export function progressValue(text: string): object {
  return {
    [Symbol.for("Jupyter.display")]: () => ({
      "text/plain": text,
      "text/html": `<pre class="wirebook-progress">${escapeHtml(text)}</pre>`,
    }),
  };
}

/** One read's line: shown once the read is slow, throttled, and closed with a summary (only if it was shown). */
export class ProgressLine {
  private readonly start: number;
  private id: string | undefined;
  private last = 0;

  constructor(private readonly name: string, private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now, private readonly showAfterMs = SHOW_AFTER_MS) {
    this.start = now();
  }

  /** True once the line is on screen. */
  get shown(): boolean { return this.id !== undefined; }

  /** Called after each chunk; publishes only when the read is slow and the last update is old enough. */
  update(p: ReadProgress): void {
    const t = this.now();
    const elapsed = t - this.start;
    if (elapsed < this.showAfterMs) return;
    if (this.id !== undefined && t - this.last < UPDATE_EVERY_MS) return;
    const value = progressValue(formatReading(this.name, p, elapsed));
    if (this.id === undefined) this.id = this.sink.display(value);
    else this.sink.updateDisplay(this.id, value);
    this.last = t;
  }

  /** The read ended with `frames` packets. */
  done(frames: number): void {
    if (this.id !== undefined) this.sink.updateDisplay(this.id, progressValue(formatDone(this.name, frames, this.now() - this.start)));
  }

  /** The read failed: the line says so instead of staying at its last percentage. */
  failed(e: unknown): void {
    const why = (e as Error)?.message ?? String(e);
    if (this.id !== undefined) this.sink.updateDisplay(this.id, progressValue(`Reading ${this.name} failed: ${why}`));
  }
}

/** The library's open(), as the prelude wraps it. */
export type OpenFn<T> = (path: string, options?: { onProgress?: (p: ReadProgress) => void } & Record<string, unknown>) => Promise<T>;

/** Calls `open(path, options)` with a progress line on `sink`; a caller's own onProgress still gets every report. */
export async function openWithProgress<T>(sink: ProgressSink, open: OpenFn<T>, path: string,
  options: { onProgress?: (p: ReadProgress) => void } & Record<string, unknown> = {}): Promise<T> {
  const line = new ProgressLine(basename(String(path)), sink);
  const own = options.onProgress;
  let frames = 0;
  const onProgress = (p: ReadProgress): void => {
    frames = p.frames;
    line.update(p);
    own?.(p);
  };
  try {
    const cap = await open(path, { ...options, onProgress });
    const count = (cap as { count?: unknown } | null)?.count;
    line.done(typeof count === "number" ? count : frames);
    return cap;
  } catch (e) {
    line.failed(e);
    throw e;
  }
}

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}
