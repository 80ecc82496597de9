"""Jutsu Labs: scheduler package."""
