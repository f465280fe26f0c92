"""Reusable Qt widgets and item models shared by the panels."""
