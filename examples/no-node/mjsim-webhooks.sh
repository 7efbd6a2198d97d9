# Drive mjsim with curl: register a webhook URL, make an event happen, move the clock, read the deliveries.
MJSIM_URL=${MJSIM_URL:-http://127.0.0.1:7355} MJSIM_API_KEY=${MJSIM_API_KEY:-ci-public:ci-secret}
call() { curl -sS --fail-with-body -u "$MJSIM_API_KEY" -H 'Content-Type: application/json' "$@"; echo; }
call "$MJSIM_URL/v3/REST/eventcallbackurl" -d "{\"EventType\":\"bounce\",\"Url\":\"$WEBHOOK_URL\"}"
call "$MJSIM_URL/sim/events" -d '{"event":"bounce","email":"gone@example.com"}'
call "$MJSIM_URL/sim/clock/advance" -d '{"by":"30s"}'   # answers once every due attempt is done
call "$MJSIM_URL/sim/deliveries?eventType=bounce"
