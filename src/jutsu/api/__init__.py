"""Jutsu Labs: api package."""
