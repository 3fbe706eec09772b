// Fuzz: random token soups and mutations of the conformance filters (deterministic seed). Compiling never throws
// anything but a DisplayFilterError, never hangs, and every filter that compiles runs over a real capture without
// throwing (samples/dns-icmp.pcap: IPv4, UDP, DNS, ICMP errors quoting IP).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { compileFilter } from "../../lib/dsl/compile.js";
import { DisplayFilterError } from "../../lib/dsl/messages.js";
import { filterColumns } from "../../lib/dsl/raw.js";
import { completeFilter } from "../../lib/dsl/complete.js";
import { open } from "../../lib/table/capture.js";
import { projectRoot } from "../oracle/tshark.js";

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "tcp", "tcp.port", "ip.src", "ip.addr", "udp.srcport", "eth.src", "frame", "frame.len", "ipv6.addr", "frame.protocols",
  "icmp.type", "tcp.payload", "dns", "mqtt.topic", "==", "!=", "===", "~=", ">", "<=", "eq", "ne", "and", "or", "not",
  "&&", "||", "!", "contains", "matches", "in", "any", "all", "{", "}", "(", ")", "[", "]", ",", "..", ":", "#", "$", "&",
  "+", "-", "*", "/", "%", "80", "0x50", "0b1", "017", "1.5", "10.0.0.0/8", "fe80::1/64", "00:11:22:33:44:55", "47:45",
  '"GET"', '"a\\x41"', 'r"\\d+"', "'a'", "'\\x0a'", "len(", "count(", "max(", "min(", "abs(", "string(", "upper(",
  "lower(", "0:3", "-4:", "1-2", "True", "False", "TCP", ".tcp", "\\", '"', "'", "\u00e9", "\u0000",
];

function soup(r: () => number): string {
  const n = 1 + Math.floor(r() * 10);
  let s = "";
  for (let k = 0; k < n; k++) s += TOKENS[Math.floor(r() * TOKENS.length)] + (r() < 0.7 ? " " : "");
  return s;
}

function mutate(s: string, r: () => number): string {
  const chars = "()[]{}\"'\\:.,#$&|!=<>~-+*/% 0123456789abcdefxyzGET";
  let out = s;
  for (let m = r() < 0.6 ? 1 : 2 + Math.floor(r() * 2); m > 0; m--) {
    const at = Math.floor(r() * (out.length + 1));
    const op = r();
    if (op < 0.35) out = out.slice(0, at) + out.slice(at + 1);
    else if (op < 0.7) out = out.slice(0, at) + chars[Math.floor(r() * chars.length)] + out.slice(at);
    else if (op < 0.85) out = out.slice(0, at) + out.slice(Math.floor(r() * out.length));
    else out = out + " " + out.slice(0, at);
  }
  return out;
}

/** Joins whole filters with random connectives (mostly valid, so the run-time path gets exercised). */
function combine(pick: () => string, r: () => number): string {
  const ops = [" and ", " or ", " && ", " || "];
  let s = `(${pick()})`;
  for (let n = Math.floor(r() * 3); n > 0; n--) s += ops[Math.floor(r() * ops.length)] + (r() < 0.3 ? "not " : "") + `(${pick()})`;
  return s;
}

test("random and mutated filters: only DisplayFilterErrors, and compiled filters run", { timeout: 120_000 }, async () => {
  const lines = fs.readFileSync(path.join(projectRoot(), "test", "dsl", "filters.tsv"), "utf8")
    .split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t")[0]);
  const cap = await open(path.join(projectRoot(), "samples", "dns-icmp.pcap"));
  const r = rng(0x5eed);
  const started = Date.now();
  let compiled = 0, rejected = 0;
  try {
    for (let k = 0; k < 6000; k++) {
      const pick = () => lines[Math.floor(r() * lines.length)];
      const text = k % 3 === 0 ? soup(r) : k % 3 === 1 ? mutate(pick(), r) : combine(pick, r);
      let c;
      try {
        c = compileFilter(text);
      } catch (e) {
        if (!(e instanceof DisplayFilterError)) assert.fail(`compileFilter(${JSON.stringify(text)}) threw ${(e as Error).stack}`);
        assert.ok(e.message.length > 0);
        rejected++;
        continue;
      }
      compiled++;
      try {
        const out = c.run(filterColumns(cap, c.fields), cap.count);
        assert.equal(out.length, cap.count);
      } catch (e) {
        assert.fail(`running ${JSON.stringify(text)} threw ${(e as Error).stack}`);
      }
      completeFilter(text, Math.floor(r() * (text.length + 1)));
    }
  } finally {
    cap.close();
  }
  assert.ok(compiled > 1000 && rejected > 2000, `compiled ${compiled}, rejected ${rejected}`);
  assert.ok(Date.now() - started < 60_000, "the fuzz run took too long");
});
