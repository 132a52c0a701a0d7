"""A self-contained HTML rendering of the OpenAPI document (no CDN, works offline)."""
from __future__ import annotations

import json
from html import escape
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#111827}
h2{border-bottom:1px solid #e5e7eb;padding-bottom:.25rem;margin-top:2rem}
details{border:1px solid #e5e7eb;border-radius:6px;margin:.4rem 0;padding:.4rem .8rem}
summary{cursor:pointer}
.m{display:inline-block;width:4.5rem;font-weight:700;font-family:monospace}
.GET{color:#2563eb}.POST{color:#16a34a}.PUT{color:#ca8a04}.PATCH{color:#9333ea}.DELETE{color:#dc2626}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}
pre{background:#f9fafb;padding:.5rem;overflow:auto;max-height:20rem}
.auth{font-size:.8rem;color:#6b7280;margin-left:.5rem}
"""


def render(doc: dict[str, Any]) -> str:
    by_tag: dict[str, list[str]] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            by_tag.setdefault(op["tags"][0], []).append(_operation(path, method.upper(), op))
    sections = "".join(f"<h2>{escape(tag)}</h2>{''.join(ops)}" for tag, ops in sorted(by_tag.items()))
    info = doc["info"]
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(info['title'])}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{escape(info['title'])} "
            f"<small>{escape(info['version'])}</small></h1><p>{escape(info.get('description', ''))}</p>"
            f"<p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json</a></p>{sections}</body></html>")


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    role = op.get("x-required-role") or ("stripe" if {"stripeSignature": []} in op.get("security", []) else "public")
    parts = [f"<p>{escape(op.get('description') or '')}</p>"]
    if op.get("parameters"):
        rows = "".join(f"<li><code>{escape(p['name'])}</code> ({p['in']}{', required' if p['required'] else ''})</li>"
                       for p in op["parameters"])
        parts.append(f"<p>Parameters:</p><ul>{rows}</ul>")
    if "requestBody" in op:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        parts.append(f"<p>Request body:</p><pre>{escape(json.dumps(schema, indent=2))}</pre>")
    statuses = ", ".join(f"{code} {escape(r['description'])}" for code, r in op["responses"].items())
    parts.append(f"<p>Responses: {statuses}</p>")
    return (f"<details><summary><span class='m {method}'>{method}</span><code>{escape(path)}</code> "
            f"{escape(op['summary'])}<span class='auth'>{role}</span></summary>{''.join(parts)}</details>")
