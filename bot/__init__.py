"""Izdeu: guided reports, letters and follow-up for families of missing people."""
