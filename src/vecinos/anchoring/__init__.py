"""Time anchoring: RFC 3161 time-stamps from an outside authority on every hash we keep."""
