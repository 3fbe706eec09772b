// mqttSessions on the mqtt-drops capture (made with real Mosquitto 2.0) and on the MQTT corpus captures. Every
// expected time, code and ending below was read with tshark from the same file, e.g.
//   tshark -r mqtt-drops.pcap -T fields -e frame.number -e frame.time_epoch -e tcp.stream -e tcp.flags.str \
//     -e mqtt.msgtype -e mqtt.clientid -e mqtt.kalive -e mqtt.conack.val -e mqtt.disconnect.reason_code

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { mqttSessions } from "../../lib/stats/index.js";
import { open } from "../../lib/table/capture.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DROPS = path.join(ROOT, "notebooks", "mqtt-drops", "mqtt-drops.pcap");
const CORPUS = path.join(ROOT, "..", "shared", "corpus", "mqtt");
const corpusSkip = !existsSync(CORPUS) && process.env.CI !== "true" ? "corpus missing (../shared/corpus/mqtt)" : false;

type Row = Record<string, any>;
async function sessions(file: string, opts = {}): Promise<Row[]> {
  const cap = await open(file);
  try {
    return mqttSessions(cap, opts).objects() as Row[];
  } finally {
    cap.close();
  }
}
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} ≠ ${b}`);

test("mqtt-drops.pcap: DISCONNECT, two keep-alive expiries, an RST and a refused CONNECT", async () => {
  const s = await sessions(DROPS);
  assert.deepEqual(s.map((r) => [r["tcp.stream"], r.client, r.client_id, r.protocol_level, r.keepalive, r.connack, r.accepted, r.end, r.end_by]), [
    [0, "127.0.0.1:41031", "healthy-sensor", 4, 10, 0, true, "DISCONNECT", "client"],
    [1, "127.0.0.2:45893", "sensor-sleepy", 4, 5, 0, true, "keep-alive expiry", "broker"],
    [2, "127.0.0.3:59943", "gateway-7", 4, 30, 0, true, "RST", "client"],
    [3, "127.0.0.4:59459", "intruder", 4, 60, 5, false, "client FIN", "client"],
    [4, "127.0.0.2:38631", "sensor-sleepy", 4, 5, 0, true, "keep-alive expiry", "broker"],
  ]);
  // healthy: CONNECT frame 4, last PUBLISH frame 118, DISCONNECT frame 120.
  near(s[0].connect_time, 1795437171.266369, "healthy connect");
  near(s[0].last_client_time, 1795437213.4974, "healthy last");
  near(s[0].end_time, 1795437213.49744, "healthy DISCONNECT");
  assert.equal(s[0].client_messages, 28);
  // sleepy #1: PUBLISH frame 17, broker FIN frame 59: 11.08 s of silence, 1.5 × 5 = 7.5 s, 3.58 s overdue
  // (Mosquitto checks keep-alives periodically).
  near(s[1].last_client_time, 1795437171.833737, "sleepy last");
  near(s[1].end_time, 1795437182.91319, "sleepy broker FIN");
  near(s[1].gap, 1795437182.91319 - 1795437171.833737, "sleepy gap");
  assert.equal(s[1].keepalive_limit, 7.5);
  near(s[1].overdue, 1795437182.91319 - 1795437171.833737 - 7.5, "sleepy overdue");
  // sleepy #2: PUBLISH frame 84, broker FIN frame 94.
  near(s[4].gap, 1795437200.947113 - 1795437191.83489, "sleepy #2 gap");
  // gateway-7: last PUBLISH frame 46, RST frame 50.
  near(s[2].end_time, 1795437177.867173, "RST");
  near(s[2].gap, 1795437177.867173 - 1795437176.865, "RST gap");
  assert.equal(s[2].overdue, null);
  // intruder: CONNECT frame 39, CONNACK 5 frame 41, client FIN frame 43.
  near(s[3].end_time, 1795437176.787421, "intruder FIN");
  assert.equal(s[3].client_messages, 1);
});

test("the keep-alive inference follows its parameters", async () => {
  // A factor of 3 puts the limit at 15 s: the 11 s and 9 s silences are no longer expiries, just broker closes.
  const strict = await sessions(DROPS, { keepaliveFactor: 3 });
  assert.deepEqual(strict.filter((r) => r.client_id === "sensor-sleepy").map((r) => r.end), ["broker close", "broker close"]);
  // No lateness allowed: the broker had to close within 7.5 s + 1 s; it took 11.08 s and 9.11 s.
  const prompt = await sessions(DROPS, { lateness: 1 });
  assert.deepEqual(prompt.filter((r) => r.client_id === "sensor-sleepy").map((r) => r.end), ["broker close", "broker close"]);
  const lax = await sessions(DROPS, { lateness: 3 });
  assert.deepEqual(lax.filter((r) => r.client_id === "sensor-sleepy").map((r) => r.end), ["broker close", "keep-alive expiry"]);
});

test("corpus: MQTT 5 DISCONNECT reason 4 (mqtt5-sub-mosquitto-props.pcap)", { skip: corpusSkip }, async () => {
  const [s] = await sessions(path.join(CORPUS, "mqtt5-sub-mosquitto-props.pcap"));
  assert.deepEqual([s.client, s.client_id, s.protocol_level, s.keepalive, s.connack, s.end, s.end_by, s.disconnect_reason],
    ["[::1]:38848", "myvoiceismypassport", 5, 60, 0, "DISCONNECT", "client", 4]);
  near(s.end_time, 1585066916.662685, "DISCONNECT frame 11");
  near(s.gap, 1585066916.662685 - 1585066914.66287, "since SUBSCRIBE frame 8");
});

test("corpus: MQTT 5 CONNACK 0x8C refused, broker closes (mqtt5-connect-auth-method.pcap)", { skip: corpusSkip }, async () => {
  const [s] = await sessions(path.join(CORPUS, "mqtt5-connect-auth-method.pcap"));
  assert.deepEqual([s.connack, s.accepted, s.end, s.end_by, s.client_messages], [140, false, "broker close", "broker", 1]);
  near(s.end_time, 1585066912.605074, "broker FIN frame 8");
});

test("corpus: a session still open at capture end, and DISCONNECT in the CONNECT's segment (mqtt31-cloud-broker-keepalive.pcap)", { skip: corpusSkip }, async () => {
  const s = await sessions(path.join(CORPUS, "mqtt31-cloud-broker-keepalive.pcap"));
  assert.deepEqual(s.map((r) => [r["tcp.stream"], r.client_id, r.protocol_level, r.keepalive, r.end]),
    [[0, "paho/34AAE54A75D839566E", 3, 5, "open"], [1, "paho/DDE4DDAF4108D3E363", 3, 5, "DISCONNECT"]]);
  near(s[0].end_time, 1461170618.150093, "capture end, frame 19");
  near(s[0].gap, 1461170618.150093 - 1461170617.912894, "since PINGREQ frame 18");
  assert.equal(s[0].overdue, null);
  near(s[1].end_time, 1461170596.653674, "DISCONNECT frame 9");
});

test("corpus: every MQTT capture yields sessions and never throws", { skip: corpusSkip }, async () => {
  assert.ok(existsSync(CORPUS), "the corpus is required on CI");
  const { readdirSync } = await import("node:fs");
  for (const f of readdirSync(CORPUS)) {
    const s = await sessions(path.join(CORPUS, f));
    assert.ok(s.length >= 1, f);
    for (const r of s) assert.ok(["DISCONNECT", "RST", "keep-alive expiry", "broker close", "client FIN", "open"].includes(r.end), `${f}: ${r.end}`);
  }
});
