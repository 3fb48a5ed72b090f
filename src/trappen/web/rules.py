"""The staircase and intervention catalogue in force: the municipality's own files when
TRAPPEN_STAIRCASE_FILE / TRAPPEN_CATALOGUE_FILE are set, else the ones shipped with Trappen."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from trappen.staircase import Catalogue, Staircase, load_catalogue, load_staircase


@cache
def staircase() -> Staircase:
    return load_staircase(settings.TRAPPEN_STAIRCASE_FILE or None)


@cache
def catalogue() -> Catalogue:
    return load_catalogue(settings.TRAPPEN_CATALOGUE_FILE or None, staircase=staircase())
