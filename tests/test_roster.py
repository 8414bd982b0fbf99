"""The roster of ``--roster``: the columns it accepts, how it maps submissions, and its errors."""

from __future__ import annotations

import pytest

from checks.grading.roster import RosterError, match, read_roster


def roster(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_columns_in_any_order_and_case_with_a_bom_and_extra_columns(tmp_path):
    members = read_roster(roster(tmp_path, "\ufeff Email ,Notes,SUBMISSION,Name,id\r\n"
                                           'a@x.org,late,ann lee,"Lee, Ann",7\r\n\r\nb@x.org,,bob.ipynb,Bob,\r\n'))
    assert [(m.submission, m.folder, m.name, m.id, m.email, m.line) for m in members] == [
        ("ann lee", "ann_lee-e49591", "Lee, Ann", "7", "a@x.org", 2), ("bob.ipynb", "bob", "Bob", "", "b@x.org", 4)]


def test_a_zip_file_names_its_learner_as_a_notebook_file_does(tmp_path):
    (member,) = read_roster(roster(tmp_path, "submission,id\nalice.zip,1\n"))
    assert member.folder == "alice"


def test_semicolons_as_excel_writes_them_in_some_locales(tmp_path):
    (member,) = read_roster(roster(tmp_path, 'submission;name;email\nada;"Lovelace; Ada";ada@x.org\n'))
    assert (member.name, member.email, member.id) == ("Lovelace; Ada", "ada@x.org", "")


def test_match_sorts_learners_into_mapped_unmapped_and_absent(tmp_path):
    members = read_roster(roster(tmp_path, "submission,id\nann lee,1\nbob,2\nzed,3\n"))
    mapped, unmapped, absent = match(members, ["bob", "eve", "ann_lee-e49591"])
    assert {learner: m.id for learner, m in mapped.items()} == {"ann_lee-e49591": "1", "bob": "2"}
    assert unmapped == ["eve"] and [m.submission for m in absent] == ["zed"]


@pytest.mark.parametrize("text, words", [
    ("", "is empty"),
    ("name,id,email\nAda,1,a@x\n", "no submission column (its columns: name, id, email)"),
    ("submission,name\nada,Ada\n", "no id or email column"),
    ("submission,id,ID\nada,1,2\n", "two columns named 'id'"),
    ("submission,id\nada,1\nada.ipynb,2\n", "lines 2 and 3 of the roster"),
    ("submission,id\nada.zip,1\nada,2\n", "lines 2 and 3 of the roster"),
    ("submission,email\nada,A@x.org\nbob,a@X.org\n", "same email (a@x.org)"),
    ("submission,id\nada,1\nbob,1\n", "same id (1)"),
    ("submission,id,email\nada,,\n", "line 2 of the roster roster.csv (ada) has neither an id nor an email"),
    ("submission,id\n,1\n", "line 2 of the roster roster.csv has no submission"),
    ("submission,name,id\nada,Lovelace, Ada,1\n", "line 2 of the roster roster.csv has 4 field(s), its header 3"),
])
def test_bad_rosters_are_refused_with_the_line_and_the_fix(tmp_path, monkeypatch, text, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RosterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_roster(roster(tmp_path, text).relative_to(tmp_path))


def test_unreadable_and_non_utf8_rosters(tmp_path):
    with pytest.raises(RosterError, match="cannot read the roster .*missing.csv"):
        read_roster(tmp_path / "missing.csv")
    with pytest.raises(RosterError, match="cannot read the roster"):
        read_roster(tmp_path)
    with pytest.raises(RosterError, match="not UTF-8 text: save it as \"CSV UTF-8\""):
        read_roster(roster(tmp_path, "submission,id\nada,1\n", encoding="utf-16"))
