// Message tables vs tshark (issue 4): cap.messages("mqtt" | "modbus", { fields }) from a fresh capture, against
// `tshark -n -r CAPTURE -Y PROTO -T fields -E occurrence=a -e …` for the same fields. Messages are counted on both
// sides (tshark: the occurrences of the first field over its lines). Target: ≥ 30× tshark's packets/s.

import * as fs from "node:fs";
import * as path from "node:path";
import type { MessagesResult } from "./measure-messages.js";
import { bestOf, fastestChild, fastestCommand } from "./repeat.js";
import type { BenchContext, Section } from "./sections.js";

/** The tables: Wirebook's kind, tshark's filter, and the fields (the first one occurs once per message). */
export const BENCH_TABLES: readonly { kind: string; filter: string; fields: string[] }[] = [
  { kind: "mqtt", filter: "mqtt", fields: ["mqtt.msgtype", "mqtt.qos", "mqtt.msgid", "mqtt.topic", "mqtt.len"] },
  { kind: "modbus", filter: "modbus", fields: ["modbus.func_code", "mbtcp.trans_id", "mbtcp.unit_id", "mbtcp.len", "modbus.exception_code"] },
];

export const MESSAGES_GOAL = 30;

/** Occurrences of the first column in tshark's output (aggregated with ","), i.e. messages. */
function countMessages(file: string): number {
  if (!fs.existsSync(file)) return 0;
  let n = 0;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const first = line.split("\t")[0];
    if (first) n += first.split(",").length;
  }
  return n;
}

export async function runMessages(ctx: BenchContext, tables = BENCH_TABLES): Promise<void> {
  const peer = await ctx.peerCapture();
  const out = path.join(ctx.dir, `messages-out-${process.pid}.txt`);
  for (const { kind, filter, fields } of tables) {
    ctx.log(`messages: ${kind}`);
    const c = await fastestChild(ctx, "measure-messages.js", "messageTable", { path: ctx.capture.path, kind, fields }, (r) => (r.value as MessagesResult).ms);
    const w = c.value as MessagesResult;
    const args = ["-n", "-r", peer.path, "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", ...fields.flatMap((f) => ["-e", f])];
    const t = await fastestCommand(ctx, "tshark", args, out);
    const tsharkMessages = countMessages(out);
    fs.rmSync(out, { force: true });
    const wbOnPeer = peer.scale === 1 ? w.messages : ((await ctx.child("measure-messages.js", "messageTable", { path: peer.path, kind, fields })).value as MessagesResult).messages;
    const agree = t.code === 0 && wbOnPeer === tsharkMessages;
    const counts = `messages: Wirebook ${wbOnPeer.toLocaleString("en-US")}, tshark ${tsharkMessages.toLocaleString("en-US")}` +
      `${peer.scale !== 1 ? ` (first ${peer.packets.toLocaleString("en-US")} packets; Wirebook ${w.messages.toLocaleString("en-US")} on all)` : ""}` +
      ` — ${agree ? "agree" : "DISAGREE"}`;
    ctx.row({
      key: `messages:${kind}`, name: `Wirebook cap.messages("${kind}")`, packets: w.packets, bytes: ctx.capture.bytes, ms: w.ms, cpuMs: w.cpuMs, maxRssKB: c.maxRssKB,
      note: [`open ${w.openMs.toFixed(0)} ms; ${w.columns} columns; ${counts}`, bestOf(c.runs)].filter(Boolean).join("; "), extra: { ...w, tsharkMessages, agree },
    });
    ctx.row({
      key: `messages-tshark:${kind}`, name: `tshark -Y ${filter} -T fields (${fields.length} fields)`, packets: peer.packets, bytes: fs.statSync(peer.path).size, ms: t.ms,
      cpuMs: t.cpuMs, maxRssKB: t.maxRssKB,
      note: [t.code !== 0 ? `exit ${t.code}` : "", peer.scale !== 1 ? `first ${peer.packets.toLocaleString("en-US")} packets` : "", bestOf(t.runs)].filter(Boolean).join("; ") || undefined,
      extra: { messages: tsharkMessages },
    });
    const ok = t.code === 0 && t.ms > 0;
    const x = ok ? (w.packets / w.ms) / (peer.packets / t.ms) : NaN;
    ctx.target({
      name: `messages ${kind} vs tshark -T fields (packets/s)`, value: ok ? `${x.toFixed(1)}×` : "—", goal: `≥ ${MESSAGES_GOAL}×`, pass: ok ? x >= MESSAGES_GOAL : null,
      note: `peak RSS ${(c.maxRssKB / 1024).toFixed(0)} MB vs tshark ${(t.maxRssKB / 1024).toFixed(0)} MB${agree ? "" : `; counts disagree: ${counts}`}`,
    });
  }
}

export const messagesSection: Section = { name: "messages", run: (ctx) => runMessages(ctx) };
