"""Follow-up cases: after an arrest, the minimum a lawyer needs, for legal support only."""
