// Per-pass Modbus/TCP state: which direction of a connection carries queries, and the requests a response may
// answer (packet-mbtcp.c dissect_modbus: the conversation's list of request frames, searched newest first for the
// same function code, unit id and transaction id). Plus the byte-count checks that flag a PDU malformed.
// Memory: one entry per distinct (function, unit, transaction) of a connection, in typed arrays; nothing is
// allocated per packet once a key has been seen.

import { segmentPorts } from "./pinfo.js";
import {
  GET_COMM_EVENT_LOG, QUERY, READ_COILS, READ_DISCRETE_INPUTS, READ_FIFO_QUEUE, READ_FILE_RECORD, READ_HOLDING_REGS,
  READ_INPUT_REGS, READ_WRITE_REG, RESPONSE, WRITE_FILE_RECORD, WRITE_MULT_COILS, WRITE_MULT_REGS,
} from "./modbus-values.js";

class Conv {
  /** Direction (tcp-reassembly's 0/1) that carries queries; -1 until the first ADU. */
  queryDir = -1;
  /** (function << 24 | unit << 16 | transaction) -> request slot. */
  readonly requests = new Map<number, number>();
}

let convs: (Conv | undefined)[] = [];
/** ADUs not delivered by the reassembler (no stream known) share one conversation. */
let loose = new Conv();

// Request slots: frame number (1-based), reference number and count of the latest request with a given key.
let slotFrame = new Uint32Array(256);
let slotBase = new Uint16Array(256);
let slotNum = new Uint16Array(256);
let slots = 0;

/** Forgets every connection (a new pass). */
export function resetConversations(): void {
  convs = [];
  loose = new Conv();
  slots = 0;
}

function conv(stream: number): Conv {
  if (stream < 0) return loose;
  let c = convs[stream];
  if (c === undefined) c = convs[stream] = new Conv();
  return c;
}

/**
 * True when direction `dir` of `stream` carries queries. Wireshark decides by port (to 502: query, from 502:
 * response); the TCP layer does not pass its ports up yet, so the direction of a connection's first ADU is taken
 * as the query direction, which agrees with the ports whenever the capture holds the connection's first query.
 */
export function queryDirection(stream: number, dir: number, frame: number, serverPort: (port: number) => boolean): boolean {
  // packet-mbtcp.c classify_mbtcp_packet(): a segment to the Modbus port is a query, one from it a response.
  if (segmentPorts.frame === frame) {
    const toServer = serverPort(segmentPorts.dst), fromServer = serverPort(segmentPorts.src);
    if (toServer !== fromServer) return toServer;
  }
  // Both or neither port is Modbus's: the side that sent the connection's first ADU asks.
  const c = conv(stream);
  if (c.queryDir < 0) c.queryDir = dir;
  return c.queryDir === dir;
}

/** Remembers a query (frame number 1-based) under its key, replacing an older one with the same key. */
export function pairQuery(stream: number, key: number, frame: number, base: number, num: number): void {
  const c = conv(stream);
  let s = c.requests.get(key);
  if (s === undefined) {
    s = slots++;
    if (s === slotFrame.length) grow();
    c.requests.set(key, s);
  }
  slotFrame[s] = frame;
  slotBase[s] = base;
  slotNum[s] = num;
}

/** The request pairResponse() found: its frame number (1-based), reference number and count. */
export const paired = { frame: 0, base: 0, num: 0 };

/** Finds the latest earlier request with the same key; fills `paired` and returns true when there is one. */
export function pairResponse(stream: number, key: number, frame: number): boolean {
  const s = conv(stream).requests.get(key);
  if (s === undefined || slotFrame[s] >= frame) return false;
  paired.frame = slotFrame[s];
  paired.base = slotBase[s];
  paired.num = slotNum[s];
  return true;
}

function grow(): void {
  const n = slotFrame.length * 2;
  const f = new Uint32Array(n), b = new Uint16Array(n), m = new Uint16Array(n);
  f.set(slotFrame);
  b.set(slotBase);
  m.set(slotNum);
  slotFrame = f;
  slotBase = b;
  slotNum = m;
}

/**
 * The byte count of a PDU (function code at b[p], rep bytes on the wire, captured to end) against the bytes that
 * follow it; null when they agree or the count is not captured. Wireshark then shows the rest as modbus.data.
 */
export function checkCounts(type: number, fc: number, b: Uint8Array, p: number, end: number, rep: number): string | null {
  let at = -1, wide = false;
  if (type === QUERY) {
    if (fc === WRITE_MULT_COILS || fc === WRITE_MULT_REGS) at = 5;
    else if (fc === READ_WRITE_REG) at = 9;
    else if (fc === READ_FILE_RECORD || fc === WRITE_FILE_RECORD) at = 1;
  } else if (type === RESPONSE) {
    switch (fc) {
      case READ_COILS: case READ_DISCRETE_INPUTS: case READ_HOLDING_REGS: case READ_INPUT_REGS: case READ_WRITE_REG:
      case GET_COMM_EVENT_LOG: case READ_FILE_RECORD: case WRITE_FILE_RECORD:
        at = 1;
        break;
      case READ_FIFO_QUEUE:
        at = 1;
        wide = true;
        break;
    }
  }
  if (at < 0 || p + at + (wide ? 2 : 1) > end) return null;
  const declared = wide ? (b[p + at] << 8) | b[p + at + 1] : b[p + at];
  const follow = rep - at - (wide ? 2 : 1);
  return declared === follow ? null : `byte count ${declared} but ${follow} bytes follow`;
}
