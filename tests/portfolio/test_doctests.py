"""Run the Examples sections of every quantlab.portfolio module's docstrings."""

from __future__ import annotations

import pytest

import quantlab.portfolio as package
from tests._doctests import failed_examples, modules_of


@pytest.mark.parametrize("name", modules_of(package))
def test_docstring_examples(name):
    assert failed_examples(name) == 0
