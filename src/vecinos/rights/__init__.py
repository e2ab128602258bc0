"""Know-your-rights kit: multilingual content, web pages, SMS replies, cards, posters, audio.

Content lives in `content/*.yaml` (one file per language, sources in `sources.yaml`); a
coalition adds its hotline and legal partners through `VECINOS_RIGHTS_OVERRIDES`. See
docs/rights.md for the content format, the override file and the language fallback rule.
"""
