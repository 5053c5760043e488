"""Placeholder: this adapter is being written; it registers no hooks yet."""
