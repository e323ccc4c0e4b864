"""Pydantic models shared by every sitrep process; JSON Schemas for other clients live in schemas/json/."""
