"""Response models of the certificates router."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CertificateSeries(BaseModel):
    id: int
    slug: str
    title: str


class CertificateOut(BaseModel):
    code: str = Field(description="24 characters: 80 random bits and a check")
    url: str = Field(description="the certificate's page on the site (FRONTEND_ORIGIN)")
    print_url: str = Field(description="a printable HTML certificate served by the API")
    holder_name: str
    series: CertificateSeries
    issued_at: datetime
