"""Validation against the codebook and pseudonymisation of direct identifiers."""
