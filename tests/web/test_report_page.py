"""The public report page: both languages, the page-weight budget, the PWA pieces."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BUDGET_BYTES = 150 * 1024  # HTML + CSS + JS as sent compressed, map tiles excluded


def test_report_page_in_both_languages(client: TestClient) -> None:
    english = client.get("/report", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert "Report what you see" in english.text
    assert 'value="arrest_in_progress"' in english.text
    spanish = client.get("/report", headers={"Accept-Language": "es"})
    assert "Reporte lo que ve" in spanish.text and "Arresto en curso" in spanish.text


def test_report_page_loads_within_the_weight_budget(client: TestClient) -> None:
    gzip = {"Accept-Encoding": "gzip"}
    page = client.get("/report", headers=gzip)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.text)
    assert {"/static/app.css", "/static/report.js", "/static/vendor/leaflet/leaflet.js"} <= set(
        assets
    )
    sizes = {"/report": page.num_bytes_downloaded}
    for asset in assets:
        answer = client.get(asset, headers=gzip)
        assert answer.status_code == 200, asset
        assert answer.headers.get("content-encoding") == "gzip", asset
        sizes[asset] = answer.num_bytes_downloaded
    total = sum(sizes.values())
    assert total < BUDGET_BYTES, sizes


def test_nothing_is_loaded_from_another_site(client: TestClient) -> None:
    page = client.get("/report").text
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)


def test_manifest_and_service_worker_make_it_installable(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/report" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).headers["content-type"] == "image/png"
    worker = client.get("/sw.js")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "/report" in worker.text
