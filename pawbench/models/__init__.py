"""Pydantic models at every boundary of pawbench."""
