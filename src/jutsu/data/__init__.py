"""Jutsu Labs: data package."""
