"""The backend protocol: one image in, one WeChat-shaped :class:`OcrResult` out.

A backend is any object with a ``name``, an ``identity`` and a ``recognize`` method
(:class:`Backend`). A backend whose work is CPU-bound says so by also being a
:class:`ProcessBackend`: a batch then runs it in worker processes, each with the copy
:meth:`ProcessBackend.for_worker` gives. Every other backend (an HTTP API, a remote engine)
runs in threads. The batch, the server and the inspector read only these two protocols, so a
new engine gets worker processes by declaring ``parallelism = "process"``, with no change
anywhere else.

Examples
--------
A backend written in a notebook, as the tests write theirs:

>>> from wxocr_pandas.result import ImgSize, OcrResult
>>> class Blank:
...     name = "blank"
...     identity = "blank:1"
...     def recognize(self, source):
...         return OcrResult(img_size=ImgSize(1, 1))
>>> is_backend(Blank()), parallelism(Blank())
(True, 'thread')
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, Protocol, runtime_checkable

from ..images import ImageSource
from ..result import OcrResult

#: How a batch recognizes many images with one backend: in worker ``"process"``-es (each
#: with its own copy; for engines that compute) or in ``"thread"``-s of this process (for
#: backends that wait on the network).
Parallelism = Literal["process", "thread"]


@runtime_checkable
class Backend(Protocol):
    """What every backend provides.

    ``recognize`` raises a :class:`~wxocr_pandas.errors.WxOcrError` subclass for an image it
    cannot read; the batch code turns that into an error row. ``identity`` names the backend
    and everything that changes its answers (engine and model version, or API base URL and
    appid), never a secret: it keys the result cache. ``None`` says the answers cannot be
    told apart from another backend's, so they are never cached.

    Examples
    --------
    A backend of one's own needs no base class: an object with these three members is one.

    >>> from wxocr_pandas import Backend, OcrResult
    >>> from wxocr_pandas.result import ImgSize
    >>> class Blank:
    ...     name = "blank"
    ...     identity = "blank:1"
    ...     def recognize(self, source):
    ...         return OcrResult(img_size=ImgSize(1, 1))
    >>> isinstance(Blank(), Backend)
    True
    """

    name: str

    @property
    def identity(self) -> str | None:
        """A stable, secret-free description of what produces the answers, or None."""
        ...

    def recognize(self, source: ImageSource) -> OcrResult:
        """Recognize one image."""
        ...


@runtime_checkable
class ProcessBackend(Backend, Protocol):
    """A backend that declares how a batch runs it (a compute engine, like the local one).

    ``parallelism`` is ``"process"`` to be run in worker processes (``"thread"`` is the
    default of every other backend). A batch sends each worker the copy :meth:`for_worker`
    gives (the local engine: one inference thread, as workers share the cores), and stays
    in-process for a small batch when :meth:`loaded` says this process has already paid the
    start-up cost (its engine is built).
    """

    parallelism: Parallelism

    def for_worker(self) -> Backend:
        """The copy of this backend a worker process uses (same answers, same identity)."""
        ...

    def loaded(self) -> bool:
        """True when this process has already built what recognizing needs (its engine)."""
        ...


def _declares(obj: Any, protocol: type) -> bool:
    """True when ``obj`` has every member of ``protocol``, looked up without running any
    property (as Python 3.12's runtime protocols look): a backend's ``identity`` may build
    its client, which on a Dask client machine has no secret."""
    names = [name for base in protocol.__mro__[:-1] if getattr(base, "_is_protocol", False)
             for name in (*base.__dict__.get("__annotations__", {}), *base.__dict__)
             if not name.startswith("_")]
    try:
        for name in names:
            inspect.getattr_static(obj, name)
    except AttributeError:
        return False
    return True


def is_backend(obj: Any) -> bool:
    """True when ``obj`` is a :class:`Backend` (its properties are not run to tell).

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> is_backend(LocalBackend()), is_backend("local")
    (True, False)
    """
    return _declares(obj, Backend)


def parallelism(backend: Backend) -> Parallelism:
    """How a batch runs ``backend``: the :attr:`ProcessBackend.parallelism` it declares,
    else ``"thread"``.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend, WeChatBackend
    >>> parallelism(LocalBackend()), parallelism(WeChatBackend(access_token="t"))
    ('process', 'thread')
    """
    return backend.parallelism if _declares(backend, ProcessBackend) else "thread"  # type: ignore[attr-defined]
