"""Liveness and readiness for load balancers and the people running the deployment."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from vecinos import __version__
from vecinos.web.deps import ReadDbDep
from vecinos.web.policy import Anyone

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health")
def health(db: ReadDbDep, _caller: Anyone) -> Health:
    db.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=db.get_bind().dialect.name)
