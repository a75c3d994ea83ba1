"""The version of briefgen, on its own so any stage can name it without importing the API."""

__version__ = "0.1.0"
