"""Fan-out benchmark: H3 matching vs PostGIS vs a NumPy scan, outbox write, worker drain."""
