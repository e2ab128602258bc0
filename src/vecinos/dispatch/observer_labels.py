"""Words for the observer report's choices, in the responder's language."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from vecinos.dispatch.observer_models import Equipment, Need, Warrant
from vecinos.i18n import N_, gettext
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS, Colour, VehicleType

EQUIPMENT_LABELS: dict[Equipment, str] = {
    Equipment.BODY_ARMOUR: N_("Vests or body armour"),
    Equipment.FACE_COVERINGS: N_("Faces covered"),
    Equipment.FIREARMS_VISIBLE: N_("Firearms visible"),
    Equipment.LONG_GUNS: N_("Long guns"),
    Equipment.BODY_CAMERAS: N_("Body cameras"),
    Equipment.RESTRAINTS: N_("Handcuffs or restraints"),
    Equipment.FORCED_ENTRY_TOOLS: N_("Tools to force a door"),
    Equipment.OTHER: N_("Something else"),
}
WARRANT_LABELS: dict[Warrant, str] = {
    Warrant.JUDICIAL: N_("Judicial: signed by a judge, names a court"),
    Warrant.ADMINISTRATIVE: N_(
        "Administrative: signed by an immigration officer (e.g. I-200, I-205)"
    ),
    Warrant.NONE: N_("None shown"),
    Warrant.UNKNOWN: N_("Could not tell"),
}
NEED_LABELS: dict[Need, str] = {
    Need.LEGAL_HELP: N_("A lawyer"),
    Need.BOND_SUPPORT: N_("Help with bond"),
    Need.CHILDCARE: N_("Someone to care for children"),
    Need.FOOD_OR_HOUSING: N_("Food or housing"),
    Need.INTERPRETER: N_("An interpreter"),
    Need.EMOTIONAL_SUPPORT: N_("Someone to talk to"),
    Need.OTHER: N_("Something else"),
}
VEHICLE_LABELS: dict[VehicleType, str] = {
    VehicleType.SEDAN: N_("Sedan"),
    VehicleType.SUV: N_("SUV"),
    VehicleType.VAN: N_("Van"),
    VehicleType.PICKUP: N_("Pickup"),
    VehicleType.BUS: N_("Bus"),
    VehicleType.MOTORCYCLE: N_("Motorcycle"),
    VehicleType.OTHER: N_("Other vehicle"),
}
COLOUR_LABELS: dict[Colour, str] = {
    Colour.BLACK: N_("Black"),
    Colour.WHITE: N_("White"),
    Colour.GREY: N_("Grey"),
    Colour.SILVER: N_("Silver"),
    Colour.BLUE: N_("Blue"),
    Colour.RED: N_("Red"),
    Colour.GREEN: N_("Green"),
    Colour.OTHER: N_("Other colour"),
}


E = TypeVar("E", bound=StrEnum)


def choices(labels: Mapping[E, str], language: str) -> list[tuple[str, str]]:
    return [(key.value, gettext(language, label)) for key, label in labels.items()]


def form_choices(language: str) -> dict[str, list[tuple[str, str]]]:
    """Every list of choices the observer report form offers."""
    return {
        "activities": choices(ACTIVITY_LABELS, language),
        "agencies": choices(AGENCY_LABELS, language),
        "equipment": choices(EQUIPMENT_LABELS, language),
        "warrants": choices(WARRANT_LABELS, language),
        "needs": choices(NEED_LABELS, language),
        "vehicle_types": choices(VEHICLE_LABELS, language),
        "colours": choices(COLOUR_LABELS, language),
    }
