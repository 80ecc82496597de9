"""Jutsu Labs: notify package."""
