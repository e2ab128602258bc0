"""What a report says it saw, in codes and in the words people read.

Reports record it; incidents, dispatch, evidence, cases and the hotline show it or ask for it,
so it lives below all of them.
"""

from __future__ import annotations

from enum import StrEnum

from vecinos.i18n import N_


class Activity(StrEnum):
    VEHICLES_STAGED = "vehicles_staged"
    AGENTS_ON_FOOT = "agents_on_foot"
    DOOR_KNOCKING = "door_knocking"
    ARREST_IN_PROGRESS = "arrest_in_progress"
    CHECKPOINT = "checkpoint"
    SECOND_HAND_RUMOUR = "second_hand_rumour"
    OTHER = "other"


class Agency(StrEnum):
    """The agency *as marked* on uniforms or vehicles, as the reporter saw it."""

    ICE = "ice"
    HSI = "hsi"
    CBP = "cbp"
    FBI = "fbi"
    LOCAL_POLICE = "local_police"
    UNMARKED = "unmarked"
    UNKNOWN = "unknown"


class VehicleType(StrEnum):
    SEDAN = "sedan"
    SUV = "suv"
    VAN = "van"
    PICKUP = "pickup"
    BUS = "bus"
    MOTORCYCLE = "motorcycle"
    OTHER = "other"


class Colour(StrEnum):
    BLACK = "black"
    WHITE = "white"
    GREY = "grey"
    SILVER = "silver"
    BLUE = "blue"
    RED = "red"
    GREEN = "green"
    OTHER = "other"


ACTIVITY_LABELS: dict[Activity, str] = {
    Activity.VEHICLES_STAGED: N_("Vehicles staged"),
    Activity.AGENTS_ON_FOOT: N_("Agents on foot"),
    Activity.DOOR_KNOCKING: N_("Knocking on doors"),
    Activity.ARREST_IN_PROGRESS: N_("Arrest in progress"),
    Activity.CHECKPOINT: N_("Checkpoint"),
    Activity.SECOND_HAND_RUMOUR: N_("Heard it from someone"),
    Activity.OTHER: N_("Something else"),
}
AGENCY_LABELS: dict[Agency, str] = {
    Agency.ICE: N_("ICE"),
    Agency.HSI: N_("HSI"),
    Agency.CBP: N_("Border Patrol (CBP)"),
    Agency.FBI: N_("FBI"),
    Agency.LOCAL_POLICE: N_("Local police"),
    Agency.UNMARKED: N_("Unmarked"),
    Agency.UNKNOWN: N_("Not sure"),
}
