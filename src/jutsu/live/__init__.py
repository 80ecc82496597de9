"""Jutsu Labs: live package."""
