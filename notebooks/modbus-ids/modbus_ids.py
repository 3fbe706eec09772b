"""Traffic for the modbus-ids notebook (run by make-capture.sh inside a network namespace, Debian's python3-pymodbus 3.0).

    modbus_ids.py server                 pymodbus TCP server on 127.0.0.1:502 (holding registers 0..199)
    modbus_ids.py hmi SECONDS            the HMI at 127.0.0.2: polls FC 3/4/1 every 0.25 s, writes setpoint FC 6 to reg 5
    modbus_ids.py attacker               an engineering laptop at 127.0.0.3: a burst of FC 16 writes to regs 40..49
Every command stops by itself.
"""

import os
import sys
import threading
import time


def server() -> None:
    from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
    from pymodbus.server import StartTcpServer

    store = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [0, 1] * 100),
        co=ModbusSequentialDataBlock(0, [0, 1] * 100),
        hr=ModbusSequentialDataBlock(0, list(range(100, 300))),
        ir=ModbusSequentialDataBlock(0, list(range(1000, 1200))),
    )
    threading.Timer(60, lambda: os._exit(0)).start()
    StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=("127.0.0.1", 502))


def connect(source: str):
    from pymodbus.client import ModbusTcpClient

    c = ModbusTcpClient("127.0.0.1", port=502, timeout=3, source_address=(source, 0))
    for _ in range(50):
        if c.connect():
            return c
        time.sleep(0.1)
    sys.exit("modbus server did not come up")


def hmi(seconds: float) -> None:
    c = connect("127.0.0.2")
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        c.read_holding_registers(0, 10, slave=1)   # FC 3: process values
        c.read_input_registers(0, 4, slave=1)      # FC 4: sensors
        c.read_coils(0, 8, slave=1)                # FC 1: pump states
        if n % 8 == 7:
            c.write_register(5, 400 + n, slave=1)  # FC 6: the operator's setpoint, part of normal operation
        n += 1
        time.sleep(0.25)
    c.close()


def attacker() -> None:
    c = connect("127.0.0.3")
    c.read_holding_registers(40, 10, slave=1)      # reconnaissance: what is there now
    for i in range(12):
        c.write_registers(40, [0xFFFF - i] * 10, slave=1)  # FC 16: overwrite the trip limits
        time.sleep(0.02)
    c.close()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "server":
        server()
    elif cmd == "hmi":
        hmi(float(sys.argv[2]))
    elif cmd == "attacker":
        attacker()
    else:
        sys.exit(__doc__)
