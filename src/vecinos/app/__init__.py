"""The application assembled above the domains: the FastAPI app, its lifespan, every
router wired in, the site's own pages, and what runs beside it."""
