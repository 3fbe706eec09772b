// The Wirebook lwm2m.* extension fields on the shared corpus's LwM2M captures, against the values tshark -V shows
// in the CoAP tree of each frame (Uri-Path, Uri-Query; a response's "[Uri-Path: …]" is its request's).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { corpusDir } from "../oracle/tshark.js";

const FIELDS = ["lwm2m", "lwm2m.object_id", "lwm2m.instance_id", "lwm2m.resource_id", "lwm2m.rd.endpoint", "lwm2m.rd.lifetime", "lwm2m.rd.binding", "lwm2m.rd.version", "lwm2m.senml.name"];

/** frame number -> expected values of FIELDS[1..] ("" absent; "a|b" two occurrences). */
type Expect = Record<number, string[]>;

async function check(t: { skip(m: string): void }, file: string, expect: Expect): Promise<number> {
  const p = path.join(corpusDir(), "coap", file);
  if (!fs.existsSync(p)) {
    if (process.env.CI === "true") throw new Error(`corpus capture ${p} missing`);
    t.skip(`corpus capture ${file} missing`);
    return 0;
  }
  const cap = await open(p);
  let cells = 0;
  try {
    const cols = cap.columns(FIELDS);
    for (let i = 0; i < cap.count; i++) {
      const want = expect[i + 1] ?? ["", "", "", "", "", "", "", ""];
      const got = cols.slice(1).map((c) => c.all(i).map(String).join("|"));
      assert.deepEqual(got, want, `${file} frame ${i + 1}`);
      assert.equal(cols[0].has(i), want.some((v) => v !== ""), `${file} frame ${i + 1}: lwm2m presence`);
      cells += FIELDS.length;
    }
  } finally {
    cap.close();
  }
  return cells;
}

const none = ["", "", "", "", "", "", "", ""];
const obj = (o: number, i: number, r: number) => [String(o), String(i), String(r), "", "", "", "", ""];
const rd = (ep: string, lt: string, b: string, v: string) => ["", "", "", ep, lt, b, v, ""];

test("Leshan register: ep, lt, b, lwm2m from the /rd query", async (t) => {
  // 1 CON, MID:4097, POST, TKN:10, /rd?ep=urn:dev:client-1&lt=86400&lwm2m=1.1&b=U
  // 2 ACK, MID:4097, 2.01 Created, TKN:10, /rd
  await check(t, "coap-lwm2m-register-leshan.pcap", { 1: rd("urn:dev:client-1", "86400", "U", "1.1"), 2: none });
});

test("Wakaama register and update: query order does not matter; /rd/1 is not an object path", async (t) => {
  // 1 CON, MID:39490, POST, TKN:42 9a 53 ad, /rd?lwm2m=1.0&ep=urn:dev:wakaama-1&b=U&lt=60
  // 3 CON, MID:39491, POST, TKN:43 9a 71 ad, /rd/1
  await check(t, "coap-lwm2m-wakaama-register-update.pcap", { 1: rd("urn:dev:wakaama-1", "60", "U", "1.0") });
});

test("operations: object/instance/resource from numeric paths, responses inherit their request's", async (t) => {
  // 5 CON, MID:39017, GET, TKN:66 33 48 73, /3/0/0    6 ACK, MID:39017, 2.01 Created, TKN:66 33 48 73, /3/0/0
  // 7 CON, MID:56401, PUT (text/plain), TKN:19 49 5c ff, /3/0/15   12 CON, MID:22714, DELETE, /3/0
  // 14 CON, MID:16882, POST, /bs?ep=urn:dev:smoke-1 (bootstrap: not /rd)   23 PUT /1/0/1   26 GET /0/0/0 …
  const cells = await check(t, "coap-lwm2m-operations.pcap", {
    1: rd("urn:dev:smoke-1", "86400", "U", "1.1"), 3: rd("urn:dev:smoke-1", "60", "U", "1.1"),
    5: obj(3, 0, 0), 6: obj(3, 0, 0), 7: obj(3, 0, 15), 8: obj(3, 0, 4), 9: obj(3, 0, 4), 10: obj(3, 0, 13), 11: obj(3, 0, 13),
    12: ["3", "0", "", "", "", "", "", ""], 13: ["3", "0", "", "", "", "", "", ""],
    21: obj(3, 0, 0), 22: obj(3, 0, 0), 23: obj(1, 0, 1), 24: obj(5, 0, 2), 25: obj(5, 0, 2), 26: obj(0, 0, 0), 27: obj(0, 0, 0),
    28: obj(2, 0, 3), 29: obj(2, 0, 3), 30: obj(5, 0, 7), 31: obj(5, 0, 7),
  });
  t.diagnostic(`${cells} field×frame cells checked`);
});
