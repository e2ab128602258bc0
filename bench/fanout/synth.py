"""Synthetic subscribers over Los Angeles County, dense where people live.

A mixture of Gaussian clusters on the county's population centres (weights roughly follow
their populations) plus a thin uniform background, clipped to the county's outline used by
`VECINOS_SERVICE_AREA_GEOJSON`. Radii, languages and channels follow what a county-wide
coalition expects: mostly small circles, Spanish and English first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SOUTH, NORTH, WEST, EAST = 33.70, 34.82, -118.95, -117.65
KM_PER_DEGREE_LAT = 111.195

# (lat, lon, weight, spread in km): the places most of the county's ten million live.
CENTRES = [
    (34.05, -118.25, 0.14, 6),  # Downtown and central Los Angeles
    (34.03, -118.17, 0.08, 4),  # Boyle Heights, East Los Angeles
    (33.96, -118.28, 0.12, 6),  # South Los Angeles
    (33.79, -118.17, 0.08, 5),  # Long Beach
    (34.20, -118.45, 0.13, 9),  # San Fernando Valley
    (34.16, -118.18, 0.07, 5),  # Pasadena, Glendale
    (34.03, -118.45, 0.06, 5),  # Westside, Santa Monica
    (34.07, -118.03, 0.09, 8),  # San Gabriel Valley, El Monte
    (34.06, -117.75, 0.04, 5),  # Pomona
    (33.85, -118.33, 0.06, 5),  # South Bay, Torrance
    (34.65, -118.15, 0.03, 8),  # Antelope Valley
    (33.93, -118.05, 0.06, 6),  # Whittier, Norwalk
]
BACKGROUND = 0.04  # share spread evenly over the whole outline
RADII = (1000, 2000, 5000, 10000)
RADIUS_SHARE = (0.30, 0.35, 0.25, 0.10)
LANGUAGES = ("es", "en", "ko", "zh", "tl")
LANGUAGE_SHARE = (0.50, 0.42, 0.03, 0.03, 0.02)
CHANNELS = ("sms", "email", "push")
CHANNEL_SHARE = (0.60, 0.25, 0.15)


@dataclass(frozen=True)
class Population:
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    radius_m: NDArray[np.int64]
    language: NDArray[np.str_]
    channel: NDArray[np.str_]
    wants_rumour_control: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.lat)


def points(n: int, rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """`n` points with the county's density: clusters plus background, inside the outline."""
    weights = np.array([c[2] for c in CENTRES] + [BACKGROUND])
    which = rng.choice(len(weights), size=n, p=weights / weights.sum())
    lat = rng.uniform(SOUTH, NORTH, n)
    lon = rng.uniform(WEST, EAST, n)
    for i, (c_lat, c_lon, _, spread_km) in enumerate(CENTRES):
        mask = which == i
        count = int(mask.sum())
        lat[mask] = c_lat + rng.normal(0, spread_km / KM_PER_DEGREE_LAT, count)
        km_per_degree_lon = KM_PER_DEGREE_LAT * np.cos(np.radians(c_lat))
        lon[mask] = c_lon + rng.normal(0, spread_km / km_per_degree_lon, count)
    return np.clip(lat, SOUTH, NORTH), np.clip(lon, WEST, EAST)


def population(n: int, seed: int = 4) -> Population:
    rng = np.random.default_rng(seed)
    lat, lon = points(n, rng)
    return Population(
        lat=lat,
        lon=lon,
        radius_m=rng.choice(np.array(RADII), size=n, p=RADIUS_SHARE),
        language=rng.choice(np.array(LANGUAGES), size=n, p=LANGUAGE_SHARE),
        channel=rng.choice(np.array(CHANNELS), size=n, p=CHANNEL_SHARE),
        wants_rumour_control=rng.random(n) < 0.4,
    )


def incidents(n: int, seed: int = 7) -> list[tuple[float, float]]:
    """Incidents happen where people are: drawn from the same density."""
    lat, lon = points(n, np.random.default_rng(seed))
    return [(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]
