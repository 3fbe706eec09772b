// formatValue / formatFrame against tshark 4.0 on real captures. Independent of our dissectors: the raw value of each
// field occurrence comes from tshark's own PDML (its bytes, or for bit fields the masked value), is turned into our
// Value by type, formatted, and compared with what `tshark -T fields` printed for that frame. Frame times come from
// our frame index (readCapture) and are compared with frame.time / time_epoch / time_relative / time_delta.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { readCapture } from "../../lib/capture/read.js";
import { Column, type Value } from "../../lib/decode/column.js";
import type { FieldDef, FieldType } from "../../lib/dissectors/field.js";
import { FRAME_FIELDS } from "../../lib/dissectors/frame.js";
import {
  absTimeExact, escapeText, formatFrame, formatValue, g15, integerText, relTimeExact, relTimeText,
} from "../../lib/table/tshark-format.js";
import {
  corpusDir, corpusFiles, ourType, projectRoot, requireTool, sampleFiles, tsharkFields, tsharkFieldTypes, tsharkPdml,
  type PdmlValue, type TsharkField,
} from "../oracle/tshark.js";

const sample = (f: string) => path.join(projectRoot(), "samples", f);
const corpus = (f: string) => path.join(corpusDir(), f);

/** Files and the fields read from them: every FieldType we format, in several bases and widths. */
const CASES: { file: () => string; fields: string[]; needsCorpus?: boolean }[] = [
  {
    file: () => sample("mqtt311-pubsub.pcap"),
    fields: [
      "eth.src", "eth.dst", "eth.type", "ip.src", "ip.dst", "ip.ttl", "ip.id", "ip.dsfield", "ip.dsfield.dscp",
      "ip.flags.df", "ip.proto", "ip.checksum", "tcp.srcport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags",
      "tcp.flags.syn", "tcp.flags.ack", "tcp.window_size_value", "tcp.options", "tcp.options.mss_val", "tcp.payload",
      "tcp.analysis", "mqtt.topic", "mqtt.msg", "mqtt.qos", "mqtt.msgid", "mqtt.kalive", "mqtt.conflag.cleansess",
      "mqtt.clientid", "mqtt.hdrflags", "tcp.time_delta", "tcp.stream", "mqtt.dupflag",
    ],
  },
  { file: () => sample("dns-icmp.pcap"), fields: ["dns.a", "dns.aaaa", "dns.resp.ttl", "dns.id", "dns.flags.response", "dns.flags", "dns.time", "dns.response_to", "icmp.type", "icmp.checksum", "icmp.ident", "icmp.seq", "icmp.resp_to", "udp.length", "udp.payload", "data.data", "data.len", "icmp.resptime"] },
  { file: () => sample("strings-escapes.pcap"), fields: ["http.content_length", "frame.encap_type", "http.request.uri", "http.request.method", "http.request.version", "syslog.msg", "syslog.level", "syslog.facility"] },
  { file: () => sample("modbus-tcp-poll.pcap"), fields: ["mbtcp.trans_id", "mbtcp.len", "mbtcp.unit_id", "modbus.func_code", "modbus.reference_num", "modbus.word_cnt", "modbus.regval_uint16", "modbus.exception_code", "modbus.request_frame"] },
  { file: () => sample("coap-get-put.pcap"), fields: ["coap.type", "coap.code", "coap.mid", "coap.token", "coap.opt.uri_path", "coap.opt.block_mflag"] },
  { file: () => corpus("general/ipv6-http-mdns-icmpv6.pcap"), needsCorpus: true, fields: ["ipv6.src", "ipv6.dst", "ipv6.flow", "ipv6.tclass", "ipv6.tclass.dscp", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "icmpv6.type", "icmpv6.checksum", "ipv6.opt.padn"] },
  { file: () => corpus("ble/ble-ll-phdr-sniffle-adv.pcap"), needsCorpus: true, fields: ["btle_rf.signal_dbm", "btle_rf.channel"] },
];

/** tshark's base spelling -> ours (BASE_HEX_DEC prints hex only, BASE_DEC_HEX decimal only, in -T fields). */
function baseOf(f: TsharkField): FieldDef["base"] {
  if (f.base === "BASE_HEX" || f.base === "BASE_HEX_DEC") return "hex";
  if (f.base === "BASE_OCT") return "oct";
  return "dec";
}

const hexBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const BITS: Partial<Record<FieldType, number>> = { int8: 8, int16: 16, int32: 32, int64: 64 };

/** Fields whose strings tshark decodes as ASCII (each byte >= 0x80 becomes U+FFFD). */
const ASCII_STRINGS = /^http\./;

function decodeString(abbrev: string, raw: Uint8Array): string {
  const nul = raw.indexOf(0);
  const b = nul < 0 ? raw : raw.subarray(0, nul);
  if (ASCII_STRINGS.test(abbrev)) return Array.from(b, (c) => (c < 0x80 ? String.fromCharCode(c) : "\ufffd")).join("");
  return new TextDecoder("utf-8").decode(b);
}

/** Our Value for one PDML occurrence, or undefined when the occurrence cannot be rebuilt from tshark's raw data. */
function toValue(def: FieldDef, occ: PdmlValue, tf: TsharkField): Value | undefined {
  const raw = occ.value;
  switch (def.type) {
    case "none": return 1;
    case "protocol": case "abs_time": return undefined;
    case "double": case "rel_time": case "framenum": return Number(occ.show);
    case "bool": return raw === undefined ? undefined : BigInt("0x" + raw) !== 0n ? 1 : 0;
    case "ether": case "ipv4": return raw === undefined ? undefined : Number(BigInt("0x" + raw));
    case "ipv6": return raw === undefined ? undefined : hexBytes(raw);
    // PDML omits the value of a zero-length field (ipv6.opt.padn of a PadN with no padding).
    case "bytes": return raw === undefined ? new Uint8Array(0) : hexBytes(raw);
    case "string": return raw === undefined ? occ.show : decodeString(def.abbrev, hexBytes(raw));
    default: {
      // Decimal integers: tshark's show text is the number (raw bytes may be a varint or ASCII digits).
      if (raw === undefined || /^-?\d+$/.test(occ.show)) return Number(occ.show);
      let n = BigInt("0x" + raw);
      const bits = BITS[def.type];
      if (bits && !tf.mask) n = BigInt.asIntN(bits, n);
      return Number(n);
    }
  }
}

test("formatValue matches tshark -T fields for every field type, on real captures", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const types = await tsharkFieldTypes();
  const covered = new Set<string>();
  let compared = 0;
  const mismatches: string[] = [];
  for (const c of CASES) {
    if (c.needsCorpus && !requireTool(t, "corpus")) return;
    const file = c.file();
    const [rows, pdml] = await Promise.all([tsharkFields(file, c.fields), tsharkPdml(file, c.fields)]);
    assert.equal(pdml.length, rows.length, `${file}: PDML and -T fields disagree on the frame count`);
    c.fields.forEach((abbrev, k) => {
      const tf = types.get(abbrev);
      assert.ok(tf, `tshark does not know ${abbrev}`);
      const type = ourType(tf.type) as FieldType | null;
      assert.ok(type, `${abbrev}: no FieldType for ${tf.type}`);
      const def: FieldDef = { abbrev, name: tf.name, type, description: tf.description, base: baseOf(tf) };
      let seen = 0;
      for (let i = 0; i < rows.length; i++) {
        const occ = pdml[i][k];
        const values = occ.map((o) => toValue(def, o, tf));
        if (values.some((v) => v === undefined)) continue;
        const ours = values.map((v) => formatValue(def, v!)).join(",");
        compared++;
        seen += occ.length;
        if (ours !== rows[i][k]) mismatches.push(`${path.basename(file)} frame ${i + 1} ${abbrev} (${tf.type} ${tf.base}): tshark ${JSON.stringify(rows[i][k])}, ours ${JSON.stringify(ours)}`);
      }
      if (seen > 0) covered.add(type);
      else mismatches.push(`${path.basename(file)}: no occurrence of ${abbrev} to compare`);
    });
  }
  t.diagnostic(`${compared} field values compared, ${mismatches.length} mismatches; types covered: ${[...covered].sort().join(" ")}`);
  assert.deepEqual(mismatches, []);
  for (const ty of ["bool", "uint8", "uint16", "uint24", "uint32", "uint64", "int8", "int16", "int32", "double", "ether", "ipv4", "ipv6", "bytes", "string", "rel_time", "framenum", "none"]) {
    if (ty === "int8" && corpusFiles().length === 0) continue;
    assert.ok(covered.has(ty), `no real value of type ${ty} was compared`);
  }
});

const TIME_FIELDS = ["frame.time", "frame.time_epoch", "frame.time_relative", "frame.time_delta"];

test("frame times (abs_time, rel_time) from the frame index match tshark exactly, every sample and corpus file", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const files = [...sampleFiles(), ...corpusFiles()];
  const defs = TIME_FIELDS.map((a) => FRAME_FIELDS.find((f) => f.abbrev === a)!);
  let compared = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    const cap = await readCapture(file);
    try {
      const rows = await tsharkFields(file, TIME_FIELDS);
      const n = cap.index.count;
      assert.equal(n, rows.length, `${file}: frame count`);
      const cols = defs.map((d) => new Column(d, n, new Float64Array(n), new Uint8Array(n).fill(1), null));
      for (let i = 0; i < n; i++) {
        cols.forEach((col, k) => {
          compared++;
          const ours = formatFrame(col, i, { index: cap.index });
          if (ours !== rows[i][k] && mismatches.length < 20) mismatches.push(`${path.basename(file)} frame ${i + 1} ${TIME_FIELDS[k]}: tshark ${rows[i][k]}, ours ${ours}`);
        });
      }
    } finally {
      cap.source.close();
    }
  }
  t.diagnostic(`${TIME_FIELDS.length} fields x frames of ${files.length} files: ${compared} compared, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches, []);
});

test("frame.time follows TZ like tshark's local time, zone abbreviation included", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const file = sample("dns-icmp.pcap");
  const cap = await readCapture(file);
  const saved = process.env.TZ;
  try {
    for (const tz of ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Sao_Paulo", "UTC"]) {
      process.env.TZ = tz;
      const rows = await tsharkFields(file, ["frame.time"]);
      for (let i = 0; i < rows.length; i++) assert.equal(absTimeExact(cap.index.tsSec[i], cap.index.tsNsec[i]), rows[i][0], `TZ=${tz} frame ${i + 1}`);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ; else process.env.TZ = saved;
    cap.source.close();
  }
});

test("integers print in their base with the type's full hex width", () => {
  const f = (type: FieldType, base?: FieldDef["base"]): FieldDef => ({ abbrev: "x", name: "x", type, description: "", base });
  assert.equal(integerText(f("uint8", "hex"), 6), "0x06");
  assert.equal(integerText(f("uint16", "hex"), 0x800), "0x0800");
  assert.equal(integerText(f("uint24", "hex"), 0xc9309), "0x0c9309");
  assert.equal(integerText(f("uint32", "hex"), 0), "0x00000000");
  assert.equal(integerText(f("uint64", "hex"), 2 ** 40), "0x0000010000000000");
  assert.equal(integerText(f("int8", "hex"), -1), "0xff");
  assert.equal(integerText(f("int32", "dec"), -2), "-2");
  assert.equal(integerText(f("uint64", "dec"), 2 ** 60), "1152921504606846976");
  assert.equal(integerText(f("uint16", "oct"), 0o755), "0755");
  assert.equal(integerText(f("uint16", "oct"), 0), "0");
});

test("doubles print like C's %.15g", () => {
  assert.equal(g15(0.029), "0.029");
  assert.equal(g15(1e-5), "1e-05");
  assert.equal(g15(123456789012345680), "1.23456789012346e+17");
  assert.equal(g15(0.1 + 0.2), "0.3");
  assert.equal(g15(-2.5), "-2.5");
  assert.equal(g15(100), "100");
  assert.equal(g15(0), "0");
});

test("strings escape only \\b \\t \\n \\f \\r, as tshark 4.0 does", () => {
  assert.equal(escapeText("a\tb\nc\rd\fe\bf"), "a\\tb\\nc\\rd\\fe\\bf");
  assert.equal(escapeText('x\\y"z,w\x01\x1b\x7f\u00e9\ufffd'), 'x\\y"z,w\x01\x1b\x7f\u00e9\ufffd');
  assert.equal(escapeText("plain"), "plain");
});

test("relative times have nine decimals and a sign; absolute times use the local zone", () => {
  assert.equal(relTimeText(0.000462), "0.000462000");
  assert.equal(relTimeText(-0.5), "-0.500000000");
  assert.equal(relTimeText(0), "0.000000000");
  assert.equal(relTimeExact(1422527998, 578455857, 2894531997, 938836488), "-1472003999.360380631");
  assert.equal(relTimeExact(10, 5, 9, 999999999), "0.000000006");
  if (process.env.TZ === undefined || process.env.TZ === "UTC") {
    assert.equal(absTimeExact(1422527998, 578402281), "Jan 29, 2015 10:39:58.578402281 UTC");
    assert.equal(absTimeExact(1335958313, 152630000), "May  2, 2012 11:31:53.152630000 UTC");
  }
});

test("bytes: hex, <none> when empty, a separator when the field declares one", () => {
  const plain: FieldDef = { abbrev: "tcp.payload", name: "TCP payload", type: "bytes", description: "" };
  const colon = { abbrev: "icmpv6.opt.linkaddr", name: "Link-layer address", type: "bytes", description: "", sep: ":" } as FieldDef;
  assert.equal(formatValue(plain, Uint8Array.of(0, 0x1b, 0xff)), "001bff");
  assert.equal(formatValue(plain, new Uint8Array(0)), "<none>");
  assert.equal(formatValue(colon, Uint8Array.of(0, 0x11, 0x25, 0x82, 0x95, 0xb5)), "00:11:25:82:95:b5");
});

test("bytes: an empty value prints the field's emptyText (BASE_ALLOW_ZERO <none>, else <MISSING>)", () => {
  const missing: FieldDef = { abbrev: "mqtt.msg", name: "Message", type: "bytes", description: "", emptyText: "<MISSING>" };
  const none: FieldDef = { abbrev: "ipv6.opt.padn", name: "PadN", type: "bytes", description: "", emptyText: "<none>" };
  assert.equal(formatValue(missing, new Uint8Array(0)), "<MISSING>");
  assert.equal(formatValue(none, new Uint8Array(0)), "<none>");
  assert.equal(formatValue(missing, Uint8Array.of(0x68, 0x69)), "6869");
});

test("protocol fields print their abbrev, label fields 1, absent fields nothing", () => {
  const proto: FieldDef = { abbrev: "mqtt", name: "MQTT", type: "protocol", description: "" };
  const none: FieldDef = { abbrev: "tcp.analysis", name: "SEQ/ACK analysis", type: "none", description: "" };
  assert.equal(formatValue(proto, 1), "mqtt");
  assert.equal(formatValue(none, 1), "1");
  const col = new Column(none, 2, new Uint8Array([1, 0]), new Uint8Array([1, 0]), null);
  assert.equal(formatFrame(col, 0), "1");
  assert.equal(formatFrame(col, 1), "");
});

test("repeated fields join occurrences with the aggregator, or pick the first or last", () => {
  const def: FieldDef = { abbrev: "ip.src", name: "Source", type: "ipv4", description: "" };
  const col = new Column(def, 2, new Uint32Array([0x7f000001, 0x0a000001, 0xc0a80001]), null, new Uint32Array([0, 2, 3]));
  assert.equal(formatFrame(col, 0), "127.0.0.1,10.0.0.1");
  assert.equal(formatFrame(col, 0, { aggregator: ";" }), "127.0.0.1;10.0.0.1");
  assert.equal(formatFrame(col, 0, { occurrence: "f" }), "127.0.0.1");
  assert.equal(formatFrame(col, 0, { occurrence: "l" }), "10.0.0.1");
  assert.equal(formatFrame(col, 1), "192.168.0.1");
});
