"""Parsing and validation of the datasets and of user uploads (numpy only)."""
