"""The country's administrative divisions (GB/T 2260 codes and names) for the gazetteer outside Shanxi.

They come from the table the ``cpca`` package ships (read as a file; the package's own code, and the
pandas it needs, are never imported). ``config/gazetteer.yaml`` stays the source for Shanxi, whose
units it lists with the project's own conventions.
"""

from __future__ import annotations

import csv
import importlib.metadata
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

_PACKAGE = "cpca"
# Placeholders of the table for "the districts of a province-level city" and "counties under the province".
_NOT_UNITS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"

    @property
    def is_province(self) -> bool:
        return self.code.endswith("0000")

    @property
    def is_city(self) -> bool:
        return self.code.endswith("00") and not self.is_province


def _resource(name: str) -> Path:
    files = importlib.metadata.files(_PACKAGE) or []
    for file in files:
        if file.name == name:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{name} is not in the {_PACKAGE} package; reinstall the project's dependencies")


@lru_cache(maxsize=1)
def load_divisions() -> tuple[Division, ...]:
    """Every province, city and county-level unit, placeholders left out."""
    with _resource("adcodes.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(handle)]
    divisions = tuple(Division(code, name) for code, name in rows if name and name not in _NOT_UNITS)
    log.debug("%d administrative divisions", len(divisions))
    return divisions


@lru_cache(maxsize=1)
def ethnic_groups() -> tuple[str, ...]:
    """The 56 ethnic groups' names (回族, 土家族 …), longest first: they stand inside autonomous units' names."""
    lines = _resource("56_nations.csv").read_text(encoding="utf-8").split()
    return tuple(sorted({n.strip() for n in lines if n.strip()}, key=len, reverse=True))
