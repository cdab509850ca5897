"""``from empmon import ...``: every public name is the object of the layer that defines it."""

from __future__ import annotations

import importlib

import pytest

import empmon

HOMES = {
    "allocate_cities": "allocation",
    "explain": "allocation",
    "build_quotas": "quotas",
    "tier_minimum": "quotas.tiers",
    "select": "sampling",
    "audit": "sampling",
    "national_subset": "sampling",
    "estimate": "monitoring",
    "check_reports": "monitoring",
}


@pytest.mark.parametrize("name", sorted(empmon.__all__))
def test_every_public_name_resolves(name):
    assert getattr(empmon, name) is not None
    assert name in dir(empmon)


@pytest.mark.parametrize(("name", "home"), sorted(HOMES.items()))
def test_names_are_the_layers_own_objects(name, home):
    assert getattr(empmon, name) is getattr(importlib.import_module(home), name)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'allocate'"):
        empmon.allocate  # noqa: B018
