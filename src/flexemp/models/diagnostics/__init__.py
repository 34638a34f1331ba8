"""Diagnostics: functions that take a design or a result (VIF …)."""
