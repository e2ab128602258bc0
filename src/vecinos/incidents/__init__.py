"""Incidents: clusters of reports, their verification states and their hash-chained timeline."""
