"""Every domain's models, imported in one place so the metadata (and Alembic) sees them all."""

from vecinos.accounts import models as accounts_models
from vecinos.db import Base
from vecinos.geo import models as geo_models

metadata = Base.metadata

__all__ = ["accounts_models", "geo_models", "metadata"]
