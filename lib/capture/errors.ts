// The one error type the capture readers throw: a message and the byte offset it concerns.

/** Thrown by readCapture for input that cannot be read at all (empty, no known magic, broken file header). */
export class CaptureError extends Error {
  override readonly name = "CaptureError";

  /** `offset` is the byte offset in the (decompressed) stream the problem concerns. */
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte offset ${offset})`);
  }
}

/** Hex text of a 32-bit value, `0x` and 8 digits, as the error messages print magics and block types. */
export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
}
