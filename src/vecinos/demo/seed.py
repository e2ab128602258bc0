"""The demo coalition: four organizations over real Los Angeles County neighbourhoods.

Every person here is invented. Zone outlines are simplified, approximate neighbourhood
shapes, good for a demo map and nothing else.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import passwords, totp
from vecinos.accounts.members import create_organization, the_coalition
from vecinos.accounts.models import Member, Organization, Role, RoleGrant
from vecinos.config import LA_COUNTY_AREA, Settings
from vecinos.crypto import Encryptor
from vecinos.demo.coverage import seed_coverage
from vecinos.demo.hotline import keep_hotline_staffed, seed_hotline
from vecinos.geo.landmarks import LandmarkFields, create_landmark
from vecinos.geo.zones import create_zone
from vecinos.insights.demo_history import seed_history

DEMO_PASSWORD = "vecinos-demo-2026"  # noqa: S105 - printed for the demo on purpose
EMAIL_DOMAIN = "demo.vecinos.example"


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    slug: str
    zone: str
    outline: list[tuple[float, float]]  # (longitude, latitude)
    # Public places people know, so alerts and pickers name them (approximate points).
    landmarks: tuple[tuple[str, float, float], ...] = ()


ORGANIZATIONS = (
    DemoOrganization(
        "Boyle Heights Rapid Response",
        "boyle-heights",
        "Boyle Heights",
        [
            (-118.2235, 34.0545),
            (-118.2050, 34.0590),
            (-118.1850, 34.0560),
            (-118.1760, 34.0380),
            (-118.1850, 34.0230),
            (-118.2150, 34.0220),
            (-118.2290, 34.0350),
            (-118.2235, 34.0545),
        ],
        (
            ("Mariachi Plaza", 34.0472, -118.2195),
            ("El Mercado de Los Ángeles", 34.0383, -118.2050),
        ),
    ),
    DemoOrganization(
        "San Gabriel Valley Vecinos",
        "sgv-vecinos",
        "Alhambra",
        [
            (-118.1650, 34.0650),
            (-118.1200, 34.0650),
            (-118.1080, 34.0850),
            (-118.1150, 34.1080),
            (-118.1500, 34.1100),
            (-118.1680, 34.0900),
            (-118.1650, 34.0650),
        ],
    ),
    DemoOrganization(
        "Northeast Valley Network",
        "ne-valley",
        "San Fernando",
        [
            (-118.4560, 34.2800),
            (-118.4380, 34.2950),
            (-118.4180, 34.2930),
            (-118.4130, 34.2780),
            (-118.4300, 34.2670),
            (-118.4500, 34.2680),
            (-118.4560, 34.2800),
        ],
    ),
    DemoOrganization(
        "South LA Community Watch",
        "south-la",
        "South LA",
        [
            (-118.3090, 34.0180),
            (-118.2560, 34.0180),
            (-118.2420, 33.9900),
            (-118.2480, 33.9560),
            (-118.2900, 33.9540),
            (-118.3100, 33.9800),
            (-118.3090, 34.0180),
        ],
        (("Exposition Park", 34.0169, -118.2877),),
    ),
)

FIRST_NAMES = (
    "Ana",
    "Luis",
    "Marisol",
    "Tomás",
    "Lupe",
    "Diego",
    "Rosa",
    "Iván",
    "Nayeli",
    "Ernesto",
    "Citlali",
    "Mateo",
    "Yesenia",
    "Rubén",
    "Itzel",
    "Joaquín",
    "Paloma",
    "Héctor",
    "Brenda",
    "Santiago",
    "Xochitl",
    "Andrés",
    "Carmen",
    "Emilio",
    "Dalia",
    "Kevin",
    "Min-ji",
    "Thao",
    "Arpi",
    "Dario",
)
LAST_NAMES = (
    "Arreola",
    "Benavides",
    "Cisneros",
    "Duarte",
    "Escobedo",
    "Fuentes",
    "Galindo",
    "Huerta",
    "Ibarra",
    "Jaramillo",
    "Lozano",
    "Madrigal",
    "Navarro",
    "Ocampo",
    "Padilla",
    "Quintero",
    "Rosales",
    "Saucedo",
    "Tapia",
    "Villalobos",
    "Zamora",
    "Nguyen",
    "Park",
    "Sarkisian",
)
RESPONDERS_PER_ORGANIZATION = 6


@dataclass
class DemoLogin:
    email: str
    display_name: str
    organization: str
    roles: list[Role]
    totp_secret: str | None = None


@dataclass
class DemoSeed:
    created: bool
    logins: list[DemoLogin] = field(default_factory=list)


def is_seeded(db: Session) -> bool:
    return _first_organization(db) is not None


def _first_organization(db: Session) -> int | None:
    return db.scalar(select(Organization.id).where(Organization.slug == ORGANIZATIONS[0].slug))


def seed(
    db: Session,
    *,
    now: datetime,
    encryptor: Encryptor,
    coalition_name: str,
    area: str = LA_COUNTY_AREA,
    settings: Settings | None = None,
) -> DemoSeed:
    """Create the demo coalition once; later runs change nothing but the hotline's shift.
    `area`: the service area (GeoJSON) that landmarks must lie in. With `settings` (the keyring
    that seals an operator's phone, the check-in rules), a hotline operator is on a shift under
    way, on every run."""
    first = _first_organization(db)
    if first is not None:
        if settings is not None:
            keep_hotline_staffed(db, first, now=now, settings=settings)
        return DemoSeed(created=False)
    rng = random.Random(2026)  # noqa: S311 - reproducible names, not secrets
    password_hash = passwords.hash_password(DEMO_PASSWORD)  # one slow hash for every demo login
    coalition = the_coalition(db, coalition_name)
    result = DemoSeed(created=True)
    names = _invented_names(rng)
    for index, spec in enumerate(ORGANIZATIONS):
        org = create_organization(db, coalition, spec.name, spec.slug, now=now)
        create_zone(db, org.id, spec.zone, _polygon(spec.outline), now=now)
        for name, lat, lon in spec.landmarks:
            fields = LandmarkFields(name, lat, lon)
            create_landmark(db, org.id, fields, service_area_geojson=area, now=now)
        staff = [
            (f"coordinator@{spec.slug}.{EMAIL_DOMAIN}", [Role.COORDINATOR]),
            (f"dispatcher@{spec.slug}.{EMAIL_DOMAIN}", [Role.DISPATCHER]),
        ]
        if index == 0:
            staff += [
                (f"legal@{spec.slug}.{EMAIL_DOMAIN}", [Role.LEGAL]),
                (f"admin@{EMAIL_DOMAIN}", [Role.ADMIN, Role.COORDINATOR]),
            ]
        for email, roles in staff:
            result.logins.append(
                _add_member(db, org, email, next(names), roles, password_hash, encryptor, now)
            )
        for _ in range(RESPONDERS_PER_ORGANIZATION):
            name = next(names)
            email = f"{name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"
            result.logins.append(
                _add_member(
                    db, org, _ascii(email), name, [Role.RESPONDER], password_hash, encryptor, now
                )
            )
    seed_history(db, now=now)  # a few weeks of incidents, so the dashboards have data
    demo_organizations = db.execute(
        select(Organization.id, Organization.slug).where(
            Organization.slug.in_([spec.slug for spec in ORGANIZATIONS])
        )
    ).all()
    order = {spec.slug: i for i, spec in enumerate(ORGANIZATIONS)}
    organizations = sorted(((o.id, o.slug) for o in demo_organizations), key=lambda o: order[o[1]])
    seed_coverage(db, organizations, now=now, area=area)  # planned shifts, training, sites
    if settings is not None:
        seed_hotline(db, organizations[0][0], now=now, settings=settings)  # a call rings someone
    return result


def _invented_names(rng: random.Random) -> Iterator[str]:
    pairs = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    return iter(pairs)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _polygon(outline: list[tuple[float, float]]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [[list(point) for point in outline]]}


def _add_member(
    db: Session,
    org: Organization,
    email: str,
    name: str,
    roles: list[Role],
    password_hash: str,
    encryptor: Encryptor,
    now: datetime,
) -> DemoLogin:
    member = Member(email=email, display_name=name, password_hash=password_hash, created_at=now)
    member.grants = [RoleGrant(organization_id=org.id, role=role, granted_at=now) for role in roles]
    login = DemoLogin(email=email, display_name=name, organization=org.name, roles=roles)
    if member.needs_totp:
        login.totp_secret = totp.new_secret()
        member.totp_secret = encryptor.encrypt(login.totp_secret)
        member.totp_enabled_at = now
    db.add(member)
    db.flush()
    return login
