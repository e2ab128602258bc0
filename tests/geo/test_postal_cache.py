"""The ZIP codes `vecinos serve` keeps under its data directory: the same codes as the package's,
read back at the next start, and made again when the file is unreadable."""

from __future__ import annotations

from pathlib import Path

from vecinos.geo import postal


def test_the_first_start_keeps_the_codes_and_the_next_reads_them(
    zip_codes_unloaded: None, tmp_path: Path
) -> None:
    postal.warm(tmp_path)
    from_package = postal._all()
    assert postal.cache_file(tmp_path).is_file()
    assert postal.by_code("90033") is not None

    postal._loaded = None
    postal._by_code.cache_clear()
    postal._tree.cache_clear()
    postal.warm(tmp_path)
    assert postal._all() == from_package
    assert postal.by_code("90033") == from_package_code(from_package, "90033")


def test_an_unreadable_file_is_made_again(zip_codes_unloaded: None, tmp_path: Path) -> None:
    kept = postal.cache_file(tmp_path)
    kept.parent.mkdir(parents=True)
    kept.write_text('[["90033", "Los Ang')  # cut short
    postal.warm(tmp_path)
    assert postal.by_code("90033") is not None
    assert kept.read_text().startswith('[["')
    assert len(kept.read_text()) > 100_000


def from_package_code(codes: tuple[postal.ZipCode, ...], code: str) -> postal.ZipCode:
    return next(z for z in codes if z.code == code)


def test_codes_asked_for_before_the_warm_up_come_from_the_kept_file(
    zip_codes_unloaded: None, tmp_path: Path
) -> None:
    """`vecinos serve` warms the codes beside the serving app: a place named before that load
    ends reads the kept file too, never the package's slow load."""
    kept = postal.cache_file(tmp_path)
    kept.parent.mkdir(parents=True)
    kept.write_text('[["00001", "Testville", "CA", 34.0, -118.0]]')
    postal.keep_under(tmp_path)
    assert postal.by_code("00001") == postal.ZipCode("00001", "Testville", "CA", 34.0, -118.0)
    assert postal.by_code("90033") is None
