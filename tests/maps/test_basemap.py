"""The self-hosted basemap: a PMTiles file in the data directory, served tile by tile."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

from fastapi.testclient import TestClient
from pmtiles.tile import Compression, TileType

from tests.maps.pmtiles_files import png, write_pmtiles
from vecinos.config import Settings
from vecinos.maps.basemap import Basemap, basemap_of
from vecinos.maps.view import TILE_PATH, map_view

GREEN = (200, 230, 200)


def scattered_tiles(up_to_zoom: int) -> list[tuple[tuple[int, int, int], bytes]]:
    """Most tiles of the first zoom levels, of uneven sizes: a directory that compresses badly."""
    chance = random.Random(13)
    return [
        ((z, x, y), f"{z}/{x}/{y}".encode() * chance.randint(1, 40))
        for z in range(up_to_zoom + 1)
        for x in range(2**z)
        for y in range(2**z)
        if chance.random() < 0.7
    ]


def test_every_tile_is_found_through_leaf_directories(tmp_path: Path) -> None:
    tiles = scattered_tiles(7)  # ~15,000 tiles: too many for the root directory alone
    basemap = Basemap(write_pmtiles(tmp_path / "all.pmtiles", tiles))
    assert basemap.header["leaf_directory_length"] > 0
    for (z, x, y), data in tiles[::97] + tiles[-3:]:
        found = basemap.tile(z, x, y)
        assert found is not None and found.data == data, (z, x, y)
    assert basemap.tile(8, 0, 0) is None
    assert basemap.tile(3, 8, 0) is None  # outside the zoom level's grid


def test_raster_tiles_are_served_with_their_type(client: TestClient, settings: Settings) -> None:
    image = png(GREEN)
    write_pmtiles(settings.data_dir / "basemap.pmtiles", [((1, 0, 1), image)], attribution="© Test")
    answer = client.get("/map/tiles/1/0/1")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.content == image
    assert "max-age" in answer.headers["cache-control"]
    assert client.get("/map/tiles/1/1/1").status_code == 404
    assert client.get("/map/tiles/1/0/2").status_code == 404  # not on the grid at all
    view = map_view(settings)
    assert (view.tile_url, view.tile_kind, view.attribution) == (TILE_PATH, "raster", "© Test")


def test_vector_tiles_travel_gzipped_or_plain_as_the_client_accepts(
    client: TestClient, settings: Settings
) -> None:
    layer = b"\x1a\x07x\x02\n\x03one"  # bytes of a vector tile; the server never parses them
    write_pmtiles(
        settings.data_dir / "basemap.pmtiles",
        [((0, 0, 0), layer)],
        tile_type=TileType.MVT,
        compression=Compression.GZIP,
    )
    zipped = client.get("/map/tiles/0/0/0", headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == layer  # httpx undoes the gzip, as a browser does
    plain = client.get("/map/tiles/0/0/0", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == layer
    assert map_view(settings).vector


def test_a_new_file_is_picked_up_and_a_broken_one_means_no_basemap(
    settings: Settings,
) -> None:
    path = settings.data_dir / "basemap.pmtiles"
    assert basemap_of(settings) is None and map_view(settings).tile_url == ""
    write_pmtiles(path, [((0, 0, 0), png(GREEN))])
    first = basemap_of(settings)
    assert first is not None and first.tile(0, 0, 0) is not None
    write_pmtiles(path, [((0, 0, 0), png(GREEN)), ((1, 1, 1), png((1, 2, 3)))])
    second = basemap_of(settings)
    assert second is not first and second is not None and second.tile(1, 1, 1) is not None
    path.write_bytes(gzip.compress(b"not a basemap"))
    assert basemap_of(settings) is None
    assert map_view(settings).tile_url == ""


def test_a_tile_url_wins_over_the_file(settings: Settings) -> None:
    write_pmtiles(settings.data_dir / "basemap.pmtiles", [((0, 0, 0), png(GREEN))])
    chosen = settings.model_copy(
        update={"map_tile_url": "https://tiles.example.org/{z}/{x}/{y}.png"}
    )
    assert map_view(chosen).tile_url.startswith("https://tiles.example.org/")
