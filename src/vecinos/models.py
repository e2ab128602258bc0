"""Every domain's models, imported in one place so the metadata (and Alembic) sees them all."""

from vecinos import limits as limits_models
from vecinos.accounts import models as accounts_models
from vecinos.alerts import inbox as alerts_inbox_models
from vecinos.alerts import models as alerts_models
from vecinos.alerts import outbox_models as alerts_outbox_models
from vecinos.alerts import safety_models as alerts_safety_models
from vecinos.anchoring import models as anchoring_models
from vecinos.cases import models as cases_models
from vecinos.coverage import models as coverage_models
from vecinos.db import Base
from vecinos.dispatch import models as dispatch_models
from vecinos.dispatch import observer_models as dispatch_observer_models
from vecinos.evidence import models as evidence_models
from vecinos.geo import models as geo_models
from vecinos.hotline import call_models as hotline_call_models
from vecinos.hotline import models as hotline_models
from vecinos.incidents import models as incidents_models
from vecinos.reports import models as reports_models
from vecinos.training import models as training_models
from vecinos.worker import models as worker_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "alerts_inbox_models",
    "alerts_models",
    "alerts_outbox_models",
    "alerts_safety_models",
    "anchoring_models",
    "cases_models",
    "coverage_models",
    "dispatch_models",
    "dispatch_observer_models",
    "evidence_models",
    "geo_models",
    "hotline_call_models",
    "hotline_models",
    "incidents_models",
    "limits_models",
    "metadata",
    "reports_models",
    "training_models",
    "worker_models",
]
