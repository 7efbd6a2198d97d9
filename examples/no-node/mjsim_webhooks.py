# Drive mjsim from Python's standard library: register a webhook URL, make an event happen, move the clock,
# and read what mjsim delivered. MJSIM_URL, MJSIM_API_KEY (public:secret) and WEBHOOK_URL configure it.
import base64, json, os, urllib.request

MJSIM = os.environ.get("MJSIM_URL", "http://127.0.0.1:7355")
AUTH = "Basic " + base64.b64encode(os.environ.get("MJSIM_API_KEY", "ci-public:ci-secret").encode()).decode()

def mjsim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(MJSIM + path, data, method=method,
                                     headers={"Authorization": AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:  # raises HTTPError on 4xx/5xx
        return json.loads(response.read())

mjsim("POST", "/v3/REST/eventcallbackurl", {"EventType": "bounce", "Url": os.environ["WEBHOOK_URL"]})
mjsim("POST", "/sim/events", {"event": "bounce", "email": "gone@example.com"})
print(mjsim("POST", "/sim/clock/advance", {"by": "30s"}))  # answers once every due attempt is done
for delivery in mjsim("GET", "/sim/deliveries?eventType=bounce")["deliveries"]:
    print(delivery["id"], delivery["status"], delivery["attemptCount"], "attempt(s)")
