"""The evaluation page in Danish shows labels, not the panel's column names or comparison kinds,
and its texts with a percent sign translated (found walking the demo: ``placements_per_1000`` in
the outcome list and on the figure's axis, ``treated_vs_never``, "95% interval" and "Risk of each
end ... (%)" in English: a ``{% translate %}`` text with ``%`` is looked up as ``%%``)."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest
from tests.web.evaluation.test_evaluation_page import _login, db_register, register_small  # noqa: F401
from tests.web.test_labels_on_pages import visible_text

from trappen.web.evaluation.selectors import OUTCOMES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:matplotlib")


def test_evaluation_page_in_danish_shows_labels(client, make_user, db_register):  # noqa: F811
    response = _login(client, make_user, "analyst").get("/evaluation/", HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    codes = [c for c in (*OUTCOMES, "treated_vs_never", "earlier_vs_later", "later_vs_earlier") if c in text]
    assert codes == []
    assert "Anbragte børn pr. 1.000 børn" in text and "Omlagt mod aldrig omlagt" in text
    assert "95 %-interval" in text and "95% interval" not in text
    assert "Risiko for hver afslutning efter år siden anbringelsens start (%)" in text
    figure = re.search(r'id="event-study-plot" src="data:image/svg\+xml;base64,([^"]+)"', html)
    if figure is None:
        figure = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    svg = unquote(base64.b64decode(figure.group(1)).decode())
    assert "placements_per_1000" not in svg and "Anbragte børn pr. 1.000 børn" in svg
