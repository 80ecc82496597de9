"""Jutsu Labs: config package."""
