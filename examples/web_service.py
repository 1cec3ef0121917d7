"""The advisor as a small web service: POST /route returns the recommendation as JSON.

Standard library only (http.server), bound to 127.0.0.1. The request body is JSON, either a
task, `{"text": "...", "constraints": {"budget": "low"}}`, or a conversation,
`{"messages": [...], "tools": [...], "response_format": {...}, "constraints": {...}}`. The reply
is the Recommendation as JSON (status 200), or `{"error": "..."}` with status 400 for unusable
input and 422 when no model meets the constraints.

Run without arguments it starts on a free port, sends one request of its own, prints the reply
and exits. `--serve [PORT]` keeps it running (default port 8080):

    curl -s localhost:8080/route -d '{"text": "solve AIME problem"}'
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import ValidationError

from advisor import AdvisorError, Constraints, InputError, NoModelError, Recommendation, Router
from advisor.messages import route_messages

MAX_BODY = 1_000_000  # bytes; a routing request is a prompt, not a corpus


def recommend(router: Router, body: dict[str, Any]) -> Recommendation:
    """Route a request body: a conversation if it has messages, else a task text."""
    try:
        constraints = Constraints.model_validate(body.get("constraints") or {})
    except ValidationError as err:
        raise InputError(f"constraints: {err.errors()[0]['msg']}") from None
    if "messages" in body:
        return route_messages(router, body["messages"], body.get("tools"), body.get("response_format"), constraints)
    if "text" not in body:
        raise InputError("give 'text' (a task) or 'messages' (a conversation)")
    return router.route(body["text"], constraints)


class RouteHandler(BaseHTTPRequestHandler):
    """POST /route; `router` is set per server, one Router shared by all its threads (that is safe)."""

    router: Router

    def do_POST(self) -> None:
        if self.path != "/route":
            return self._reply(404, {"error": "POST to /route"})
        try:
            rec = recommend(self.router, self._body())
        except AdvisorError as err:
            return self._reply(422 if isinstance(err, NoModelError) else 400, {"error": err.message})
        self._reply(200, rec.model_dump(mode="json"))

    def _body(self) -> dict[str, Any]:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or not 0 < int(length) <= MAX_BODY:
            raise InputError(f"send a JSON body of 1 to {MAX_BODY:,} bytes, with its Content-Length")
        try:
            body = json.loads(self.rfile.read(int(length)))
        except ValueError as err:
            raise InputError(f"the body is not JSON: {err}") from None
        if not isinstance(body, dict):
            raise InputError("the body must be a JSON object")
        return body

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the demo's output to the reply itself


def make_server(port: int = 0) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 (port 0: any free port) with its own Router."""
    handler = type("Handler", (RouteHandler,), {"router": Router()})
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def demo(server: ThreadingHTTPServer) -> None:
    """Send one request to the running server and print the reply."""
    url = f"http://127.0.0.1:{server.server_address[1]}/route"
    body = json.dumps({"text": "solve AIME problem", "constraints": {"budget": "low"}}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    # No proxy: an http_proxy setting must not send a request for 127.0.0.1 off the machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        reply = json.loads(response.read())
    print(f"POST {url} -> {response.status}")
    print(f"model: {reply['model']} (api {reply['api_model']}, params {reply['params']}, confidence {reply['confidence']})")
    print(reply["explanation"].splitlines()[0])


def serve(port: int) -> None:
    """Serve until Ctrl-C."""
    server = make_server(port)
    print(f"serving POST http://127.0.0.1:{server.server_address[1]}/route (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def run_demo() -> None:
    """Start on a free port, send one request, print the reply, stop."""
    server = make_server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        demo(server)
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--serve":
        serve(int(argv[1]) if len(argv) > 1 else 8080)
    else:
        run_demo()


if __name__ == "__main__":
    main(sys.argv[1:])
