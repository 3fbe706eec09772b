#!/usr/bin/env bash
# Makes Wirebook's own sample captures with real software on loopback, each scenario in a network namespace of its
# own (nothing else on its loopback, the well-known ports free, lo's MTU set to 1500 so big messages span segments).
#
#   scripts/make-captures.sh [-o DIR] [SCENARIO ...]     default: every scenario, into samples/
#   scripts/make-captures.sh -l                          lists the scenarios
#
# Needs root (ip netns), tcpdump, tshark/editcap, mosquitto + mosquitto-clients, python3-pymodbus under
# /usr/bin/python3, libcoap3-bin, iputils-ping, gzip. Each scenario is one function `scenario_NAME OUTDIR`, so a
# notebook can make its own capture: `scripts/make-captures.sh -o /tmp/x mqtt311`.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
HELPERS="$HERE/capture_helpers.py"
NS=""
PIDS=()
WORK=$(mktemp -d)

log() { printf '[make-captures] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- plumbing

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
  if [ -n "$NS" ]; then ip netns del "$NS" 2>/dev/null || true; rm -rf "/etc/netns/$NS"; NS=""; fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT

# ns_up: a fresh namespace with lo up at MTU 1500, and no GSO super-packets (tcpdump would see one 4 KB "segment"
# where the wire has three).
ns_up() {
  NS="wbcap-$$-$1"
  ip netns add "$NS"
  ip netns exec "$NS" ip link set dev lo mtu 1500 up
  ip netns exec "$NS" ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || log "cannot limit GSO on lo"
}

# in_ns CMD…: runs a command inside the scenario's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# bg CMD…: starts a command in the namespace in the background and remembers its pid ($!).
bg() { ip netns exec "$NS" "$@" >>"$WORK/bg.log" 2>&1 & PIDS+=("$!"); }

# cap_start FILE [tcpdump options…]: starts tcpdump on the namespace's lo and waits until it listens.
CAP_PID=""
cap_start() {
  local file=$1; shift
  ip netns exec "$NS" tcpdump -i lo --immediate-mode -U -s 0 -Z root -w "$file" "$@" 2>"$WORK/tcpdump.err" &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  local i
  for i in $(seq 100); do grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && return 0; sleep 0.05; done
  log "tcpdump did not start: $(cat "$WORK/tcpdump.err")"; return 1
}

# cap_stop: lets the last packets arrive, stops tcpdump (it flushes on SIGINT) and every helper of the scenario.
cap_stop() {
  sleep 0.3
  kill -INT "$CAP_PID" 2>/dev/null || true
  wait "$CAP_PID" 2>/dev/null || true
  cleanup
}

# wait_port PORT [tcp|udp]: waits until something listens on 127.0.0.1:PORT inside the namespace.
wait_port() {
  local flag=-ltn i
  [ "${2:-tcp}" = udp ] && flag=-lun
  for i in $(seq 100); do in_ns ss $flag 2>/dev/null | grep -q "127.0.0.1:$1 " && return 0; sleep 0.05; done
  log "nothing listens on port $1"; tail -5 "$WORK/bg.log" >&2; return 1
}

# mosquitto_up CONF: starts a mosquitto 2.0 broker with that config in the namespace ("user root": it must read the
# password file in our private temporary folder after dropping privileges).
mosquitto_up() {
  printf 'user root\n' >>"$1"
  bg mosquitto -c "$1"
  wait_port 1883
}

# payload N: N deterministic printable bytes.
payload() { "$PY" -c "import sys; sys.stdout.write(''.join(chr(48 + (i * 7) % 75) for i in range($1)))"; }

# ---------------------------------------------------------------- scenarios

# MQTT 3.1.1: a subscriber (QoS 1, keep-alive 5 s -> PINGREQ/PINGRESP), publishes at QoS 0/1/2, a retained message,
# and a 4000-byte payload that spans three TCP segments.
scenario_mqtt311() {
  local out=$1/mqtt311-pubsub.pcap
  ns_up mqtt311
  printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' >"$WORK/m.conf"
  cap_start "$out"
  mosquitto_up "$WORK/m.conf"
  bg mosquitto_sub -V mqttv311 -i sensor-sub -k 5 -q 1 -t 'plant/#' -C 5
  sleep 0.5
  in_ns mosquitto_pub -V mqttv311 -i pub-q0 -q 0 -t plant/line1/temp -m 21.5
  in_ns mosquitto_pub -V mqttv311 -i pub-q1 -q 1 -t plant/line1/pressure -m 1013
  in_ns mosquitto_pub -V mqttv311 -i pub-q2 -q 2 -t plant/line2/state -m running
  in_ns mosquitto_pub -V mqttv311 -i pub-ret -q 1 -r -t plant/line2/config -m '{"rate":5}'
  sleep 6   # the subscriber's keep-alive: one PINGREQ/PINGRESP round
  in_ns mosquitto_pub -V mqttv311 -i pub-big -q 1 -t plant/line1/blob -m "$(payload 4000)"
  sleep 0.5
  cap_stop
  log "wrote $out"
}

# MQTT 5: CONNECT/PUBLISH/SUBSCRIBE properties (session expiry, receive maximum, user properties, content type,
# response topic, correlation data, message expiry, payload format), a Will with properties, topic alias.
scenario_mqtt5() {
  local out=$1/mqtt5-properties.pcap
  ns_up mqtt5
  printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' >"$WORK/m.conf"
  cap_start "$out"
  mosquitto_up "$WORK/m.conf"
  bg mosquitto_sub -V mqttv5 -i v5-sub -q 1 -t 'lab/#' -C 3 \
    -D connect session-expiry-interval 120 -D connect receive-maximum 20 -D connect user-property role subscriber \
    -D subscribe user-property purpose notebook \
    --will-topic lab/status --will-payload offline --will-qos 1 -D will message-expiry-interval 30 \
    -D will content-type text/plain
  sleep 0.5
  in_ns mosquitto_pub -V mqttv5 -i v5-pub -q 1 -t lab/json -m '{"temp":21.5,"unit":"C"}' \
    -D connect user-property site lab-1 -D publish content-type application/json \
    -D publish payload-format-indicator 1 -D publish message-expiry-interval 300 \
    -D publish response-topic lab/reply -D publish correlation-data 0x2a2b -D publish user-property sensor t1
  in_ns mosquitto_pub -V mqttv5 -i v5-alias -q 0 -t lab/alias -m first -D publish topic-alias 3
  in_ns mosquitto_pub -V mqttv5 -i v5-q2 -q 2 -t lab/q2 -m exactly-once
  sleep 0.5
  cap_stop
  log "wrote $out"
}

# MQTT authentication: a broker with a password file refuses bad credentials (3.1.1 return code 5, 5.0 reason
# 0x86), accepts good ones, and a client that dies hard (abortive close: RST) after subscribing.
scenario_mqtt_auth() {
  local out=$1/mqtt-auth-refused-rst.pcap
  ns_up mqttauth
  : >"$WORK/passwd"
  chmod 600 "$WORK/passwd"
  mosquitto_passwd -b "$WORK/passwd" alice s3cret 2>/dev/null
  printf 'listener 1883 127.0.0.1\nallow_anonymous false\npassword_file %s\n' "$WORK/passwd" >"$WORK/m.conf"
  cap_start "$out"
  mosquitto_up "$WORK/m.conf"
  in_ns mosquitto_pub -V mqttv311 -i intruder -u alice -P wrong -t plant/x -m no 2>/dev/null || true
  in_ns mosquitto_pub -V mqttv5 -i intruder5 -u mallory -P guess -t plant/x -m no 2>/dev/null || true
  in_ns mosquitto_pub -V mqttv311 -i operator -u alice -P s3cret -q 1 -t plant/line1/setpoint -m 42
  in_ns "$PY" "$HELPERS" mqtt-rst 1883 alice s3cret
  sleep 0.3
  cap_stop
  log "wrote $out"
}

# Modbus/TCP on port 502: pymodbus 3.0 server and client; FC 1/3/4 polling, FC 5/6/16 writes, one exception.
scenario_modbus() {
  local out=$1/modbus-tcp-poll.pcap
  ns_up modbus
  cap_start "$out"
  bg "$PY" "$HELPERS" modbus-server 502
  wait_port 502
  in_ns "$PY" "$HELPERS" modbus-client 502
  cap_stop
  log "wrote $out"
}

# CoAP (libcoap 4.3 coap-server-notls / coap-client-notls): discovery with block-wise transfer, GET /time, PUT then
# GET of a resource, a NON request, DELETE, and a GET of a missing resource (4.04).
scenario_coap() {
  local out=$1/coap-get-put.pcap
  ns_up coap
  cap_start "$out"
  bg coap-server-notls -A 127.0.0.1 -d 4
  wait_port 5683 udp
  in_ns coap-client-notls -B 3 -b 32 -m get coap://127.0.0.1/.well-known/core >/dev/null
  in_ns coap-client-notls -B 3 -m get coap://127.0.0.1/time >/dev/null
  in_ns coap-client-notls -B 3 -m put -e 'setpoint=42' coap://127.0.0.1/example_data >/dev/null
  in_ns coap-client-notls -B 3 -m get coap://127.0.0.1/example_data >/dev/null
  in_ns coap-client-notls -B 3 -N -m get coap://127.0.0.1/time >/dev/null
  in_ns coap-client-notls -B 3 -m put -e 'new' coap://127.0.0.1/dyn1 >/dev/null
  in_ns coap-client-notls -B 3 -m delete coap://127.0.0.1/dyn1 >/dev/null
  in_ns coap-client-notls -B 3 -m get coap://127.0.0.1/missing >/dev/null || true
  cap_stop
  log "wrote $out"
}

# DNS over UDP (glibc's stub resolver asking a small responder: A, AAAA, NXDOMAIN) and ICMP echo (ping), plus a
# datagram to a closed port answered by ICMP port unreachable.
scenario_dns_icmp() {
  local out=$1/dns-icmp.pcap
  ns_up dns
  mkdir -p "/etc/netns/$NS"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$NS/resolv.conf"
  cap_start "$out"
  bg "$PY" "$HELPERS" dns-server sensor.wirebook.test=127.0.0.10 sensor.wirebook.test=fd00::10 broker.wirebook.test=127.0.0.20
  wait_port 53 udp
  in_ns getent ahostsv4 broker.wirebook.test >/dev/null || true
  in_ns getent ahosts sensor.wirebook.test >/dev/null || true
  in_ns getent hosts nowhere.wirebook.test >/dev/null || true
  in_ns ping -c 3 -i 0.2 -s 56 127.0.0.1 >/dev/null
  in_ns "$PY" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello?", ("127.0.0.1", 9))'
  cap_stop
  log "wrote $out"
}

# Awkward strings for the formatter's tests: an HTTP exchange and syslog messages carrying tabs, commas,
# backslashes, quotes, control characters, UTF-8 and invalid bytes.
scenario_strings() {
  local out=$1/strings-escapes.pcap
  ns_up strings
  cap_start "$out"
  in_ns "$PY" "$HELPERS" http-strings
  cap_stop
  log "wrote $out"
}

# Nanosecond-resolution pcap (tcpdump --time-stamp-precision=nano): ping and a UDP datagram.
scenario_nano() {
  local out=$1/icmp-nanosecond.pcap
  ns_up nano
  cap_start "$out" --time-stamp-precision=nano
  in_ns ping -c 4 -i 0.2 127.0.0.1 >/dev/null
  cap_stop
  log "wrote $out"
}

# pcapng with packet comments and a capture comment (editcap from the MQTT 3.1.1 capture), and a gzip copy of it.
scenario_formats() {
  local dir=$1 src=$1/mqtt311-pubsub.pcap
  [ -f "$src" ] || scenario_mqtt311 "$dir"
  editcap -F pcapng --capture-comment "Wirebook sample: MQTT 3.1.1 on loopback" \
    -a "1:first frame: the subscriber's SYN" -a "3:comment with, comma and"$'\t'"tab" -a "4:MQTT CONNECT of sensor-sub" \
    "$src" "$dir/mqtt311-comments.pcapng" 2>/dev/null
  gzip -9 -n -c "$src" >"$dir/mqtt311-pubsub.pcap.gz"
  log "wrote $dir/mqtt311-comments.pcapng and $dir/mqtt311-pubsub.pcap.gz"
}

SCENARIOS=(mqtt311 mqtt5 mqtt_auth modbus coap dns_icmp strings nano formats)

# ---------------------------------------------------------------- main

main() {
  local out samples
  samples=$(cd "$HERE/.." && pwd)/samples
  out=$samples
  while getopts "o:l" opt; do
    case $opt in
      o) out=$OPTARG ;;
      l) printf '%s\n' "${SCENARIOS[@]}"; return 0 ;;
      *) echo "usage: $0 [-o DIR] [-l] [SCENARIO ...]" >&2; return 2 ;;
    esac
  done
  shift $((OPTIND - 1))
  [ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespaces, tcpdump)" >&2; return 1; }
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  local list=("$@")
  [ ${#list[@]} -gt 0 ] || list=("${SCENARIOS[@]}")
  local s
  for s in "${list[@]}"; do
    declare -F "scenario_$s" >/dev/null || { echo "$0: no scenario '$s' (try -l)" >&2; return 2; }
    log "scenario $s"
    "scenario_$s" "$out"
  done
}

main "$@"
