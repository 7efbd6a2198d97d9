# Drive mjsim from Python's standard library: register a webhook URL, make an event happen, move the clock,
# and read what mjsim delivered. MJSIM_URL, MJSIM_API_KEY (public:secret) and WEBHOOK_URL configure it.
# Safe to run again: the URL is registered once (an account has one URL per event type), then reused.
import base64, json, os, sys, urllib.error, urllib.request

MJSIM = os.environ.get("MJSIM_URL", "http://127.0.0.1:7355")
AUTH = "Basic " + base64.b64encode(os.environ.get("MJSIM_API_KEY", "ci-public:ci-secret").encode()).decode()

def mjsim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(MJSIM + path, data, method=method,
                                     headers={"Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # say what Mailjet (or mjsim) answered, not just the status
        answer = json.loads(error.read() or b"{}")
        sys.exit(f"{method} {path}: HTTP {error.code}: {answer.get('ErrorMessage') or answer.get('error', {}).get('message') or error.reason}")

url = os.environ["WEBHOOK_URL"]
existing = [u for u in mjsim("GET", "/v3/REST/eventcallbackurl?Limit=1000")["Data"] if u["EventType"] == "bounce" and not u["IsBackup"]]
if not existing:
    mjsim("POST", "/v3/REST/eventcallbackurl", {"EventType": "bounce", "Url": url})
elif existing[0]["Url"] != url or existing[0]["Status"] != "alive":
    mjsim("PUT", f"/v3/REST/eventcallbackurl/{existing[0]['ID']}", {"Url": url, "Status": "alive"})
mjsim("POST", "/sim/events", {"event": "bounce", "email": "gone@example.com"})
print(mjsim("POST", "/sim/clock/advance", {"by": "30s"}))  # answers once every due attempt is done
for delivery in mjsim("GET", "/sim/deliveries?eventType=bounce")["deliveries"]:
    print(delivery["id"], delivery["status"], delivery["attemptCount"], "attempt(s)")
