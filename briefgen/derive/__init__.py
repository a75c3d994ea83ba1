"""Derived figures (beat/miss, growth, USD, capex against plan), number formatting, sentences."""
