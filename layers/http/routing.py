"""The one route decorator.

``Router("posts").get("/api/posts", query=ListQuery, response=Page[PostOut])`` registers a Chalice
route on the router's blueprint and records a ``RouteSpec`` for the OpenAPI document. At request
time the wrapper, in this order:

1. opens the request's unit of work (``layers.core.uow``): one transaction, on a connection
   checked out on first use;
2. rejects oversized bodies (413) before parsing anything;
3. authenticates the bearer token (401, on the request's own connection) and checks the role
   (403); a ``stripe`` route instead verifies the ``Stripe-Signature`` of the raw body (400);
4. applies the route group's rate limit (429, fails open when Redis is down), looked up in the
   same Redis round trip as the token's revocation;
5. validates path, query and body with pydantic (422 in FastAPI's shape);
6. calls the handler with what it declares, serialises its result through the declared response
   model (so a field the model does not declare, a password hash say, never reaches the client),
   then commits, or rolls back on any error, and relays the committed outbox rows to SQS.

A handler declares its needs by parameter name: its path parameters, ``body``, ``query``, and

- ``db``: the request's connection, inside its transaction (services never commit);
- ``user``: the signed-in ``CurrentUser`` (routes with ``auth="user"`` or ``"admin"``);
- ``viewer``: the ``CurrentUser`` or None (public routes that personalise);
- ``request``: the ``RequestContext`` (client IP, headers, raw body, request id);
- ``event``: the verified Stripe event (``auth="stripe"`` routes);
- any provider of the composition root, ``layers.bootstrap`` (``settings``, ``clock``,
  ``redis``, ``aws``, ``mailer``, ``payments``, ``embeddings``, ``answers``, ``sandbox``).

Handlers therefore only translate HTTP to a service call.
"""
from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from layers import bootstrap
from layers.core.errors import BadRequest, Forbidden, PayloadTooLarge, Unauthorized, ValidationFailed
from layers.core.settings import get_settings
from layers.core.uow import CONFLICT_ATTEMPTS, UnitOfWork
from layers.http.context import RequestContext
from layers.http.docstrings import first_sentence
from layers.http.errors import JSON_HEADERS, error_response, json_response, pydantic_errors
from layers.tasks.relay import unit_of_work

Auth = Literal["public", "user", "admin", "stripe"]
_PATH_PARAM = re.compile(r"{(\w+)}")
_PATH_ADAPTERS: dict[type, TypeAdapter[Any]] = {int: TypeAdapter(int), str: TypeAdapter(str)}
# JSON bodies are parsed from the raw bytes here, so Chalice must accept these types untouched.
_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"]


@dataclass(frozen=True)
class RouteSpec:
    router: str
    tag: str
    method: str
    path: str
    summary: str
    description: str
    auth: Auth
    status: int
    body: Any = None
    query: type[BaseModel] | None = None
    response: Any = None
    path_params: dict[str, Any] = field(default_factory=dict)
    rate_group: str = ""
    errors: tuple[int, ...] = ()
    media_type: str = "application/json"
    other_media_types: tuple[str, ...] = ()  # a route that can answer in several formats (the feed)
    writes: bool = True
    # Run again when PostgreSQL aborts the transaction as a conflict (layers.core.uow). False for
    # a handler whose effects outside the database cannot happen twice (a consumed one-time code).
    retry_conflicts: bool = True


# Every route declared in this process, in declaration order: the OpenAPI document's source.
ROUTES: list[RouteSpec] = []


class RawResponse:
    """A non-JSON answer (XML feed, HTML docs page) or one with extra headers."""

    def __init__(self, body: str | bytes, status: int = 200, content_type: str = "application/json",
                 headers: dict[str, str] | None = None) -> None:
        self.body, self.status, self.content_type = body, status, content_type
        self.headers = headers or {}


class Router:
    """One router = one Chalice blueprint = one Lambda function when deployed."""

    def __init__(self, name: str, *, tag: str | None = None) -> None:
        from chalice.app import Blueprint

        self.name = name
        self.tag = tag or name  # the OpenAPI group; several routers may share one
        self.blueprint = Blueprint(f"functions.{name}")

    def get(self, path: str, **kw: Any) -> Callable[..., Any]:
        return self.route("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Callable[..., Any]:
        return self.route("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Callable[..., Any]:
        return self.route("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Callable[..., Any]:
        return self.route("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Callable[..., Any]:
        return self.route("DELETE", path, **kw)

    def route(self, method: str, path: str, *, auth: Auth = "public", body: Any = None,
              query: type[BaseModel] | None = None, response: Any = None, status: int = 200,
              rate_group: str | None = None, errors: tuple[int, ...] = (),
              media_type: str = "application/json", summary: str | None = None,
              writes: bool | None = None, other_media_types: tuple[str, ...] = (),
              retry_conflicts: bool = True) -> Callable[..., Any]:
        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            params = _path_param_types(handler, path)
            doc = inspect.getdoc(handler) or ""
            spec = RouteSpec(
                router=self.name, tag=self.tag, method=method, path=path,
                summary=summary or first_sentence(doc) or handler.__name__,
                description=doc, auth=auth, status=status, body=body, query=query,
                response=response, path_params=params, rate_group=rate_group or self.name,
                errors=errors, media_type=media_type, other_media_types=other_media_types,
                # A GET reads: it runs without a transaction. One that writes says so.
                writes=method != "GET" if writes is None else writes, retry_conflicts=retry_conflicts,
            )
            ROUTES.append(spec)
            view = _make_view(self.blueprint, spec, handler)
            self.blueprint.route(path, methods=[method], content_types=_CONTENT_TYPES,
                                 cors=_cors())(view)
            return handler

        return decorator


def _cors() -> Any:
    from chalice.app import CORSConfig

    from layers.core.settings import Settings

    # Read from the environment, not get_settings(): CORS is baked into the API Gateway
    # definition when the app is packaged, where no secrets (and no SSM) are available.
    origin = os.environ.get("FRONTEND_ORIGIN") or Settings.model_fields["frontend_origin"].default
    return CORSConfig(
        allow_origin=origin,
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Location"],
        max_age=600,
        allow_credentials=True,
    )


def _path_param_types(handler: Callable[..., Any], path: str) -> dict[str, Any]:
    hints = inspect.signature(handler).parameters
    types = {}
    for name in _PATH_PARAM.findall(path):
        if name not in hints:
            raise TypeError(f"{handler.__name__} must accept path parameter {name!r}")
        annotation = hints[name].annotation
        types[name] = int if annotation in (int, "int") else str
    return types


# What the decorator itself supplies; anything else a handler names comes from layers.bootstrap.
_REQUEST_SCOPED = frozenset({"db", "user", "viewer", "request", "event", "body", "query"})


def _check_handler(spec: RouteSpec, handler: Callable[..., Any]) -> None:
    params = set(inspect.signature(handler).parameters)
    bootstrap.check_parameters(handler, _REQUEST_SCOPED | set(spec.path_params))
    if "user" in params and spec.auth not in ("user", "admin"):
        raise TypeError(f"{handler.__name__} asks for 'user' but its route is auth={spec.auth!r}: "
                        "use 'viewer' on public routes")
    if "event" in params and spec.auth != "stripe":
        raise TypeError(f"{handler.__name__} asks for 'event' but its route is not auth='stripe'")
    for name, declared in (("body", spec.body), ("query", spec.query)):
        if (name in params) != (declared is not None):
            raise TypeError(f"{handler.__name__}: parameter {name!r} and the route's {name}= go together")


def _make_view(blueprint: Any, spec: RouteSpec, handler: Callable[..., Any]) -> Callable[..., Any]:
    body_adapter = TypeAdapter(spec.body) if spec.body is not None else None
    response_adapter = TypeAdapter(spec.response) if spec.response is not None else None
    _check_handler(spec, handler)
    wanted = bootstrap.parameters(handler)

    def view(**path_values: str) -> Any:
        request = blueprint.current_request
        try:
            with unit_of_work(read_only=not spec.writes) as uow:
                ctx, event = _authenticate(request, spec, uow)
                if "db" not in wanted:
                    uow.release()
                inputs = _validated_inputs(request, spec, body_adapter, path_values, ctx)
                scoped = {"user": ctx.user, "viewer": ctx.user, "request": ctx, "event": event, **inputs}
                kwargs = {name: _resolve(name, scoped, uow) for name in wanted}
                # A transaction PostgreSQL aborted as a conflict runs again (layers.core.uow).
                attempts = CONFLICT_ATTEMPTS if spec.retry_conflicts else 1
                response = _render(spec, uow.run(lambda: handler(**kwargs), attempts), response_adapter)
        except Exception as exc:  # noqa: BLE001 - the one place that maps every error
            return error_response(exc)
        return response

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _resolve(name: str, scoped: dict[str, Any], uow: UnitOfWork) -> Any:
    if name == "db":
        return uow.conn
    if name in scoped:
        return scoped[name]
    return bootstrap.provide(name)


def _authenticate(request: Any, spec: RouteSpec, uow: UnitOfWork) -> tuple[RequestContext, Any]:
    from layers.core.logging import request_id_var
    from layers.http import auth, ratelimit

    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge("request body is too large")
    headers = {k.lower(): v for k, v in request.headers.items()}
    client_ip = _client_ip(request)
    user, event, token = None, None, None
    if spec.auth == "stripe":
        event = _verified_stripe_event(raw, headers.get("stripe-signature"))
    else:
        token = auth.claims(headers.get("authorization"))
    if spec.auth in ("user", "admin") and token is None:
        raise Unauthorized("not authenticated")
    # One Redis round trip: the token's revocation and the caller's rate limit together. Its
    # verdict is applied in the usual order: 401, then 403, then 429.
    verdict = ratelimit.gate(spec.rate_group, token.user_id if token else None, client_ip,
                             auth.revocation_key(token))
    if verdict.revoked:
        raise Unauthorized("token revoked")
    if token is not None:
        user = auth.principal(token, uow)
    if spec.auth == "admin" and not (user is not None and user.is_admin):
        raise Forbidden("admin role with a verified email required")
    verdict.raise_if_limited()
    ctx = RequestContext(request_id=request_id_var.get() or "", client_ip=client_ip, user=user,
                         headers=headers, raw_body=raw)
    return ctx, event


def _verified_stripe_event(raw: bytes, signature: str | None) -> Any:
    # The payments port checks the signature on the raw bytes with the SDK (300 s tolerance);
    # nothing of an unverified body is ever parsed or applied.
    if not signature:
        raise BadRequest("missing Stripe-Signature header")
    return bootstrap.provide("payments").verify_event(raw, signature)


def _client_ip(request: Any) -> str:
    # API Gateway puts the caller's address in the request context; it already accounts for
    # X-Forwarded-For from CloudFront, and a client-sent header must never be trusted here.
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


def _validated_inputs(request: Any, spec: RouteSpec, body_adapter: TypeAdapter[Any] | None,
                      path_values: dict[str, str], ctx: RequestContext) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    for name, typ in spec.path_params.items():
        try:
            kwargs[name] = _PATH_ADAPTERS[typ].validate_python(path_values[name], strict=False)
        except ValidationError as exc:
            errors += [{"loc": ["path", name], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        else:
            if typ is int and not (0 < kwargs[name] < 2**63):
                errors.append({"loc": ["path", name], "msg": "Input should be a valid id",
                               "type": "int_parsing"})
    if spec.query is not None:
        try:
            # Query strings are text: strict fields (ids) are parsed from it, not refused.
            kwargs["query"] = spec.query.model_validate(_query_dict(request, spec.query), strict=False)
        except ValidationError as exc:
            errors += pydantic_errors(exc, "query")
    if body_adapter is not None:
        try:
            kwargs["body"] = body_adapter.validate_python(_parse_json(ctx.raw_body, _all_optional(spec.body)))
        except ValidationError as exc:
            errors += pydantic_errors(exc, "body")
        except ValidationFailed as exc:
            errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    return kwargs


def _query_dict(request: Any, model: type[BaseModel]) -> dict[str, Any]:
    params = request.query_params
    if not params:
        return {}
    out: dict[str, Any] = {}
    for key in params.keys():
        values = params.getlist(key)
        info = model.model_fields.get(key)
        is_list = info is not None and getattr(info.annotation, "__origin__", None) is list
        out[key] = values if is_list else values[-1]
    return out


def _all_optional(body: Any) -> bool:
    return isinstance(body, type) and issubclass(body, BaseModel) and not any(
        field.is_required() for field in body.model_fields.values())


def _parse_json(raw: bytes, empty_is_object: bool) -> Any:
    if not raw.strip():
        if empty_is_object:  # a body whose every field is optional may be left out entirely
            return {}
        raise ValidationFailed([{"loc": ["body"], "msg": "Field required", "type": "missing"}])
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: absurd nesting
        pos = getattr(exc, "pos", 0)
        raise ValidationFailed([{"loc": ["body", pos], "msg": "JSON decode error",
                                 "type": "json_invalid"}]) from exc


def _render(spec: RouteSpec, result: Any, adapter: TypeAdapter[Any] | None) -> Any:
    from chalice.app import Response

    if isinstance(result, RawResponse):
        body = result.body
        return Response(body=body, status_code=result.status,
                        headers={"Content-Type": result.content_type, **result.headers})
    if spec.status == 204 or result is None and spec.response is None:
        return Response(body="", status_code=spec.status)
    if adapter is not None:
        # Serialised once, by pydantic-core: the same compact UTF-8 JSON json.dumps would give.
        text = adapter.dump_json(adapter.validate_python(result, from_attributes=True)).decode()
        return Response(body=text, status_code=spec.status, headers=dict(JSON_HEADERS))
    if isinstance(result, BaseModel):
        return json_response(spec.status, result.model_dump(mode="json"))
    return json_response(spec.status, result)


__all__ = ["Router", "RouteSpec", "ROUTES", "RawResponse"]
