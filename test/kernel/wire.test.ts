// Framing and signatures (kernel/wire.ts), against HMACs computed independently here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { decode, encode, sign, verify, DELIMITER } from "../../kernel/wire.js";
import { makeMessage } from "../../kernel/messages.js";

const key = { key: "secret-key", scheme: "hmac-sha256" };

test("sign is the hex HMAC-SHA256 of the four frames", () => {
  const parts = ["a", "b", "c", "d"].map((s) => Buffer.from(s));
  assert.equal(sign(key, parts), createHmac("sha256", "secret-key").update("abcd").digest("hex"));
  assert.equal(sign({ key: "", scheme: "hmac-sha256" }, parts), "");
});

test("encode then decode round-trips identities and message", () => {
  const msg = makeMessage("execute_request", "s1", undefined, { code: "1+1" });
  const frames = encode(key, [Buffer.from("client-id")], msg).map((f) => Buffer.from(f));
  assert.equal(frames[1].toString(), DELIMITER);
  const r = decode(key, frames);
  assert.ok(!("error" in r));
  assert.deepEqual(r.identities.map(String), ["client-id"]);
  assert.deepEqual(r.msg.content, { code: "1+1" });
  assert.equal(r.msg.header.msg_type, "execute_request");
});

test("verification is over the raw frames, not re-serialised JSON", () => {
  const header = Buffer.from('{"msg_id":"1",  "msg_type":"kernel_info_request","session":"s","username":"u","date":"","version":"5.3"}');
  const parts = [header, Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
  const frames = [Buffer.from(DELIMITER), Buffer.from(sign(key, parts)), ...parts];
  assert.ok(!("error" in decode(key, frames)), "odd spacing in the header still verifies");
});

test("a wrong signature, a wrong key, a truncated signature and missing frames are refused", () => {
  const msg = makeMessage("execute_request", "s1", undefined, { code: "evil()" });
  const good = encode(key, [], msg).map((f) => Buffer.from(f));
  const forged = [...good];
  forged[1] = Buffer.from("0".repeat(64));
  assert.deepEqual(decode(key, forged), { error: "bad signature" });
  const otherKey = encode({ key: "other", scheme: "hmac-sha256" }, [], msg).map((f) => Buffer.from(f));
  assert.deepEqual(decode(key, otherKey), { error: "bad signature" });
  const short = [...good];
  short[1] = short[1].subarray(0, 10);
  assert.deepEqual(decode(key, short), { error: "bad signature" });
  const tampered = [...good];
  tampered[5] = Buffer.from('{"code":"worse()"}');
  assert.deepEqual(decode(key, tampered), { error: "bad signature" });
  assert.ok("error" in decode(key, good.slice(0, 4)));
  assert.ok("error" in decode(key, good.slice(1)), "no delimiter");
  assert.equal(verify(key, Buffer.from("zz"), []), false);
});
