"""Placeholder plugin module: registers no hooks yet."""
