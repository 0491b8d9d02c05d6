"""A corpus of broken and hostile data directories, each with the diagnostics it must give.

Each case is a small data directory: the minimal valid `requests.yaml` and `commitments.yaml`
of the tests, with one thing broken. `expect` lists every diagnostic as (file, line, col, code),
line and col being those of the offending token itself (None where a file has no position:
a missing or special file). `run` is the exit code every command must give on it.
`tests/test_broken_corpus.py` runs `validate`, `coverage` and `show` on each.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REQ = "requests:\n  - id: q1\n    title: Logement\n    text: Du logement pour tous\n"
COM = (
    "lists:\n"
    "  - id: l1\n"
    "    name: Liste\n"
    "    commitments:\n"
    "      - id: c1\n"
    "        text: Construire\n"
    "        answers: [q1]\n"
)
# A commitments file with a source whose text holds the pledge's quote.
SOURCED = (
    "sources:\n"
    "  - id: s1\n"
    "    title: Lettre\n"
    "    file: sources/lettre.txt\n"
    "lists:\n"
    "  - id: l1\n"
    "    name: Liste\n"
    "    commitments:\n"
    "      - id: c1\n"
    "        text: Construire des logements\n"
    "        provenance: {source: s1, line: 1}\n"
)
LETTER = "Construire des logements\n"

Expect = tuple[str, int | None, int | None, str]
Setup = Callable[[Path], None]


@dataclass
class Case:
    id: str
    expect: list[Expect]
    requests: str | bytes = REQ
    commitments: str | bytes = COM
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Setup | None = None
    env: dict[str, str] = field(default_factory=dict)
    run: int = 1

    def build(self, directory: Path) -> None:
        directory.mkdir()
        for name, content in {
            "requests.yaml": self.requests,
            "commitments.yaml": self.commitments,
            **self.files,
        }.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if self.setup is not None:
            self.setup(directory)


def req(text: str) -> str:
    """The minimal requests file with its fourth line replaced by `text` (one or more lines)."""
    lines = REQ.splitlines(keepends=True)
    return "".join(lines[:3]) + text


def com_extra(text: str) -> str:
    """The minimal commitments file with more lines inside its one pledge."""
    return COM + text


def _replace(name: str, make: Callable[[Path], None]) -> Setup:
    def setup(directory: Path) -> None:
        target = directory / name
        target.unlink()
        make(target)

    return setup


def _socket(path: Path) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays


R, C = "requests.yaml", "commitments.yaml"

CASES: list[Case] = [
    # --- YAML syntax -------------------------------------------------------------------------
    Case("tab-indent", [(R, 2, 1, "syntax")], requests="requests:\n\t- id: q1\n"),
    Case("unclosed-bracket", [(R, 1, 11, "syntax")], requests="requests: [a, b\n"),
    Case("unclosed-bracket-no-final-newline", [(R, 1, 11, "syntax")], requests="requests: [a"),
    # found by the fuzz test: a bracket that is the file's last character (libyaml put it on line 2)
    Case("lone-bracket-at-end-of-file", [(R, 1, 11, "syntax")], requests="requests: ["),
    # a value still expected when the file ends: the parser stops at the end, the bracket is the culprit
    Case("bracket-open-at-end-after-lines", [(R, 1, 11, "syntax")], requests="requests: [a,\n  b,\n"),
    Case("brace-open-at-end-of-line", [(R, 1, 11, "syntax")], requests="requests: {a: \n"),
    Case("inner-brace-open-at-end", [(R, 1, 17, "syntax")], requests="requests: [[a], {b: c,\n\n"),
    Case("unclosed-brace", [(R, 4, 11, "syntax")], requests=req("    text: {a: b\n  - id: q2\n")),
    Case("unclosed-single-quote-at-end", [(R, 4, 11, "syntax")], requests=req("    text: 'Du logement\n")),
    Case(
        "unclosed-double-quote-mid-file",
        [(R, 3, 12, "syntax")],
        requests='requests:\n  - id: q1\n    title: "Logement\n    text: Du\n  - id: q2\n    title: b\n    text: c\n',
    ),
    Case("two-documents", [(R, 2, 1, "syntax")], requests="requests: []\n---\nrequests: []\n"),
    Case("mapping-in-plain-value", [(R, 4, 12, "syntax")], requests=req("    text: a: b\n")),
    Case("bad-indentation", [(R, 5, 3, "syntax")], requests=req("    text: Du\n  title: x\n")),
    Case("stray-closing-bracket", [(R, 4, 17, "syntax")], requests=req("    text: [a, b]]\n")),
    Case("reserved-indicator", [(R, 4, 11, "syntax")], requests=req("    text: @moi\n")),
    Case("key-without-colon", [(R, 5, 5, "syntax")], requests=req("    text: Du\n    autre\n")),
    Case("block-scalar-bad-indent", [(R, 6, 3, "syntax")], requests=req("    text: |\n      Du\n  x\n")),
    Case("unknown-directive-version", [(R, 1, 1, "syntax")], requests="%YAML 2.0\n---\n" + REQ),
    Case("empty-file", [(R, 1, 1, "empty")], requests=""),
    Case("only-comments", [(R, 1, 1, "empty")], requests="# rien\n# encore\n"),
    Case("top-level-list", [(R, 1, 1, "wrong-top-level")], requests="- a\n- b\n"),
    Case("top-level-scalar", [(C, 1, 1, "wrong-top-level")], commitments="juste du texte\n"),
    # --- aliases, merge keys and tags ---------------------------------------------------------
    Case("scalar-alias", [(R, 4, 5, "alias")], requests="requests:\n  - id: q1\n    title: &t Logement\n    text: *t\n"),
    Case(
        "billion-laughs",
        [(R, 2, 4, "alias")],
        requests='a: &a ["lol","lol"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\nrequests: *c\n',
    ),
    Case("alias-in-block-sequence", [(C, 9, 9, "alias")], commitments=COM + "      - &p {id: c2, text: t}\n      - *p\n"),
    Case("undefined-alias", [(R, 4, 5, "alias")], requests=req("    text: *nowhere\n")),
    Case(
        "merge-key-with-alias",
        [(C, 9, 9, "merge-key")],
        commitments=COM + "      - &p {id: c2, text: t}\n      - <<: *p\n        id: c3\n",
    ),
    Case("merge-key-with-mapping", [(C, 8, 9, "merge-key")], commitments=com_extra("        <<: {note: x}\n")),
    Case("set-tag", [(R, 5, 15, "tag")], requests=REQ + "    keywords: !!set {a, b}\n"),
    Case("omap-tag", [(R, 5, 15, "tag")], requests=REQ + "    keywords: !!omap [a: 1]\n"),
    Case("binary-tag", [(R, 4, 11, "tag")], requests=req("    text: !!binary aGVsbG8=\n")),
    Case("custom-tag", [(R, 4, 11, "tag")], requests=req("    text: !note Du\n")),
    Case("python-tag", [(R, 4, 11, "tag")], requests=req("    text: !!python/object:os.system x\n")),
    Case("int-tag-on-text", [(R, 4, 11, "tag")], requests=req("    text: !!int beaucoup\n")),
    # --- encodings and control characters -----------------------------------------------------
    Case("latin-1", [(R, 3, 15, "encoding")], requests=b"requests:\n  - id: q1\n    title: caf\xe9\n"),
    Case("utf-16", [(R, 1, 1, "encoding")], requests="requests: []\n".encode("utf-16")),
    Case("truncated-utf-8", [(R, 5, 4, "encoding")], requests=REQ.encode()[:-1] + b"\nx: \xc3"),
    Case("nul-byte", [(R, 3, 13, "encoding")], requests=b"requests:\n  - id: q1\n    title: a\x00b\n"),
    Case("bel", [(R, 3, 16, "control-char")], requests=REQ.replace("Logement", "Loge\x07ment")),
    Case("escape-sequence", [(R, 3, 12, "control-char")], requests=REQ.replace("Logement", "\x1b]0;pwned\x07")),
    Case("delete", [(R, 4, 13, "control-char")], requests=REQ.replace("Du logement", "Du\x7f")),
    Case("noncharacter-fffe", [(C, 6, 21, "control-char")], commitments=COM.replace("Construire", "Constr\ufffe")),
    Case("c1-control", [(C, 3, 14, "control-char")], commitments=COM.replace("Liste", "Lis\x9bte")),
    Case("vertical-tab", [(R, 3, 12, "control-char")], requests=REQ.replace("Logement", "\x0bLogement")),
    # --- types --------------------------------------------------------------------------------
    Case("requests-not-a-list", [(R, 1, 11, "wrong-type")], requests="requests: {}\n"),
    Case("text-is-a-number", [(R, 4, 11, "wrong-type")], requests=req("    text: 3\n")),
    Case("title-is-a-list", [(R, 3, 12, "wrong-type")], requests=REQ.replace("title: Logement", "title: [a]")),
    Case("title-is-yaml-true", [(R, 3, 12, "wrong-type")], requests=REQ.replace("title: Logement", "title: true")),
    Case("bad-id", [(R, 2, 9, "bad-id")], requests=REQ.replace("id: q1", "id: q 1")),
    Case("missing-title", [(R, 2, 5, "missing-field")], requests="requests:\n  - id: q1\n    text: Du\n"),
    Case("unknown-key", [(R, 5, 5, "unknown-field")], requests=REQ + "    titel: x\n"),
    Case("non-string-key", [(R, 5, 5, "unknown-field")], requests=REQ + "    1: x\n"),
    Case("complex-key", [(R, 5, 7, "bad-key")], requests=REQ + "    ? [a, b]\n    : x\n"),
    Case("empty-text", [(R, 4, 11, "empty")], requests=req('    text: ""\n')),
    Case("line-is-true", [(C, 11, 40, "wrong-type")], commitments=SOURCED.replace("line: 1", "line: true"), files={"sources/lettre.txt": LETTER}),
    Case("line-is-zero", [(C, 11, 40, "bad-value")], commitments=SOURCED.replace("line: 1", "line: 0"), files={"sources/lettre.txt": LETTER}),
    Case("bad-status", [(C, 8, 17, "bad-value")], commitments=com_extra("        status: done\n")),
    Case("answers-is-a-text", [(C, 7, 18, "wrong-type")], commitments=COM.replace("answers: [q1]", "answers: q1")),
    Case(
        "null-value-then-blank-lines",
        [(C, 7, 17, "wrong-type")],
        commitments=COM.replace("answers: [q1]", "answers:\n\n\n        note: x"),
    ),
    Case("keywords-is-a-text", [(R, 5, 15, "wrong-type")], requests=REQ + "    keywords: logement\n"),
    # --- dates --------------------------------------------------------------------------------
    Case("date-february-30", [(C, 4, 11, "bad-date")], commitments="sources:\n  - id: s\n    title: t\n    date: 2026-02-30\n" + COM),
    Case("date-month-13", [(C, 4, 11, "bad-date")], commitments="sources:\n  - id: s\n    title: t\n    date: 2026-13-45\n" + COM),
    Case("date-year-zero", [(C, 4, 11, "bad-date")], commitments="sources:\n  - id: s\n    title: t\n    date: 0000-01-01\n" + COM),
    Case("link-date-impossible", [(C, 7, 39, "bad-date")], commitments=COM.replace("[q1]", "[{request: q1, date: 2026-02-30}]")),
    Case("timestamp-impossible", [(C, 4, 11, "bad-date")], commitments="sources:\n  - id: s\n    title: t\n    date: 2026-02-30 10:00:00\n" + COM),
    Case("date-not-padded", [(C, 4, 11, "wrong-type")], commitments="sources:\n  - id: s\n    title: t\n    date: 2026-3-8\n" + COM),
    Case("date-with-time", [(C, 4, 11, "wrong-type")], commitments="sources:\n  - id: s\n    title: t\n    date: 2026-03-08 10:30:00\n" + COM),
    # --- duplicates and references ------------------------------------------------------------
    Case("duplicate-key", [(R, 5, 5, "duplicate-key")], requests=REQ + "    title: Encore\n"),
    Case("duplicate-key-far-apart", [(C, 9, 9, "duplicate-key")], commitments=com_extra("        note: a\n        id: c2\n")),
    Case("duplicate-request-id", [(R, 5, 9, "duplicate-id")], requests=REQ + "  - id: q1\n    title: b\n    text: c\n"),
    Case("duplicate-pledge-id", [(C, 8, 13, "duplicate-id")], commitments=COM + "      - id: c1\n        text: Encore\n"),
    Case("unknown-request", [(C, 7, 19, "unknown-request")], commitments=COM.replace("[q1]", "[q9]")),
    Case("conflicting-link", [(C, 8, 19, "conflicting-link")], commitments=com_extra("        rejects: [q1]\n")),
    Case("unknown-axis", [(R, 5, 11, "unknown-axis")], requests=REQ + "    axis: nulle-part\n"),
    Case("unknown-source", [(C, 11, 30, "unknown-source")], commitments=SOURCED.replace("source: s1,", "source: s2,"), files={"sources/lettre.txt": LETTER}),
    Case("invented-quote", [(C, 10, 15, "quote-not-found")], commitments=SOURCED.replace("Construire des logements", "Raser les logements"), files={"sources/lettre.txt": LETTER}),
    Case(
        "unsafe-source-path-once",
        [(C, 4, 11, "unsafe-path")],
        commitments=SOURCED.replace("sources/lettre.txt", "../../etc/passwd") + "      - id: c2\n        text: Autre\n        provenance: {source: s1}\n",
    ),
    Case("missing-source-is-a-warning", [(C, 4, 11, "missing-source")], commitments=SOURCED, run=0),
    # --- special files ------------------------------------------------------------------------
    Case("missing-file", [(C, None, None, "missing-file")], setup=lambda d: (d / C).unlink()),
    Case("directory", [(C, None, None, "not-a-file")], setup=_replace(C, lambda p: p.mkdir())),
    Case("fifo", [(C, None, None, "not-a-file")], setup=_replace(C, lambda p: os.mkfifo(p))),
    Case("symlink-to-dev-zero", [(C, None, None, "not-a-file")], setup=_replace(C, lambda p: p.symlink_to("/dev/zero"))),
    Case("dangling-symlink", [(R, None, None, "missing-file")], setup=_replace(R, lambda p: p.symlink_to("ailleurs.yaml"))),
    Case("symlink-loop", [(R, None, None, "unreadable")], setup=_replace(R, lambda p: p.symlink_to(p.name))),
    Case("socket", [(C, None, None, "not-a-file")], setup=_replace(C, lambda p: _socket(p))),
    # A data file may be a symlink (it is read, as any file); what it points at is data like any.
    Case("symlink-to-a-system-file", [(C, 1, 1, "wrong-top-level")], setup=_replace(C, lambda p: p.symlink_to("/etc/passwd"))),
    Case(
        "source-symlink-out-of-the-directory",
        [(C, 4, 11, "unsafe-path")],
        commitments=SOURCED,
        setup=lambda d: (d / "sources").mkdir() or (d / "sources" / "lettre.txt").symlink_to("/etc/hostname"),
    ),
    Case(
        "source-is-a-fifo",
        [(C, 4, 11, "unreadable-source")],
        commitments=SOURCED,
        setup=lambda d: (d / "sources").mkdir() or os.mkfifo(d / "sources" / "lettre.txt"),
    ),
    Case(
        "source-too-large",
        [(C, 4, 11, "unreadable-source")],
        commitments=SOURCED,
        files={"sources/lettre.txt": LETTER + "x" * 20_000},
        env={"ENGAGEMENTS_MAX_FILE_MB": "0.01"},
    ),
    # --- sizes and depth ----------------------------------------------------------------------
    Case("file-too-large", [(C, None, None, "too-large")], commitments=COM + "#" * 20_000 + "\n", env={"ENGAGEMENTS_MAX_FILE_MB": "0.01"}),
    Case(
        "file-too-large-bad-limit-value",
        [(C, None, None, "too-large")],
        commitments=COM + "#" * 34_000_000 + "\n",
        env={"ENGAGEMENTS_MAX_FILE_MB": "beaucoup"},
    ),
    Case("deep-flow-nesting", [(R, 1, 74, "too-deep")], requests="requests: " + "[" * 5000 + "]" * 5000 + "\n"),
    Case(
        "deep-block-nesting",
        [(R, 65, 129, "too-deep")],
        requests="requests:\n" + "".join("  " * i + "- \n" for i in range(1, 70)),
    ),
]
