// A capture made now with Debian's libcoap3-bin on loopback, in a private network namespace (unshare -n, so port
// 5683 is ours): GET, PUT, a Block1 PUT and a Block2 GET of a 1500-byte resource (64-byte blocks), an Observe of
// /time with three notifications, a NON request answered 4.04, a query. Every coap field is compared with tshark's.
// Needs root (unshare, tcpdump) and coap-server-notls / coap-client-notls.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { requireTool } from "../oracle/tshark.js";
import { compareCoap, report } from "./coap-compare.js";

const SCRIPT = `set -e
ip link set lo up
cd "$1"
tcpdump -i lo -U -w coap.pcap udp port 5683 2>tcpdump.err & D=$!
coap-server-notls -A 127.0.0.1 -d 10 -v 0 & S=$!
sleep 0.7
coap-client-notls -m get coap://127.0.0.1/time >/dev/null
coap-client-notls -m put -e hello coap://127.0.0.1/example_data >/dev/null
head -c 1500 /dev/zero | tr '\\0' x > big.txt
coap-client-notls -m put -b 64 -f big.txt coap://127.0.0.1/big >/dev/null || true
coap-client-notls -m get -b 64 coap://127.0.0.1/big >/dev/null || true
coap-client-notls -m get -s 3 coap://127.0.0.1/time >/dev/null || true
coap-client-notls -m get -N coap://127.0.0.1/missing >/dev/null || true
coap-client-notls -m get 'coap://127.0.0.1/.well-known/core?rt=x' >/dev/null || true
sleep 0.5
kill $S; sleep 0.3; kill $D; wait $D || true
`;

test("a loopback capture of libcoap client and server decodes like tshark, field for field", async (t) => {
  for (const tool of ["tshark", "tcpdump", "unshare", "coap-server-notls", "coap-client-notls"]) if (!requireTool(t, tool)) return;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error("capturing on loopback needs root, and CI=true requires it");
    t.skip("capturing on loopback needs root");
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-coap-"));
  const r = spawnSync("unshare", ["-n", "bash", "-c", SCRIPT, "coap-capture", dir], { timeout: 30000 });
  assert.equal(r.status, 0, `capture script: ${r.stderr}`);
  const res = await compareCoap(path.join(dir, "coap.pcap"));
  t.diagnostic(report(res));
  assert.ok(res.messages >= 100, `${res.messages} frames with CoAP`);
  assert.deepEqual(res.mismatches, []);
  fs.rmSync(dir, { recursive: true, force: true });
});
