"""Jutsu Labs: cli package."""
