"""Jutsu Labs: research package."""
