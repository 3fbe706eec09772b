#!/usr/bin/env bash
# Makes mqtt-drops.pcap: real Mosquitto 2.0 (Debian) on 127.0.0.1:1883 with a password file, and four clients on
# loopback in a private network namespace, captured with tcpdump (~45 s of traffic):
#   127.0.0.1  healthy-sensor  mosquitto_pub, keep-alive 10 s, a reading every 2 s, then DISCONNECT
#   127.0.0.2  sensor-sleepy   mqtt_clients.py: keep-alive 5 s but asleep 20 s at a time (no PINGREQ) -> the broker
#                              drops it for keep-alive expiry, twice; it notices on waking and reconnects
#   127.0.0.3  gateway-7       mqtt_clients.py: publishes 4 readings, then its socket is closed with SO_LINGER 0 -> RST
#   127.0.0.4  intruder        mosquitto_pub with a wrong password -> CONNACK 5 (not authorized), broker closes
# Needs root (ip netns), tcpdump, mosquitto + mosquitto-clients, /usr/bin/python3.
#   notebooks/mqtt-drops/make-capture.sh [OUT.pcap]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/mqtt-drops.pcap}
PY=/usr/bin/python3
NS="wbmqtt-$$"
WORK=$(mktemp -d)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Background jobs are started with `ip netns exec` directly (not through in_ns), so $! is the process itself.
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
in_ns ip link set dev lo mtu 1500 up
in_ns ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || true
for a in 2 3 4; do in_ns ip addr add "127.0.0.$a/8" dev lo; done

mosquitto_passwd -b -c "$WORK/passwd" sensor s3nsor-pass 2>/dev/null
chmod 644 "$WORK/passwd"
cat >"$WORK/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous false
password_file $WORK/passwd
persistence false
log_dest stderr
log_type all
CONF

ip netns exec "$NS" tcpdump -i lo --immediate-mode -U -s 0 -Z root -w "$WORK/cap.pcap" tcp port 1883 2>"$WORK/tcpdump.err" &
CAP=$!; PIDS+=("$CAP")
for i in $(seq 100); do grep -q "listening on" "$WORK/tcpdump.err" && break; sleep 0.05; done
ip netns exec "$NS" mosquitto -c "$WORK/mosquitto.conf" 2>"$WORK/mosquitto.log" & PIDS+=("$!")
for i in $(seq 100); do in_ns ss -ltn | grep -q "127.0.0.1:1883 " && break; sleep 0.05; done

ip netns exec "$NS" mosquitto_pub -h 127.0.0.1 -A 127.0.0.1 -i healthy-sensor -k 10 -u sensor -P s3nsor-pass -V mqttv311 \
  -t sensors/healthy/temp -m 21.5 --repeat 22 --repeat-delay 2 & HEALTHY=$!; PIDS+=("$HEALTHY")
sleep 0.5
ip netns exec "$NS" "$PY" "$HERE/mqtt_clients.py" sleepy 127.0.0.2 2 20 & SLEEPY=$!; PIDS+=("$SLEEPY")
sleep 2
ip netns exec "$NS" "$PY" "$HERE/mqtt_clients.py" crash 127.0.0.3 4 & CRASH=$!; PIDS+=("$CRASH")
sleep 3
in_ns mosquitto_pub -h 127.0.0.1 -A 127.0.0.4 -i intruder -u sensor -P guess123 -V mqttv311 -t sensors/healthy/temp -m 99 \
  || echo "intruder refused (expected)" >&2
wait "$CRASH" "$SLEEPY" "$HEALTHY"
sleep 0.5
kill -INT "$CAP"; wait "$CAP" || true
grep -E "New client|disconnected|exceeded|not authori|Client .* closed" "$WORK/mosquitto.log" >&2 || true
cp "$WORK/cap.pcap" "$OUT"
echo "wrote $OUT ($(tcpdump -r "$OUT" 2>/dev/null | wc -l) packets)" >&2
