"""Drives a Wirebook kernel through the real jupyter_client (the way Jupyter itself does) and prints what it saw.

One JSON object per line: {"check": NAME, "data": ...} or {"check": NAME, "error": TRACEBACK}. The node:test file
test/kernel/jupyter.test.ts runs this once and asserts on each check; this script judges nothing itself.

Usage: /usr/bin/python3 client.py --workdir DIR --stderr-file FILE --arquero PATH  (JUPYTER_PATH must find the
kernelspec "wirebook").
"""

import argparse
import hashlib
import hmac
import json
import sys
import time
import traceback
import uuid

import zmq
from jupyter_client.manager import KernelManager

TIMEOUT = 60


def emit(check, data=None, error=None):
    out = {"check": check}
    if error is not None:
        out["error"] = error
    else:
        out["data"] = data
    print(json.dumps(out), flush=True)


class Driver:
    def __init__(self, workdir, stderr_file):
        self.stderr = open(stderr_file, "w")
        self.km = KernelManager(kernel_name="wirebook")
        self.workdir = workdir
        t0 = time.time()
        self.km.start_kernel(cwd=workdir, stderr=self.stderr)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.ready_seconds = time.time() - t0

    # -- collecting ------------------------------------------------------------------------------------------

    def collect(self, msg_id, timeout=TIMEOUT):
        """iopub messages of msg_id up to its status idle, as [msg_type, content] pairs."""
        msgs = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = self.kc.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
            except Exception:
                break
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            msgs.append([m["msg_type"], m["content"]])
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        return msgs

    def reply(self, msg_id, channel="shell", timeout=TIMEOUT):
        get = self.kc.get_shell_msg if channel == "shell" else self.kc.get_control_msg
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = get(timeout=max(0.05, deadline - time.time()))
            if m["parent_header"].get("msg_id") == msg_id:
                return {"msg_type": m["msg_type"], "content": m["content"]}
        raise TimeoutError("no reply to %s" % msg_id)

    def run(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        rep = self.reply(msg_id)
        return {"reply": rep["content"], "iopub": self.collect(msg_id)}

    def request(self, msg_type, content, channel="shell"):
        msg = self.kc.session.msg(msg_type, content)
        (self.kc.shell_channel if channel == "shell" else self.kc.control_channel).send(msg)
        msg_id = msg["header"]["msg_id"]
        rep = self.reply(msg_id, channel)
        return {"reply": rep, "iopub": self.collect(msg_id)}

    def pid(self):
        return self.km.provisioner.pid


def check(name):
    def wrap(fn):
        CHECKS.append((name, fn))
        return fn
    return wrap


CHECKS = []


@check("kernel_info")
def kernel_info(d, args):
    r = d.request("kernel_info_request", {})
    return {"reply": r["reply"]["content"], "iopub": r["iopub"], "ready_seconds": d.ready_seconds}


@check("execute_result")
def execute_result(d, args):
    return d.run("1 + 1")


@check("stream")
def stream(d, args):
    return d.run('console.log("hello", 1 + 2);\nconsole.error("to stderr");\nprocess.stdout.write("raw\\n");')


@check("type_error")
def type_error(d, args):
    return d.run('let fine = 1;\nconst n: number = "not a number";')


@check("runtime_error")
def runtime_error(d, args):
    return d.run('\nfunction boom(): never {\n  throw new Error("kaboom");\n}\nconst before = 1;\nboom();')


@check("carried_declarations")
def carried(d, args):
    first = d.run('const carried = { n: 41 };\nfunction twice(x: number): number { return 2 * x; }\ninterface Pt { x: number }')
    second = d.run('const p: Pt = { x: twice(carried.n) };\np.x + 0.5')
    return {"first": first, "second": second}


@check("top_level_await")
def tla(d, args):
    return d.run('const v = await new Promise<number>((r) => setTimeout(() => r(7), 50));\nv * 6')


@check("interrupt")
def interrupt(d, args):
    setup = d.run("let survivor = 41;")
    msg_id = d.kc.execute("while (true) {}")
    time.sleep(2.0)
    beating = d.kc.hb_channel.is_beating()
    d.km.interrupt_kernel()
    loop_reply = d.reply(msg_id, timeout=15)["content"]
    loop_iopub = d.collect(msg_id)
    after_loop = d.run("survivor + 1")
    msg_id = d.kc.execute("await new Promise(() => {});")
    time.sleep(0.5)
    d.km.interrupt_kernel()
    await_reply = d.reply(msg_id, timeout=15)["content"]
    d.collect(msg_id)
    # The same through an interrupt_request on the control channel (a long await is the case a message can stop).
    msg_id = d.kc.execute("await new Promise(() => {});")
    time.sleep(0.5)
    control = d.request("interrupt_request", {}, channel="control")
    control_exec_reply = d.reply(msg_id, timeout=15)["content"]
    d.collect(msg_id)
    after_all = d.run("survivor + 2")
    return {"setup": setup, "beating": beating, "loop_reply": loop_reply, "loop_iopub": loop_iopub,
            "after_loop": after_loop, "await_reply": await_reply, "control_reply": control["reply"],
            "control_exec_reply": control_exec_reply, "after_all": after_all}


@check("complete")
def complete(d, args):
    code = 'const hits = capture.filter("eth.s'
    field = d.request("complete_request", {"code": code, "cursor_pos": len(code)})
    middle = 'f("frame.le && x")'
    mid = d.request("complete_request", {"code": middle, "cursor_pos": middle.index(" &&")})
    d.run("const myLongVariableName = 1;")
    ts = d.request("complete_request", {"code": "myLongVar", "cursor_pos": len("myLongVar")})
    return {"field": field["reply"]["content"], "field_iopub": field["iopub"], "middle": mid["reply"]["content"],
            "ts": ts["reply"]["content"]}


@check("inspect")
def inspect(d, args):
    code = 'capture.filter("eth.src == 00:11:22:33:44:55")'
    field = d.request("inspect_request", {"code": code, "cursor_pos": code.index("src") + 1, "detail_level": 0})
    d.run("/** Doubles a number. */\nfunction doubled(x: number): number { return x * 2; }")
    ts = d.request("inspect_request", {"code": "doubled(2)", "cursor_pos": 3, "detail_level": 0})
    return {"field": field["reply"]["content"], "ts": ts["reply"]["content"]}


@check("is_complete")
def is_complete(d, args):
    out = {}
    for code in ["function f() {", "1 + 1", "const x = [1,"]:
        out[code] = d.request("is_complete_request", {"code": code})["reply"]["content"]
    return out


@check("history_comm_info")
def history(d, args):
    h = d.request("history_request", {"hist_access_type": "tail", "n": 10, "output": False, "raw": True})
    c = d.request("comm_info_request", {})
    return {"history": h["reply"]["content"], "comm_info": c["reply"]["content"]}


@check("silent_and_user_expressions")
def silent(d, args):
    quiet = d.run("const quietValue = 5; quietValue", silent=True)
    loud = d.run("quietValue * 2", user_expressions={"answer": "quietValue + 37", "bad": "nope("})
    return {"silent": quiet, "loud": loud}


def sign(key, parts):
    h = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts:
        h.update(p)
    return h.hexdigest().encode()


@check("forged_signature")
def forged(d, args):
    info = d.km.get_connection_info()
    key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect("tcp://%s:%d" % (info["ip"], info["shell_port"]))

    def frames(code, signing_key, signature=None):
        header = {"msg_id": uuid.uuid4().hex, "session": uuid.uuid4().hex, "username": "mallory",
                  "date": "2024-01-01T00:00:00Z", "msg_type": "execute_request", "version": "5.3"}
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        parts = [json.dumps(header).encode(), b"{}", b"{}", json.dumps(content).encode()]
        return [b"<IDS|MSG>", signature if signature is not None else sign(signing_key, parts)] + parts

    time.sleep(0.3)  # let the DEALER connect
    sock.send_multipart(frames('(globalThis as any).forged = "executed";', b"not-the-key"))
    sock.send_multipart(frames('(globalThis as any).forged2 = "executed";', key, signature=b"0" * 64))
    forged_replies = []
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    deadline = time.time() + 2.0
    while time.time() < deadline:
        if poller.poll(100):
            forged_replies.append([f.decode("utf8", "replace") for f in sock.recv_multipart()])
    # A correctly signed message on the same raw socket is answered: the refusal above was the signature's doing.
    sock.send_multipart(frames('(globalThis as any).signedRaw = "executed"; 1', key))
    signed_replies = []
    deadline = time.time() + 20.0
    while time.time() < deadline and not signed_replies:
        if poller.poll(100):
            signed_replies.append(json.loads(sock.recv_multipart()[5])["status"])
    sock.close()
    probe = d.run('[typeof (globalThis as any).forged, typeof (globalThis as any).forged2, (globalThis as any).signedRaw]')
    d.stderr.flush()
    with open(d.stderr.name) as f:
        log = f.read()
    return {"forged_replies": forged_replies, "signed_replies": signed_replies, "probe": probe, "stderr": log}


@check("display_table")
def display_table(d, args):
    # Arquero by path, so this check does not depend on the library's build (the library check covers `aq`).
    setup = d.run("const arq: any = require(%s);" % json.dumps(args.arquero))
    small = d.run('arq.table({ name: ["<img src=x onerror=alert(1)>", "ok & fine"], n: [1, 2] })')
    big = d.run('arq.table({ i: Array.from({ length: 1000 }, (_, k) => k) })')
    return {"setup": setup, "small": small, "big": big}


@check("display_vegalite")
def display_vegalite(d, args):
    return d.run('({ $schema: "https://vega.github.io/schema/vega-lite/v5.json",\n'
                 '  data: { values: [{ a: "A", b: 28 }, { a: "B", b: 55 }] },\n'
                 '  mark: "bar",\n'
                 '  encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } } })')


@check("display_update")
def display_update(d, args):
    return d.run('const id = display({ markdown: "**first**" });\nconsole.log("between");\n'
                 'updateDisplay(id, { [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>second</b>" }; } });')


@check("stop_on_error")
def stop_on_error(d, args):
    ids = [d.kc.execute('await new Promise((r) => setTimeout(r, 500));\nthrow new Error("first fails");'),
           d.kc.execute('(globalThis as any).afterAbort = "ran";'),
           d.kc.execute("2 + 2")]
    replies = [d.reply(i)["content"] for i in ids]
    for i in ids:
        d.collect(i)
    probe = d.run("typeof (globalThis as any).afterAbort")
    return {"replies": replies, "probe": probe}


@check("library")
def library(d, args):
    code = "const t0: string = aq.table({ x: [1] }).numRows();"
    return {"import": d.run('import * as wb from "wirebook";\nObject.keys(wb).length > 0'),
            "explicit": d.run('import { open as openCapture } from "wirebook";\ntypeof openCapture'),
            "globals": d.run("[typeof wirebook, typeof open, typeof aq.table]"),
            "typed": d.run(code),
            "inspect": d.request("inspect_request", {"code": "open", "cursor_pos": 2, "detail_level": 0})["reply"]["content"]}


@check("open_progress")
def open_progress(d, args):
    if not args.capture:
        return None
    return d.run("const progressCap = await open(%s);\nprogressCap.count" % json.dumps(args.capture))


@check("restart")
def restart(d, args):
    old = d.pid()
    d.run("const beforeRestart = 1;")
    t0 = time.time()
    d.km.restart_kernel(now=False)
    d.kc.wait_for_ready(timeout=TIMEOUT)
    seconds = time.time() - t0
    status = getattr(d.km, "_shutdown_status", None)
    probe = d.run("typeof beforeRestart")
    fresh = d.run("40 + 2")
    return {"old_pid": old, "new_pid": d.pid(), "seconds": seconds,
            "shutdown_status": status.name if status is not None else None, "probe": probe, "fresh": fresh}


@check("shutdown_shell")
def shutdown_shell(d, args):
    r = d.request("shutdown_request", {"restart": False})
    deadline = time.time() + 10
    while time.time() < deadline and d.km.is_alive():
        time.sleep(0.05)
    alive = d.km.is_alive()
    return {"reply": r["reply"], "iopub": r["iopub"], "alive_after": alive}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workdir", required=True)
    p.add_argument("--stderr-file", required=True)
    p.add_argument("--arquero", required=True)
    p.add_argument("--capture", default="", help="a pcap for the open() progress-line check")
    p.add_argument("--only", default="")
    args = p.parse_args()
    only = set(filter(None, args.only.split(",")))
    d = Driver(args.workdir, args.stderr_file)
    try:
        for name, fn in CHECKS:
            if only and name not in only:
                continue
            try:
                emit(name, fn(d, args))
            except Exception:
                emit(name, error=traceback.format_exc())
    finally:
        try:
            d.kc.stop_channels()
            if d.km.is_alive():
                d.km.shutdown_kernel(now=True)
        except Exception:
            pass
    emit("done", {})


if __name__ == "__main__":
    main()
