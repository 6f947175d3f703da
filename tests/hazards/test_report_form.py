"""The cached report form (`ReportForms`) sends exactly the view `build_report_modal` builds, whatever was typed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.org import Org, parse_org
from handlers.hazards.report_form import ReportForms
from handlers.hazards.views import build_report_modal
from tests.conftest import ORG_YAML

ORG: Org = parse_org(ORG_YAML)
FORMS = ReportForms(ORG.departments)
DEPARTMENTS = st.sampled_from([None, *(d.key for d in ORG.departments)])
TYPED = st.one_of(st.text(), st.sampled_from(["", "   ", '"quoted" \\ back\\slash', "\x00description\x00",
                                               "</script>\u202e*bold*", "长" * 3500]))


@settings(max_examples=300, deadline=None)
@given(locale=st.sampled_from(["zh-CN", "en-US"]), department=DEPARTMENTS, description=TYPED, metadata=TYPED)
def test_the_cached_form_is_the_built_form(locale: str, department: str | None, description: str,
                                           metadata: str) -> None:
    built = build_report_modal(locale=locale, departments=list(ORG.departments), department_key=department,
                               description=description, private_metadata=metadata)
    sent = FORMS.json(locale=locale, department_key=department, description=description, private_metadata=metadata)
    assert json.loads(sent) == built


def test_one_build_per_language_department_and_prefill() -> None:
    forms = ReportForms(ORG.departments)
    for text in ("a", "b", "", " "):
        forms.json(locale="en-US", department_key=None, description=text, private_metadata="{}")
    assert len(forms._pieces) == 2
