"""Wait until a kernel on a student's server answers, as JupyterLab does when a notebook opens.

    python tools/classroom/hub/kernel_ready.py SERVER_URL TOKEN KERNEL_ID [--timeout S] [--code CODE]

SERVER_URL is the student's server through the hub (http://HOST/user/NAME/). Connects to the kernel's
websocket with the student's token and sends kernel_info_request until a reply comes; prints the
seconds it took as JSON. With --code, then runs that cell as a notebook would and adds its outputs'
types; an error or anything on stderr fails (exit 1). (A kernel started through the REST API reports "starting" until a client
connects, so polling its state says nothing; the hub test, tests/hub.test.ts, uses this instead.)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

import websocket  # websocket-client, pinned in requirements.txt


def message(msg_type: str, session: str) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "",
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": {}, "buffers": [], "channel": "shell"}


def execute(ws, session: str, code: str, timeout: float) -> tuple[bool, list[str]]:
    """Runs one cell; (no error and no stderr, the output types and texts it gave)."""
    request = message("execute_request", session)
    request["content"] = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                          "allow_stdin": False, "stop_on_error": True}
    ws.send(json.dumps(request))
    outputs: list[str] = []
    ok = True
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            msg = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            continue
        if msg.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "error" or (kind == "stream" and msg["content"].get("name") == "stderr"):
            ok = False
            outputs.append(f"{kind}: {msg['content']}")
        elif kind in ("stream", "display_data", "execute_result"):
            outputs.append(kind)
        elif kind == "status" and msg["content"].get("execution_state") == "idle":
            return ok, outputs
    return False, outputs + ["timed out"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("server")
    ap.add_argument("token")
    ap.add_argument("kernel")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--code", help="a cell to run once the kernel answers")
    args = ap.parse_args()
    start = time.monotonic()
    url = args.server.replace("http://", "ws://", 1).rstrip("/") + f"/api/kernels/{args.kernel}/channels"
    # The server completes the handshake once the kernel has answered its own kernel_info (jupyter_server 2).
    ws = websocket.create_connection(url, header=[f"Authorization: token {args.token}"], timeout=args.timeout)
    ws.settimeout(3)
    session = uuid.uuid4().hex
    while time.monotonic() - start < args.timeout:
        request = message("kernel_info_request", session)
        ws.send(json.dumps(request))
        asked = time.monotonic()
        while time.monotonic() - asked < 3:
            try:
                reply = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if reply.get("parent_header", {}).get("msg_id") == request["header"]["msg_id"] \
                    and reply["header"]["msg_type"] == "kernel_info_reply":
                result = {"ready_s": round(time.monotonic() - start, 2),
                          "language": reply["content"].get("language_info", {}).get("name")}
                if args.code is not None:
                    ok, result["outputs"] = execute(ws, session, args.code, args.timeout)
                    if not ok:
                        print(json.dumps(result), file=sys.stderr)
                        return 1
                print(json.dumps(result))
                return 0
    print(f"kernel {args.kernel} did not answer within {args.timeout} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
