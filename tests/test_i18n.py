"""French by default, English on request; every message has its English translation."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import DATA, ROOT, data_counts, record_count
from engagements.i18n import catalog, detect_language, extract_messages


def test_every_message_has_an_english_translation():
    english = catalog("en")
    missing = [m for m in extract_messages() if m not in english]
    assert missing == [], "run: python -m engagements.i18n en  (then translate into locale/en.po)"


def test_translations_keep_their_placeholders():
    import string

    for french, english in catalog("en").items():
        fields = {f for _t, f, _s, _c in string.Formatter().parse(french) if f}
        assert fields == {f for _t, f, _s, _c in string.Formatter().parse(english) if f}, french


def test_language_detection(monkeypatch):
    for var in ("ENGAGEMENTS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert detect_language() == "fr"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert detect_language() == "fr"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert detect_language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert detect_language() == "fr"
    assert detect_language("en") == "en"


def run(*args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "ENGAGEMENTS_LANG")}
    env["LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "engagements", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


def test_lang_option_switches_messages_and_help(tmp_path):
    (tmp_path / "requests.yaml").write_text("requests: {}\n", encoding="utf-8")
    (tmp_path / "commitments.yaml").write_text("lists: []\n", encoding="utf-8")
    fr = run("--data", str(tmp_path), "validate")
    en = run("--lang", "en", "--data", str(tmp_path), "validate")
    assert fr.returncode == en.returncode == 1
    assert fr.stderr.endswith(":1:11: erreur: « requests » doit être une liste\n")
    assert en.stderr.endswith(":1:11: error: 'requests' must be a list\n")
    assert "Check the data" in run("--lang", "en", "--help").stdout
    assert "Vérifier les données" in run("--help").stdout


def test_lang_from_environment():
    result = run("--data", str(DATA), "validate", lang="en_US.UTF-8")
    assert result.returncode == 0
    requests, lists, pledges = data_counts()
    expected = f"data is valid ({requests} requests, {lists} lists, {pledges} pledges, {record_count()} recorded actions)"
    assert expected in result.stderr


def test_no_stale_translation():
    used = set(extract_messages())
    assert [m for m in catalog("en") if m not in used] == []
