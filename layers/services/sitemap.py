"""sitemap.xml for every published post and series, written to the site bucket.

Follows the sitemaps.org protocol: one ``<urlset>`` of at most 50,000 URLs; past that,
``sitemap.xml`` becomes a ``<sitemapindex>`` pointing at ``sitemap-00001.xml`` ... parts, so the
URL crawlers know (and robots.txt names) never changes. Parts are written before the index, so
the index never points at a part that does not exist yet; parts left from a larger earlier
sitemap are deleted afterwards.

``write`` also compares with what the bucket held before: the files whose content changed and
the URLs added, removed or with a new ``lastmod``, so the job can purge the CDN's copies and
tell search engines (IndexNow) only when something changed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape, unescape

from layers.core.db import Db

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # the protocol's limit per file
INDEX_KEY = "sitemap.xml"
PART_PREFIX = "sitemap-"
CONTENT_TYPE = "application/xml"
_LOCK = (7002, 1)  # advisory lock: one sitemap build at a time, so an older one never wins
_ENTRY = re.compile(r"<url><loc>([^<]*)</loc><lastmod>([^<]*)</lastmod></url>")


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime


def collect(conn: Db, site_url: str) -> list[SitemapUrl]:
    posts = conn.execute(
        "SELECT slug, greatest(updated_at, published_at) AS lastmod FROM posts"
        " WHERE status = 'published' ORDER BY published_at, id"
    ).fetchall()
    # A series page is worth indexing once it shows at least one published post.
    series = conn.execute(
        "SELECT s.slug, greatest(s.updated_at, max(p.updated_at)) AS lastmod FROM series s"
        " JOIN posts p ON p.series_id = s.id AND p.status = 'published'"
        " GROUP BY s.id ORDER BY s.id"
    ).fetchall()
    return ([SitemapUrl(f"{site_url}/posts/{r['slug']}", r["lastmod"]) for r in posts]
            + [SitemapUrl(f"{site_url}/series/{r['slug']}", r["lastmod"]) for r in series])


def render_urlset(urls: Sequence[SitemapUrl]) -> bytes:
    entries = "".join(f"<url><loc>{escape(u.loc)}</loc><lastmod>{_w3c(u.lastmod)}</lastmod></url>\n"
                      for u in urls)
    return _document("urlset", entries)


def render_index(parts: Sequence[tuple[str, datetime]]) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(loc)}</loc><lastmod>{_w3c(lastmod)}</lastmod></sitemap>\n"
                      for loc, lastmod in parts)
    return _document("sitemapindex", entries)


def build(urls: Sequence[SitemapUrl], site_url: str, max_urls: int = MAX_URLS) -> dict[str, bytes]:
    """File name -> content; the index (``sitemap.xml``) last."""
    if len(urls) <= max_urls:
        return {INDEX_KEY: render_urlset(urls)}
    files: dict[str, bytes] = {}
    parts: list[tuple[str, datetime]] = []
    for number, start in enumerate(range(0, len(urls), max_urls), 1):
        chunk = urls[start:start + max_urls]
        key = f"{PART_PREFIX}{number:05d}.xml"
        files[key] = render_urlset(chunk)
        parts.append((f"{site_url}/{key}", max(u.lastmod for u in chunk)))
    files[INDEX_KEY] = render_index(parts)
    return files


@dataclass(frozen=True)
class Publication:
    counts: dict[str, int]
    changed_files: list[str]  # keys written with new content, or deleted
    changed_urls: list[str]  # URLs added, removed, or with a new lastmod


def publish(conn: Db, s3: Any, bucket: str, frontend_origin: str, max_urls: int = MAX_URLS) -> dict[str, int]:
    return write(conn, s3, bucket, frontend_origin, max_urls).counts


def write(conn: Db, s3: Any, bucket: str, frontend_origin: str, max_urls: int = MAX_URLS) -> Publication:
    """Build and upload to ``bucket``; reads only (the caller's transaction ends the lock)."""
    site_url = frontend_origin.rstrip("/")
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _LOCK)
    urls = collect(conn, site_url)
    files = build(urls, site_url, max_urls)
    before = _current_files(s3, bucket)
    for key, body in files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=CONTENT_TYPE,
                      CacheControl="public, max-age=3600")
    removed = _delete_stale_parts(s3, bucket, set(files))
    changed_files = sorted(k for k in {*files, *before} if files.get(k) != before.get(k))
    changed_urls = sorted(_entries(before.values()) ^ _entries(files.values()))
    counts = {"urls": len(urls), "files": len(files), "stale_parts_deleted": removed,
              "changed_urls": len({loc for loc, _ in changed_urls})}
    return Publication(counts, changed_files, sorted({unescape(loc) for loc, _ in changed_urls}))


def _current_files(s3: Any, bucket: str) -> dict[str, bytes]:
    """The sitemap files in the bucket now (the index and its parts)."""
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=PART_PREFIX).get("Contents", [])
    keys = [INDEX_KEY, *(o["Key"] for o in listed if o["Key"].endswith(".xml"))]
    found: dict[str, bytes] = {}
    for key in keys:
        try:
            found[key] = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as exc:
            if (getattr(exc, "response", None) or {}).get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                raise
    return found


def _entries(bodies: Iterable[bytes]) -> set[tuple[str, str]]:
    return {(m[0], m[1]) for body in bodies for m in _ENTRY.findall(body.decode())}


def _delete_stale_parts(s3: Any, bucket: str, keep: set[str]) -> int:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=PART_PREFIX).get("Contents", [])
    stale = [{"Key": o["Key"]} for o in listed if o["Key"] not in keep and o["Key"].endswith(".xml")]
    if stale:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[:1000], "Quiet": True})
    return len(stale[:1000])


def _document(root: str, entries: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NAMESPACE}">\n{entries}</{root}>\n'
            ).encode()


def _w3c(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
