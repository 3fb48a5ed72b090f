"""The filter and reassign selects' options, built in the view: the value chosen is selected
("All" when nothing is), several for a multiple choice, labels escaped."""

from __future__ import annotations

from django.http import QueryDict

from trappen.web.casework.forms import MyDayFilterForm, TeamReassignForm, options_html

CHILDREN = [(7, "Ida <Jensen>"), (12, "Oskar")]


def _filters(query: str) -> MyDayFilterForm:
    return MyDayFilterForm(QueryDict(query) if query else None, children=CHILDREN,
                           duties=[("D1", "Vurdering")], sources=[("§ 136", "Barnets Lov § 136")])


def test_nothing_chosen_selects_all():
    html = options_html(_filters("")["child"])
    assert html.startswith('<option value="" selected>')
    assert '<option value="7">Ida &lt;Jensen&gt;</option><option value="12">Oskar</option>' in html


def test_the_chosen_value_is_selected_and_only_it():
    form = _filters("child=12&duty=D1")
    assert form.is_valid()
    child = options_html(form["child"])
    assert '<option value="12" selected>Oskar</option>' in child and child.count(" selected") == 1
    assert '<option value="D1" selected>' in options_html(form["duty"])
    assert '<option value="" selected>' in options_html(form["source"])


def test_several_chosen_children_are_all_selected():
    form = TeamReassignForm(QueryDict("children=7&children=12"), initial={}, children=CHILDREN,
                            caseworkers=[(1, "cw")])
    html = options_html(form["children"])
    assert html.count(" selected") == 2
