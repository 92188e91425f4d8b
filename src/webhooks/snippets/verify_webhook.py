"""Webhook verifier for Didit-style deliveries (X-Signature, X-Signature-V2, X-Signature-Simple).

Self-contained: Python's standard library only (Python 3.7+), no dependency on facematch-mcp.
Save it as verify_webhook.py beside your app's code and pass the raw request body (the exact
bytes received, before any JSON parsing) and the headers:

    from verify_webhook import verify_webhook
    secret = os.environ["FACEMATCH_WEBHOOK_SECRET"]

    # Django (a @csrf_exempt POST view): request.body is bytes
    result = verify_webhook(request.body, dict(request.headers), secret)
    if not result["valid"]:
        return HttpResponse(result["reason"], status=401)

    # FastAPI / Starlette (async def endpoint(request: Request)): body() is a coroutine
    result = verify_webhook(await request.body(), dict(request.headers), secret)
    if not result["valid"]:
        return Response(result["reason"], status_code=401)

    # Flask: get_data() before any get_json()
    result = verify_webhook(request.get_data(), dict(request.headers), secret)
    if not result["valid"]:
        return result["reason"], 401

X-Signature    = HMAC-SHA256(secret, raw body bytes)
X-Signature-V2 = HMAC-SHA256(secret, json.dumps(body, sort_keys=True, separators=(",", ":"),
                 ensure_ascii=False) after whole-valued floats became ints); it survives
                 middleware that re-encodes the body
X-Signature-Simple = HMAC-SHA256(secret, "{timestamp}:{session_id}:{status}:{webhook_type}");
                 it does not cover the decision or metadata, so it counts only with allow_simple.
"""

from __future__ import annotations  # the annotations below are not evaluated (Python < 3.10)

import hashlib
import hmac
import json
import time


def _whole_floats_to_ints(value):
    if isinstance(value, dict):
        return {k: _whole_floats_to_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_to_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _header(headers, name):
    for key, value in (headers or {}).items():
        if key.lower() == name.lower() and value is not None:
            if isinstance(value, (list, tuple)):
                value = value[0] if value else ""
            return str(value).strip()
    return None


def _same_hmac(secret, message, signature):
    if not signature or len(signature) != 64:
        return False
    expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def _str(value):
    if value is None:
        return "None"
    return str(value)


def verify_webhook(raw_body: bytes, headers: dict, secret: str, now: int | None = None,
                   tolerance_seconds: int = 300, allow_simple: bool = False) -> dict:
    """Returns {"valid": bool, "matched": header name or None, "reason": str or None, "timestamp": int or None}."""

    def no(reason, timestamp=None):
        return {"valid": False, "matched": None, "reason": reason, "timestamp": timestamp}

    if not secret:
        return no("no secret configured: set the destination's secret_shared_key")
    if isinstance(raw_body, str):
        raw_body = raw_body.encode("utf-8")
    if not isinstance(raw_body, (bytes, bytearray)):
        return no("raw_body must be the raw request body (bytes), not parsed JSON")
    raw_body = bytes(raw_body)
    sig = _header(headers, "X-Signature")
    sig_v2 = _header(headers, "X-Signature-V2")
    sig_simple = _header(headers, "X-Signature-Simple")
    if not (sig or sig_v2 or sig_simple):
        return no("no X-Signature, X-Signature-V2 or X-Signature-Simple header")

    try:
        payload = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    fields = payload if isinstance(payload, dict) else {}
    ts_value = fields.get("timestamp", _header(headers, "X-Timestamp"))
    try:
        timestamp = int(float(ts_value)) if ts_value is not None and not isinstance(ts_value, bool) else None
    except (TypeError, ValueError):
        timestamp = None

    matched = None
    if _same_hmac(secret, raw_body, sig):
        matched = "X-Signature"
    elif payload is not None and sig_v2:
        try:
            canonical = json.dumps(_whole_floats_to_ints(payload), sort_keys=True,
                                   separators=(",", ":"), ensure_ascii=False)
            if _same_hmac(secret, canonical.encode("utf-8"), sig_v2):
                matched = "X-Signature-V2"
        except (TypeError, ValueError, UnicodeEncodeError):
            pass
    if matched is None and allow_simple and payload is not None and sig_simple:
        message = ":".join([
            _str(ts_value) if ts_value is not None else "",
            _str(fields.get("session_id", "")),
            _str(fields.get("status", "")),
            _str(fields.get("webhook_type", "")),
        ])
        if _same_hmac(secret, message.encode("utf-8"), sig_simple):
            matched = "X-Signature-Simple"
    if matched is None:
        if payload is None:
            return no("signature mismatch and the body is not valid JSON: it was changed or truncated, "
                      "or the secret is wrong", timestamp)
        if sig or sig_v2:
            return no("signature mismatch: wrong secret, or the body was changed after signing "
                      "(verify the raw bytes, before any JSON parsing)", timestamp)
        return no("only X-Signature-Simple was sent; pass allow_simple=True to accept it", timestamp)
    if timestamp is None:
        return no("no usable timestamp in the body or the X-Timestamp header")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return no("timestamp %d is %d s from now, outside the %d s tolerance (replayed or delayed)"
                  % (timestamp, round(current - timestamp), tolerance_seconds), timestamp)
    return {"valid": True, "matched": matched, "reason": None, "timestamp": timestamp}
