// Message tables, run in a child process (see child.ts): open(path) then cap.messages(kind, {fields}).

import { open } from "../lib/table/capture.js";

export interface MessagesResult {
  packets: number;
  /** Rows of the table (one per message). */
  messages: number;
  /** Columns of the table (context columns, the asked-for fields, malformed and its reason). */
  columns: number;
  openMs: number;
  /** open + messages(): the whole cost of the table from a fresh capture. */
  ms: number;
  cpuMs: number;
}

/** Builds cap.messages(kind, { fields }) on a freshly opened capture. */
export async function messageTable(args: { path: string; kind: string; fields: string[] }): Promise<MessagesResult> {
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const cap = await open(args.path);
  const t1 = performance.now();
  const table = cap.messages(args.kind, { fields: args.fields });
  const t2 = performance.now(), cpu = process.cpuUsage(cpu0);
  const r: MessagesResult = {
    packets: cap.count, messages: table.numRows(), columns: table.numCols(), openMs: t1 - t0, ms: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000,
  };
  cap.close();
  return r;
}
