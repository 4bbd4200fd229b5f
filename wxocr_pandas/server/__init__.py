"""``wxocr serve``: a self-hosted server that speaks WeChat's printed-text OCR protocol.

Clients of WeChat's API (curl as in the API doc, :class:`~wxocr_pandas.WeChatBackend` with
``base_url=``, other SDKs) work against it unchanged, and are answered by the package's own
engine, cache and result model. Modules, one job each:

- :mod:`.app`: the endpoints (``/cgi-bin/token``, ``/cgi-bin/stable_token``,
  ``/cv/ocr/comm``, ``/healthz``) and the ASGI application;
- :mod:`.protocol`: errcodes, WeChat's errmsgs, JSON answers, the request log line;
- :mod:`.tokens`: random expiring tokens with WeChat's renewal overlap;
- :mod:`.quota`: the per-appid daily quota (Beijing-time day);
- :mod:`.limits`: request body caps enforced before parsing;
- :mod:`.forms`: the streaming multipart reader;
- :mod:`.fetch`: safe ``img_url`` fetching;
- :mod:`.recognition`: the bounded queue in front of the worker processes;
- :mod:`.throttle`: backoff after repeated wrong secrets;
- :mod:`.connections`: a deadline for each request's line and headers;
- :mod:`.settings`: the apps and limits; :mod:`.run`: uvicorn.

Needs the ``server`` extra: ``pip install 'wxocr-pandas[server]'``.
"""

from .app import create_app
from .run import serve
from .settings import ServerSettings, parse_apps

__all__ = ["ServerSettings", "create_app", "parse_apps", "serve"]
