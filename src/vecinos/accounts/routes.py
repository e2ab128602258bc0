"""The accounts domain's HTTP routes, gathered for the app factory."""

from fastapi import APIRouter

from vecinos.accounts.auth_routes import router as auth_router
from vecinos.accounts.org_routes import router as org_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(org_router)
