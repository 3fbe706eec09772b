// Jupyter wire framing: routing identities, the <IDS|MSG> delimiter, and HMAC signatures.
// Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
//   [ident..., b"<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]
// The signature is the hex HMAC of header|parent_header|metadata|content as they were on the wire, so we verify over
// the raw received frames, never over re-serialised JSON.

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Header, Message } from "./messages.js";

export const DELIMITER = "<IDS|MSG>";
const DELIMITER_BYTES = Buffer.from(DELIMITER);

/** How messages are signed: the connection file's `key` and `signature_scheme` ("hmac-sha256"). */
export interface SigningKey {
  readonly key: string;
  readonly scheme: string;
}

/** Hex HMAC of the four signed frames; "" when the key is empty (the spec's "authentication disabled"). */
export function sign(k: SigningKey, parts: readonly Uint8Array[]): string {
  if (k.key === "") return "";
  const alg = k.scheme.startsWith("hmac-") ? k.scheme.slice(5) : k.scheme;
  const h = createHmac(alg, k.key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** True when `signature` is the HMAC of `parts`. Constant-time in the signature; never throws. */
export function verify(k: SigningKey, signature: Uint8Array, parts: readonly Uint8Array[]): boolean {
  if (k.key === "") return true;
  let expected: Buffer;
  try {
    expected = Buffer.from(sign(k, parts));
  } catch {
    return false; // unknown digest in the connection file
  }
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A received message: its routing identities and the parsed, already verified, message. */
export interface Received {
  readonly identities: Buffer[];
  readonly msg: Message;
}

/** Why a frame set was refused, for the kernel's stderr log. */
export type DecodeError = { readonly error: string };

/**
 * Splits and verifies a multipart message. Returns the message, or an error when the framing is wrong, the signature
 * does not match, or a frame is not JSON. Never throws; nothing in a refused message is looked at beyond its frames.
 */
export function decode(k: SigningKey, frames: readonly Buffer[]): Received | DecodeError {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (at < 0) return { error: "no <IDS|MSG> delimiter" };
  if (frames.length < at + 6) return { error: `too few frames (${frames.length - at - 1} after the delimiter)` };
  const [sig, header, parent, metadata, content] = frames.slice(at + 1, at + 6);
  if (!verify(k, sig, [header, parent, metadata, content])) return { error: "bad signature" };
  try {
    const msg: Message = {
      header: JSON.parse(header.toString("utf8")) as Header,
      parent_header: JSON.parse(parent.toString("utf8")) as Header | Record<string, never>,
      metadata: JSON.parse(metadata.toString("utf8")) as Record<string, unknown>,
      content: JSON.parse(content.toString("utf8")) as Record<string, unknown>,
      buffers: frames.slice(at + 6),
    };
    if (typeof msg.header?.msg_type !== "string") return { error: "header without msg_type" };
    return { identities: frames.slice(0, at), msg };
  } catch (e) {
    return { error: `frame is not JSON: ${(e as Error).message}` };
  }
}

/** The frames for `msg` addressed to `identities` (none on iopub, which uses the topic as its identity). */
export function encode(k: SigningKey, identities: readonly Uint8Array[], msg: Message): Uint8Array[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [...identities, DELIMITER_BYTES, Buffer.from(sign(k, parts)), ...parts, ...(msg.buffers ?? [])];
}
