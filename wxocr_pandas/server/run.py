"""Run the server with uvicorn: ``wxocr serve`` calls :func:`serve`.

uvicorn handles Ctrl-C and SIGTERM: it stops accepting connections, lets the requests in
flight finish (up to :data:`GRACEFUL_SECONDS`), then the application's shutdown stops the
worker processes, so nothing is left running. Connections are uvicorn's h11 ones with a
deadline for each request's line and headers (:mod:`.connections`). uvicorn's access log is off: it would print
each request line, access token included. The server logs its own line per request
(:func:`~.protocol.log_request`): appid, size, errcode, latency.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from .app import create_app
from .settings import ServerSettings

#: Seconds the requests in flight get to finish after Ctrl-C or SIGTERM.
GRACEFUL_SECONDS = 60
#: Seconds an idle kept-alive connection stays open (uvicorn's own default, set here so it
#: is a decision, not an accident). A request's line and headers have their own deadline
#: (``header_timeout``, :mod:`.connections`).
KEEP_ALIVE_SECONDS = 5


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging configuration plus the server's request log, without access logs.

    Examples
    --------
    >>> logging_config()["loggers"]["wxocr_pandas.server"]["level"]
    'INFO'
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"].pop("uvicorn.access", None)
    config["loggers"]["wxocr_pandas.server"] = {"handlers": ["default"], "level": level,
                                                "propagate": False}
    return config


def serve(settings: ServerSettings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the WeChat OCR protocol on ``host:port`` until Ctrl-C or SIGTERM.

    Examples
    --------
    >>> import json, socket, subprocess, sys, time, urllib.request
    >>> with socket.socket() as probe:
    ...     port = probe.bind(("127.0.0.1", 0)) or probe.getsockname()[1]
    >>> code = ("from wxocr_pandas.server import ServerSettings, serve; "
    ...         f"serve(ServerSettings({{'wx1': 's3cr3t'}}), port={port})")
    >>> server = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    >>> for _ in range(600):
    ...     try:
    ...         with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
    ...             health = json.load(answer)
    ...         break
    ...     except OSError:
    ...         time.sleep(0.1)
    >>> health["errcode"]
    0
    >>> server.terminate()   # SIGTERM: the requests in flight finish, then the workers stop
    >>> server.wait(timeout=60) in (0, -15)
    True
    """
    import uvicorn

    from .connections import HeaderDeadlineProtocol

    protocol = functools.partial(HeaderDeadlineProtocol, header_timeout=settings.header_timeout)
    config = uvicorn.Config(create_app(settings), host=host, port=port, access_log=False,
                            log_config=logging_config(), lifespan="on",
                            timeout_graceful_shutdown=GRACEFUL_SECONDS,
                            timeout_keep_alive=KEEP_ALIVE_SECONDS, http=protocol)
    uvicorn.Server(config).run()
