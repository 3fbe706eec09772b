#!/usr/bin/python3
"""Raw-socket MQTT 3.1.1 clients for make-capture.sh (no paho needed: CONNECT/PUBLISH are a few bytes).

  mqtt_clients.py sleepy BIND CYCLES SLEEP   a battery sensor: keep-alive 5 s, publishes once, then sleeps SLEEP s
                                             without any PINGREQ; on waking it finds the broker closed the
                                             connection, closes its side and reconnects (CYCLES times)
  mqtt_clients.py crash BIND N               a gateway that publishes N readings 1 s apart, then dies: its socket
                                             is closed with SO_LINGER 0, so the kernel sends RST
"""
import socket, struct, sys, time

BROKER = ("127.0.0.1", 1883)
USER, PASSWORD = b"sensor", b"s3nsor-pass"


def utf8(b: bytes) -> bytes:
    return struct.pack("!H", len(b)) + b


def packet(first: int, body: bytes) -> bytes:
    n, out = len(body), bytearray([first])
    while True:
        d, n = n % 128, n // 128
        out.append(d | (0x80 if n else 0))
        if not n:
            return bytes(out) + body


def connect(client_id: bytes, keepalive: int) -> bytes:
    flags = 0x80 | 0x40 | 0x02  # username, password, clean session
    return packet(0x10, utf8(b"MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
                  + utf8(client_id) + utf8(USER) + utf8(PASSWORD))


def publish(topic: bytes, payload: bytes) -> bytes:
    return packet(0x30, utf8(topic) + payload)


def session(bind: str, client_id: bytes, keepalive: int) -> socket.socket:
    s = socket.socket()
    s.bind((bind, 0))
    s.connect(BROKER)
    s.sendall(connect(client_id, keepalive))
    connack = s.recv(4)
    assert connack[:2] == b"\x20\x02" and connack[3] == 0, connack
    return s


def sleepy(bind: str, cycles: int, sleep: float) -> None:
    for i in range(cycles):
        s = session(bind, b"sensor-sleepy", 5)
        s.sendall(publish(b"sensors/sleepy/temp", b"%.1f" % (18.0 + i)))
        time.sleep(sleep)  # the radio is off: no PINGREQ, no PUBLISH
        s.settimeout(1)
        try:
            eof = s.recv(16) == b""
        except OSError:
            eof = True
        print(f"cycle {i}: woke up, broker {'had closed' if eof else 'still open'}", flush=True)
        s.close()


def crash(bind: str, n: int) -> None:
    s = session(bind, b"gateway-7", 30)
    for i in range(n):
        s.sendall(publish(b"plant/gateway-7/flow", b"%d" % (100 + i)))
        time.sleep(1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # SO_LINGER 0: RST, as when the process is killed with data unread


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "sleepy":
        sleepy(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "crash":
        crash(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
