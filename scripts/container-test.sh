#!/usr/bin/env bash
# Builds the mjsim image from Debian-package bases (no registry needed) and tests it black-box from the
# host, with --network host and a random free port:
#   1 health   2 register a URL with curl   3 send with node-mailjet   4 advance the clock
#   5 a receiver on the host gets the webhooks; docs/ci.md's curl and Python examples work unmodified
#   6 SIGTERM stops it in under 2 s, with an idle keep-alive connection open
#   7 a new container on the same volume keeps the URLs, the deliveries and the clock
# Cleans up its containers, volume and receiver; exits non-zero, saying what failed, on any failure.
# Needs root (podman, and apt-get when podman, runc or mmdebstrap is missing), node, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

missing=()
for tool in podman runc mmdebstrap curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "container-test: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q podman runc mmdebstrap curl python3
fi

PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
IMAGE=${MJSIM_IMAGE:-localhost/mjsim:latest}
KEY=ci-public:ci-secret
KEY2=sh-public:sh-secret # a second account, for the curl example (each account has one URL per event type)
NAME=mjsim-test-$$
VOLUME=mjsim-test-$$
work=$(mktemp -d)
receiver_pid=

cleanup() {
  "${PODMAN[@]}" rm -f -t 0 "$NAME" "$NAME-2" >/dev/null 2>&1 || true
  "${PODMAN[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "container-test: FAILED: $*" >&2
  for name in "$NAME" "$NAME-2"; do
    "${PODMAN[@]}" logs "$name" 2>/dev/null | sed "s/^/  $name | /" >&2 || true
  done
  exit 1
}
step() { echo "container-test: $*"; }

# The image.
MJSIM_IMAGE=$IMAGE bash scripts/build-image.sh --local-bases >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; fail "building the image"; }
built=$(ms_since "$started")
step "image $IMAGE built (${built} ms, bases included)"

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
BASE=http://127.0.0.1:$PORT
touch "$work/received"
node scripts/container-test/receiver.mjs "$work/received" >"$work/receiver.port" &
receiver_pid=$!
for _ in $(seq 50); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
HOOKS=http://127.0.0.1:$(cat "$work/receiver.port")
"${PODMAN[@]}" volume create "$VOLUME" >/dev/null

run_mjsim() { # name
  "${PODMAN[@]}" run -d --name "$1" --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
    --health-interval disable -v "$VOLUME:/data" -e MJSIM_PORT="$PORT" -e MJSIM_API_KEYS="$KEY,$KEY2" \
    "$IMAGE" serve --clock manual >/dev/null 2>>"$work/podman.log" || { cat "$work/podman.log" >&2; fail "podman run $1"; }
  for _ in $(seq 300); do curl -sf "$BASE/sim/health" >/dev/null && return; sleep 0.1; done
  fail "$1: /sim/health did not answer within 30 s"
}
api() { # method path [json] — prints the body; fails on a non-2xx answer
  curl -sS --fail-with-body -u "$KEY" -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE$2" || fail "$1 $2"
}
received() { grep -c "^$1 " "$work/received" || true; }

# 1. Health, over HTTP and through the image's HEALTHCHECK.
run_mjsim "$NAME"
health=$(curl -sf "$BASE/sim/health") || fail "1 health"
[[ $health == *'"status":"ok"'* && $health == *'"clock":"manual"'* ]] || fail "1 health answered $health"
"${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1 || fail "1 the image's HEALTHCHECK reports unhealthy"
step "1 health ok, HEALTHCHECK healthy"

# 2. Register URLs with curl: one that accepts, one that always fails (it will be pending a retry).
api POST /v3/REST/eventcallbackurl "{\"EventType\":\"sent\",\"Url\":\"$HOOKS/curl\"}" | grep -q '"Status":"alive"' || fail "2 registering the sent URL"
api POST /v3/REST/eventcallbackurl "{\"EventType\":\"click\",\"Url\":\"$HOOKS/fail\"}" >/dev/null
step "2 registered two URLs with curl"

# 3. Send with node-mailjet.
message_id=$(node scripts/container-test/send-with-node-mailjet.mjs "$PORT" "$KEY" jane@example.com) || fail "3 sending with node-mailjet"
step "3 node-mailjet sent MessageID $message_id"

# 4. Advance the clock: the message's `sent` event (1-5 s after the send) is delivered; the failing URL's
#    attempt 1 ran at once (emitted events are due now), its retry is due 30 s later. The summary counts
#    every attempt since the last advance (none here), so attempt 1 counts whether or not it had finished.
[ "$(received /curl)" = 0 ] || fail "4 a webhook arrived before the clock moved"
api POST /sim/events '{"event":"click","email":"jane@example.com"}' >/dev/null
advance=$(api POST /sim/clock/advance '{"by":"10s"}')
[[ $advance == *'"attempts":2,"successes":1,"failures":1,'* ]] || fail "4 advance answered $advance"
step "4 advanced the clock 10 s: $advance"

# 5. The receiver on the host got them; then docs/ci.md's curl and Python standard-library examples, run
#    unmodified.
grep -q "^/curl .*\"event\":\"sent\".*\"MessageID\":$message_id[,}]" "$work/received" || fail "5 the receiver has no sent event for $message_id: $(cat "$work/received")"
[ "$(received /fail)" = 1 ] || fail "5 expected one attempt at /fail, got $(received /fail)"
python_out=$(MJSIM_URL=$BASE MJSIM_API_KEY=$KEY WEBHOOK_URL=$HOOKS/python python3 examples/no-node/mjsim_webhooks.py) || fail "5 examples/no-node/mjsim_webhooks.py"
grep -q '^/python .*"event":"bounce".*"email":"gone@example.com"' "$work/received" || fail "5 the Python example's bounce did not arrive"
[[ $python_out == *"delivered 1 attempt(s)"* ]] || fail "5 the Python example printed: $python_out"
curl_out=$(MJSIM_URL=$BASE MJSIM_API_KEY=$KEY2 WEBHOOK_URL=$HOOKS/curl-example bash examples/no-node/mjsim-webhooks.sh) || fail "5 examples/no-node/mjsim-webhooks.sh: $curl_out"
grep -q '^/curl-example .*"event":"bounce".*"email":"gone@example.com"' "$work/received" || fail "5 the curl example's bounce did not arrive"
[[ $curl_out == *'"status":"delivered"'* ]] || fail "5 the curl example printed: $curl_out"
step "5 the host's receiver got the sent event, the failing URL's attempt 1, and the bounces of the Python and curl examples"
failed_attempts=$(received /fail)

# 6. SIGTERM, with an idle keep-alive connection open, stops it in under 2 s and exits 0.
before_clock=$(api GET /sim/clock)
before_urls=$(api GET '/v3/REST/eventcallbackurl?Limit=100')
before_deliveries=$(api GET /sim/deliveries)
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n' >&3
sleep 0.3
t0=$(date +%s%N)
"${PODMAN[@]}" stop -t 10 "$NAME" >/dev/null 2>>"$work/podman.log" || fail "6 podman stop"
stop_ms=$(ms_since "$t0")
exec 3<&-
exit_code=$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$exit_code" = 0 ] || fail "6 exit code $exit_code after SIGTERM (137 means it was killed)"
[ "$stop_ms" -lt 2000 ] || fail "6 stopping took $stop_ms ms (limit 2000)"
step "6 SIGTERM stopped it in $stop_ms ms (podman stop, exit code 0)"

# 7. A new container on the same volume: same URLs, deliveries and clock; the failed delivery is retried.
run_mjsim "$NAME-2"
clock_of() { grep -o '"mode":"[a-z]*".*"nextDueAt":"[^"]*"'; } # not attemptsMade, which counts per process
[ "$(api GET /sim/clock | clock_of)" = "$(echo "$before_clock" | clock_of)" ] || fail "7 clock changed: $before_clock -> $(api GET /sim/clock)"
[ "$(api GET '/v3/REST/eventcallbackurl?Limit=100')" = "$before_urls" ] || fail "7 callback URLs changed"
[ "$(api GET /sim/deliveries)" = "$before_deliveries" ] || fail "7 deliveries changed"
api POST /sim/clock/advance '{"by":"30s"}' | grep -q '"failures":1' || fail "7 the pending retry did not run"
[ "$(received /fail)" = $((failed_attempts + 1)) ] || fail "7 expected the retry at /fail"
step "7 restarted on the same volume: URLs, deliveries and clock kept; the pending retry ran"

echo "container-test: all 7 steps passed; SIGTERM stop $stop_ms ms; total $(ms_since "$started") ms (image build $built ms)"
