// The one error type the capture readers throw: a message and the byte offset it concerns.

import type { CaptureProblem } from "./types.js";

/** Thrown by readCapture for input that cannot be read at all (empty, no known magic, broken file header). */
export class CaptureError extends Error {
  override readonly name = "CaptureError";

  /** `offset` is the byte offset in the (decompressed) stream the problem concerns; the message names it too. */
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Hex text of a 32-bit value, `0x` and 8 digits, as the error messages print magics and block types. */
export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
}

/** At most this many warnings are kept (a damaged file could otherwise warn once a packet). */
export const MAX_WARNINGS = 1000;

/** Collects the warnings and the stop reason of one read, bounded in number. */
export class Problems {
  readonly warnings: CaptureProblem[] = [];
  stopped: CaptureProblem | undefined;
  private dropped = 0;

  /** Records a recoverable oddity; beyond MAX_WARNINGS only counts it. */
  warn(offset: number, message: string, frame?: number): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(frame === undefined ? { offset, message } : { offset, frame, message });
    else this.dropped++;
  }

  /** Records why reading stopped (the first reason wins). */
  stop(offset: number, message: string, frame?: number): void {
    this.stopped ??= frame === undefined ? { offset, message } : { offset, frame, message };
  }

  /** Appends the count of warnings not kept, if any. */
  close(): void {
    if (this.dropped > 0) {
      const last = this.warnings[this.warnings.length - 1];
      this.warnings.push({ offset: last.offset, message: `${this.dropped} more warnings not kept` });
      this.dropped = 0;
    }
  }
}
