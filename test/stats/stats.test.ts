// The statistics on small hand-made tables (exact values) and on real captures.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as aq from "arquero";
import { baseline, score, beaconing, conversations, modbusBaseline, modbusWriteAlerts, suricataRules } from "../../lib/stats/index.js";
import { bowleySkew, madSorted, quantileSorted } from "../../lib/stats/describe.js";
import { connState, historyOf, type Seg } from "../../lib/stats/conn-state.js";
import { open } from "../../lib/table/capture.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("quantiles, MAD and Bowley skew", () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([], 0.5), NaN);
  assert.equal(madSorted([1, 1, 2, 2, 4, 6, 9]), 1);
  assert.equal(bowleySkew([1, 2, 3, 4, 5]), 0);
  assert.equal(bowleySkew([5, 5, 5]), 0);
});

test("baseline: count, rate, first/last, inter-arrival statistics per key; NaN times ignored", () => {
  const t = aq.table({ "ip.src": ["a", "a", "b", "a", "a", "b"], "frame.time_epoch": [0, 1, 5, 2, 4, NaN] });
  const b = baseline(t, { by: ["ip.src"] }).objects() as Record<string, number>[];
  assert.equal(b.length, 2);
  assert.deepEqual([b[0]["ip.src"], b[0].count, b[0].first, b[0].last, b[0].span], ["a", 4, 0, 4, 4]);
  assert.equal(b[0].rate, 1);
  assert.equal(b[0].iat_median, 1);
  assert.equal(b[0].iat_mean, 4 / 3);
  assert.equal(b[0].iat_mad, 0);
  assert.equal(b[1].count, 2);
  assert.ok(Number.isNaN(b[1].rate), "one timed row: no rate");
});

test("score: robust z of the later median interval, never-seen keys flagged", () => {
  const base = baseline(aq.table({ k: ["x", "x", "x", "x", "x"], "frame.time_epoch": [0, 1, 2.1, 3, 4] }), { by: ["k"] });
  const later = aq.table({ k: ["x", "x", "x", "new"], "frame.time_epoch": [10, 20, 30, 11] });
  const s = score(base, later, { by: ["k"] }).objects() as Record<string, unknown>[];
  const x = s.find((r) => r.k === "x")!, n = s.find((r) => r.k === "new")!;
  assert.equal(n.never_seen, true);
  assert.equal(n.flagged, true);
  assert.equal(x.never_seen, false);
  assert.ok((x.iat_z as number) > 3.5, `z = ${x.iat_z}`);
  assert.equal(x.flagged, true);
});

test("beaconing: a metronome scores near 1, jittery traffic lower", () => {
  const times: number[] = [], src: string[] = [], size: number[] = [];
  for (let i = 0; i < 50; i++) { times.push(i * 10); src.push("beacon"); size.push(120); }
  let r = 7;
  for (let i = 0; i < 50; i++) { r = (r * 1103515245 + 12345) % 2 ** 31; times.push(r % 500); src.push("human"); size.push(40 + (r % 1400)); }
  const t = aq.table({ "ip.src": src, "ip.dst": src.map(() => "c2"), "frame.time_epoch": times, "frame.len": size });
  const b = beaconing(t).objects() as Record<string, number>[];
  assert.equal(b[0]["ip.src"], "beacon");
  assert.ok(b[0].score > 0.99, `beacon ${b[0].score}`);
  assert.ok(b[1].score < 0.8, `human ${b[1].score}`);
});

test("conn_state and history follow Zeek", () => {
  const seg = (from: string, flags: number, len = 0): Seg => ({ ts: 0, flags, len, from });
  const normal = [seg("o", 2), seg("r", 0x12), seg("o", 0x10), seg("o", 0x18, 5), seg("r", 0x18, 9), seg("o", 0x11), seg("r", 0x11), seg("o", 0x10)];
  assert.equal(connState(normal, "o"), "SF");
  assert.equal(historyOf(normal, "o"), "ShADdFf");
  assert.equal(connState([seg("o", 2), seg("r", 0x14)], "o"), "REJ");
  assert.equal(connState([seg("o", 2)], "o"), "S0");
  assert.equal(connState([seg("o", 2), seg("r", 0x12), seg("o", 0x10), seg("o", 0x04)], "o"), "RSTO");
  assert.equal(connState([seg("o", 2), seg("r", 0x12), seg("o", 0x10)], "o"), "S1");
  assert.equal(connState([seg("o", 0x18, 3)], "o"), "OTH");
});

test("modbus: baseline per (source, unit, FC); one alert per burst; known writes raise nothing", () => {
  const mk = (rows: [string, number, number, number][]) => aq.table({ "ip.src": rows.map((r) => r[0]), "mbtcp.unit_id": rows.map(() => 1),
    "modbus.func_code": rows.map((r) => r[1]), "modbus.reference_num": rows.map((r) => r[2]), "frame.time_epoch": rows.map((r) => r[3]) });
  const base = modbusBaseline(mk([["10.0.0.1", 3, 0, 0], ["10.0.0.1", 6, 5, 1], ["10.0.0.1", 3, 0, 2]]));
  assert.equal(base.numRows(), 2);
  const later = mk([["10.0.0.1", 6, 5, 10], ["10.0.0.1", 6, 7, 11], ["10.0.0.66", 16, 40, 12], ["10.0.0.66", 16, 40, 12.1], ["10.0.0.66", 16, 41, 12.2],
    ["10.0.0.66", 3, 40, 12.3], ["10.0.0.1", 15, 0, 13], ["10.0.0.66", 16, 40, 500]]);
  const a = modbusWriteAlerts(base, later, { window: 60 }).objects() as Record<string, any>[];
  assert.deepEqual(a.map((x) => [x["ip.src"], x["modbus.func_code"], x.reason, x.count]), [
    ["10.0.0.1", 6, "address outside baseline", 1],
    ["10.0.0.66", 16, "new source", 3],
    ["10.0.0.1", 15, "new function code for this source", 1],
    ["10.0.0.66", 16, "new source", 1],
  ]);
  assert.deepEqual(a[1].addresses, [40, 41]);
  const rules = suricataRules(modbusWriteAlerts(base, later));
  assert.equal(rules.split("\n").length, 4);
  assert.match(rules, /^alert tcp 10\.0\.0\.66 any -> any 502 \(.*modbus: unit 1, function 16;.*sid:\d+; rev:1;\)$/m);
});

const MODBUS_IDS = path.join(ROOT, "notebooks", "modbus-ids", "modbus-ids.pcap");

test("real capture (modbus-ids.pcap): one FC 16 alert for the 12-write burst; conversations match the TCP streams", async () => {
  const cap = await open(MODBUS_IDS);
  try {
    const req = cap.filter("modbus && tcp.dstport == 502").select("frame.time_epoch", "ip.src", "mbtcp.unit_id", "modbus.func_code", "modbus.reference_num");
    const t = req.array("frame.time_epoch") as ArrayLike<number>;
    const cut = t[0] + 4;
    const base = modbusBaseline(req.filter(aq.escape((d: Record<string, number>) => d["frame.time_epoch"] < cut)));
    assert.deepEqual((base.array("modbus.func_code") as number[]).slice().sort(), [1, 3, 4, 6]);
    const alerts = modbusWriteAlerts(base, req.filter(aq.escape((d: Record<string, number>) => d["frame.time_epoch"] >= cut))).objects() as Record<string, any>[];
    assert.equal(alerts.length, 1);
    assert.deepEqual([alerts[0]["ip.src"], alerts[0]["modbus.func_code"], alerts[0].count, alerts[0].addresses], ["127.0.0.3", 16, 12, [40]]);
    const conns = conversations(cap).objects() as Record<string, unknown>[];
    assert.deepEqual(conns.map((c) => [c["id.orig_h"], c["id.resp_p"], c.service, c.conn_state, c.history]),
      [["127.0.0.2", 502, "modbus", "SF", "ShADadFf"], ["127.0.0.3", 502, "modbus", "SF", "ShADadFf"]]);
    assert.equal(conns.reduce((s, c) => s + (c.orig_pkts as number) + (c.resp_pkts as number), 0), cap.count);
  } finally {
    cap.close();
  }
});

test("real capture (samples/modbus-tcp-poll.pcap): baseline per (source, unit, FC)", async () => {
  const cap = await open(path.join(ROOT, "samples", "modbus-tcp-poll.pcap"));
  try {
    const req = cap.filter("modbus && tcp.dstport == 502").select("frame.time_epoch", "ip.src", "mbtcp.unit_id", "modbus.func_code", "modbus.reference_num");
    const b = modbusBaseline(req).objects() as Record<string, any>[];
    const fc16 = b.find((r) => r["modbus.func_code"] === 16)!;
    assert.equal(fc16.count, 2);
    assert.deepEqual(fc16.addresses, [20, 30]);
    assert.equal(b.find((r) => r["modbus.func_code"] === 3)!.count, 5);
  } finally {
    cap.close();
  }
});

const CORPUS = path.join(ROOT, "..", "shared", "corpus", "modbus");
test("real corpus captures: baselines and alerts never throw", { skip: !existsSync(CORPUS) && process.env.CI !== "true" ? "corpus missing" : false }, async () => {
  assert.ok(existsSync(CORPUS), "the corpus is required on CI");
  for (const f of ["modbus-write-multiple-coils-fc15.pcap", "modbus-testdata-part2-function-scan.pcap"]) {
    const cap = await open(path.join(CORPUS, f));
    try {
      const req = cap.filter("modbus").select("frame.time_epoch", "ip.src", "ip.dst", "mbtcp.unit_id", "modbus.func_code", "modbus.reference_num");
      const base = modbusBaseline(req.slice(0, 2));
      modbusWriteAlerts(base, req);
      baseline(req, { by: ["ip.src", "modbus.func_code"] });
      beaconing(req, { size: "modbus.func_code" });
      assert.ok(conversations(cap).numRows() >= 1, f);
    } finally {
      cap.close();
    }
  }
});
