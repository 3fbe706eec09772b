#!/usr/bin/env bash
# Makes modbus-ids.pcap: an HMI (127.0.0.2) polling a PLC (pymodbus 3.0 server, 127.0.0.1:502) for ~8 s, and in the
# middle an unauthorized burst of FC 16 writes from 127.0.0.3. Real pymodbus traffic on loopback in a private
# network namespace, captured with tcpdump. Needs root (ip netns), tcpdump and Debian's python3-pymodbus.
#   notebooks/modbus-ids/make-capture.sh [OUT.pcap]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/modbus-ids.pcap}
PY=/usr/bin/python3
NS="wbmodbus-$$"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
in_ns ip link set dev lo mtu 1500 up
in_ns ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || true
in_ns ip addr add 127.0.0.2/8 dev lo
in_ns ip addr add 127.0.0.3/8 dev lo

ip netns exec "$NS" tcpdump -i lo --immediate-mode -U -s 0 -Z root -w "$WORK/cap.pcap" 2>"$WORK/tcpdump.err" &
CAP=$!; PIDS+=("$CAP")
for i in $(seq 100); do grep -q "listening on" "$WORK/tcpdump.err" && break; sleep 0.05; done
ip netns exec "$NS" "$PY" "$HERE/modbus_ids.py" server >"$WORK/server.log" 2>&1 & PIDS+=("$!")
for i in $(seq 100); do in_ns ss -ltn | grep -q "127.0.0.1:502 " && break; sleep 0.05; done
ip netns exec "$NS" "$PY" "$HERE/modbus_ids.py" hmi 8 & HMI=$!
sleep 5
in_ns "$PY" "$HERE/modbus_ids.py" attacker
wait "$HMI"
sleep 0.3
kill -INT "$CAP"; wait "$CAP" || true
cp "$WORK/cap.pcap" "$OUT"
echo "wrote $OUT ($(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets)" >&2
