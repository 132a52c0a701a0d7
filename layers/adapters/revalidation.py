"""Revalidation targets: a CloudFront invalidation and the frontend's on-demand revalidation.

Each is used only when configured (``CLOUDFRONT_DISTRIBUTION_ID``, ``FRONTEND_REVALIDATE_URL``),
read at each call so a changed configuration needs no restart. The frontend comes first: it
rebuilds the pages, and only then may the CDN drop its copies; the other way round, a reader
arriving in between would put the old page back into the CDN from the frontend's stale cache.

IndexNow (``SearchEngineNotifier``) posts changed URLs of the site to ``INDEXNOW_ENDPOINT``.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from layers.core import aws
from layers.core.errors import DependencyUnavailable
from layers.core.logging import get_logger
from layers.core.ports import RevalidationRejected, RevalidationTarget
from layers.core.settings import get_settings

log = get_logger("revalidation")
SECRET_HEADER = "X-Revalidate-Secret"
# Refusals worth retrying: a request timeout and throttling.
RETRYABLE_4XX = frozenset({408, 429})
# CloudFront errors that no retry can fix (the distribution or the request is wrong).
CLOUDFRONT_PERMANENT = frozenset({"AccessDenied", "NoSuchDistribution", "InvalidArgument", "MissingBody",
                                  "InconsistentQuantities", "BatchTooLarge"})


class ConfiguredRevalidation:
    """The ``revalidation`` provider: the targets the settings name, frontend first."""

    def targets(self) -> Sequence[RevalidationTarget]:
        settings = get_settings()
        found: list[RevalidationTarget] = []
        if settings.frontend_revalidate_url:
            secret = settings.frontend_revalidate_secret
            found.append(FrontendRevalidator(settings.frontend_revalidate_url,
                                             secret.get_secret_value() if secret else None,
                                             settings.revalidate_timeout_seconds))
        if settings.cloudfront_distribution_id:
            found.append(CloudFrontInvalidator(settings.cloudfront_distribution_id,
                                               settings.cloudfront_max_paths))
        return found


def from_settings() -> ConfiguredRevalidation:
    return ConfiguredRevalidation()


class FrontendRevalidator:
    """POSTs ``{"paths": [...], "reference": ...}`` with the shared secret in a header."""

    name = "frontend"

    def __init__(self, url: str, secret: str | None, timeout: float) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    def revalidate(self, paths: Sequence[str], reference: str) -> None:
        headers = {"Idempotency-Key": reference}
        if self.secret:
            headers[SECRET_HEADER] = self.secret
        post_json(self.url, {"paths": list(paths), "reference": reference}, headers, self.timeout)


class CloudFrontInvalidator:
    """One invalidation per batch; ``reference`` is its CallerReference, so a retry reuses it."""

    name = "cloudfront"

    def __init__(self, distribution_id: str, max_paths: int) -> None:
        self.distribution_id, self.max_paths = distribution_id, max_paths

    def revalidate(self, paths: Sequence[str], reference: str) -> None:
        # CloudFront bills per path and a wildcard counts as one: past the cap, purge everything.
        items = list(paths) if len(paths) <= self.max_paths else ["/*"]
        try:
            aws.client("cloudfront").create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={"Paths": {"Quantity": len(items), "Items": items}, "CallerReference": reference},
            )
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            if code == "InvalidationBatchAlreadyExists":
                return  # this reference already purged
            if code in CLOUDFRONT_PERMANENT:
                raise RevalidationRejected(f"CloudFront refused the invalidation ({code})") from exc
            raise DependencyUnavailable(f"CloudFront invalidation failed ({code or type(exc).__name__})") from exc


class IndexNow:
    """The ``indexnow`` provider: submits URLs of ``FRONTEND_ORIGIN``'s host with ``INDEXNOW_KEY``.

    The frontend must serve the key at ``<origin>/<key>.txt`` (IndexNow's proof of ownership).
    """

    @property
    def enabled(self) -> bool:
        return bool(get_settings().indexnow_key)

    def submit(self, urls: Sequence[str]) -> None:
        settings = get_settings()
        if not settings.indexnow_key:
            return
        origin = settings.frontend_origin.rstrip("/")
        body = {"host": urlsplit(origin).hostname, "key": settings.indexnow_key,
                "keyLocation": f"{origin}/{settings.indexnow_key}.txt", "urlList": list(urls)}
        post_json(settings.indexnow_endpoint, body, {}, settings.revalidate_timeout_seconds)


def indexnow_from_settings() -> IndexNow:
    return IndexNow()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the 3xx it is: the configured URL is wrong


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: Mapping[str, Any], headers: Mapping[str, str], timeout: float) -> None:
    """POST JSON; ``RevalidationRejected`` on a refusal, ``DependencyUnavailable`` when worth retrying."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise RevalidationRejected("the target URL must be http or https")
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                      headers={"Content-Type": "application/json; charset=utf-8", **headers})
    parts = urlsplit(url)
    host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)  # never the userinfo
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(65536)
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        if status >= 500 or status in RETRYABLE_4XX:
            raise DependencyUnavailable(f"{host} answered HTTP {status}") from None
        raise RevalidationRejected(f"{host} answered HTTP {status}") from None
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        reason = getattr(exc, "reason", exc)
        raise DependencyUnavailable(f"{host} unreachable ({type(reason).__name__})") from None
