// LwM2M payloads sent now by Debian's libcoap3-bin (coap-client-notls PUTs with -t 11542 / 1542 / 110 / 112 /
// 11543) to coap-server-notls on loopback, in a private network namespace, captured with tcpdump. The TLV payloads
// are built here: known objects (Device, Location, Server, Firmware Update), an unknown object, nested object
// instances and multiple resources, resource instances under a resource path, a body cut short, and a GET that
// returns a stored TLV body (its URI is the request's). Every lwm2mtlv.* field is compared with tshark's; the
// SenML / LwM2M JSON extension fields are checked against the bodies sent. Needs root, tshark and libcoap3-bin.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { requireTool } from "../oracle/tshark.js";
import { compareCoap, report } from "./coap-compare.js";

const RES = 3, RI = 1, MR = 2, OI = 0;

/** One TLV element (OMA LwM2M 1.0 section 6.4.3). */
function tlv(type: number, id: number, value: Uint8Array | string): Buffer {
  const v = typeof value === "string" ? Buffer.from(value) : Buffer.from(value);
  const n = v.length, lid = id > 255 ? 1 : 0;
  const lol = n < 8 ? 0 : n < 256 ? 1 : 2;
  const len = lol === 0 ? [] : lol === 1 ? [n] : [n >> 8, n & 255];
  const t = (type << 6) | (lid << 5) | (lol << 3) | (lol === 0 ? n : 0);
  return Buffer.concat([Buffer.from([t]), Buffer.from(lid ? [id >> 8, id & 255] : [id]), Buffer.from(len), v]);
}
const be = (bits: "f32" | "f64" | "u32" | "i64", x: number) => {
  const b = Buffer.alloc(bits === "f32" || bits === "u32" ? 4 : 8);
  if (bits === "f32") b.writeFloatBE(x); else if (bits === "f64") b.writeDoubleBE(x); else if (bits === "u32") b.writeUInt32BE(x); else b.writeBigInt64BE(BigInt(x));
  return b;
};

function payloads(): Record<string, Buffer> {
  const dev = Buffer.concat([tlv(RES, 0, "Open Mobile Alliance"), tlv(RES, 9, [87] as never), tlv(RES, 13, be("u32", 1700000000)),
    tlv(MR, 6, Buffer.concat([tlv(RI, 0, Buffer.from([1])), tlv(RI, 1, Buffer.from([5]))])), tlv(RES, 1, "X"),
    tlv(RES, 21, be("i64", 123456789012)), tlv(RES, 300, Buffer.from([0, 1]))]);
  const unknown = Buffer.concat([tlv(RES, 1, Buffer.from([1])), tlv(RES, 5, Buffer.alloc(0)), tlv(RES, 2, be("f32", 1.5)),
    tlv(RES, 3, be("f64", 2.5)), tlv(RES, 4, Buffer.from([0, 1, 2])), tlv(RES, 6, Buffer.from([0xff])), tlv(RES, 7, Buffer.from([0x80, 0])),
    tlv(RES, 8, be("f32", 0.1)), tlv(RES, 9, "abcd"), tlv(RES, 10, Buffer.from([0x12, 0x34])), tlv(RES, 11, Buffer.from([0])), tlv(RES, 14, "héllo wörld")]);
  return {
    "dev.tlv": dev,
    "obj.tlv": tlv(OI, 0, dev),
    "unknown.tlv": unknown,
    "ri.tlv": Buffer.concat([tlv(RI, 0, "v1.0"), tlv(RI, 1, Buffer.from([5]))]),
    "loc.tlv": Buffer.concat([tlv(RES, 0, be("f32", 0.1)), tlv(RES, 1, be("f64", -1.25)), tlv(RES, 2, be("f32", 123456.789)), tlv(RES, 5, be("u32", 1700000000))]),
    "srv.tlv": Buffer.concat([tlv(RES, 0, Buffer.from([1])), tlv(RES, 1, be("u32", 86400)), tlv(RES, 6, Buffer.from([1])), tlv(RES, 7, "UQ"), tlv(RES, 4, Buffer.alloc(0)), tlv(RES, 13, be("u32", 0xffffffff))]),
    "nested.tlv": tlv(OI, 1, Buffer.concat([tlv(MR, 7, Buffer.concat([tlv(RI, 0, "a"), tlv(RI, 1, Buffer.from([1, 2, 3]))])), tlv(RES, 1, Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]))])),
    "cut.tlv": tlv(RES, 0, "hello world 123").subarray(0, 14),
    "cut-header.tlv": Buffer.from([0xe3, 0x01]),
    "cut-nested.tlv": tlv(OI, 0, tlv(RES, 1, "abc")).subarray(0, 6),
    "senml.json": Buffer.from('[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"9","v":87},{"n":"1","vb":true}]'),
    // [{-2: "/6/0/", 0: "0", 2: 43.5}, {0: "5", 2: 1700000000}]
    "senml.cbor": Buffer.from("82a321652f362f302f00613002f95170a2006135021a6553f100", "hex"),
    "lwm2m.json": Buffer.from('{"bn":"/3/0/","e":[{"n":"0","sv":"ACME"},{"n":"9","v":42},{"n":"6/0","v":1}]}'),
  };
}

const SCRIPT = `set -e
ip link set lo up
cd "$1"
tcpdump -i lo -U -w lwm2m.pcap udp port 5683 2>tcpdump.err & D=$!
coap-server-notls -A 127.0.0.1 -v 0 & S=$!
sleep 0.7
c() { coap-client-notls "$@" >/dev/null || true; }
U=coap://127.0.0.1
c -m put -t 11542 -f dev.tlv $U/3/0
c -m put -t 11542 -f obj.tlv $U/3
c -m put -t 11542 -f unknown.tlv $U/4242/0
c -m put -t 11542 -f ri.tlv $U/3/0/3
c -m put -t 11542 -f ri.tlv $U/3/0/6/1
c -m put -t 11542 -f loc.tlv $U/6/0
c -m put -t 11542 -f srv.tlv $U/1/0
c -m put -t 11542 -f nested.tlv $U/5
c -m put -t 1542 -f cut.tlv $U/3/0
c -m put -t 11542 -f cut-header.tlv $U/3/0
c -m put -t 11542 -f cut-nested.tlv $U/3
c -m put -t 11542 -f dev.tlv $U/example_data
c -m get $U/example_data
c -m put -t 11542 -f unknown.tlv $U/abc/def/ghi
c -m put -t 110 -f senml.json $U/3/0
c -m put -t 112 -f senml.cbor $U/6/0
c -m put -t 11543 -f lwm2m.json $U/3/0
sleep 0.5
kill $S; sleep 0.3; kill $D; wait $D || true
`;

test("libcoap LwM2M payloads on loopback: lwm2mtlv like tshark, SenML/LwM2M JSON records decoded", async (t) => {
  for (const tool of ["tshark", "tcpdump", "unshare", "coap-server-notls", "coap-client-notls"]) if (!requireTool(t, tool)) return;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error("capturing on loopback needs root, and CI=true requires it");
    t.skip("capturing on loopback needs root");
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-lwm2m-"));
  for (const [name, bytes] of Object.entries(payloads())) fs.writeFileSync(path.join(dir, name), bytes);
  const r = spawnSync("unshare", ["-n", "bash", "-c", SCRIPT, "lwm2m-capture", dir], { timeout: 30000 });
  assert.equal(r.status, 0, `capture script: ${r.stderr}`);
  const file = path.join(dir, "lwm2m.pcap");
  const res = await compareCoap(file);
  const lw = res.mismatches.filter((m) => m.field.startsWith("lwm2mtlv"));
  t.diagnostic(report({ ...res, mismatches: lw }));
  const others = res.mismatches.filter((m) => !m.field.startsWith("lwm2mtlv"));
  if (others.length) t.diagnostic(`coap.* (not ours): ${others.map((m) => `#${m.frame} ${m.field} tshark ${JSON.stringify(m.tshark)} ours ${JSON.stringify(m.ours)}`).join("; ")}`);
  assert.deepEqual(lw, [], "lwm2mtlv mismatches");

  const cap = await open(file);
  try {
    const [name, value, tl] = cap.columns(["lwm2m.senml.name", "lwm2m.senml.value", "lwm2mtlv"]);
    const frames: string[] = [];
    for (let i = 0; i < cap.count; i++) if (name.has(i)) frames.push(name.all(i).map((n, k) => `${n}=${value.get(i, k)}`).join(" "));
    assert.deepEqual(frames, [
      "/3/0/0=Open Mobile Alliance /3/0/9=87 /3/0/1=true",
      "/6/0/0=43.5 /6/0/5=1700000000",
      "/3/0/0=ACME /3/0/9=42 /3/0/6/0=1",
    ]);
    assert.ok(tl.presentCount() >= 14, `${tl.presentCount()} frames with lwm2mtlv`);
  } finally {
    cap.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
