"""The note model: what the templates print, built from `Derived` by identity, never by text."""

from __future__ import annotations

import dataclasses

from briefgen.derive import Figure, derive
from briefgen.derive.text import said, sentence
from briefgen.note.model import key_data
from briefgen.spec.load import load_spec
from tests.conftest import SAMPLE


def test_two_key_data_figures_that_print_alike_keep_their_own_notes() -> None:
    derived = derive(load_spec(SAMPLE).spec)
    growth = Figure(0.05, "+5.0%", derivation="RMB 105bn / RMB 100bn − 1")
    margin = Figure(0.05, "+5.0%", derivation="RMB 21bn / RMB 20bn − 1")
    rows = [("Growth", sentence(said(growth))), ("Margin change", sentence(said(margin))),
            ("Growth again", sentence(said(growth)))]
    parts, notes = key_data(dataclasses.replace(derived, key_data=rows))
    marks = [value.parts[0].mark for _, value in parts]
    assert marks == ["†1", "†2", "†1"]
    assert notes == [("†1", "Derived: RMB 105bn / RMB 100bn − 1."),
                     ("†2", "Derived: RMB 21bn / RMB 20bn − 1.")]
