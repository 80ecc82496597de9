"""Jutsu Labs: core package."""
