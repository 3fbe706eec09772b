// Jupyter messaging protocol 5.3 message shapes, as a union discriminated on msg_type.
// Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html

import { randomUUID } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A message as framed on the wire (content typed loosely; see Request for the typed view). */
export interface Message<C = Record<string, unknown>> {
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers?: Uint8Array[];
}

/** A mime bundle: mime type -> data; "text/plain" is always present in what the kernel sends. */
export type MimeBundle = Record<string, unknown> & { "text/plain": string };

// ---- requests (shell and control) ----------------------------------------------------------------------------

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}
export interface CompleteRequest { code: string; cursor_pos: number }
export interface InspectRequest { code: string; cursor_pos: number; detail_level?: 0 | 1 }
export interface IsCompleteRequest { code: string }
export interface HistoryRequest { hist_access_type?: string; output?: boolean; raw?: boolean; n?: number }
export interface CommInfoRequest { target_name?: string }
export interface ShutdownRequest { restart?: boolean }
export type Empty = Record<string, never>;

/** Every request the kernel answers, discriminated on msg_type. */
export type Request =
  | { msg_type: "kernel_info_request"; content: Empty }
  | { msg_type: "execute_request"; content: ExecuteRequest }
  | { msg_type: "complete_request"; content: CompleteRequest }
  | { msg_type: "inspect_request"; content: InspectRequest }
  | { msg_type: "is_complete_request"; content: IsCompleteRequest }
  | { msg_type: "history_request"; content: HistoryRequest }
  | { msg_type: "comm_info_request"; content: CommInfoRequest }
  | { msg_type: "interrupt_request"; content: Empty }
  | { msg_type: "shutdown_request"; content: ShutdownRequest };

export type RequestType = Request["msg_type"];
const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  "kernel_info_request", "execute_request", "complete_request", "inspect_request", "is_complete_request",
  "history_request", "comm_info_request", "interrupt_request", "shutdown_request",
]);

/** The typed view of a received message, or undefined for a msg_type the kernel does not handle. */
export function asRequest(msg: Message): Request | undefined {
  return REQUEST_TYPES.has(msg.header.msg_type)
    ? ({ msg_type: msg.header.msg_type, content: msg.content } as Request)
    : undefined;
}

// ---- replies ---------------------------------------------------------------------------------------------------

export interface ErrorContent { ename: string; evalue: string; traceback: string[] }

export type ExecuteReply =
  | { status: "ok"; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
  | ({ status: "error"; execution_count: number } & ErrorContent)
  | { status: "aborted"; execution_count: number };

export interface CompleteReply {
  status: "ok";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental?: { start: number; end: number; text: string; type: string; signature: string }[] };
}
export interface InspectReply { status: "ok"; found: boolean; data: Record<string, string>; metadata: Empty }
export interface IsCompleteReply { status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string }

/** Reply msg_type for a request msg_type ("execute_request" -> "execute_reply"). */
export function replyType(requestType: string): string {
  return requestType.replace(/_request$/, "_reply");
}

// ---- building messages ------------------------------------------------------------------------------------------

/** A header for a message the kernel originates. */
export function makeHeader(msgType: string, session: string): Header {
  return {
    msg_id: randomUUID(),
    session,
    username: "wirebook",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** A message of `msgType` in reply to (or caused by) `parent`. */
export function makeMessage<C>(msgType: string, session: string, parent: Header | undefined, content: C,
  metadata: Record<string, unknown> = {}): Message<C> {
  return { header: makeHeader(msgType, session), parent_header: parent ?? {}, metadata, content };
}
