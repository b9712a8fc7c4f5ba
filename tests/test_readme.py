"""The README's ```python blocks run as written, in order, as one session (the tour)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert BLOCKS, "the README tour must contain python examples"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUANTLAB_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for i, code in enumerate(BLOCKS):
        try:
            exec(compile(code, f"README.md block {i}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"README python block {i} failed: {type(exc).__name__}: {exc}\n{code}")
