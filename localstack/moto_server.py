"""moto's server, applying one request at a time.

`python -m moto.server` serves requests on threads, and moto's backends are not written for that:
DynamoDB's TransactWriteItems applies its operations one by one and, when one fails, restores a deep copy
of the whole table taken before it started, which undoes or resurrects writes that other requests made
meanwhile; the DynamoDB backend takes no lock, so a conditional PutItem's check and write can interleave
with another request too. Real DynamoDB isolates both. Running
the same WSGI app behind one lock (connections are still accepted and kept alive on threads) makes moto
behave as a serializable store, so the concurrent conditional-write tests judge Stratus, not moto.

With --parent-pid the server exits once that process is gone, so a test runner killed with SIGKILL
leaves no server behind.

Usage: python localstack/moto_server.py -H 127.0.0.1 -p PORT [--parent-pid PID]
"""

import argparse
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class Serialized:
    """WSGI middleware: one request inside the app at a time, body read and response built under the lock."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return list(self.app(environ, start_response))


def exit_when_gone(pid: int) -> None:
    """Polls the parent once a second; ends this process when it has exited."""

    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
            threading.Event().wait(1.0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, default=None)
    args = parser.parse_args()
    if args.parent_pid:
        exit_when_gone(args.parent_pid)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, Serialized(app), threaded=True)


if __name__ == "__main__":
    main()
