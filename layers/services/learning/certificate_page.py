"""The printable certificate: one self-contained HTML page (inline CSS, no scripts, no assets)."""
from __future__ import annotations

from html import escape
from typing import Any

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate of completion: {series}</title>
<style>
@page {{ size: A4 landscape; margin: 0; }}
body {{ margin: 0; font-family: Georgia, 'Times New Roman', serif; background: #fff; color: #1f2933; }}
main {{ box-sizing: border-box; width: 297mm; height: 210mm; padding: 22mm; border: 6mm solid #23395b;
        display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center; }}
h1 {{ font-size: 34pt; letter-spacing: 2pt; margin: 0 0 10mm; }}
.name {{ font-size: 28pt; font-style: italic; border-bottom: 1px solid #9aa5b1; padding: 0 12mm 3mm; }}
.series {{ font-size: 20pt; margin: 8mm 0; }}
footer {{ margin-top: 14mm; font-size: 10pt; color: #52606d; }}
</style></head>
<body><main>
<h1>Certificate of completion</h1>
<p>This certifies that</p>
<p class="name">{holder}</p>
<p>has read every post of the series</p>
<p class="series">{series}</p>
<footer>Issued {issued} &middot; certificate {code} &middot; verify at {verify_url}</footer>
</main></body></html>
"""


def render(certificate: dict[str, Any], verify_url: str) -> str:
    return _PAGE.format(holder=escape(certificate["holder_name"]), series=escape(certificate["series_title"]),
                        issued=escape(certificate["issued_at"].date().isoformat()),
                        code=escape(certificate["code"]), verify_url=escape(verify_url))
