"""Descriptive analyses of survey scales: reliability and validity."""
