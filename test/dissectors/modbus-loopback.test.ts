// A capture made now with real software: Debian's python3-pymodbus 3.0 server and client on port 502 of a private
// network namespace's loopback (unshare -n), MTU 296 so the largest ADUs (125 registers read, 123 written) span two
// TCP segments. The client reads coils, inputs and registers (FC 1-4), writes (5, 6, 15, 16), reads and writes at
// once (23), mask-writes (22), asks for device identification (43/14, three read codes), diagnostics (8/0, 8/11),
// the server id (17), comm event counter and log (11, 12), exception status (7), and provokes exception 2.
// Every mbtcp and modbus field is compared with tshark's. Needs root, unshare, ip, tcpdump and the pymodbus package.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { requireTool } from "../oracle/tshark.js";
import { compareModbus, report } from "./modbus-compare.js";

const PYTHON = "/usr/bin/python3";

const TRAFFIC = String.raw`
import sys, threading, time, os
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.server import StartTcpServer
from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.diag_message import ReturnQueryDataRequest, ReturnBusMessageCountRequest
from pymodbus.other_message import ReportSlaveIdRequest, GetCommEventCounterRequest, GetCommEventLogRequest, ReadExceptionStatusRequest

def server(port):
    store = ModbusSlaveContext(di=ModbusSequentialDataBlock(0, [1, 0, 1, 1] * 25), co=ModbusSequentialDataBlock(0, [0, 1] * 50),
                               hr=ModbusSequentialDataBlock(0, list(range(100, 300))), ir=ModbusSequentialDataBlock(0, list(range(1000, 1100))))
    ident = ModbusDeviceIdentification(info_name={"VendorName": "Wirebook", "ProductCode": "WB-1", "VendorUrl": "https://example.org/",
        "ProductName": "Loopback PLC", "ModelName": "Model 7", "MajorMinorRevision": "3.0", "UserApplicationName": "modbus test"})
    threading.Timer(30, lambda: os._exit(0)).start()  # nothing outlives a failed run
    StartTcpServer(context=ModbusServerContext(slaves=store, single=True), identity=ident, address=("127.0.0.1", port))

def client(port):
    c = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
    for _ in range(100):
        if c.connect(): break
        time.sleep(0.05)
    else: sys.exit("server did not come up")
    steps = [
        lambda: c.read_holding_registers(0, 10, slave=1),
        lambda: c.read_coils(2, 13, slave=1),
        lambda: c.read_discrete_inputs(0, 8, slave=1),
        lambda: c.read_input_registers(10, 4, slave=1),
        lambda: c.write_register(5, 4242, slave=1),
        lambda: c.write_coil(3, True, slave=1),
        lambda: c.write_registers(20, [1, 2, 3, 0xBEEF], slave=1),
        lambda: c.write_coils(8, [True, False, True, True, False, False, True, True, True, False], slave=1),
        lambda: c.readwrite_registers(read_address=20, read_count=4, write_address=40, write_registers=[7, 8, 9], slave=1),
        lambda: c.mask_write_register(address=6, and_mask=0x00F2, or_mask=0x0025, slave=1),
        lambda: c.execute(ReadDeviceInformationRequest(read_code=1, object_id=0, slave=1)),
        lambda: c.execute(ReadDeviceInformationRequest(read_code=2, object_id=0, slave=1)),
        lambda: c.execute(ReadDeviceInformationRequest(read_code=4, object_id=5, slave=1)),
        lambda: c.execute(ReturnQueryDataRequest(message=0x1234, unit=1)),
        lambda: c.execute(ReturnBusMessageCountRequest(slave=1)),
        lambda: c.execute(ReportSlaveIdRequest(slave=1)),
        lambda: c.execute(GetCommEventCounterRequest(slave=1)),
        lambda: c.execute(GetCommEventLogRequest(slave=1)),
        lambda: c.execute(ReadExceptionStatusRequest(unit=1)),
        lambda: c.read_holding_registers(990, 5, slave=1),
        lambda: c.write_registers(30, list(range(1000, 1123)), slave=1),
        lambda: c.read_holding_registers(0, 125, slave=1),
    ]
    for s in steps:
        try: s()
        except Exception as e: print("step failed:", e, file=sys.stderr)
        time.sleep(0.02)
    c.close()

(server if sys.argv[1] == "server" else client)(int(sys.argv[2]))
`;

// Runs inside "unshare -n": a loopback of its own, so the server can take port 502 and nothing else is captured.
const RUN = String.raw`
set -e
DIR=$(dirname "$1")
ip link set lo mtu 296 up
ip link set dev lo gso_max_size 296 gso_max_segs 1 2>/dev/null || true
tcpdump -i lo --immediate-mode -U -s 0 -w "$1" tcp port 502 2>"$DIR/tcpdump.err" & T=$!
for i in $(seq 100); do grep -q listening "$DIR/tcpdump.err" && break; sleep 0.05; done
${PYTHON} "$DIR/traffic.py" server 502 >"$DIR/server.log" 2>&1 & S=$!
${PYTHON} "$DIR/traffic.py" client 502 2>"$DIR/client.log"
sleep 0.5
kill $S 2>/dev/null || true
kill -INT $T
wait $T || true
`;

function pymodbusMissing(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ["-c", "import pymodbus"], { encoding: "utf8" });
  return r.status === 0 ? null : `python3-pymodbus is missing (${r.stderr.trim().split("\n").pop()})`;
}

test("a pymodbus loopback capture decodes like tshark, field for field", async (t) => {
  for (const tool of ["tshark", "tcpdump", "unshare", "ip"]) if (!requireTool(t, tool)) return;
  const missing = process.getuid?.() !== 0 ? "capturing in a network namespace needs root" : pymodbusMissing();
  if (missing !== null) {
    if (process.env.CI === "true") throw new Error(`${missing}, and CI=true requires it`);
    t.skip(missing);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-modbus-"));
  const file = path.join(dir, "modbus-loopback.pcap");
  fs.writeFileSync(path.join(dir, "traffic.py"), TRAFFIC);
  fs.writeFileSync(path.join(dir, "run.sh"), RUN);
  const r = spawnSync("unshare", ["-n", "bash", path.join(dir, "run.sh"), file], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `capture script failed: ${r.stderr}`);
  const clientLog = fs.readFileSync(path.join(dir, "client.log"), "utf8");
  assert.doesNotMatch(clientLog, /step failed/, clientLog);

  const res = await compareModbus(file);
  t.diagnostic(report(res));
  assert.ok(res.messages >= 44, `${res.messages} frames with Modbus`);
  assert.deepEqual(res.mismatches, []);
  assert.deepEqual([...res.excluded], []);

  // What the capture must hold for the comparison to mean something.
  const cap = await open(file);
  try {
    const [fc, req, str, bitval, regval, spans] = cap.columns(["modbus.func_code", "modbus.request_frame",
      "modbus.object_str_value", "modbus.bitval", "modbus.regval_uint16", "tcp.len"]);
    const codes = new Set<number>(), strings: string[] = [];
    let paired = 0, longest = 0;
    for (let i = 0; i < cap.count; i++) {
      for (const v of fc.all(i)) codes.add(v as number);
      paired += req.count(i);
      for (const v of str.all(i)) strings.push(v as string);
      longest = Math.max(longest, regval.count(i));
    }
    for (const c of [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 22, 23, 43]) assert.ok(codes.has(c), `function ${c} in the capture`);
    assert.ok(paired >= 20, `${paired} responses paired with their request`);
    assert.ok(strings.includes("Loopback PLC") && strings.includes("Wirebook"), strings.join("|"));
    assert.ok(bitval.presentCount() >= 2);
    assert.equal(longest, 125, "the 125-register read (two TCP segments) is decoded in full");
    assert.ok(Array.from({ length: cap.count }, (_, i) => formatFrame(spans, i)).includes("244"), "an ADU spans segments");
  } finally {
    cap.close();
  }
});
