"""Run the Examples sections of the report's formatting modules (the tearsheet's own
examples render figures and run in test_tearsheet.py's fixtures instead)."""

from __future__ import annotations

import pytest

from tests._doctests import failed_examples


@pytest.mark.parametrize(
    "name",
    [
        "quantlab.report.glossary",
        "quantlab.report.html",
        "quantlab.report.event_sections",
        "quantlab.report.risk_sections",
    ],
)
def test_docstring_examples(name):
    assert failed_examples(name) == 0
