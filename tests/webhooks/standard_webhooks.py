"""Webhook messages verified by an independent implementation: the Standard Webhooks
reference library for Python (`standardwebhooks`), as a receiver of the intranet would use it,
against a running service with the demo data.

It runs a receiver on 127.0.0.1 (the service's allow-list names it), subscribes it to every
event type, makes writes of several kinds and a ping, rotates the secret and pings again, and
checks that every message verifies with the library (the rotated ones with the new secret and
with the old), that no message came twice and that the messages about writes came in order.

Environment: VOORTGANG_URL, VOORTGANG_TOKEN (an admin token).
"""

import http.server
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

URL = os.environ["VOORTGANG_URL"]
ADMIN = os.environ["VOORTGANG_TOKEN"]

received = []
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with lock:
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {ADMIN}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode()}")


def wait_for(count, what):
    deadline = time.time() + 30
    while time.time() < deadline:
        with lock:
            if len(received) >= count:
                return
        time.sleep(0.1)
    sys.exit(f"the receiver got {len(received)} messages, waiting for {what}")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    _, types = call("GET", "/api-docs/openapi.json")
    every = types["components"]["schemas"]["EventType"]["enum"]
    status, created = call(
        "POST", "/api/v1/webhooks",
        {"url": target, "event_types": every, "payload": "full",
         "description": "standardwebhooks (Python)"},
    )
    assert status == 201, status
    webhook, secret = created["id"], created["secret"]

    # writes of several kinds: an action, its status, a risk, a department, a report year
    _, domains = call("GET", "/api/v1/domains?limit=1")
    domain = domains["items"][0]["id"]
    _, action = call("POST", "/api/v1/actions",
                     {"title": "Webhooks naar het intranet", "domain_ids": [domain]})
    call("PUT", f"/api/v1/actions/{action['id']}/statuses/2022",
         {"status": "in_progress", "progress": 30, "note": "Eerste berichten — “ontvangen”."})
    call("PATCH", f"/api/v1/actions/{action['id']}", {"title": "Webhooks naar het intranet ✓"},
         content_type="application/merge-patch+json")
    call("POST", "/api/v1/risks", {"title": "Intranet mist een wijziging", "domain_id": domain})
    call("POST", "/api/v1/departments", {"id": "communicatie", "name": "Communicatie"})
    call("PUT", "/api/v1/reports/2031", {"title": "Voortgangsrapport 2031"})
    call("POST", f"/api/v1/webhooks/{webhook}/ping", {})
    wait_for(7, "the writes and the ping")

    # rotation: for a day both secrets sign
    _, rotated = call("POST", f"/api/v1/webhooks/{webhook}/rotate-secret", {})
    call("POST", f"/api/v1/webhooks/{webhook}/ping", {})
    wait_for(8, "the ping after the rotation")
    time.sleep(0.5)

    with lock:
        messages = list(received)
    ids, events = set(), []
    for number, (headers, body) in enumerate(messages):
        secrets = [secret] if number < 7 else [secret, rotated["secret"]]
        for key in secrets:
            try:
                payload = Webhook(key).verify(body, headers)
            except WebhookVerificationError as error:
                sys.exit(f"message {headers.get('webhook-id')} does not verify: {error}")
        message_id = headers["webhook-id"]
        if message_id in ids:
            sys.exit(f"{message_id} came twice")
        ids.add(message_id)
        assert payload["type"] in every, payload["type"]
        if payload["data"].get("audit_event_id") is not None:
            events.append(payload["data"]["audit_event_id"])
        print(f"verified {message_id}: {payload['type']}")
    if events != sorted(events):
        sys.exit(f"messages out of order: {events}")
    kinds = [json.loads(body)["type"] for _, body in messages]
    for kind in ["action.changed", "action_status.changed", "risk.changed",
                 "department.changed", "report.changed", "ping"]:
        assert kind in kinds, (kind, kinds)

    _, deliveries = call("GET", f"/api/v1/webhooks/{webhook}/deliveries?limit=100")
    assert all(d["status"] == "delivered" for d in deliveries["items"]), deliveries
    print(f"{len(messages)} messages verified with standardwebhooks")


if __name__ == "__main__":
    main()
