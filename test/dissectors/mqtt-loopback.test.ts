// A capture made now, on loopback, with real software (mosquitto 2 broker, mosquitto_pub / mosquitto_sub), on a
// random port decoded as MQTT ("decode as" on both sides): MQTT 3.1, 3.1.1 and 5.0 clients, a Will with an empty
// payload, an empty PUBLISH, MQTT 5 properties including a user property over 127 bytes (Wireshark 4.0's odd
// property length), PUBLISHes that name their topic by Topic Alias only, a 200 KB payload spanning segments, an
// UNSUBSCRIBE. Every mqtt field is compared with tshark's. Needs root (tcpdump) and the mosquitto packages.

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requireTool } from "../oracle/tshark.js";
import { compareMqtt, report } from "./mqtt-compare.js";

/** Starts a process and resolves once `ready` appears on its stderr/stdout (or after `ms`). */
async function start(cmd: string, args: string[], ready: RegExp | null, ms = 3000): Promise<ChildProcess> {
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (ready === null) return p;
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${seen}`)), ms);
    const on = (d: Buffer) => {
      seen += d.toString();
      if (ready.test(seen)) { clearTimeout(timer); resolve(); }
    };
    p.stdout!.on("data", on);
    p.stderr!.on("data", on);
    p.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited with ${code}: ${seen}`)); });
  });
  return p;
}

function pub(port: number, args: string[], input?: Buffer): void {
  const r = spawnSync("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), ...args], { input, timeout: 10000 });
  assert.equal(r.status, 0, `mosquitto_pub ${args.join(" ")}: ${r.stderr}`);
}

test("a loopback capture of mosquitto clients decodes like tshark, field for field", async (t) => {
  for (const tool of ["tshark", "tcpdump", "mosquitto", "mosquitto_pub", "mosquitto_sub"]) if (!requireTool(t, tool)) return;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error("capturing on loopback needs root, and CI=true requires it");
    t.skip("capturing on loopback needs root");
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-mqtt-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const file = path.join(dir, "mqtt-loopback.pcap");
  fs.writeFileSync(path.join(dir, "m.conf"), `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const procs: ChildProcess[] = [];
  try {
    procs.push(await start("mosquitto", ["-c", path.join(dir, "m.conf"), "-v"], /running|Opening ipv4 listen socket/));
    const dump = await start("tcpdump", ["-i", "lo", "-U", "-w", file, `tcp port ${port}`], /listening on/);
    procs.push(dump);
    const sub = await start("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-V", "mqttv5", "-q", "2", "-t", "wb/#",
      "-C", "9", "-D", "connect", "topic-alias-maximum", "10"], null);
    procs.push(sub);
    await sleep(300);
    pub(port, ["-V", "mqttv31", "-q", "1", "-t", "wb/v31", "-m", "from 3.1"]);
    pub(port, ["-V", "mqttv311", "-q", "2", "-t", "wb/v311", "-m", "from 3.1.1", "-u", "alice", "-P", "secret",
      "--will-topic", "wb/will", "--will-payload", ""]);
    pub(port, ["-V", "mqttv5", "-q", "1", "-t", "wb/alias", "-m", "by alias", "-D", "publish", "topic-alias", "2", "--repeat", "3"]);
    pub(port, ["-V", "mqttv5", "-q", "1", "-t", "wb/props", "-m", "{\"v\":1}", "-D", "publish", "user-property", "k", "v".repeat(300),
      "-D", "publish", "correlation-data", "abc", "-D", "publish", "response-topic", "wb/reply",
      "-D", "publish", "message-expiry-interval", "60", "-D", "publish", "payload-format-indicator", "1",
      "-D", "connect", "session-expiry-interval", "70000", "-D", "connect", "receive-maximum", "20"]);
    pub(port, ["-V", "mqttv5", "-q", "0", "-t", "wb/empty", "-n"]);
    pub(port, ["-V", "mqttv5", "-q", "1", "-t", "wb/big", "-s"], Buffer.alloc(200_000, "0123456789abcdef"));
    const r = spawnSync("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-V", "mqttv5", "-t", "wb/u", "-U", "wb/u", "-E"], { timeout: 10000 });
    assert.equal(r.status, 0, String(r.stderr));
    await sleep(500);
  } finally {
    for (const p of procs.reverse()) p.kill("SIGINT");
    await sleep(300);
  }
  const res = await compareMqtt(file, port);
  t.diagnostic(report(res));
  assert.ok(res.messages >= 30, `${res.messages} frames with MQTT`);
  assert.deepEqual(res.mismatches, []);
  fs.rmSync(dir, { recursive: true, force: true });
});
