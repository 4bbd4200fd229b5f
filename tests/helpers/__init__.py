"""Helpers shared by the tests (and the benchmarks): real inputs rendered on the spot, real
servers on 127.0.0.1, and small real backends. Imported as ``tests.helpers.<module>``; the
fixtures of :mod:`tests.helpers.wechat_server` are registered in the root ``conftest.py``."""
