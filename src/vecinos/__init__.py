"""vecinos: community rapid-response networks — verified alerts instead of rumours."""

__version__ = "0.1.0"
