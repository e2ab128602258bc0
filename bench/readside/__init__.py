"""Read-side benchmark: the public feeds and alerts page beside nginx serving the same bytes."""
