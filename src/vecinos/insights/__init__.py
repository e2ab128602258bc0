"""Insights: dashboards for coordinators and the coalition, the public transparency page, and
coordinators' CSV and GeoJSON exports. Everything here reads other domains' data; nothing writes
it (except the demo history, which goes through those domains' own service functions)."""
