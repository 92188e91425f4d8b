"""Didit webhooks and API calls for a Python app, through the didit-sdk package from PyPI.

Install the SDK pinned, and save this file as didit_webhook.py beside your app's code:

    pip install "didit-sdk==0.4.0"

Which package this is: the vendor's docs (docs.didit.me, integration/server-sdks/python) name
didit-sdk on PyPI as the official Python SDK, release 1.0.1, whose verify raises
WebhookVerificationError and takes [new_secret, old_secret] during a secret rotation. PyPI
serves didit-sdk only up to 0.4.0, whose own metadata calls it an unofficial, community-maintained
client with another API: verify_webhook_signature returns a bool and takes one secret. This file
gives 0.4.0 the documented shape (verify raises, takes one secret or [new, old]), so that moving
to the official release later only changes the body of verify(). Pin the version: a later
didit-sdk may be the official one, with other names.

Configuration, the same for the local twin and the hosted platform (only the values change):

    FACEMATCH_API_BASE       http://127.0.0.1:PORT for the twin; the hosted base URL in production
    FACEMATCH_API_KEY        the application's API key
    FACEMATCH_WEBHOOK_SECRET the destination's secret_shared_key ("new,old" while rotating)

Usage, with the raw request body (the exact bytes received, before any JSON parsing):

    from didit_webhook import WebhookVerificationError, didit_client, verify, webhook_secrets

    # Django (a @csrf_exempt POST view): request.body is bytes
    try:
        event = verify(request.body, dict(request.headers), webhook_secrets())
    except WebhookVerificationError as err:
        return HttpResponse(str(err), status=401)

    # FastAPI / Starlette (async def endpoint(request: Request)): body() is a coroutine
    event = verify(await request.body(), dict(request.headers), webhook_secrets())

    # Flask: get_data() before any get_json()
    event = verify(request.get_data(), dict(request.headers), webhook_secrets())

    # then: skip an event_id already seen (deliveries are retried), act on event["status"]

    # Creating a session (hosted capture) and reading its decision:
    client = didit_client()
    session = client.sessions.create(vendor_data=user_id, workflow_id=workflow_id, callback=return_url)
    redirect_to(session.url)
    decision = session_decision(client, session.session_id)  # a dict, as the API sends it
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from didit import Didit, verify_webhook_signature

MAX_AGE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The delivery is not a valid, fresh webhook for any of the secrets given."""


def didit_client() -> Didit:
    """The SDK's client for FACEMATCH_API_BASE (its /v3 API) with FACEMATCH_API_KEY."""
    base = os.environ["FACEMATCH_API_BASE"].rstrip("/")
    return Didit(api_key=os.environ["FACEMATCH_API_KEY"], base_url=f"{base}/v3")


def webhook_secrets() -> list[str]:
    """FACEMATCH_WEBHOOK_SECRET as a list: "new,old" while a secret is being rotated."""
    return [s.strip() for s in os.environ["FACEMATCH_WEBHOOK_SECRET"].split(",") if s.strip()]


def verify(
    raw_body: bytes,
    headers: Mapping[str, str],
    secrets: str | Sequence[str],
    *,
    max_age_seconds: int = MAX_AGE_SECONDS,
) -> dict[str, Any]:
    """The event as a dict when the SDK accepts the delivery under one of the secrets.

    The SDK checks X-Signature over the raw bytes or X-Signature-V2 over the canonical JSON,
    the signed timestamp against max_age_seconds, and X-Timestamp against the body. Raises
    WebhookVerificationError for anything else: tampered, stale, wrong secret, no signature.
    """
    if isinstance(raw_body, str):
        raise TypeError("pass the raw request body as bytes, exactly as received")
    candidates = [secrets] if isinstance(secrets, str) else list(secrets)
    if not any(candidates):
        raise WebhookVerificationError("no webhook secret configured")
    for secret in candidates:
        if secret and verify_webhook_signature(raw_body, headers, secret, max_age_seconds=max_age_seconds):
            # The SDK's parse_webhook() would build its pydantic model, which in 0.4.0 refuses
            # the null a decision carries for a feature that produced nothing: keep the JSON.
            return json.loads(raw_body.decode("utf-8"))
    raise WebhookVerificationError(
        "not a valid, fresh delivery for the secret(s) given: the body was changed, the secret is "
        f"not the destination's, or the signed timestamp is more than {max_age_seconds} s away"
    )


def session_decision(client: Didit, session_id: str) -> dict[str, Any]:
    """GET /v3/session/{id}/decision/ through the SDK's own transport (key header, retries, errors).

    sessions.get_decision() of 0.4.0 refuses decisions with null features, as above.
    """
    response = client.requestor.request("GET", f"/session/{session_id}/decision/")
    return response.json()
