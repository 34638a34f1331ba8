"""Shared building blocks: errors, option validation and small shared types."""
