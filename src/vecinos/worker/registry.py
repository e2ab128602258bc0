"""Which periodic jobs the worker runs: a name, a function, how often.

A job is `function(db, now, settings) -> int` (how many items it handled). It runs inside one
transaction the worker owns, finds its due work in the database and claims each item
atomically, so any number of workers may run side by side. Domains add their jobs to
`BUILTIN_JOBS` by dotted path, which keeps this module free of imports from every domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from sqlalchemy.orm import Session

from vecinos.config import Settings

log = logging.getLogger("vecinos.worker")

JobFunction = Callable[[Session, datetime, Settings], int]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every_seconds: float


@dataclass(frozen=True)
class JobSpec:
    name: str
    target: str  # "package.module:function"
    every_seconds: float


BUILTIN_JOBS: tuple[JobSpec, ...] = (
    # Offer time-outs: a round nobody accepted in time escalates to the next responders.
    JobSpec("dispatch.escalate", "vecinos.dispatch.jobs:escalate_due", 1),
    # Forgotten shifts end, and their locations are deleted.
    JobSpec("dispatch.close_stale_shifts", "vecinos.dispatch.jobs:close_stale_shifts", 60),
    # Incidents nobody could verify in time become expired.
    JobSpec("incidents.expire_stale", "vecinos.incidents.service:expire_stale_incidents", 60),
    # Reporters' callback contacts are purged after the retention window.
    JobSpec("reports.purge_contacts", "vecinos.reports.intake:purge_expired_contacts", 300),
    # Confirmed, unfounded and ended incidents nobody announced by hand alert after the hold.
    JobSpec("alerts.publish_due", "vecinos.alerts.publishing:publish_due", 1),
    # Alerts waiting for a second person's approval expire at their deadline.
    JobSpec("alerts.expire_approvals", "vecinos.alerts.approvals:expire_due", 15),
    # Deliveries of alerts that expired before they could go are failed, never sent late.
    # (Sending itself is the delivery engine's, beside these jobs: vecinos.alerts.sending.)
    JobSpec("alerts.expire_deliveries", "vecinos.alerts.delivery:expire_stale", 60),
    # Subscribers' contacts move to the current data key; keys nobody uses are destroyed.
    JobSpec("alerts.rotate_contact_keys", "vecinos.alerts.contact_keys:rotate_contact_keys", 60),
    # Rate buckets nobody took from for a day (full again) are forgotten.
    JobSpec("limits.forget_idle", "vecinos.limits:forget_idle", 3600),
    # Proof-of-work challenges past their expiry are refused anyway: their records go.
    JobSpec("reports.forget_expired_challenges", "vecinos.reports.challenge:forget_expired", 600),
    # Subscriptions nobody confirmed in time: their encrypted contacts are deleted.
    JobSpec("alerts.purge_lapsed", "vecinos.alerts.subscriptions:purge_lapsed_job", 300),
    # Browser recordings whose phone went silent are sealed: their hash goes on the timeline.
    JobSpec("evidence.seal_idle", "vecinos.evidence.recording:seal_idle_recordings", 60),
    # Each organization's retention policy: old media and settled incidents go, holds stay.
    JobSpec("evidence.retention", "vecinos.evidence.retention:apply_policies", 3600),
    # Closed follow-up cases past their retention window; a legal hold keeps them.
    JobSpec("cases.purge_closed", "vecinos.cases.purge:purge_closed", 3600),
    # Coverage: slots made as far ahead as the horizon; reminders and short-slot notices,
    # each exactly once; accompaniment requests deleted after their date plus retention.
    JobSpec("coverage.extend_horizons", "vecinos.coverage.schedules:extend_horizons", 3600),
    JobSpec("coverage.remind", "vecinos.coverage.reminders:send_reminders", 30),
    JobSpec("coverage.rotate_contact_keys", "vecinos.coverage.contacts:rotate_contact_keys", 60),
    JobSpec("coverage.purge_accompaniments", "vecinos.coverage.accompaniment:purge", 3600),
    # Text conversations nobody finished in time: deleted, half-written answers and all.
    JobSpec("hotline.purge_texts", "vecinos.hotline.conversation:purge_expired", 60),
    # People who texted a report hear how it ended; their sealed numbers go after retention.
    JobSpec("hotline.text_status", "vecinos.hotline.followup:send_due", 5),
    # Hotline callers' sealed numbers are erased after the callback retention.
    JobSpec("hotline.purge_callers", "vecinos.hotline.calls:purge_callers", 300),
    # Hotline messages: fetched into evidence storage, then deleted at the provider.
    JobSpec("hotline.fetch_recordings", "vecinos.hotline.recordings:fetch_due", 10),
    # Hotline operators' numbers move to the current key; keys nobody uses are destroyed.
    JobSpec("hotline.rotate_operator_keys", "vecinos.hotline.operators:rotate_keys", 3600),
    # Hotline messages erased and call-log rows deleted once their windows have passed.
    JobSpec("hotline.purge_call_log", "vecinos.hotline.retention:purge", 3600),
    # Hashes waiting for an RFC 3161 time-stamp: asked for, checked, stored; retried when down.
    JobSpec("anchoring.stamp_due", "vecinos.anchoring.stamping:stamp_due", 5),
)


def resolve(spec: JobSpec) -> Job:
    module_name, _, attribute = spec.target.partition(":")
    function: JobFunction = getattr(import_module(module_name), attribute)
    return Job(spec.name, function, spec.every_seconds)


def load_jobs(specs: Iterable[JobSpec] = BUILTIN_JOBS) -> list[Job]:
    """Every job that resolves; one that does not is logged loudly and left out."""
    jobs = []
    for spec in specs:
        try:
            jobs.append(resolve(spec))
        except (ImportError, AttributeError):
            log.error("worker job %s: cannot import %s; it will not run", spec.name, spec.target)
    return jobs
