"""Helpers the rules share. Rules import from here, never from each other."""
