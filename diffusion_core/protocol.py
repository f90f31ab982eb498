"""The envelope of the page's protocol: parsing a request, checking numbers, writing errors.

A request is a JSON string ``{"method": "...", "args": {...}}``; :mod:`.session` holds the
methods. Here live the pieces that never depend on a model::

    parse_request('{"method": "describe"}')      -> ("describe", {})
    parse_request("[1]")                          -> ProtocolError
    number({"lr": 1e9}, "lr", 0.01, 1e-5, 10.0)   -> UserError "learning rate must be ..."
"""

from __future__ import annotations

import json
import math

MAX_REQUEST_CHARS = 50_000_000  # a model file (at most 5 MB) quoted inside a request
SEED_RANGE = (0, 2**32 - 1)  # seeds the page, the command line and model files accept


class UserError(ValueError):
    """A request the reader can fix; the message says how."""


class ProtocolError(ValueError):
    """A request the page should never send (not JSON, no method): its bug, not the reader's."""


def echo(value, limit: int = 40) -> str:
    """``repr`` of something a request sent, cut short: a message never echoes a megabyte.

    >>> echo("x" * 100, 10)
    "'xxxxxxxx…"
    """
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # deep nesting; an int of more than 4300 digits
        text = f"a {type(value).__name__} too large to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_request(request) -> tuple[str, dict]:
    """``(method, args)`` from a request string; :class:`ProtocolError` says what is wrong."""
    if not isinstance(request, (str, bytes, bytearray)):
        raise ProtocolError(f"a request must be a JSON string, not {type(request).__name__}")
    if len(request) > MAX_REQUEST_CHARS:
        raise ProtocolError(f"the request is {len(request):,} characters long; at most "
                            f"{MAX_REQUEST_CHARS:,} are allowed")
    try:
        req = json.loads(request)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"the request is not valid JSON ({echo(str(e), 80)})") from None
    if not isinstance(req, dict) or not isinstance(req.get("method"), str):
        raise ProtocolError('a request must be a JSON object such as {"method": "describe", '
                            '"args": {}}, with the method as a string')
    args = req.get("args")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise ProtocolError("args must be an object")
    return req["method"], args


def error_reply(message: str, kind: str, trace: str | None = None) -> str:
    """``{"ok": false, "error": message, "kind": kind}`` as JSON; never raises."""
    out = {"ok": False, "error": message, "kind": kind}
    if trace is not None:
        out["trace"] = trace
    try:
        return json.dumps(out)
    except Exception:  # e.g. a message that cannot be encoded
        return json.dumps({"ok": False, "error": "an error that cannot be shown", "kind": kind})


LABELS = {"lr": "learning rate", "max_epochs": "epochs per chunk", "n": "number of samples"}


def number(args: dict, key: str, default, lo, hi, kind: type = float):
    """``args[key]`` checked to be a finite number in [lo, hi] (a whole one for ``int``)."""
    v = args.get(key, default)
    name = LABELS.get(key, key.replace("_", " "))
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (
            isinstance(v, float) and not math.isfinite(v)):
        raise UserError(f"{name} must be a number between {lo} and {hi}")
    if kind is int and v != int(v):
        raise UserError(f"{name} must be a whole number between {lo} and {hi}")
    if not lo <= v <= hi:
        raise UserError(f"{name} must be between {lo} and {hi}, not {echo(v)}")
    return kind(v)
