"""Inputs that would reach PostgreSQL (or the JSON parser) unvalidated answer 4xx, never 500.

Bad input is a 4xx (422 with ``loc`` under ``body``/``query``). Two traps are covered: length
limits must hold after NFC normalisation (U+FB2C becomes three code points, so a value checked
before normalising could break a column's ``CHECK (length(...) <= N)``), and free text must refuse
NUL and other control characters, which PostgreSQL rejects.
"""
from __future__ import annotations

import json

import pytest

from tests.support.content import content

# One code point that NFC turns into three (a composition exclusion); category Lo, so it passes
# the control-character filters.
GROWS = "\ufb2c"


def _assert_client_error(reply, field: str | None = None) -> None:
    assert reply.status != 500, reply.text
    assert 400 <= reply.status < 500, (reply.status, reply.text)
    if reply.status == 422 and field is not None:
        locs = [item["loc"] for item in reply.json["detail"]]
        assert any(loc[:2] == ["body", field] for loc in locs), locs


# ---- NFC expansion past the column CHECK ------------------------------------------------------
# Each value is within the schema's max_length before normalisation and over the column's CHECK after.

def test_register_name_growing_under_nfc_is_422_not_500(api):
    # DisplayName max_length=100 (layers/schemas/common.py); users.name CHECK length <= 100.
    reply = api.post("/api/auth/register", {"email": "nfc@example.com", "password": "long enough password",
                                            "name": GROWS * 90})
    _assert_client_error(reply, "name")


def test_settings_name_growing_under_nfc_is_422_not_500(api, users):
    user = users.create()
    reply = api.patch("/api/settings", {"name": GROWS * 90}, token=user.token)
    _assert_client_error(reply, "name")


def test_comment_growing_under_nfc_is_422_not_500(api, users, content):
    # CommentText max_length=5000 (layers/schemas/comments.py); comments.content CHECK <= 5000.
    post = content.post("Commented")
    user = users.create()
    reply = api.post(f"/api/posts/{post['id']}/comments", {"content": GROWS * 4000}, token=user.token)
    _assert_client_error(reply, "content")


def test_note_title_growing_under_nfc_is_422_not_500(api, users):
    # NoteTitle max_length=200; study_notes.title CHECK <= 200.
    user = users.create()
    reply = api.post("/api/notes", {"title": GROWS * 150, "content": "body"}, token=user.token)
    _assert_client_error(reply, "title")


def test_tag_name_growing_under_nfc_is_422_not_500(api, content):
    # TagName max_length=60 (layers/schemas/tags.py); tags.name CHECK <= 60.
    reply = api.post("/api/tags", {"name": GROWS * 50}, token=content.token)
    _assert_client_error(reply, "name")


def test_series_title_growing_under_nfc_is_422_not_500(api, content):
    reply = api.post("/api/series", {"title": GROWS * 150}, token=content.token)
    _assert_client_error(reply, "title")


def test_post_title_growing_under_nfc_is_422_not_500(api, content):
    reply = api.post("/api/posts", {"title": GROWS * 150}, token=content.token)
    _assert_client_error(reply, "title")


def test_post_excerpt_growing_under_nfc_is_422_not_500(api, content):
    # Excerpt max_length=1000; posts.excerpt CHECK <= 1000.
    reply = api.post("/api/posts", {"title": "Fine title", "excerpt": GROWS * 900}, token=content.token)
    _assert_client_error(reply, "excerpt")


def test_post_patch_title_growing_under_nfc_is_422_not_500(api, content):
    post = content.post("Patched later")
    reply = api.patch(f"/api/posts/{post['id']}", {"title": GROWS * 150}, token=content.token)
    _assert_client_error(reply, "title")


# ---- NUL bytes in fields without a control-character validator ------------------------------

def test_settings_bio_with_nul_is_422_not_500(api, users):
    # functions/settings.py SettingsPatch.bio: `str | None = Field(None, max_length=1000)`, no
    # multi_line validator, unlike every other free-text field.
    user = users.create()
    reply = api.request("PATCH", "/api/settings", body='{"bio": "hello\\u0000world"}', token=user.token)
    _assert_client_error(reply, "bio")


def test_register_referral_code_with_nul_is_4xx_not_500(api):
    # functions/auth.py RegisterIn.referral_code is a bare str; it is looked up in SQL
    # (layers/services/auth/service.py _record_referral_signup).
    body = json.dumps({"email": "ref@example.com", "password": "long enough password", "name": "Ref"})
    body = body[:-1] + ', "referral_code": "abc\\u0000def"}'
    reply = api.request("POST", "/api/auth/register", body=body)
    _assert_client_error(reply, "referral_code")


def test_newsletter_unsubscribe_token_with_nul_is_4xx_not_500(api):
    # layers/services/newsletter.py unsubscribe compares the raw token in SQL (it is not hashed).
    reply = api.request("POST", "/api/newsletter/unsubscribe", body='{"token": "abc\\u0000def"}')
    _assert_client_error(reply, "token")


def test_newsletter_one_click_unsubscribe_token_with_nul_is_4xx_not_500(api):
    reply = api.post("/api/newsletter/unsubscribe/one-click?token=abc%00def")
    _assert_client_error(reply)


def test_digest_one_click_unsubscribe_token_with_nul_is_4xx_not_500(api):
    # layers/services/digest.py unsubscribe_by_token: same raw-token lookup.
    reply = api.post("/api/digest/unsubscribe/one-click?token=abc%00def")
    _assert_client_error(reply)


# ---- the JSON parser ----------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_422_not_500(api, users, depth):
    # layers/http/routing.py _parse_json catches ValueError/UnicodeDecodeError but not the
    # RecursionError json.loads raises on deep nesting; the body is well under MAX_BODY_BYTES.
    user = users.create()
    body = '{"content": ' + "[" * depth + "]" * depth + "}"
    reply = api.request("POST", "/api/notes", body=body, token=user.token)
    _assert_client_error(reply)


def test_deeply_nested_json_on_a_public_route_is_422_not_500(api):
    body = '{"email": ' + "[" * 5000 + "]" * 5000 + "}"
    reply = api.request("POST", "/api/newsletter/subscribe", body=body)
    _assert_client_error(reply)
