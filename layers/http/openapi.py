"""The OpenAPI 3.1 document, generated from the route specs every router declares.

Importing every router module (without registering it in an app) is enough to collect them, so
the document is complete even in a function deployed with ``ROUTER=<name>``.
"""
from __future__ import annotations

import functools
import importlib
import re
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from layers.http import path_refs
from layers.http.routing import ROUTES, RouteSpec

_PATH_PARAM = re.compile(r"{(\w+)}")
_REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    413: "Payload Too Large", 422: "Validation Error", 429: "Too Many Requests",
    500: "Internal Server Error", 503: "Service Unavailable",
}
_ERROR = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
_VALIDATION = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {
        "type": "object", "required": ["loc", "msg", "type"],
        "properties": {"loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                       "msg": {"type": "string"}, "type": {"type": "string"}}}}},
}


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    # By name, not by import: the router registry sits above the HTTP layer.
    registry = importlib.import_module("functions")
    for name in registry.router_names():
        registry.load_router(name)
    return build(ROUTES)


def build(routes: list[RouteSpec]) -> dict[str, Any]:
    components: dict[str, Any] = {"HTTPError": _ERROR, "HTTPValidationError": _VALIDATION}
    paths: dict[str, dict[str, Any]] = {}
    for spec in routes:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Blog and learning platform API",
            "version": "1.0.0",
            "description": _overview(),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "stripeSignature": {"type": "apiKey", "in": "header", "name": "Stripe-Signature"},
            },
        },
    }


def _overview() -> str:
    """The document's introduction; its numbers come from the code and settings that apply them."""
    from layers.core.pagination import MAX_PAGE_SIZE
    from layers.http.docstrings import setting

    limits = ", ".join(f"{group} {setting(f'rate_limit_{group}')}" for group in ("anon", "user", "auth", "rag", "code"))
    return (
        "**Base URL**: the server in front of every path below (`http://127.0.0.1:8000` for `make run`); "
        "every path starts with `/api`.\n\n"
        "**Auth**: `POST /api/auth/login` answers a token pair; send `Authorization: Bearer <access_token>`. "
        f"Access tokens last {setting('access_token_ttl_seconds', ' s')}; `POST /api/auth/refresh` trades the "
        "single-use refresh token for a new pair. On this page, a login made with *Try it out* fills "
        "**Authorize** by itself.\n\n"
        "**Errors** use FastAPI's shape: `{\"detail\": \"...\"}`, or a list of `{loc, msg, type}` for 422. "
        "Every response carries `X-Request-ID`.\n\n"
        f"**Lists** take `page` and `page_size` (at most {MAX_PAGE_SIZE}) and answer "
        "`{items, total, page, page_size}`.\n\n"
        f"**Rate limits** (defaults; per client IP anonymous, per user signed in, per route group): {limits}. "
        "429 answers carry `Retry-After`."
    )


def _schema(tp: Any, components: dict[str, Any]) -> dict[str, Any]:
    return _named(tp, components, "serialization")


def _input_schema(tp: Any, components: dict[str, Any]) -> dict[str, Any]:
    return _named(tp, components, "validation")


def _named(tp: Any, components: dict[str, Any], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    """A model becomes a named component (typed clients get a type per model); others inline."""
    schema = TypeAdapter(tp).json_schema(ref_template=_REF, mode=mode)
    defs = schema.pop("$defs", {})
    for name, definition in defs.items():
        components.setdefault(name, definition)
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return schema
    name = re.sub(r"[^A-Za-z0-9._-]", "_", tp.__name__).strip("_")
    if name in components and components[name] != schema:
        name = f"{tp.__module__.rsplit('.', 1)[-1]}.{name}"  # two modules, one class name
    components[name] = schema
    return {"$ref": _REF.format(model=name)}


def _operation(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "tags": [spec.tag],
        "summary": spec.summary,
        "operationId": f"{spec.tag}_{spec.method.lower()}_{_slug(spec.path)}",
        "parameters": _parameters(spec, components),
        "responses": _responses(spec, components),
    }
    if spec.description:
        op["description"] = spec.description
    if spec.auth in ("user", "admin"):
        op["security"] = [{"bearer": []}]
        op["x-required-role"] = spec.auth
    elif spec.auth == "stripe":
        op["security"] = [{"stripeSignature": []}]
    else:
        op["security"] = [{}, {"bearer": []}]
    if spec.body is not None:
        # A body whose every field is optional (a PATCH) may be left out entirely.
        op["requestBody"] = {"required": not _all_optional(spec.body), "content": {
            "application/json": {"schema": _input_schema(spec.body, components)}}}
    return op


def _all_optional(body: Any) -> bool:
    return isinstance(body, type) and issubclass(body, BaseModel) and not any(
        f.is_required() for f in body.model_fields.values())


_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
_SLUG_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200}


def _path_parameter(name: str, typ: type) -> dict[str, Any]:
    takes_id = typ is int
    param: dict[str, Any] = {"name": name, "in": "path", "required": True,
                             "schema": dict(_ID_SCHEMA if takes_id else _SLUG_SCHEMA)}
    if description := path_refs.describe(name, takes_id):
        param["description"] = description
    return param


def _parameters(spec: RouteSpec, components: dict[str, Any]) -> list[dict[str, Any]]:
    params = [_path_parameter(name, typ) for name, typ in spec.path_params.items()]
    if spec.query is not None:
        # Query models are spread into parameters, never referenced as one component.
        schema = TypeAdapter(spec.query).json_schema(ref_template=_REF, mode="validation")
        components.update(schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params


def _responses(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": _STATUS_TEXT.get(spec.status, "Success")}
    if spec.status != 204:
        if spec.response is not None:
            ok["content"] = {spec.media_type: {"schema": _schema(spec.response, components)}}
        elif spec.media_type != "application/json":
            ok["content"] = {media: {"schema": {"type": "string"}}
                             for media in (spec.media_type, *spec.other_media_types)}
    responses: dict[str, Any] = {str(spec.status): ok}
    # 503: a dependency (the database first) is unreachable, with Retry-After.
    codes = set(spec.errors) | {429, 500, 503}
    if spec.auth == "stripe":
        codes.add(400)  # a missing, forged or stale signature
    else:
        codes.add(401)  # public routes too: a token that is sent must be valid
    if spec.auth == "admin":
        codes.add(403)
    if spec.body is not None or spec.query is not None or spec.path_params:
        codes.add(422)
    if spec.body is not None:
        codes.add(413)
    if spec.writes:
        codes.add(409)  # also: a transaction that still conflicted after the unit of work's retries
    for code in sorted(codes):
        ref = "HTTPValidationError" if code == 422 else "HTTPError"
        responses[str(code)] = {"description": _STATUS_TEXT.get(code, "Error"),
                                "content": {"application/json": {"schema": {"$ref": _REF.format(model=ref)}}}}
    return responses


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _PATH_PARAM.sub(r"by_\1", path.removeprefix("/api/")).lower()).strip("_")
