"""Replies of the bodies as evidence: their text (typed, from a PDF, by OCR from a photo)
and the recognition of carbon-copy replies sent to many families."""
