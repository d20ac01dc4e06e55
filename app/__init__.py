"""Creatify Studio's Qt-free core: API client, generator specs, pricing, simulator."""

__version__ = "0.1.0"
APP_NAME = "Creatify Studio"
