"""Certificates: 403 until the series is read, idempotent claims, public verification, forged codes."""
from __future__ import annotations

from layers.services.learning import certificate_codes
from tests.support.reader import make_post, make_series, sql


def series_with_posts(stack, slug="pg-basics", n=2):
    posts = [make_post(stack, f"{slug}-{i}", title=f"Part {i}", series=slug, series_position=i + 1) for i in range(n)]
    make_post(stack, f"{slug}-draft", status="draft", series=slug, series_position=9)  # drafts do not count
    return make_series(stack, slug), posts


def read(api, account, post_id):
    assert api.post(f"/api/progress/{post_id}/read", {}, token=account.token).status == 200


def test_claim_needs_every_post_read_then_is_idempotent(api, users, stack):
    alice = users.create(name="Alice Example")
    series, posts = series_with_posts(stack)
    early = api.post(f"/api/certificates/{series}", token=alice.token)
    assert early.status == 403 and "2 of 2 unread" in early.json["detail"] and '"Part 0"' in early.json["detail"]
    read(api, alice, posts[0])
    still = api.post(f"/api/certificates/{series}", token=alice.token)
    assert still.status == 403 and '"Part 1"' in still.json["detail"] and '"Part 0"' not in still.json["detail"]
    read(api, alice, posts[1])
    first = api.post(f"/api/certificates/{series}", token=alice.token)
    assert first.status == 200, first.text
    cert = first.json
    assert len(cert["code"]) == 24 and cert["holder_name"] == "Alice Example"
    assert cert["series"] == {"id": series, "slug": "pg-basics", "title": "Pg Basics"}
    assert cert["url"] == f"http://localhost:3000/certificates/{cert['code']}"
    assert cert["print_url"].endswith(f"/api/certificates/print/{cert['code']}")
    assert api.post(f"/api/certificates/{series}", token=alice.token).json == cert
    assert sql(stack, "SELECT count(*) AS n FROM certificates")[0]["n"] == 1


def test_verify_is_public_and_printable(api, users, stack):
    alice = users.create(name="<Alice & Co>")
    series, posts = series_with_posts(stack, n=1)
    read(api, alice, posts[0])
    cert = api.post(f"/api/certificates/{series}", token=alice.token).json
    verified = api.get(f"/api/certificates/verify/{cert['code']}")
    assert verified.status == 200 and verified.json == cert
    assert "email" not in verified.text
    assert api.get(f"/api/certificates/verify/{cert['code'].lower()}").json["code"] == cert["code"]
    page = api.get(f"/api/certificates/print/{cert['code']}")
    assert page.status == 200 and page.header("Content-Type").startswith("text/html")
    assert "&lt;Alice &amp; Co&gt;" in page.text and "<Alice" not in page.text and cert["code"] in page.text


def test_forged_and_unknown_codes_are_404(api, users, stack):
    key = certificate_codes.signing_key(None, "test-secret-that-is-long-enough-for-hs256-0123456789")
    unknown = certificate_codes.new_code(key)  # authentic, never issued
    genuine_looking = certificate_codes.new_code(b"someone else's key")
    alice = users.create()
    series, posts = series_with_posts(stack, n=1)
    read(api, alice, posts[0])
    code = api.post(f"/api/certificates/{series}", token=alice.token).json["code"]
    tampered = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    for bad in (unknown, genuine_looking, tampered, "x", "A" * 24, "A" * 500, "%00"):
        reply = api.get(f"/api/certificates/verify/{bad}")
        assert reply.status == 404, bad
        assert reply.json["detail"] == "certificate not found"
        assert api.get(f"/api/certificates/print/{bad}").status == 404


def test_codes_are_unguessable_and_checked():
    key = b"k" * 32
    codes = {certificate_codes.new_code(key) for _ in range(200)}
    assert len(codes) == 200
    assert all(certificate_codes.is_authentic(key, c) for c in codes)
    assert not any(certificate_codes.is_authentic(b"other", c) for c in codes)
    assert certificate_codes.RANDOM_BYTES * 8 >= 80


def test_unknown_series_empty_series_and_bad_ids(api, users, stack):
    alice = users.create()
    assert api.post("/api/certificates/999999", token=alice.token).status == 404
    empty = make_series(stack, "empty")
    reply = api.post(f"/api/certificates/{empty}", token=alice.token)
    assert reply.status == 403 and "no published posts" in reply.json["detail"]
    assert api.post("/api/certificates/abc", token=alice.token).status == 422
    assert api.post("/api/certificates/0", token=alice.token).status == 422
    assert api.post(f"/api/certificates/{empty}").status == 401


def test_certificates_are_per_user(api, users, stack):
    alice, bob = users.create(name="Alice"), users.create(name="Bob")
    series, posts = series_with_posts(stack, n=1)
    read(api, alice, posts[0])
    cert = api.post(f"/api/certificates/{series}", token=alice.token).json
    assert api.post(f"/api/certificates/{series}", token=bob.token).status == 403
    read(api, bob, posts[0])
    other = api.post(f"/api/certificates/{series}", token=bob.token).json
    assert other["code"] != cert["code"] and other["holder_name"] == "Bob"
