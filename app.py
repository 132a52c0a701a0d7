"""Chalice entry point: builds the app from the router registry.

Deployed, each router is its own Lambda function with ``ROUTER=<name>`` set, so the function
imports and registers only that router's module. Without ``ROUTER`` (``make run``, the tests,
``chalice package`` and the OpenAPI document) every router and event handler is registered.
A blueprint can be registered in only one app per process: never build a second app.
"""
import os

from chalice.app import Chalice

from functions import blueprints
from layers.core.logging import configure as configure_logging
from layers.http.middleware import http_middleware

configure_logging()
app = Chalice(app_name="blog-api")
app.log.propagate = True
app.register_middleware(http_middleware, "http")
for _blueprint in blueprints(os.environ.get("ROUTER") or None):
    app.register_blueprint(_blueprint)
