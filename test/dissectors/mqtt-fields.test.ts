// MQTT fields, message by message, on real packets from the corpus: every field of each message against what
// tshark 4.0.17 prints for it (-T fields -E occurrence=a -E aggregator=,), with tshark's Info line in a comment.
// Then the edge cases by name (truncated, a length pointing past the end, a Remaining Length of 5 bytes, unknown
// type / property / reason code), on real packets changed in one place.

import assert from "node:assert/strict";
import { test } from "node:test";
import { mqtt, summary } from "../../lib/dissectors/mqtt.js";
import { reassemble } from "../../lib/dissectors/tcp-reassembly.js";
import { formatValue } from "../../lib/table/tshark-format.js";
import { requireTool } from "../oracle/tshark.js";
import { corpusFile, type Rec, RecordingContext, tcpSegments } from "./mqtt-corpus.js";

/** Runs every TCP segment of a capture through the reassembler and the real MQTT dissector. */
async function decodeFile(rel: string): Promise<RecordingContext> {
  const ctx = new RecordingContext(true);
  for (const s of await tcpSegments(corpusFile(rel)!)) {
    ctx.frame = s.frame;
    if (s.sport === 1883 || s.dport === 1883) reassemble(ctx, s.stream, s.dir, s.seq, s.ack, s.flags, s.b, s.o, s.end, s.rep, mqtt);
  }
  return ctx;
}

/** Every field of the given layers that has a value, as tshark -T fields prints it (occurrences joined by ","). */
export function fieldsOf(layers: readonly Rec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of mqtt.fields) {
    if (f.type === "protocol") continue;
    const vals: string[] = [];
    for (const l of layers) {
      if (f.get) {
        const v = f.get(l.b, l.o, l.end, l.rep, l.aux);
        if (v !== undefined) vals.push(formatValue(f, v));
      } else f.each!(l.b, l.o, l.end, l.rep, l.aux, (v) => vals.push(formatValue(f, v)));
    }
    if (vals.length > 0) out[f.abbrev] = vals.join(",");
  }
  return out;
}

const layersIn = (ctx: RecordingContext, frame: number) => ctx.layers.filter((l) => l.frame === frame - 1 && l.d === mqtt);
const info = (ctx: RecordingContext, frame: number) => layersIn(ctx, frame).map((l) => summary(l.b, l.o, l.end, l.rep, l.aux)).join(", ");

test("MQTT 5 CONNECT with properties, Will properties, user name and password", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt5-pub-mosquitto-props.pcap");
  // 4   0.000193 ::1 → ::1  MQTT 293 Connect Command
  assert.equal(info(ctx, 4), "Connect Command");
  assert.deepEqual(fieldsOf(layersIn(ctx, 4)), { "mqtt.len": "204", "mqtt.hdrflags": "0x10", "mqtt.msgtype": "1", "mqtt.hdr_reserved": "0", "mqtt.willtopic_len": "9", "mqtt.willtopic": "willtopic", "mqtt.willmsg": "77696c6c6d657373616765", "mqtt.willmsg_text": "willmessage", "mqtt.willmsg_len": "11", "mqtt.username_len": "4", "mqtt.username": "user", "mqtt.passwd_len": "4", "mqtt.passwd": "pass", "mqtt.proto_len": "4", "mqtt.protoname": "MQTT", "mqtt.clientid_len": "19", "mqtt.clientid": "myvoiceismypassport", "mqtt.ver": "5", "mqtt.conflags": "0xc6", "mqtt.conflag.uname": "1", "mqtt.conflag.passwd": "1", "mqtt.conflag.retain": "0", "mqtt.conflag.qos": "0", "mqtt.conflag.willflag": "1", "mqtt.conflag.cleansess": "1", "mqtt.conflag.reserved": "0", "mqtt.kalive": "60", "mqtt.properties": "1", "mqtt.will_properties": "1", "mqtt.property_len": "60,75", "mqtt.property_id": "0x27,0x21,0x11,0x22,0x26,0x26,0x03,0x09,0x02,0x01,0x08,0x26,0x18", "mqtt.prop_number": "11111,222,555,666,133,144,200", "mqtt.property.content_type": "mywilltype", "mqtt.prop_string_len": "7,15", "mqtt.prop_string": "1234567,response_topic1", "mqtt.prop_key_len": "9,9,9", "mqtt.prop_key": "userprop1,userprop2,userprop5", "mqtt.prop_value_len": "8,8,8", "mqtt.prop_value": "userval1,userval2,userval5" });
});

test("MQTT 5 PUBLISH with content type, correlation data, expiry, payload format, response topic, alias, user property", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt5-pub-mosquitto-props.pcap");
  // 8   0.000765 ::1 → ::1  MQTT 182 Publish Message (id=1) [topicX]
  assert.equal(info(ctx, 8), "Publish Message (id=1) [topicX]");
  assert.deepEqual(fieldsOf(layersIn(ctx, 8)), { "mqtt.len": "94", "mqtt.hdrflags": "0x32", "mqtt.msgtype": "3", "mqtt.dupflag": "0", "mqtt.qos": "1", "mqtt.retain": "0", "mqtt.msgid": "1", "mqtt.topic_len": "6", "mqtt.topic": "topicX", "mqtt.msg": "626161626161626c61636b7368656570", "mqtt.msg_text": "baabaablacksheep", "mqtt.properties": "1", "mqtt.property_len": "67", "mqtt.property_id": "0x03,0x09,0x02,0x01,0x08,0x23,0x26", "mqtt.prop_number": "77,88", "mqtt.property.content_type": "mytype", "mqtt.property.topic_alias": "5", "mqtt.prop_string_len": "5,15", "mqtt.prop_string": "12345,response_topic1", "mqtt.prop_key_len": "9", "mqtt.prop_key": "userprop3", "mqtt.prop_value_len": "8", "mqtt.prop_value": "userval3" });
  // 10  0.001081 ::1 → ::1  MQTT 117 Disconnect Req
  assert.deepEqual(fieldsOf(layersIn(ctx, 10)), { "mqtt.len": "29", "mqtt.hdrflags": "0xe0", "mqtt.msgtype": "14", "mqtt.hdr_reserved": "0", "mqtt.disconnect.reason_code": "0", "mqtt.properties": "1", "mqtt.property_len": "27", "mqtt.property_id": "0x11,0x26", "mqtt.prop_number": "122", "mqtt.prop_key_len": "9", "mqtt.prop_key": "userprop4", "mqtt.prop_value_len": "8", "mqtt.prop_value": "userval4" });
});

test("MQTT 3.1 (MQIsdp) CONNECT and its CONNACK: reserved byte and return code", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt31-pub-qos1.pcap");
  // 4   0.000119 ::1 → ::1  MQTT 133 Connect Command
  assert.deepEqual(fieldsOf(layersIn(ctx, 4)), { "mqtt.len": "45", "mqtt.hdrflags": "0x10", "mqtt.msgtype": "1", "mqtt.hdr_reserved": "0", "mqtt.username_len": "4", "mqtt.username": "user", "mqtt.passwd_len": "4", "mqtt.passwd": "pass", "mqtt.proto_len": "6", "mqtt.protoname": "MQIsdp", "mqtt.clientid_len": "19", "mqtt.clientid": "myvoiceismypassport", "mqtt.ver": "3", "mqtt.conflags": "0xc2", "mqtt.conflag.uname": "1", "mqtt.conflag.passwd": "1", "mqtt.conflag.retain": "0", "mqtt.conflag.qos": "0", "mqtt.conflag.willflag": "0", "mqtt.conflag.cleansess": "1", "mqtt.conflag.reserved": "0", "mqtt.kalive": "60" });
  // 6   0.000421 ::1 → ::1  MQTT 90 Connect Ack
  assert.deepEqual(fieldsOf(layersIn(ctx, 6)), { "mqtt.len": "2", "mqtt.hdrflags": "0x20", "mqtt.msgtype": "2", "mqtt.hdr_reserved": "0", "mqtt.conack.flags.reserved": "0", "mqtt.conack.val": "0" });
});

test("MQTT 5 SUBSCRIBE with two filters and options, its SUBACK reason codes, an UNSUBACK", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt5-sub-mosquitto-props.pcap");
  // 8   0.000470 ::1 → ::1  MQTT 109 Subscribe Request (id=1) [topicX] [topicY]
  assert.equal(info(ctx, 8), "Subscribe Request (id=1) [topicX] [topicY]");
  assert.deepEqual(fieldsOf(layersIn(ctx, 8)), { "mqtt.len": "21", "mqtt.hdrflags": "0x82", "mqtt.msgtype": "8", "mqtt.hdr_reserved": "2", "mqtt.msgid": "1", "mqtt.topic_len": "6,6", "mqtt.topic": "topicX,topicY", "mqtt.subscription_options": "0x00,0x00", "mqtt.subscription_options_qos": "0,0", "mqtt.subscription_options_nl": "0,0", "mqtt.subscription_options_rap": "0,0", "mqtt.subscription_options_retain": "0,0", "mqtt.subscription_options_reserved": "0x00,0x00", "mqtt.properties": "1", "mqtt.property_len": "0" });
  // 9   0.000601 ::1 → ::1  MQTT 93 Subscribe Ack (id=1)
  assert.deepEqual(fieldsOf(layersIn(ctx, 9)), { "mqtt.len": "5", "mqtt.hdrflags": "0x90", "mqtt.msgtype": "9", "mqtt.hdr_reserved": "0", "mqtt.msgid": "1", "mqtt.suback.reason_code": "0,0", "mqtt.properties": "1", "mqtt.property_len": "0" });
  const ctx2 = await decodeFile("mqtt/mqtt5-unsub-qos1-with-rst.pcap");
  // 11  0.000741 ::1 → ::1  MQTT 92 Unsubscribe Ack (id=2)
  assert.deepEqual(fieldsOf(layersIn(ctx2, 11)), { "mqtt.len": "4", "mqtt.hdrflags": "0xb0", "mqtt.msgtype": "11", "mqtt.hdr_reserved": "0", "mqtt.msgid": "2", "mqtt.unsuback.reason_code": "0", "mqtt.properties": "1", "mqtt.property_len": "0" });
});

test("two UNSUBSCRIBEs in one segment give two layers", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt311-sub-unsub-qos1.pcap");
  // 10  0.000648 ::1 → ::1  MQTT 110 Unsubscribe Request (id=2), Unsubscribe Request (id=3)
  assert.equal(info(ctx, 10), "Unsubscribe Request (id=2), Unsubscribe Request (id=3)");
  // tshark's frame.protocols says "eth:ethertype:ipv6:tcp:mqtt": one TCP payload, listed once.
  assert.deepEqual(layersIn(ctx, 10).map((l) => mqtt.listed!(l.aux)), [true, false]);
  assert.deepEqual(fieldsOf(layersIn(ctx, 10)), { "mqtt.len": "10,10", "mqtt.hdrflags": "0xa2,0xa2", "mqtt.msgtype": "10,10", "mqtt.hdr_reserved": "2,2", "mqtt.msgid": "2,3", "mqtt.topic_len": "6,6", "mqtt.topic": "topicX,topicY" });
});

test("a connection whose CONNECT was not captured: version unknown, CONNACK read as MQTT 5 without properties", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt-midstream-split.pcap");
  // 4   0.000147 127.0.0.33 → 127.0.0.1  MQTT 105 Connect Ack
  assert.deepEqual(fieldsOf(layersIn(ctx, 4)), { "mqtt.len": "50", "mqtt.hdrflags": "0x20", "mqtt.msgtype": "2", "mqtt.hdr_reserved": "0", "mqtt.conack.flags.reserved": "0", "mqtt.conack.flags": "0x00", "mqtt.conack.flags.sp": "0", "mqtt.connack.reason_code": "0", "mqtt.unknown_version": "1" });
});

test("MQTT 5 CONNECT with authentication method and data", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const ctx = await decodeFile("mqtt/mqtt5-connect-auth-method.pcap");
  // 4   0.000184 ::1 → ::1  MQTT 136 Connect Command
  assert.deepEqual(fieldsOf(layersIn(ctx, 4)), { "mqtt.len": "48", "mqtt.hdrflags": "0x10", "mqtt.msgtype": "1", "mqtt.hdr_reserved": "0", "mqtt.proto_len": "4", "mqtt.protoname": "MQTT", "mqtt.clientid_len": "19", "mqtt.clientid": "myvoiceismypassport", "mqtt.ver": "5", "mqtt.conflags": "0x02", "mqtt.conflag.uname": "0", "mqtt.conflag.passwd": "0", "mqtt.conflag.retain": "0", "mqtt.conflag.qos": "0", "mqtt.conflag.willflag": "0", "mqtt.conflag.cleansess": "1", "mqtt.conflag.reserved": "0", "mqtt.kalive": "60", "mqtt.properties": "1", "mqtt.property_len": "16", "mqtt.property_id": "0x15,0x16,0x21", "mqtt.prop_number": "20", "mqtt.prop_string_len": "3,4", "mqtt.prop_string": "foo,1234" });
});

// ---------------------------------------------------------------- edge cases, by name

/** The bytes of the first MQTT packet of `frame` in a corpus capture, and the version its connection has. */
async function packet(rel: string, frame: number): Promise<{ bytes: Uint8Array; ver: number }> {
  const ctx = await decodeFile(rel);
  const l = layersIn(ctx, frame)[0];
  return { bytes: l.b.slice(l.o, l.end), ver: l.aux & 0xff };
}

/** Dissects bytes alone (no stream: the connection's version is the shared default) and returns fields + problems. */
function alone(bytes: Uint8Array, opts: { end?: number; rep?: number; connect?: Uint8Array } = {}) {
  const ctx = new RecordingContext(true);
  mqtt.reset!();
  if (opts.connect) ctx.dissect(mqtt, opts.connect, 0, opts.connect.length, opts.connect.length);
  ctx.frame = 1;
  ctx.dissect(mqtt, bytes, 0, opts.end ?? bytes.length, opts.rep ?? bytes.length);
  const layers = ctx.layers.filter((l) => l.frame === 1);
  return { layers, fields: fieldsOf(layers), problems: ctx.problems.filter((p) => p.frame === 1).map((p) => p.reason) };
}

test("truncated: a CONNECT cut inside its properties keeps the fields before the cut and is malformed", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const { bytes } = await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 4);
  // tshark on the same frame cut by `editcap -s 146` (60 bytes of MQTT) shows exactly these fields.
  const r = alone(bytes, { end: 60, rep: bytes.length });
  assert.equal(r.layers.length, 1);
  assert.deepEqual(r.fields, { "mqtt.len": "204", "mqtt.hdrflags": "0x10", "mqtt.msgtype": "1", "mqtt.hdr_reserved": "0", "mqtt.proto_len": "4", "mqtt.protoname": "MQTT", "mqtt.ver": "5", "mqtt.conflags": "0xc6", "mqtt.conflag.uname": "1", "mqtt.conflag.passwd": "1", "mqtt.conflag.retain": "0", "mqtt.conflag.qos": "0", "mqtt.conflag.willflag": "1", "mqtt.conflag.cleansess": "1", "mqtt.conflag.reserved": "0", "mqtt.kalive": "60", "mqtt.properties": "1", "mqtt.property_len": "60", "mqtt.property_id": "0x27,0x21,0x11,0x22,0x26,0x26", "mqtt.prop_number": "11111,222,555,666", "mqtt.prop_key_len": "9,9", "mqtt.prop_key": "userprop1", "mqtt.prop_value_len": "8", "mqtt.prop_value": "userval1" });
  assert.match(r.problems[0], /Connect Command truncated: 60 of 207 bytes/);
});

test("length field too large: a topic length pointing past the end stops the PUBLISH there", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const { bytes, ver } = await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 8);
  assert.equal(ver, 5);
  const b = bytes.slice();
  b[2] = 0x7f; // topic length 6 -> 32518
  const connect = (await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 4)).bytes;
  const r = alone(b, { connect });
  assert.equal(r.fields["mqtt.topic_len"], "32518");
  assert.equal(r.fields["mqtt.topic"], undefined);
  assert.equal(r.fields["mqtt.msg"], undefined);
  assert.equal(r.fields["mqtt.properties"], undefined);
  assert.match(r.problems[0], /Publish Message: field at byte 4 runs past the end \(96 bytes\)/);
});

test("a Remaining Length of more than 4 bytes is malformed (and is no packet start for the reassembler)", () => {
  const b = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0);
  assert.equal(mqtt.pduLength(b, 0, b.length), 0);
  assert.equal(mqtt.heuristic!(b, 0, b.length), 0);
  const r = alone(b);
  assert.equal(r.layers.length, 1);
  assert.deepEqual(r.problems, ["Remaining Length longer than 4 bytes"]);
  assert.equal(r.fields["mqtt.hdrflags"], "0x30");
  assert.equal(r.fields["mqtt.len"], undefined);
});

test("unknown enum values decode to their number: reserved type 0, an unknown property id, an unlisted reason code", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // Type 0 (Reserved): the header and nothing else.
  const r0 = alone(Uint8Array.of(0x00, 0x00));
  assert.deepEqual(r0.fields, { "mqtt.len": "0", "mqtt.hdrflags": "0x00", "mqtt.msgtype": "0", "mqtt.hdr_reserved": "0", "mqtt.unknown_version": "1" });
  // Property 0x27 (Maximum Packet Size) of the CONNECT changed to 0x7f: the rest of the block is "Unknown Property".
  const { bytes } = await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 4);
  const b = bytes.slice();
  assert.equal(b[14], 0x27);
  b[14] = 0x7f;
  const r1 = alone(b);
  assert.equal(r1.fields["mqtt.property_id"].split(",")[0], "0x7f");
  // Its 59 bytes start with 0x00 0x00 (the old value 11111): tshark shows the C string, empty.
  assert.equal(r1.fields["mqtt.prop_unknown"], "");
  assert.equal(r1.fields["mqtt.clientid"], "myvoiceismypassport", "the block still ends where its length says");
  // DISCONNECT reason 0x55 (not in the table) is just 85.
  const d = (await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 10)).bytes.slice();
  d[2] = 0x55;
  const r2 = alone(d, { connect: bytes });
  assert.equal(r2.fields["mqtt.disconnect.reason_code"], "85");
  assert.deepEqual(r2.problems, []);
});

test("an MQTT 5 PUBLISH by Topic Alias alone shows the alias's topic, or flags an alias never defined", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const connect = (await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 4)).bytes;
  const pub = (await packet("mqtt/mqtt5-pub-mosquitto-props.pcap", 8)).bytes;
  // The same PUBLISH without its topic (topic length 0, 6 bytes shorter): alias 5 stands for "topicX".
  const bare = new Uint8Array(pub.length - 6);
  bare.set(pub.subarray(0, 3));
  bare.set(pub.subarray(9), 3);
  bare[1] -= 6; // Remaining Length 94 -> 88 (one byte)
  bare[3] = 0;
  const ctx = new RecordingContext(true);
  mqtt.reset!();
  ctx.dissect(mqtt, connect, 0, connect.length, connect.length);
  ctx.frame = 1;
  ctx.dissect(mqtt, bare, 0, bare.length, bare.length); // alias 5 unknown yet
  ctx.frame = 2;
  ctx.dissect(mqtt, pub, 0, pub.length, pub.length); // defines alias 5
  ctx.frame = 3;
  ctx.dissect(mqtt, bare, 0, bare.length, bare.length);
  const at = (f: number) => fieldsOf(ctx.layers.filter((l) => l.frame === f));
  assert.equal(at(1)["mqtt.topic"], "");
  assert.equal(at(1)["mqtt.unknown_topic_alias"], "1");
  assert.equal(at(3)["mqtt.topic"], "topicX");
  assert.equal(at(3)["mqtt.topic_len"], "0");
  assert.equal(at(3)["mqtt.unknown_topic_alias"], undefined);
  assert.equal(at(3)["mqtt.msg"], "626161626161626c61636b7368656570");
  const l3 = ctx.layers.find((l) => l.frame === 3)!;
  assert.equal(summary(l3.b, l3.o, l3.end, l3.rep, l3.aux), "Publish Message (id=1) [topicX]");
});
