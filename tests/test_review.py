"""engagements review: each decision is on disk as soon as it is made, whatever ends the review.

Piped input goes through the in-process runner; a real terminal through a pseudo-terminal and a
subprocess of `python -m engagements`, with keys sent one at a time, Ctrl-C and SIGHUP.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engagements import editing
from engagements.writing import ensure_state_dir, state_path

LIST = "programme-solidarite"
COMMENT = "# Relu en séance le 2 décembre : garder ce commentaire.\n"
HEADER = re.compile(r"── (\d+)/(\d+) · (\S+) ·")
CHOICE = re.compile(r"^  (\d)\. (\S+) · ", re.MULTILINE)


@pytest.fixture
def data(data_copy: Path) -> Path:
    """The bundled data with a comment of our own, which every write must keep."""
    path = data_copy / "commitments.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:3], COMMENT, *lines[3:]]), encoding="utf-8")
    return data_copy


def shown(stdout: str) -> list[tuple[str, list[str]]]:
    """Each pledge the review showed, with the requests offered, in order."""
    out = []
    for block in re.split(r"(?=── \d+/\d+ · )", stdout)[1:]:
        header = HEADER.match(block)
        assert header, block
        out.append((header.group(3), [m.group(2) for m in CHOICE.finditer(block)]))
    return out


def links(data: Path, field: str = "answers") -> set[tuple[str, str]]:
    loaded = editing.load_valid(data)
    assert loaded.dataset is not None
    return {
        (c.id, link.request)
        for lst in loaded.dataset.commitments.lists
        for c in lst.commitments
        for link in getattr(c, field)
    }


def valid_with_comment(cli, data: Path) -> None:
    assert cli("--data", str(data), "validate").exit_code == 0
    assert COMMENT in (data / "commitments.yaml").read_text(encoding="utf-8")
    assert not list(data.glob(".commitments.yaml.*.tmp"))


# --- Piped input -------------------------------------------------------------------------------


def test_piped_input_that_ends_early_keeps_every_decision(cli, data):
    before_answers, before_rejects = links(data), links(data, "rejects")
    # Pick request 2 of the first pledge, reject request 1 of the second; then the input ends.
    result = cli("--data", str(data), "review", "--list", LIST, "--by", "Awa", input="2\nr\n")
    assert result.exit_code == 0, result
    seen = shown(result.stdout)
    (first, first_offer), (second, second_offer) = seen[0], seen[1]
    assert len(first_offer) == 3 and len(second_offer) == 3
    assert links(data) - before_answers == {(first, first_offer[1])}
    assert links(data, "rejects") - before_rejects == {(second, second_offer[0])}
    # The rejected request is gone from what the second pledge is offered next.
    assert seen[2][0] == second and second_offer[0] not in seen[2][1]
    assert "Fin de l’entrée. Déjà enregistré" in result.stderr
    assert "1 lien(s) confirmé(s), 1 rejet(s)" in result.stderr
    text = (data / "commitments.yaml").read_text(encoding="utf-8")
    assert f"{{request: {first_offer[1]}, by: Awa}}" in text
    valid_with_comment(cli, data)


def test_the_review_shows_text_provenance_links_and_reasons(cli, data):
    result = cli("--data", str(data), "review", "--list", LIST, "--linked", input="q\n")
    assert result.exit_code == 0, result
    pledge = editing.load_valid(data).dataset.commitments.lists[1].commitments[0]
    assert pledge.text.split()[0] in result.stdout
    assert f"ligne {pledge.provenance.line}" in result.stdout
    assert "Mots en commun : " in result.stdout
    assert "Déjà lié à : " in result.stdout or "Aucun lien confirmé." in result.stdout
    # The full text of each request offered, not only its title.
    request_text = editing.load_valid(data).dataset.requests.requests
    offered = shown(result.stdout)[0][1]
    first = next(r for r in request_text if r.id == offered[0])
    assert " ".join(first.text.split())[:40] in " ".join(result.stdout.split())


def test_a_mistyped_key_asks_again(cli, data):
    before = links(data)
    result = cli("--data", str(data), "review", "--list", LIST, input="x\n7\n1\n")
    assert result.exit_code == 0, result
    assert result.stdout.count("touche inconnue") == 2
    first, offer = shown(result.stdout)[0]
    assert links(data) - before == {(first, offer[0])}


def test_help_key_explains_every_key(cli, data):
    result = cli("--data", str(data), "review", "--list", LIST, input="?\nq\n")
    assert result.exit_code == 0, result
    for key in ("1, 2, 3 :", "o :", "r :", "p :", "+ :", "u :", "? :", "q :"):
        assert key in result.stdout
    assert links(data, "rejects") == set()


def test_undo_takes_the_last_decision_back_on_disk(cli, data):
    original = (data / "commitments.yaml").read_bytes()
    result = cli("--data", str(data), "review", "--list", LIST, input="1\nu\n")
    assert result.exit_code == 0, result
    assert (data / "commitments.yaml").read_bytes() == original
    assert "annulé dans le fichier" in result.stdout
    # After the undo, the same pledge is asked again.
    seen = shown(result.stdout)
    assert seen[0][0] == seen[-1][0]
    # Two decisions, one undone: the first stays.
    before = links(data)
    result = cli("--data", str(data), "review", "--list", LIST, input="1\nr\nu\n")
    seen = shown(result.stdout)
    assert links(data) - before == {(seen[0][0], seen[0][1][0])}
    assert links(data, "rejects") == set()
    valid_with_comment(cli, data)


def test_resuming_skips_decided_pledges_and_asks_passed_ones_again(cli, data):
    first = cli("--data", str(data), "review", "--list", LIST, input="1\np\n")
    decided, passed = shown(first.stdout)[0][0], shown(first.stdout)[1][0]
    assert "1 engagement(s) passé(s), reproposé(s) à la prochaine revue" in first.stderr
    again = cli("--data", str(data), "review", "--list", LIST, input="q\n")
    seen = shown(again.stdout)
    assert seen[0][0] == passed and decided not in {pledge for pledge, _offer in seen}
    total_before = int(HEADER.search(first.stdout).group(2))
    assert int(HEADER.search(again.stdout).group(2)) == total_before - 1


def test_more_shows_the_next_requests(cli, data):
    result = cli("--data", str(data), "review", "--list", LIST, input="+\n1\n")
    seen = shown(result.stdout)
    assert seen[0][0] == seen[1][0] and not set(seen[0][1]) & set(seen[1][1])
    assert (seen[1][0], seen[1][1][0]) in links(data)


def test_english_keys_follow_the_language(data, tmp_path):
    env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "engagements", "--lang", "en", "--data", str(data), "review", "--list", LIST]
    before = links(data)
    done = subprocess.run(command, input="o\ny\n", capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "unknown key" in done.stdout and "Your choice" in done.stdout
    assert len(links(data) - before) == 1
    assert "End of input" in done.stderr


# --- A real terminal ---------------------------------------------------------------------------


class Terminal:
    """`python -m engagements …` on a pseudo-terminal: keys in, everything it prints out."""

    def __init__(self, args: list[str], cache: Path) -> None:
        self.master, slave = os.openpty()
        env = {**os.environ, "ENGAGEMENTS_CACHE_DIR": str(cache), "COLUMNS": "100", "LANG": "C.UTF-8"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engagements", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: __import__("fcntl").ioctl(0, __import__("termios").TIOCSCTTY, 0),
        )
        os.close(slave)
        self.output = ""

    def expect(self, text: str, timeout: float = 180) -> None:  # generous: CI machines are shared
        end = time.monotonic() + timeout
        while text not in self.output:
            left = end - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and not self._read(0.1)):
                raise AssertionError(f"{text!r} not seen in:\n{self.output[-3000:]}")
            self._read(min(left, 0.5))

    def _read(self, timeout: float) -> bool:
        ready, _w, _x = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.output += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self) -> int:
        while self._read(0.2) or self.process.poll() is None:
            pass
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code


def test_ctrl_c_on_a_terminal_keeps_what_was_answered(cli, data, tmp_path):
    before_answers, before_rejects = links(data), links(data, "rejects")
    term = Terminal(["--data", str(data), "review", "--list", LIST], tmp_path / "cache")
    term.expect("Votre choix")
    term.send("1")  # one key, no Enter
    term.expect("✓ lien confirmé")
    term.expect("Votre choix [", timeout=120)
    term.send("z")
    term.expect("touche inconnue « z »")
    term.send("r")
    term.expect("✗ rejet enregistré")
    term.send("\x03")  # Ctrl-C, through the terminal's line discipline
    term.expect("Interrompu. Déjà enregistré")
    assert term.wait() == 130
    seen = shown(term.output)
    assert links(data) - before_answers == {(seen[0][0], seen[0][1][0])}
    assert links(data, "rejects") - before_rejects == {(seen[1][0], seen[1][1][0])}
    assert "1 lien(s) confirmé(s), 1 rejet(s)" in term.output
    valid_with_comment(cli, data)


def test_a_closed_terminal_keeps_what_was_answered(cli, data, tmp_path):
    before = links(data)
    term = Terminal(["--data", str(data), "review", "--list", LIST], tmp_path / "cache")
    term.expect("Votre choix")
    term.send("2")
    term.expect("✓ lien confirmé")
    term.process.send_signal(signal.SIGHUP)
    assert term.wait() == 130
    first, offer = shown(term.output)[0]
    assert links(data) - before == {(first, offer[1])}
    valid_with_comment(cli, data)
    # The lock went with the process: another write goes through.
    assert cli("--data", str(data), "link", first, offer[0]).exit_code == 0


# --- --accept-above ----------------------------------------------------------------------------


def strong_pairs(cli, data: Path, threshold: int) -> set[tuple[str, str]]:
    rows = json.loads(cli("--data", str(data), "match", "--format", "json", "--list", LIST).stdout)
    questions = {r.id for r in editing.load_valid(data).dataset.requests.requests if r.kind == "question"}
    return {
        (r["commitment"], r["request"])
        for r in rows
        if r["source"] == "matcher" and r["score"] >= threshold and r["request"] in questions
    }


def test_accept_above_lists_every_pair_and_dry_run_writes_nothing(cli, data):
    strong = strong_pairs(cli, data, 60)
    assert strong
    original = (data / "commitments.yaml").read_bytes()
    result = cli("--data", str(data), "review", "--list", LIST, "--accept-above", "60", "--dry-run")
    assert result.exit_code == 0, result
    listed = set(re.findall(r"^  (\S+) → (\S+) · ", result.stdout, re.MULTILINE))
    assert listed == strong
    assert "rien n’est écrit" in result.stderr
    assert (data / "commitments.yaml").read_bytes() == original


def test_accept_above_asks_before_writing(cli, data):
    strong = strong_pairs(cli, data, 60)
    original = (data / "commitments.yaml").read_bytes()
    for refusal in ("n\n", "", "oui\n"):
        result = cli("--data", str(data), "review", "--list", LIST, "--accept-above", "60", input=refusal)
        assert result.exit_code == 0, result
        assert "Rien n’est écrit." in result.stderr
        assert (data / "commitments.yaml").read_bytes() == original
    before = links(data)
    result = cli("--data", str(data), "review", "--list", LIST, "--accept-above", "60", "--by", "Awa", input="o\n")
    assert result.exit_code == 0, result
    assert "au nom de Awa" in result.stdout
    assert links(data) - before == strong
    valid_with_comment(cli, data)


def test_accept_above_with_yes_writes_without_asking(cli, data):
    strong = strong_pairs(cli, data, 60)
    before = links(data)
    dated_before = (data / "commitments.yaml").read_text(encoding="utf-8").count("date: 2026-11-23}")
    result = cli("--data", str(data), "review", "--list", LIST, "--accept-above", "60", "--yes", "--date", "2026-11-23")
    assert result.exit_code == 0, result
    text = (data / "commitments.yaml").read_text(encoding="utf-8")
    # One date shared by many decisions must not come out as a YAML anchor and aliases.
    assert "&id" not in text and "*id" not in text
    assert text.count("date: 2026-11-23}") == dated_before + len(strong)
    assert links(data) - before == strong
    assert f"{len(strong)} lien(s) confirmé(s)" in result.stderr


def test_dry_run_and_yes_need_accept_above(cli, data):
    result = cli("--data", str(data), "review", "--dry-run")
    assert result.exit_code == 2
    assert "--accept-above" in result.stderr


# --- The session underneath --------------------------------------------------------------------


def test_one_write_per_decision_gives_the_text_of_one_batch(data, tmp_path):
    import shutil

    batch = tmp_path / "batch"
    shutil.copytree(data, batch)
    decisions = [
        ("sol-12-1", "q1", True),
        ("sol-12-1", "q3", False),
        ("sol-12-2", "q4", True),
        ("sol-12-1", "q7", True),
    ]
    with editing.Session(data) as session:
        for pledge, request, accepted in decisions:
            session.decide(pledge, request, accepted, by="Awa")
            # On disk at once, before the next decision.
            assert (pledge, request) in links(data, "answers" if accepted else "rejects")
    editing.decide(batch, decisions, by="Awa")
    assert (data / "commitments.yaml").read_bytes() == (batch / "commitments.yaml").read_bytes()


def test_session_undo_and_a_file_changed_behind_it(data):
    path = data / "commitments.yaml"
    original = path.read_bytes()
    with editing.Session(data) as session:
        session.decide("sol-12-1", "q1", True)
        session.decide("sol-12-2", "q4", False)
        session.undo()
        assert ("sol-12-2", "q4") not in links(data, "rejects")
        session.undo()
        assert path.read_bytes() == original
        with pytest.raises(editing.EditError):
            session.undo()
        session.decide("sol-12-1", "q1", True)
        # Someone edits the file by hand: undo refuses, the next decision keeps their edit.
        edited = path.read_text(encoding="utf-8").replace(COMMENT, COMMENT + "# ajouté à la main\n")
        path.write_text(edited, encoding="utf-8")
        with pytest.raises(editing.EditError, match="modifié par ailleurs"):
            session.undo()
        session.decide("sol-12-2", "q4", True)
    text = path.read_text(encoding="utf-8")
    assert "# ajouté à la main" in text
    assert {("sol-12-1", "q1"), ("sol-12-2", "q4")} <= links(data)


@pytest.mark.parametrize("place", ["current", "older version"])
def test_a_decision_journaled_before_a_crash_is_written_by_the_next_session(cli, data, place):
    # As a process killed after journaling a decision and before its write leaves it: in the
    # tool's working folder, or beside the data where versions before it kept the journal.
    if place == "current":
        journal = ensure_state_dir(data) / editing.JOURNAL_FILE
    else:
        journal = data / editing.LEGACY_JOURNAL_FILE
    journal.write_text(
        '{"pledge": "sol-12-1", "request": "q1", "accepted": true, "by": "Awa", "date": "2026-12-02"}\n'
        '{"pledge": "sol-12-2", "request": "q4", "accepted": false, "by": null}\n'
        '{"pledge": "inconnu", "request": "q4", "accepted": true, "by": null}\n'
        '{"pledge": "sol-12-2", "requ',  # cut short: never confirmed
        encoding="utf-8",
    )
    result = cli("--data", str(data), "review", "--list", LIST, input="q\n")
    assert result.exit_code == 0, result
    assert "2 décision(s) d’une revue interrompue" in result.stderr
    assert not journal.exists()
    assert ("sol-12-1", "q1") in links(data) and ("sol-12-2", "q4") in links(data, "rejects")
    assert "{request: q1, by: Awa, date: 2026-12-02}" in (data / "commitments.yaml").read_text(encoding="utf-8")
    valid_with_comment(cli, data)


def test_each_decision_is_journaled_before_it_is_written(data, monkeypatch):
    seen: list[str] = []
    real = editing.write_checked

    def spy(directory, texts, comments):  # type: ignore[no-untyped-def]
        seen.append(state_path(directory, editing.JOURNAL_FILE).read_text(encoding="utf-8"))
        return real(directory, texts, comments)

    monkeypatch.setattr(editing, "write_checked", spy)
    with editing.Session(data) as session:
        session.decide("sol-12-1", "q1", True)
        assert not session.journal.exists()
    assert seen == ['{"pledge": "sol-12-1", "request": "q1", "accepted": true, "by": null}\n']


def test_ctrl_c_during_a_write_takes_effect_once_it_is_done():
    from engagements.cli.review import uninterrupted

    done = []
    with pytest.raises(KeyboardInterrupt), uninterrupted():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        done.append("written")  # the write goes on to the end
    assert done == ["written"]
