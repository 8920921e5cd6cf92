"""Fixtures for scoring tests: synthetic margin-records folders."""

from pathlib import Path
from typing import Any

import pytest

from .records_helpers import write_records


@pytest.fixture
def records_factory(tmp_path: Path):
    counter = iter(range(1000))

    def make(samples: list[dict[str, Any]], **kwargs: Any) -> Path:
        return write_records(tmp_path / f"run{next(counter)}", samples, **kwargs)

    return make
