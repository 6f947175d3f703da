from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.core.org import Calendar, Duration, Org, OrgFileError, load_org, parse_org

EXAMPLE = Path(__file__).resolve().parents[2] / "org.example.yml"

# Line numbers below refer to this text; keep it in sync with the tests that edit it.
VALID = """\
timezone: Asia/Shanghai
language: en
safety_department:
  channel: C0SAFETY
  members: [U0SAFE1]
management:
  members: [U0BOSS]
departments:
  - key: cs1
    name: Customer Service 1
    head: U0HEAD1
    deputy: U0DEP1
    members: [U0EMP1, U0EMP2]
  - key: cs2
    name: Customer Service 2
    head: U0HEAD2
    members: [U0EMP3]
"""


def edited(*replacements: tuple[str, str]) -> str:
    text = VALID
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once in VALID"
        text = text.replace(old, new)
    return text


def problems_in(text: str) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        parse_org(text)
    return caught.value.problems


@pytest.fixture
def org() -> Org:
    return parse_org(VALID)


def test_the_example_file_loads_without_errors() -> None:
    org = load_org(EXAMPLE)
    assert org.language == "zh-CN"
    assert [d.key for d in org.departments] == ["cs1", "cs2", "it"]


def test_an_unknown_key_is_reported_on_the_line_of_that_key() -> None:
    text = edited(("    name: Customer Service 2\n", "    name: Customer Service 2\n    haed: U0HEAD9\n"))
    assert problems_in(text) == ["org.yml:16: departments[1].haed: unknown key 'haed'; did you mean 'head'?"]


def test_a_malformed_user_id_names_the_list_entry() -> None:
    text = edited(("[U0EMP1, U0EMP2]", "[U0EMP1, u123]"))
    assert problems_in(text) == [
        "org.yml:13: departments[0].members[1]: 'u123' is not a Slack user id (like U0123ABCD)"
    ]


def test_a_malformed_channel_id_is_reported() -> None:
    text = edited(("channel: C0SAFETY", "channel: '#safety'"))
    assert problems_in(text) == [
        "org.yml:4: safety_department.channel: '#safety' is not a Slack channel id (like C0123ABCD)"
    ]


def test_an_unknown_timezone_is_reported() -> None:
    text = edited(("Asia/Shanghai", "Asia/Shangai"))
    assert problems_in(text) == [
        "org.yml:1: timezone: 'Asia/Shangai' is not a known time zone (like Asia/Shanghai)"
    ]


def test_an_unsupported_language_is_reported() -> None:
    assert problems_in(edited(("language: en", "language: fr"))) == [
        "org.yml:2: language: 'fr' is not allowed here (use 'zh-CN' or 'en')"
    ]


def test_a_person_in_two_departments_is_reported_at_the_second_mention() -> None:
    text = edited(("[U0EMP3]", "[U0EMP3, U0EMP1]"))
    assert problems_in(text) == [
        "org.yml:17: departments[1].members[1]: U0EMP1 is already in department 'cs1'"
    ]


def test_heading_one_department_while_a_member_of_another_is_reported() -> None:
    text = edited(("head: U0HEAD2", "head: U0EMP2"))
    assert problems_in(text) == ["org.yml:16: departments[1].head: U0EMP2 is already in department 'cs1'"]


def test_the_same_person_as_head_and_deputy_is_reported() -> None:
    text = edited(("deputy: U0DEP1", "deputy: U0HEAD1"))
    assert problems_in(text) == ["org.yml:12: departments[0].deputy: U0HEAD1 cannot be both head and deputy"]


def test_a_department_without_head_is_reported_on_the_department_line() -> None:
    text = edited(("    head: U0HEAD2\n", ""))
    assert problems_in(text) == ["org.yml:14: departments[1].head: field required"]


def test_a_duplicate_department_key_is_reported() -> None:
    text = edited(("key: cs2", "key: cs1"))
    assert problems_in(text) == ["org.yml:14: departments[1].key: duplicate department key 'cs1'"]


def test_a_repeated_yaml_key_is_reported_instead_of_silently_overwritten() -> None:
    text = edited(("    members: [U0EMP3]\n", "    members: [U0EMP3]\n    members: [U0EMP4]\n"))
    assert problems_in(text) == ["org.yml:18: departments[1].members: duplicate key 'members'"]


def test_an_empty_safety_department_is_reported() -> None:
    assert problems_in(edited(("[U0SAFE1]", "[]"))) == [
        "org.yml:5: safety_department.members: needs at least one entry"
    ]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "org.yml"
    with pytest.raises(OrgFileError) as caught:
        load_org(missing)
    [problem] = caught.value.problems
    assert problem.startswith(f"{missing}: file not found (looked for {missing}, working directory ")


def test_a_yaml_syntax_error_is_reported_with_its_line() -> None:
    problems = problems_in(edited(("name: Customer Service 1", "name: Customer: Service 1")))
    assert len(problems) == 1
    assert problems[0].startswith("org.yml:10: invalid YAML:")


def test_an_empty_file_is_reported() -> None:
    assert problems_in("# nothing yet\n") == ["org.yml:1: the file is empty"]


def test_problems_name_the_file_they_were_loaded_from(tmp_path: Path) -> None:
    path = tmp_path / "company.yml"
    path.write_text(edited(("language: en", "language: de")), encoding="utf-8")
    with pytest.raises(OrgFileError) as caught:
        load_org(path)
    assert caught.value.problems == [f"{path}:2: language: 'de' is not allowed here (use 'zh-CN' or 'en')"]


def test_several_mistakes_are_all_reported_in_line_order() -> None:
    text = edited(
        ("Asia/Shanghai", "Mars/Olympus"),
        ("channel: C0SAFETY", "channel: C0SAFETY\n  chanel: C0OTHER"),
        ("    head: U0HEAD2\n", ""),
        ("[U0EMP3]", "[U0EMP3, U0EMP1]"),
    )
    assert problems_in(text) == [
        "org.yml:1: timezone: 'Mars/Olympus' is not a known time zone (like Asia/Shanghai)",
        "org.yml:5: safety_department.chanel: unknown key 'chanel'; did you mean 'channel'?",
        "org.yml:15: departments[1].head: field required",
        "org.yml:17: departments[1].members[1]: U0EMP1 is already in department 'cs1'",
    ]


def test_the_error_message_lists_one_problem_per_line() -> None:
    error = OrgFileError(["a.yml:1: x: first", "a.yml:2: y: second"])
    assert str(error) == "a.yml:1: x: first\na.yml:2: y: second"


def test_department_of_finds_heads_deputies_and_members(org: Org) -> None:
    for user, key in [("U0HEAD1", "cs1"), ("U0DEP1", "cs1"), ("U0EMP2", "cs1"), ("U0EMP3", "cs2")]:
        department = org.department_of(user)
        assert department is not None
        assert department.key == key
        assert department.includes(user)
    assert org.department_of("U0BOSS") is None


def test_departments_can_be_found_by_key(org: Org) -> None:
    department = org.department("cs2")
    assert department is not None
    assert department.name == "Customer Service 2"
    assert org.department("nope") is None


def test_leaders_are_the_head_then_the_deputy(org: Org) -> None:
    assert [d.leaders for d in org.departments] == [["U0HEAD1", "U0DEP1"], ["U0HEAD2"]]


def test_safety_officers_and_management_are_recognised(org: Org) -> None:
    assert org.is_safety_officer("U0SAFE1")
    assert not org.is_safety_officer("U0BOSS")
    assert org.is_management("U0BOSS")
    assert not org.is_management("U0SAFE1")


def test_the_timezone_is_available_as_a_zoneinfo(org: Org) -> None:
    assert org.tz == ZoneInfo("Asia/Shanghai")


def test_department_members_may_be_omitted() -> None:
    org = parse_org(edited(("    members: [U0EMP3]\n", "")))
    department = org.department("cs2")
    assert department is not None
    assert department.members == []


def test_the_example_file_sets_the_regulation_default_deadlines() -> None:
    org = load_org(EXAMPLE)
    assert [str(org.deadlines.for_severity(s)) for s in ("general", "serious", "major")] == ["7d", "3d", "24h"]
    assert org.working_days is False


def test_deadlines_working_days_and_calendar_default_when_absent(org: Org) -> None:
    assert (org.deadlines.general, org.deadlines.serious, org.deadlines.major) == (
        Duration(amount=7, unit="d"), Duration(amount=3, unit="d"), Duration(amount=24, unit="h"))
    assert org.working_days is False
    assert (org.calendar.holidays, org.calendar.workdays) == ([], [])


def test_sections_with_every_key_commented_out_mean_the_defaults(org: Org) -> None:
    assert parse_org(VALID + "deadlines:\n  # general: 5d\ncalendar:\n  holidays:\n") == org


def test_deadlines_working_days_and_calendar_are_read() -> None:
    org = parse_org(VALID + """\
deadlines:
  general: 10d
  major: 12h
working_days: true
calendar:
  holidays: [2027-01-01, '2027-01-02']
  workdays:
    - 2027-02-07
""")
    assert org.deadlines.for_severity("general") == Duration(amount=10, unit="d")
    assert org.deadlines.for_severity("serious") == Duration(amount=3, unit="d")  # not given: the default
    assert org.deadlines.for_severity("major") == Duration(amount=12, unit="h")
    assert org.working_days is True
    assert org.calendar.holidays == [date(2027, 1, 1), date(2027, 1, 2)]
    assert org.calendar.workdays == [date(2027, 2, 7)]


def test_a_parsed_org_dumps_durations_as_written_and_validates_again() -> None:
    org = parse_org(VALID + "deadlines:\n  serious: 2d\n")
    assert org.model_dump()["deadlines"] == {"general": "7d", "serious": "2d", "major": "24h", "max_ahead": "365d"}
    assert Org.model_validate(org.model_dump()) == org


def test_an_unknown_severity_is_refused(org: Org) -> None:
    with pytest.raises(ValueError, match="unknown severity 'minor'"):
        org.deadlines.for_severity("minor")  # type: ignore[arg-type]


def test_a_bad_duration_is_reported_on_its_line() -> None:
    text = VALID + "deadlines:\n  general: 7 days\n  serious: 0d\n  major: 24\n"
    assert problems_in(text) == [
        "org.yml:19: deadlines.general: '7 days' is not a duration like 7d or 24h",
        "org.yml:20: deadlines.serious: '0d' is not a duration like 7d or 24h",
        "org.yml:21: deadlines.major: 24 is not a duration like 7d or 24h",
    ]


def test_an_absurdly_long_duration_is_reported() -> None:
    assert problems_in(VALID + "deadlines:\n  general: 1000d\n") == [
        "org.yml:19: deadlines.general: '1000d' is too long (at most 999d or 999h)"
    ]


def test_an_unknown_severity_key_is_reported() -> None:
    assert problems_in(VALID + "deadlines:\n  minor: 30d\n") == ["org.yml:19: deadlines.minor: unknown key 'minor'"]


def test_working_days_must_be_true_or_false() -> None:
    assert problems_in(VALID + "working_days: sometimes\n") == [
        "org.yml:18: working_days: 'sometimes' is not true or false"
    ]


def test_an_impossible_or_malformed_calendar_date_is_reported_on_its_line() -> None:
    text = VALID + "calendar:\n  holidays:\n    - 2027-02-30\n    - 2027-1-1\n  workdays: [tomorrow]\n"
    assert problems_in(text) == [
        "org.yml:20: calendar.holidays[0]: '2027-02-30' is not a date like 2027-01-01",
        "org.yml:21: calendar.holidays[1]: '2027-1-1' is not a date like 2027-01-01",
        "org.yml:22: calendar.workdays[0]: 'tomorrow' is not a date like 2027-01-01",
    ]


def test_a_date_both_off_and_working_is_reported_at_the_workday() -> None:
    text = VALID + "calendar:\n  holidays: [2027-01-01, 2027-01-02]\n  workdays:\n    - 2027-02-07\n    - 2027-01-02\n"
    assert problems_in(text) == [
        "org.yml:22: calendar.workdays[1]: 2027-01-02 is also listed under calendar.holidays"
    ]


def test_an_org_built_in_code_cannot_have_a_date_both_off_and_working() -> None:
    with pytest.raises(ValidationError, match=r"2027-01-02 is also listed under calendar\.holidays"):
        Calendar(holidays=[date(2027, 1, 2)], workdays=[date(2027, 1, 2)])
