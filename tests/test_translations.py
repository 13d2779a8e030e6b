"""Vietnamese is the primary language: every user-facing string has its Vietnamese translation."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def entries(po_file):
    """(msgid, [msgstr…], flags) of each entry but the header."""
    text = po_file.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        block = "\n".join(line for line in block.splitlines() if not line.startswith("#|"))
        msgid = "".join(re.findall(r'^(?:msgid|")\s*"?(.*)"$', block.split("msgid_plural")[0].split("msgstr")[0], re.M))
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        values = ["".join(re.findall(r'"(.*)"', value)) for value in msgstrs]
        yield msgid, values, "fuzzy" in block.split("msgid")[0]


def test_every_string_has_a_vietnamese_translation():
    untranslated = [msgid for msgid, values, fuzzy in entries(LOCALE / "vi/LC_MESSAGES/django.po")
                    if fuzzy or not all(values)]  # fmt: skip
    assert untranslated == []


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    po = LOCALE / "vi/LC_MESSAGES/django.po"
    mo = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
    assert mo.read_bytes() == (LOCALE / "vi/LC_MESSAGES/django.mo").read_bytes(), "run `make messages`"


def test_the_catalogue_covers_the_code(tmp_path):
    """makemessages, run on a copy of the source, finds no string that the catalogue lacks."""
    root = LOCALE.parent
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "var", "vendor", ".git", "__pycache__", "node_modules", "tests")
    shutil.copytree(root, copy, ignore=ignore)
    env = {**os.environ, "DEBUG": "true", "CHIBO_VAR_DIR": str(tmp_path / "var"), "CHIBO_ENV_FILE": "/nonexistent"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {msgid for msgid, _values, _fuzzy in entries(copy / "locale/vi/LC_MESSAGES/django.po")}
    current = {msgid for msgid, _values, _fuzzy in entries(LOCALE / "vi/LC_MESSAGES/django.po")}
    assert fresh - current == set(), "new strings: run `make messages` and translate them"


@pytest.mark.django_db
def test_pages_are_in_vietnamese_by_default_and_english_on_request(client, secretary, cell):
    client.force_login(secretary)
    url = reverse("members:list", args=[cell.pk])
    assert "Thêm đảng viên" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Add a member" in client.get(url).content.decode()


def test_a_string_translated_inside_an_f_string_is_in_the_catalogue():
    """makemessages does not look inside f-strings: a string translated there must reach the catalogue some
    other way (a template, a plain call), or it is shown in English (the cells' tables on the dashboards once
    showed "No minutes yet" so)."""
    root = LOCALE.parent
    inside = re.compile(r"""\bf(['"]).*?\{[^{}]*\b(?:_|(?:n|p|np)?gettext(?:_lazy)?)\(""")
    literal = re.compile(
        r"""\b(?:_|gettext|gettext_lazy|ngettext)\(\s*(['"])(.+?)\1|\bpgettext\(\s*(['"]).+?\3,\s*(['"])(.+?)\4"""
    )
    msgids = {msgid for msgid, _values, _fuzzy in entries(LOCALE / "vi/LC_MESSAGES/django.po")}
    missing = []
    for app in ("chibo", "members", "meetings", "minutes", "resolutions", "dues", "notifications", "dashboards"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not inside.search(line):
                    continue
                for match in literal.finditer(line):
                    text = match.group(2) or match.group(5)
                    if text not in msgids:
                        missing.append(f"{path.relative_to(root)}:{number}: {text}")
    assert missing == []
