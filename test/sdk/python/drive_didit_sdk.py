"""Drives the PyPI package didit-sdk (pinned in requirements.txt) against the local twin.

Two modes, each printing one JSON object on stdout:

  calls  CONFIG.json   every face-family call, through the SDK's typed methods where it has
                       them and through its own transport (same base URL, key header, retries
                       and error mapping) where it has none
  verify CASES.json    the SDK's webhook verifier on deliveries the twin really sent

Each outcome is {"call": name, "ok": bool, "why": str}. Nothing here is faked: a call is ok only
when the SDK returned (or raised) what the platform's contract says.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

import didit
from didit import Didit
from didit.errors import DiditAPIError, DiditSignatureError
from didit.webhooks import parse_webhook_payload, verify_webhook_signature
from pydantic import ValidationError

outcomes: list[dict[str, Any]] = []


def check(name: str, fn: Callable[[], Any]) -> Any:
    try:
        value = fn()
        outcomes.append({"call": name, "ok": True, "why": ""})
        return value
    except Exception as err:  # noqa: BLE001 - every failure is reported, none is fatal
        why = f"{type(err).__name__}: {err}"[:600]
        if not isinstance(err, (AssertionError, DiditAPIError)):
            why += " | " + traceback.format_exc(limit=3)[-400:]
        outcomes.append({"call": name, "ok": False, "why": why})
        return None


def differs(name: str, fn: Callable[[], Any], error: type[BaseException], text: str, reason: str) -> None:
    """A call where this SDK and the platform's documented contract part ways, and the twin keeps
    the documented behaviour: the SDK must fail exactly this way (so a change on either side shows)."""
    try:
        fn()
    except error as err:
        if text in str(err):
            outcomes.append({"call": name, "ok": True, "why": "", "differs": reason})
            return
        outcomes.append({"call": name, "ok": False, "why": f"failed otherwise than expected: {err}"[:600]})
        return
    except Exception as err:  # noqa: BLE001
        outcomes.append({"call": name, "ok": False, "why": f"failed otherwise than expected: {type(err).__name__}: {err}"[:600]})
        return
    outcomes.append({"call": name, "ok": False, "why": "succeeded: the difference is gone, update the contract row"})


NULL_FEATURES = (
    "the current API reference answers null for a feature that produced nothing "
    "(face_matches, liveness_checks, id_verifications ... null until produced); "
    "didit-sdk 0.4.0's DecisionResponse model requires lists and raises a pydantic ValidationError"
)
RETRIEVE_PATH = (
    "didit-sdk 0.4.0 sessions.get() calls GET /v3/session/{id}/, which the current API reference "
    "does not document (retrieve-session is GET /v3/session/{id}/decision/); the twin answers 404"
)


def expect(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(message)


def refused(fn: Callable[[], Any], status: int, detail_has: str = "") -> str:
    """The call must raise the SDK's API error with this status (and detail text)."""
    try:
        fn()
    except DiditAPIError as err:
        expect(err.status_code == status, f"expected HTTP {status}, got {err.status_code}: {err}")
        text = str(err.response_body or err.details or err)
        expect(detail_has in text or detail_has in str(err), f"detail lacks {detail_has!r}: {text[:300]}")
        return str(err)
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


def run_calls(cfg: dict[str, Any]) -> dict[str, Any]:
    # The documented base-URL option; the key goes as x-api-key, as on the platform.
    client = Didit(api_key=cfg["api_key"], base_url=cfg["base_url"], max_retries=0)
    http = client.requestor  # the SDK's own transport, for calls 0.4.0 has no method for
    images = {k: Path(v).read_bytes() for k, v in cfg["images"].items()}
    out: dict[str, Any] = {"sdk_version": didit.__version__}

    # Workflows: create, list, get, update, delete.
    wf = check(
        "workflows.create",
        lambda: http.request(
            "POST",
            "/workflows/",
            json={"workflow_label": "SDK face match", "features": [{"feature": "LIVENESS"}, {"feature": "FACE_MATCH"}]},
        ).json(),
    )
    wf_id = (wf or {}).get("uuid", "")
    check("workflows.list", lambda: expect(any(w["uuid"] == wf_id for w in http.request("GET", "/workflows/").json()["results"]), "created workflow not listed"))
    check("workflows.get", lambda: expect(http.request("GET", f"/workflows/{wf_id}/").json()["uuid"] == wf_id, "wrong workflow"))
    check(
        "workflows.update",
        lambda: expect(
            http.request("PATCH", f"/workflows/{wf_id}/", json={"workflow_label": "SDK face match v2"}).json()["workflow_label"] == "SDK face match v2",
            "label not updated",
        ),
    )
    spare = check("workflows.create(spare)", lambda: http.request("POST", "/workflows/", json={"workflow_label": "spare", "features": [{"feature": "FACE_MATCH"}]}).json())
    check("workflows.delete", lambda: expect(http.request("DELETE", f"/workflows/{(spare or {}).get('uuid')}/").status_code == 204, "not 204"))

    # Webhook destinations: create, list, get, update (delete at the end: the test needs one).
    dest = check(
        "webhook.destinations.create",
        lambda: http.request(
            "POST",
            "/webhook/destinations/",
            json={"label": "sdk", "url": cfg["receiver_url"], "subscribed_events": ["status.updated", "data.updated"]},
        ).json(),
    )
    dest_id = (dest or {}).get("uuid", "")
    out["webhook_secret"] = (dest or {}).get("secret_shared_key")
    out["destination_id"] = dest_id
    check("webhook.destinations.list", lambda: expect(dest_id in json.dumps(http.request("GET", "/webhook/destinations/").json()), "destination not listed"))
    check("webhook.destinations.get", lambda: expect(http.request("GET", f"/webhook/destinations/{dest_id}/").json()["uuid"] == dest_id, "wrong destination"))
    check("webhook.destinations.update", lambda: expect(http.request("PATCH", f"/webhook/destinations/{dest_id}/", json={"label": "sdk-2"}).json()["label"] == "sdk-2", "label not updated"))
    tmp_dest = check("webhook.destinations.create(spare)", lambda: http.request("POST", "/webhook/destinations/", json={"label": "spare", "url": cfg["receiver_url"] + "spare", "subscribed_events": ["status.updated"]}).json())
    check("webhook.destinations.delete", lambda: expect(http.request("DELETE", f"/webhook/destinations/{(tmp_dest or {}).get('uuid')}/").status_code == 204, "not 204"))

    # The application-level webhook configuration: read, rotate the application secret.
    conf = check("webhook.config.get", lambda: http.request("GET", "/webhook/").json())
    check("webhook.config: follows the oldest enabled destination", lambda: expect(conf is not None and conf["webhook_url"] == cfg["receiver_url"], f"{conf}"[:300]))
    check(
        "webhook.config.rotate_secret_key",
        lambda: expect(http.request("PATCH", "/webhook/", json={"rotate_secret_key": True}).json()["secret_shared_key"] != (conf or {}).get("secret_shared_key"), "secret not rotated"),
    )

    # Sessions through the SDK's typed methods.
    portrait = base64.b64encode(images["ref"]).decode("ascii")
    s = check(
        "sessions.create",
        lambda: client.sessions.create(
            vendor_data="sdk-user-1",
            workflow_id=wf_id,
            callback="https://example.com/done",
            metadata={"city": "São Paulo", "n": 1},
            language="es",
            portrait_image=portrait,
        ),
    )
    sid = s.session_id if s else ""
    out["session_id"] = sid
    check("sessions.create: url and token", lambda: expect(bool(s and s.url and s.session_token), "no url/token"))
    differs("sessions.get", lambda: client.sessions.get(sid), DiditAPIError, "status=404", RETRIEVE_PATH)
    page = check("sessions.list", lambda: client.sessions.list(vendor_data="sdk-user-1", limit=10))
    check("sessions.list: finds it", lambda: expect(page is not None and any(i.session_id == sid for i in page.results), "session not listed"))
    check("sessions.list(status filter)", lambda: expect(all(i.status.value == "Not Started" for i in client.sessions.list(status="Not Started").results), "filter ignored"))
    differs("sessions.get_decision", lambda: client.sessions.get_decision(sid), ValidationError, "face_matches", NULL_FEATURES)
    raw = check("sessions.get_decision (raw, via the SDK transport)", lambda: http.request("GET", f"/session/{sid}/decision/").json())
    check("decision: not decided yet, features null", lambda: expect(raw is not None and raw["status"] == "Not Started" and raw["face_matches"] is None, f"{raw}"[:300]))
    out["ready_for_capture"] = sid
    return out


def run_after_capture(cfg: dict[str, Any]) -> dict[str, Any]:
    # capture_sensitive_response keeps error bodies on the SDK's exceptions (off by default).
    client = Didit(api_key=cfg["api_key"], base_url=cfg["base_url"], max_retries=0, capture_sensitive_response=True)
    http = client.requestor
    images = {k: Path(v).read_bytes() for k, v in cfg["images"].items()}
    sid = cfg["session_id"]
    out: dict[str, Any] = {}

    differs("sessions.get_decision(after capture)", lambda: client.sessions.get_decision(sid), ValidationError, "id_verifications", NULL_FEATURES)
    differs("sessions.poll_decision", lambda: client.sessions.poll_decision(sid, timeout=5.0, interval=0.2), ValidationError, "id_verifications", NULL_FEATURES)
    d = check("sessions.get_decision(after capture, raw)", lambda: http.request("GET", f"/session/{sid}/decision/").json())
    check("decision: one face match with a score", lambda: expect(d is not None and len(d["face_matches"] or []) == 1 and d["face_matches"][0]["score"] is not None, f"{(d or {}).get('face_matches')}"[:300]))
    check("decision: one liveness check", lambda: expect(d is not None and len(d["liveness_checks"] or []) == 1, "no liveness check"))
    check("decision: decided", lambda: expect(d is not None and d["status"] in ("Approved", "Declined", "In Review"), f"status {(d or {}).get('status')}"))
    status = d["status"] if d else ""
    target = "Declined" if status == "Approved" else "Approved"
    check("sessions.update_status", lambda: expect(client.sessions.update_status(sid, target, comment="checked by the SDK test").session_id == sid, "wrong id"))
    check("decision after review", lambda: expect(http.request("GET", f"/session/{sid}/decision/").json()["status"] == target, "status not changed"))
    check("sessions.reviews.list", lambda: expect(any(r.get("new_status") == target for r in http.request("GET", f"/sessions/{sid}/reviews/").json()), "review not listed"))
    check(
        "sessions.reviews.create",
        lambda: expect(http.request("POST", f"/sessions/{sid}/reviews/", json={"new_status": target, "comment": "note"}).status_code in (200, 201), "not created"),
    )
    pdf = check("sessions.generate_pdf_report", lambda: client.sessions.generate_pdf_report(sid))
    check("pdf bytes", lambda: expect(bool(pdf) and pdf.startswith(b"%PDF-"), "not a PDF"))
    with tempfile.TemporaryDirectory() as tmp:
        check("sessions.download_pdf_report", lambda: expect(client.sessions.download_pdf_report(sid, Path(tmp) / "r.pdf").read_bytes().startswith(b"%PDF-"), "not a PDF"))
    check("sessions.resubmit", lambda: expect(client.sessions.resubmit(sid, comment="again").session_id == sid, "wrong id"))
    check("decision after resubmit", lambda: expect(http.request("GET", f"/session/{sid}/decision/").json()["status"] == "Resubmitted", "not Resubmitted"))

    # Standalone face-family APIs (multipart, through the SDK's transport).
    fm = check(
        "face-match",
        lambda: http.request("POST", "/face-match/", files={"user_image": ("a.jpg", images["user"], "image/jpeg"), "ref_image": ("b.jpg", images["ref"], "image/jpeg")}).json(),
    )
    check("face-match: same person approved", lambda: expect(fm is not None and fm["face_match"]["status"] == "Approved", f"{(fm or {}).get('face_match')}"))
    fm2 = check(
        "face-match(other person)",
        lambda: http.request("POST", "/face-match/", files={"user_image": ("a.jpg", images["user"], "image/jpeg"), "ref_image": ("c.jpg", images["other"], "image/jpeg")}).json(),
    )
    check("face-match: other person declined", lambda: expect(fm2 is not None and fm2["face_match"]["status"] == "Declined", f"{(fm2 or {}).get('face_match')}"))
    lv = check("passive-liveness", lambda: http.request("POST", "/passive-liveness/", files={"user_image": ("a.jpg", images["user"], "image/jpeg")}).json())
    check("passive-liveness: result", lambda: expect(lv is not None and "liveness" in lv and lv["liveness"]["status"] in ("Approved", "Declined", "In Review"), f"{lv}"[:300]))
    ag = check("age-estimation", lambda: http.request("POST", "/age-estimation/", files={"user_image": ("a.jpg", images["user"], "image/jpeg")}).json())
    check("age-estimation: result", lambda: expect(ag is not None and "liveness" in ag and isinstance(ag["liveness"].get("age_estimation"), (int, float)), f"{ag}"[:300]))

    # Face search, face lists and the blocklist: 0.4.0 has no method for them, so through its
    # transport, bodies as the API reference pages show them.
    fl = check("lists.list(face blocklist)", lambda: http.request("GET", "/lists/", params={"list_type": "blocklist", "entry_type": "face"}).json())
    check("lists.list: one system face blocklist", lambda: expect(fl is not None and fl["count"] == 1 and fl["results"][0]["is_system"], f"{fl}"[:300]))
    face_block = ((fl or {}).get("results") or [{}])[0].get("uuid", "")
    allow = check("lists.create", lambda: http.request("POST", "/lists/", json={"name": "SDK trusted faces", "list_type": "allowlist", "entry_type": "face", "description": "staff"}).json())
    allow_id = (allow or {}).get("uuid", "")
    check("lists.get", lambda: expect(http.request("GET", f"/lists/{allow_id}/").json()["name"] == "SDK trusted faces", "wrong list"))
    check("lists.update", lambda: expect(http.request("PATCH", f"/lists/{allow_id}/", json={"name": "SDK staff"}).json()["name"] == "SDK staff", "not renamed"))
    check(
        "lists.entries.create(reference_session_id)",
        lambda: expect(http.request("POST", f"/lists/{allow_id}/entries/", json={"reference_session_id": sid, "comment": "staff"}).json()["reference_session_id"] == sid, "entry not linked to the session"),
    )
    check("lists.entries.list", lambda: expect(http.request("GET", f"/lists/{allow_id}/entries/").json()["count"] == 1, "entry not listed"))
    up = check(
        "lists.entries.upload_face",
        lambda: http.request("POST", f"/lists/{face_block}/entries/face-upload/", json={"image": base64.b64encode(images["other"]).decode("ascii"), "comment": "Known fraud attempt"}).json(),
    )
    fs = check(
        "face_search.search",
        lambda: http.request(
            "POST",
            "/face-search/",
            files={"user_image": ("o.jpg", images["other"], "image/jpeg")},
            data={"search_type": "most_similar", "vendor_data": "sdk-probe", "metadata": json.dumps({"flow": "dedup_check"})},
        ).json(),
    )
    check(
        "face_search: the uploaded blocklist face declines",
        lambda: expect(
            fs is not None
            and fs["face_search"]["status"] == "Declined"
            and any(m["source"] == "list_entry" and m["is_blocklisted"] for m in fs["face_search"]["matches"])
            and any(w["risk"] == "FACE_IN_BLOCKLIST" for w in fs["face_search"]["warnings"]),
            f"{(fs or {}).get('face_search')}"[:400],
        ),
    )
    check("lists.entries.delete", lambda: expect(http.request("DELETE", f"/lists/{face_block}/entries/{(up or {}).get('uuid')}/").status_code == 204, "not 204"))
    check("blocklist.add", lambda: expect(http.request("POST", "/blocklist/add/", json={"session_id": sid, "blocklist_face": True}).json()["message"] == "Successfully updated blocklist.", "wrong message"))
    fs2 = check("face_search.search(blocklisted session)", lambda: http.request("POST", "/face-search/", files={"user_image": ("u.jpg", images["user"], "image/jpeg")}, data={"save_api_request": "false"}).json())
    check(
        "face_search: the blocklisted session is found",
        lambda: expect(fs2 is not None and any(m["session_id"] == sid and m["is_blocklisted"] for m in fs2["face_search"]["matches"]), f"{(fs2 or {}).get('face_search')}"[:400]),
    )
    check("blocklist.remove", lambda: expect(http.request("POST", "/blocklist/remove/", json={"session_id": sid, "unblock_face": True}).json()["message"] == "Successfully removed from blocklist.", "wrong message"))
    check("lists.entries.list(after remove)", lambda: expect(http.request("GET", f"/lists/{face_block}/entries/").json()["count"] == 0, "face still blocklisted"))
    check("lists.delete", lambda: expect(http.request("DELETE", f"/lists/{allow_id}/").status_code == 204, "not 204"))
    check("face_search: bad search_type -> 400", lambda: refused(lambda: http.request("POST", "/face-search/", files={"user_image": ("u.jpg", images["user"], "image/jpeg")}, data={"search_type": "nearest"}), 400, "search_type"))

    # Routes outside the face family: the SDK's typed methods get a 501 DiditAPIError.
    check("risk.email -> 501", lambda: refused(lambda: client.risk.email("someone@example.com"), 501, "hosted platform"))
    check("risk.phone -> 501", lambda: refused(lambda: client.risk.phone("+14155550100"), 501, "hosted platform"))
    check("risk.ip -> 501", lambda: refused(lambda: client.risk.ip("8.8.8.8"), 501, "hosted platform"))
    check("session_imports.get_template -> 501", lambda: refused(lambda: client.session_imports.get_template(), 501, "hosted platform"))

    # Errors as the platform answers them.
    check("wrong key -> 401", lambda: refused(lambda: Didit(api_key="wrong", base_url=cfg["base_url"], max_retries=0).sessions.list(), 401))
    check("unknown session -> 404", lambda: refused(lambda: client.sessions.get_decision("00000000-0000-4000-8000-000000000000"), 404))

    # Delete the session last (its deliveries are already out).
    spare = check("sessions.create(spare)", lambda: client.sessions.create(vendor_data="spare", workflow_id=cfg["workflow_id"]))
    check("sessions.delete", lambda: expect(http.request("DELETE", f"/session/{spare.session_id}/delete/").status_code == 204, "not 204"))
    check("sessions.get_decision(deleted) -> 404", lambda: refused(lambda: client.sessions.get_decision(spare.session_id), 404))
    return out


def run_verify(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Each case: body_b64, headers, secrets (the rotation list, newest first), expect_valid."""
    for c in cases:
        raw = base64.b64decode(c["body_b64"])
        headers = c["headers"]

        def one(c: dict[str, Any] = c, raw: bytes = raw, headers: dict[str, str] = headers) -> None:
            # 0.4.0's verifier takes one secret; a rotation list is tried newest first, the way
            # an integrator holding two secrets uses it.
            fresh = not c.get("ignore_age", False)
            matched = next((sec for sec in c["secrets"] if verify_webhook_signature(raw, headers, sec, verify_freshness=fresh)), None)
            expect((matched is not None) == c["expect_valid"], f"verifier said {matched is not None}, expected {c['expect_valid']}")
            if matched is None:
                for sec in c["secrets"]:
                    try:
                        parse_webhook_payload(raw, headers, sec, verify_freshness=fresh)
                        raise AssertionError("parse_webhook accepted what verify refused")
                    except DiditSignatureError:
                        pass

        check(f"verify {c['name']}", one)
        if c["expect_valid"] and len(c["secrets"]) == 1 and not c.get("ignore_age"):
            body = json.loads(raw)
            decision = body.get("decision") or {}
            if any(decision.get(k) is None for k in ("id_verifications", "liveness_checks", "face_matches")) and decision:
                differs(f"parse_webhook {c['name']}", lambda raw=raw, headers=headers, c=c: parse_webhook_payload(raw, headers, c["secrets"][0]), ValidationError, "decision.", NULL_FEATURES)
            else:
                check(
                    f"parse_webhook {c['name']}",
                    lambda raw=raw, headers=headers, c=c: expect(parse_webhook_payload(raw, headers, c["secrets"][0]).webhook_type == c["event"], "wrong event"),
                )
    return {}


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if mode == "calls":
        extra = run_calls(data)
    elif mode == "after-capture":
        extra = run_after_capture(data)
    elif mode == "verify":
        extra = run_verify(data)
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.write(json.dumps({"outcomes": outcomes, **extra}, ensure_ascii=False))


if __name__ == "__main__":
    main()
