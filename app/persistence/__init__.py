"""Persistence adapter: the only package that imports SQLAlchemy. Engine state is opaque JSON here."""
