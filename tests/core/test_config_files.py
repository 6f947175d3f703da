"""YAML slips an admin makes in the org file, answered in plain words on the line of the slip."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.org import OrgFileError, load_org, parse_org
from tests.core.test_org import edited


def problems_in(text: str) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        parse_org(text)
    return caught.value.problems


@pytest.mark.parametrize(("slip", "expected"), [
    (("    head: U0HEAD1", "\thead: U0HEAD1"),
     "org.yml:11: invalid YAML: line 11 is indented with a tab; YAML indents with spaces only"),
    # The input method's full-width colon: PyYAML reports it on the next line.
    (("language: en", "language：en"),
     "org.yml:2: invalid YAML: line 2 has a full-width colon '：' (Chinese input) after its key; "
     "type ':' in English input, then a space"),
    (("    name: Customer Service 1", "    name：Customer Service 1"),
     "org.yml:10: invalid YAML: line 10 has a full-width colon '：' (Chinese input) after its key; "
     "type ':' in English input, then a space"),
    (("    head: U0HEAD1", "     head: U0HEAD1"),
     "org.yml:11: invalid YAML: line 11 is indented differently from line 10 "
     "(its key starts in column 6, line 10's in column 5); keys of one section line up"),
    (("  members: [U0SAFE1]", " members: [U0SAFE1]"),
     "org.yml:5: invalid YAML: line 5 is indented differently from line 4 "
     "(its key starts in column 2, line 4's in column 3); keys of one section line up"),
    (("    head: U0HEAD1", "    head:U0HEAD1"),
     "org.yml:11: invalid YAML: line 11 needs a space after ':' (write 'key: value')"),
    (("name: Customer Service 1", "name: Customer: Service 1"),
     "org.yml:10: invalid YAML: line 10 has a second ': ' in it; put the value in quotes (\"like: this\")"),
    (("    deputy: U0DEP1", "    deputi: U0DEP1"),
     "org.yml:12: departments[0].deputi: unknown key 'deputi'; did you mean 'deputy'?"),
])
def test_a_yaml_slip_is_named_in_plain_words_on_its_own_line(slip: tuple[str, str], expected: str) -> None:
    assert problems_in(edited(slip)) == [expected]


def test_a_full_width_colon_inside_a_value_is_text() -> None:
    org = parse_org(edited(("name: Customer Service 1", "name: 客服：一部")))
    assert org.departments[0].name == "客服：一部"


def test_an_unknown_key_far_from_every_known_one_suggests_nothing() -> None:
    assert problems_in(edited(("    deputy: U0DEP1", "    colour: red"))) == [
        "org.yml:12: departments[0].colour: unknown key 'colour'"]


def test_a_missing_org_file_names_the_absolute_path_the_directory_the_setting_and_init(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OrgFileError) as caught:
        load_org(Path("org.yml"))
    assert caught.value.problems == [
        f"org.yml: file not found (looked for {tmp_path / 'org.yml'}, working directory {tmp_path}); "
        "set SAFETYBOT_ORG_FILE to the file's path, or run safetybot init here to write a commented one"]


def test_the_plans_file_gets_the_same_plain_words() -> None:
    from bot.plans.importer import PlanFileError, parse_plans
    from tests.conftest import ORG_YAML
    from tests.plans.test_plan_import import DRILL

    with pytest.raises(PlanFileError) as caught:
        parse_plans(DRILL.replace("    interval: 6", "    intervall: 6", 1), org=parse_org(ORG_YAML))
    assert caught.value.problems == [
        "plans.yml:10: [0] fire-drill: recurrence.intervall: unknown key 'intervall'; did you mean 'interval'?"]
    with pytest.raises(PlanFileError) as caught:
        parse_plans(DRILL.replace("  kind: drill", "  kind：drill", 1), org=parse_org(ORG_YAML))
    assert caught.value.problems == [
        "plans.yml:2: invalid YAML: line 2 has a full-width colon '：' (Chinese input) after its key; "
        "type ':' in English input, then a space"]


def test_a_full_width_colon_in_text_is_not_blamed_for_another_slip() -> None:
    text = edited(("name: Customer Service 1", "name: 客服：一部"), ("    head: U0HEAD1", "     head: U0HEAD1"))
    assert problems_in(text) == [
        "org.yml:11: invalid YAML: line 11 is indented differently from line 10 "
        "(its key starts in column 6, line 10's in column 5); keys of one section line up"]
