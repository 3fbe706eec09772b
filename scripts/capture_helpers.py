#!/usr/bin/python3
"""Traffic makers for scripts/make-captures.sh: small real clients and servers on loopback.

Run with Debian's /usr/bin/python3 (python3-pymodbus 3.0 lives there), inside the network namespace the script made:
    capture_helpers.py modbus-server [PORT]        pymodbus 3.0 TCP server with coils and registers
    capture_helpers.py modbus-client [PORT]        polls (FC 1/3/4), writes (FC 5/6/16), provokes an exception
    capture_helpers.py dns-server NAME=ADDR ...    answers A/AAAA on 127.0.0.1:53 (NXDOMAIN for other names)
    capture_helpers.py mqtt-rst PORT USER PASS     MQTT 3.1.1 CONNECT + SUBSCRIBE, then an abortive close (RST)
    capture_helpers.py http-strings                HTTP on 127.0.0.1:80 and syslog to :514 with awkward characters
Every command stops by itself (bounded loops and timeouts).
"""

import os
import socket
import struct
import sys
import threading
import time


def modbus_server(port: int) -> None:
    from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
    from pymodbus.server import StartTcpServer

    store = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [1, 0, 1, 1] * 25),
        co=ModbusSequentialDataBlock(0, [0, 1] * 50),
        hr=ModbusSequentialDataBlock(0, list(range(100, 200))),
        ir=ModbusSequentialDataBlock(0, list(range(1000, 1100))),
    )
    # A timer ends the server: the script also kills it, but nothing may outlive a failed run.
    threading.Timer(60, lambda: os._exit(0)).start()
    StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=("127.0.0.1", port))


def modbus_client(port: int) -> None:
    from pymodbus.client import ModbusTcpClient

    c = ModbusTcpClient("127.0.0.1", port=port, timeout=3)
    for _ in range(50):
        if c.connect():
            break
        time.sleep(0.1)
    else:
        sys.exit("modbus server did not come up")
    for i in range(3):
        c.read_holding_registers(0, 10, slave=1)          # FC 3
        c.read_input_registers(10, 4, slave=1)            # FC 4
        c.read_coils(0, 16, slave=1)                      # FC 1
        time.sleep(0.05)
    c.write_register(5, 4242, slave=1)                    # FC 6
    c.write_coil(3, True, slave=1)                        # FC 5
    c.write_registers(20, [1, 2, 3, 0xBEEF], slave=1)     # FC 16
    c.write_registers(30, list(range(60)), slave=1)       # FC 16, 120 data bytes
    c.read_holding_registers(20, 4, slave=1)              # reads back the FC 16 write
    c.read_holding_registers(990, 5, slave=1)             # beyond the block: exception 2 (illegal data address)
    c.close()


def _dns_name(data: bytes, off: int):
    labels = []
    while data[off] != 0:
        n = data[off]
        labels.append(data[off + 1 : off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels), off + 1


def dns_server(table: dict) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    s.settimeout(8)
    try:
        while True:
            q, peer = s.recvfrom(2048)
            qid, flags = struct.unpack("!HH", q[:4])
            name, end = _dns_name(q, 12)
            qtype, qclass = struct.unpack("!HH", q[end : end + 4])
            question = q[12 : end + 4]
            answers = []
            addrs = table.get(name.lower(), [])
            for a in addrs:
                fam = socket.AF_INET6 if ":" in a else socket.AF_INET
                t = 28 if fam == socket.AF_INET6 else 1
                if t == qtype:
                    rdata = socket.inet_pton(fam, a)
                    answers.append(b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 300, len(rdata)) + rdata)
            rcode = 0 if addrs else 3  # NXDOMAIN for names we do not know
            hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1, len(answers), 0, 0)
            s.sendto(hdr + question + b"".join(answers), peer)
    except socket.timeout:
        pass


def _mqtt_str(s: bytes) -> bytes:
    return struct.pack("!H", len(s)) + s


def _mqtt_packet(first: int, body: bytes) -> bytes:
    n, rl = len(body), b""
    while True:
        b, n = n % 128, n // 128
        rl += bytes([b | (0x80 if n else 0)])
        if not n:
            return bytes([first]) + rl + body


def mqtt_rst(port: int, user: str, password: str) -> None:
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    vh = _mqtt_str(b"MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 30)  # 3.1.1, username+password+clean session
    s.sendall(_mqtt_packet(0x10, vh + _mqtt_str(b"killed-hard") + _mqtt_str(user.encode()) + _mqtt_str(password.encode())))
    s.recv(16)  # CONNACK
    s.sendall(_mqtt_packet(0x82, struct.pack("!H", 7) + _mqtt_str(b"plant/#") + b"\x01"))
    s.recv(16)  # SUBACK
    time.sleep(0.2)
    # SO_LINGER {on, 0}: close() aborts the connection with a RST, as when a client dies hard.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def http_strings() -> None:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 80))
    srv.listen()
    srv.settimeout(5)

    def serve() -> None:
        c, _ = srv.accept()
        c.recv(65536)
        c.sendall(b"HTTP/1.1 200 OK\r\nServer: tab\there back\\slash \"quote\" comma, ctl\x01\x1b\x7f utf8 \xc3\xa9 bad \xff\r\n"
                  b"Content-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n")
        time.sleep(0.2)
        c.close()

    t = threading.Thread(target=serve)
    t.start()
    s = socket.create_connection(("127.0.0.1", 80), timeout=5)
    s.sendall(b"GET /q?a=1,2&b=x\ty\\z\"w\x01\x08\x0c\xc3\xa9\xff HTTP/1.1\r\nHost: strings.test\r\n"
              b"User-Agent: agent\twith,comma\r\n\r\n")
    s.recv(4096)
    time.sleep(0.2)
    s.close()
    t.join()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for msg in [b"<13>Nov 23 12:00:00 host app: tab\there,comma back\\slash\x01 utf8 \xc3\xa9 bad \xff",
                b"<14>Nov 23 12:00:01 host app: ff \x0c bs \x08 cr \r lf \n end",
                b"<15>Nov 23 12:00:02 host app: nul\x00after"]:
        u.sendto(msg, ("127.0.0.1", 514))
        time.sleep(0.05)


def main(argv: list) -> None:
    cmd, args = argv[0], argv[1:]
    if cmd == "modbus-server":
        modbus_server(int(args[0]) if args else 502)
    elif cmd == "modbus-client":
        modbus_client(int(args[0]) if args else 502)
    elif cmd == "dns-server":
        table: dict = {}
        for a in args:
            name, addr = a.split("=", 1)
            table.setdefault(name.lower(), []).append(addr)
        dns_server(table)
    elif cmd == "mqtt-rst":
        mqtt_rst(int(args[0]), args[1], args[2])
    elif cmd == "http-strings":
        http_strings()
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
