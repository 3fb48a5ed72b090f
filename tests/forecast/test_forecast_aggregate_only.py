"""Aggregate only: the public result types cannot carry anything per child."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date

import numpy as np

import trappen.forecast as fc
from trappen.forecast import Projection, TransitionModel, estimate, project_expected, simulate

CHILD_WORDS = ("child", "person", "cpr", "individual", "id")


def test_result_types_have_no_child_level_field():
    for cls in (Projection, TransitionModel):
        for f in dataclasses.fields(cls):
            words = f.name.lower().split("_")
            assert not any(w in CHILD_WORDS for w in words), (cls.__name__, f.name)


def test_no_public_function_returns_per_child_data():
    for name in fc.__all__:
        obj = getattr(fc, name)
        if inspect.isfunction(obj):
            ret = str(inspect.signature(obj).return_annotation)
            assert "child" not in ret.lower(), name


def test_array_shapes_do_not_depend_on_the_number_of_children(synthetic, tiny):
    big = estimate(synthetic, cutoff=date(2021, 12, 31))
    small = estimate(tiny, cutoff=date(2021, 12, 31))
    for f in dataclasses.fields(TransitionModel):
        a, b = getattr(big, f.name), getattr(small, f.name)
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape, f.name
    for p in (project_expected(big, months=6), simulate(big, months=6, replicates=2, seed=1),
              simulate(small, months=6, replicates=2, seed=1)):
        for f in dataclasses.fields(Projection):
            v = getattr(p, f.name)
            if isinstance(v, np.ndarray):
                assert v.shape[0] == 7 and v.ndim <= 2 and (v.ndim == 1 or v.shape[1] == 10), f.name
