"""Luodi (落地): an OKR platform that carries strategy down to every team and person."""

__version__ = "0.1.0"
