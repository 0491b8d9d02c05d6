"""Disable each protection of issue 11 in a temporary copy of the tree and check that its tests fail.

For every mutation below: copy `src/`, `tests/`, `data/` and `pyproject.toml` to a temporary
folder (once), replace one piece of code by its disabled form (plain text substitution, the
original text must occur exactly once), run the tests that protect it against the copy
(`PYTHONPATH=<copy>/src`), restore the file. A protection is covered when at least one of its
tests fails with the mutation; the unmutated copy must pass the same tests first.

    python benchmarks/protection_audit.py            # every mutation, a Markdown table at the end
    python benchmarks/protection_audit.py date mode  # only mutations whose id contains a word
    python benchmarks/protection_audit.py --list     # the mutations, not run

Slow (a pytest run per mutation, about 5 to 40 s each); nothing in the working tree changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "src/engagements/"
TIMEOUT = 600


@dataclass(frozen=True)
class Mutation:
    id: str
    item: str  # the item of issue 11
    where: str  # file:function of the protection
    path: str  # file changed, relative to the root
    old: str
    new: str
    tests: tuple[str, ...]  # pytest selectors (file::test runs every parameter)
    how: str  # how the protection is disabled, in words
    redundant: str = ""  # why no test can fail when this layer alone is removed (another one holds)


def m(
    id: str, item: str, where: str, path: str, old: str, new: str, tests: list[str], how: str, redundant: str = ""
) -> Mutation:
    return Mutation(id, item, where, PKG + path, old, new, tuple(tests), how, redundant)


CORPUS = "tests/test_broken_corpus.py::test_broken_input"
RP = "tests/test_read_path.py::"
TS = "tests/test_terminal_safety.py::"
OR = "tests/test_output_rules.py::"
WT = "tests/test_write_transaction.py::"
GI = "tests/test_git_injection.py::"
VA = "tests/test_validate.py::"
SH = "tests/test_sheet.py::"
HP = "tests/test_html_page.py::"


def corpus(*ids: str) -> str:
    return f"{CORPUS}[{ids[0]}]" if len(ids) == 1 else CORPUS + " -k " + " or ".join(ids)


MUTATIONS: list[Mutation] = [
    # --- crashes (exit 70) ----------------------------------------------------------------------
    m(
        "impossible-date",
        "crash: impossible calendar date (2026-02-30, 2026-13-45, 0000-01-01, link date)",
        "loading.py:_timestamp + _Composer.resolve",
        "loading.py",
        "        raise _BadDate(value) from None",
        "        raise",
        [f"{CORPUS}[date-february-30]", f"{CORPUS}[date-month-13]", f"{CORPUS}[date-year-zero]",
         f"{CORPUS}[link-date-impossible]", f"{CORPUS}[timestamp-impossible]",
         RP + "test_impossible_dates_are_one_diagnostic_each_not_a_crash"],
        "the ValueError of datetime.date is re-raised instead of becoming a bad-date refusal",
    ),
    m(
        "merge-key",
        "crash: merge key with an alias; silent gap: `<<: {note: x}`",
        "loading.py:_Composer.mapping",
        "loading.py",
        'if key == "<<" and plain_key and event.implicit[0]:',
        'if False:',
        [f"{CORPUS}[merge-key-with-alias]", f"{CORPUS}[merge-key-with-mapping]",
         RP + "test_merge_key_does_not_let_an_alias_through"],
        "the `<<` refusal is skipped (`if False:`)",
    ),
    m(
        "merge-key-alias-value",
        "crash: merge key with an alias (its alias value is not composed)",
        "loading.py:_Composer.mapping",
        "loading.py",
        "                if value_event.__class__ is not self.events.AliasEvent:\n"
        "                    self.node(value_event, depth + 1, (key_line, key_col))",
        "                self.node(value_event, depth + 1, (key_line, key_col))",
        [f"{CORPUS}[merge-key-with-alias]", RP + "test_merge_key_does_not_let_an_alias_through"],
        "the alias after `<<` is composed like any node",
    ),
    m(
        "xlsx-control-char",
        "crash: control character in a list name under export --format xlsx",
        "exports.py:write_xlsx (visible + ILLEGAL_CHARACTERS_RE)",
        "exports.py",
        'value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(visible(f.label))))',
        "value=neutralise(f.label))",
        [OR + "test_xlsx_with_a_control_character_in_a_list_name"],
        "the header label is written without visible() nor the illegal-character filter",
    ),
    m(
        "xlsx-visible",
        "exports: control/bidi characters in xlsx cells",
        "exports.py:write_xlsx (visible)",
        "exports.py",
        'value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(visible(f.label))))',
        'value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(f.label)))',
        [OR + "test_xlsx_with_a_control_character_in_a_list_name"],
        "visible() removed from the header label (the illegal characters are only dropped)",
    ),
    m(
        "unreadable-file",
        "crash: unreadable data file (PermissionError)",
        "reading.py:read_bounded",
        "reading.py",
        "        fd = os.open(path, flags)\n    except OSError as exc:\n        raise _os_error(exc) from None",
        "        fd = os.open(path, flags)\n    except FileNotFoundError as exc:\n        raise _os_error(exc) from None",
        [RP + "test_an_unreadable_data_file_is_a_diagnostic",
         RP + "test_an_unreadable_data_file_is_a_diagnostic_even_as_root"],
        "the PermissionError of os.open is no longer caught",
    ),
    m(
        "unreadable-message",
        "crash: unreadable data file (its message)",
        "reading.py:_os_error",
        "reading.py",
        "    if isinstance(exc, PermissionError):",
        "    if False:",
        [RP + "test_an_unreadable_data_file_is_a_diagnostic",
         RP + "test_an_unreadable_data_file_is_a_diagnostic_even_as_root"],
        "the French `permission refusée` branch is skipped",
    ),
    m(
        "max-file-mb-inf",
        "crash: ENGAGEMENTS_MAX_FILE_MB=inf",
        "reading.py:_limit_mb",
        "reading.py",
        "    return min(number, HARD_MAX_MB), None",
        "    return number, None",
        [RP + "test_any_max_file_mb_value_is_handled"],
        "the value is no longer capped at HARD_MAX_MB (int(inf) overflows)",
    ),
    m(
        "max-file-mb-nan",
        "crash: ENGAGEMENTS_MAX_FILE_MB=nan/-1/0/x",
        "reading.py:_limit_mb",
        "reading.py",
        "    if math.isnan(number) or number <= 0:",
        "    if False:",
        [RP + "test_any_max_file_mb_value_is_handled"],
        "nan and non-positive values are no longer ignored",
    ),
    # --- terminal escape injection ---------------------------------------------------------------
    m(
        "out-visible",
        "terminal: coverage, show, match, gaps, lists, requests (csv), diff on stdout",
        "cli/common.py:out",
        "cli/common.py",
        "    sys.stdout.write(visible(text))",
        "    sys.stdout.write(text)",
        [TS + "test_every_command_shows_control_characters_visibly", TS + "test_diff_shows_control_characters_visibly",
         TS + "test_csv_on_a_terminal_keeps_its_line_ends"],
        "out() writes the text raw",
    ),
    m(
        "err-visible",
        "terminal: stderr (diagnostics, messages)",
        "cli/common.py:err",
        "cli/common.py",
        "    sys.stderr.write(visible(text))",
        "    sys.stderr.write(text)",
        [TS + "test_unknown_key_names_on_stderr_are_one_visible_line", TS + "test_usage_errors_show_the_argument_visibly"],
        "err() writes the text raw",
    ),
    m(
        "diagnostic-one-line",
        "terminal: unknown key names on stderr from validate stay one line",
        "cli/common.py:print_diagnostics",
        "cli/common.py",
        "replace(d, file=visible(d.file, multiline=False), message=visible(d.message, multiline=False))",
        "d",
        [TS + "test_unknown_key_names_on_stderr_are_one_visible_line"],
        "diagnostics are printed without the one-line escaping (line feeds kept)",
    ),
    m(
        "rich-render",
        "terminal: tables of coverage, show, match, gaps, lists, requests",
        "terminal.py:SafeConsole.render",
        "terminal.py",
        "        if isinstance(renderable, Text):\n            renderable = safe_text(renderable)\n",
        "",
        [TS + "test_every_command_shows_control_characters_visibly", TS + "test_safe_console_keeps_styles_and_alignment",
         TS + "test_colours_of_a_real_terminal_survive_but_data_escapes_do_not"],
        "Rich Text objects are rendered without safe_text()",
    ),
    m(
        "rich-render-str",
        "terminal: strings given to Rich",
        "terminal.py:SafeConsole.render_str",
        "terminal.py",
        "        return safe_text(super().render_str(text, **kwargs))",
        "        return super().render_str(text, **kwargs)",
        [TS + "test_every_command_shows_control_characters_visibly", TS + "test_safe_console_keeps_styles_and_alignment",
         TS + "test_colours_of_a_real_terminal_survive_but_data_escapes_do_not"],
        "render_str() no longer makes the text safe",
        "SafeConsole.render applies safe_text to the Text that render_str returns, whatever the caller",
    ),
    m(
        "json-escapes",
        "terminal: --format json of every command",
        "cli/common.py:print_json",
        "cli/common.py",
        "    sys.stdout.write(json_text(json.dumps(value, ensure_ascii=False, indent=2)) + \"\\n\")",
        "    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + \"\\n\")",
        [TS + "test_every_command_shows_control_characters_visibly"],
        "JSON written without json_text() (C1, bidi raw)",
    ),
    m(
        "bidi",
        "terminal: bidi U+202E / U+2066",
        "safety.py:_OTHER",
        "safety.py",
        '_OTHER = "\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"',
        '_OTHER = "\\x7f-\\x9f"',
        [TS + "test_every_command_shows_control_characters_visibly", TS + "test_visible"],
        "bidi marks, overrides, isolates and line separators dropped from the unsafe set",
    ),
    m(
        "escape-char",
        "terminal: OSC 0, CSI 2J, OSC 8, colours (ESC)",
        "safety.py:_UNSAFE_MULTILINE",
        "safety.py",
        '_UNSAFE_MULTILINE = re.compile(f"\\r(?!\\n)|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{_OTHER}]")',
        '_UNSAFE_MULTILINE = re.compile(f"\\r(?!\\n)|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1a\\x1c-\\x1f{_OTHER}]")',
        [TS + "test_every_command_shows_control_characters_visibly", TS + "test_visible"],
        "ESC (\\x1b) dropped from the unsafe set of multi-line output",
    ),
    # --- -o overwrites ---------------------------------------------------------------------------
    m(
        "o-data-file",
        "-o: a data file of the directory in use (also a hard link, also with --force)",
        "writing.py:check_output + _protected",
        "writing.py",
        "        if any(_same_file(info, p) for p in _protected(data_dir)):",
        "        if False:",
        [OR + "test_export_never_replaces_a_data_file", OR + "test_a_hard_link_to_a_data_file_is_caught_too",
         OR + "test_schema_never_replaces_a_data_file"],
        "the device/inode comparison with the data files is skipped",
    ),
    m(
        "o-special",
        "-o: a device, a FIFO (not opened)",
        "writing.py:check_output",
        "writing.py",
        "        if not stat.S_ISREG(info.st_mode):\n            raise OutputError(",
        "        if False:\n            raise OutputError(",
        [OR + "test_a_device_is_never_replaced", OR + "test_a_fifo_is_refused_without_opening_it"],
        "the regular-file test of an existing output is skipped",
    ),
    m(
        "o-directory",
        "-o: a directory for a one-file format",
        "writing.py:check_output",
        "writing.py",
        "            if not directory:\n                raise OutputError(",
        "            if False:\n                raise OutputError(",
        [OR + "test_a_directory_is_not_a_file_output"],
        "a folder is accepted as a one-file output",
    ),
    m(
        "o-symlink",
        "-o: a symlink",
        "writing.py:check_output",
        "writing.py",
        "        if stat.S_ISLNK(info.st_mode):",
        "        if False:",
        [OR + "test_a_symlink_is_not_silently_replaced"],
        "the lstat symlink test is skipped",
    ),
    m(
        "o-force",
        "-o: an existing file needs --force",
        "writing.py:check_output",
        "writing.py",
        "        if not force and not (own is not None and own(path)):",
        "        if False:",
        [OR + "test_an_existing_file_needs_force", OR + "test_a_file_that_only_looks_like_html_needs_force"],
        "an existing file is replaced without --force",
    ),
    m(
        "o-own",
        "-o: a previous export is replaced without --force",
        "writing.py:check_output",
        "writing.py",
        "        if not force and not (own is not None and own(path)):",
        "        if not force:",
        [OR + "test_a_previous_export_is_replaced_without_force",
         OR + "test_schema_replaces_its_own_previous_output_but_not_another_file"],
        "the tool's own previous export is no longer recognised",
    ),
    m(
        "o-stdout",
        "-o -: one-file formats on stdout, folder formats refused",
        "cli/export.py:_check_output",
        "cli/export.py",
        "    if str(output) == STDOUT:\n        if fmt.writes_directory:",
        "    if str(output) == STDOUT:\n        if False:",
        [OR + "test_dash_writes_single_file_formats_to_stdout"],
        "`-o - -f csv` is no longer refused",
    ),
    m(
        "o-parents",
        "-o: a missing parent folder needs --parents",
        "writing.py:check_output",
        "writing.py",
        "        if not parents:\n            raise OutputError(",
        "        if False:\n            raise OutputError(",
        [OR + "test_missing_folders_need_parents"],
        "a missing parent folder is not refused",
    ),
    m(
        "o-folder-not-emptied",
        "-o: a folder with other files is never emptied",
        "writing.py:check_output",
        "writing.py",
        "            if any(path.iterdir()) and not (own is not None and own(path)):",
        "            if False:",
        [OR + "test_a_folder_with_other_files_is_never_emptied"],
        "a non-empty foreign folder is accepted",
    ),
    m(
        "o-temp-folder",
        "-o: multi-file exports via a temp folder renamed into place; no stale file",
        "writing.py:replace_directory",
        "writing.py",
        '    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))\n    old: Path | None = None',
        "    path.mkdir(exist_ok=True)\n    temp = path\n    old: Path | None = None\n"
        "    files = {n: c for n, c in files.items() if not (temp / n).unlink(missing_ok=True)}",
        [OR + "test_a_csv_folder_is_replaced_whole", OR + "test_a_failed_folder_write_leaves_the_old_export"],
        "the files are written straight into the target folder (no temp folder, no rename)",
    ),
    m(
        "sheet-output-rules",
        "-o: sheet status/review follow the -o rules (found by this audit)",
        "cli/mandate.py:sheet_status, sheet_review (write_file_output)",
        "cli/mandate.py",
        "    content = sheets.to_xlsx(rows) if suffix == \".xlsx\" else sheets.to_csv(rows)\n"
        "    write_file_output(ctx, output, content, force=force, parents=parents, own=lambda path: False)\n"
        "    say(_(\"{file} : {n} engagement(s) à suivre.\")",
        "    content = sheets.to_xlsx(rows) if suffix == \".xlsx\" else sheets.to_csv(rows)\n"
        "    from ..writing import atomic_write\n\n    atomic_write(output, content)\n"
        "    say(_(\"{file} : {n} engagement(s) à suivre.\")",
        [SH + "test_sheet_follows_the_output_rules"],
        "sheet status writes with atomic_write, unchecked, as before the fix",
    ),
    # --- reads before checks ---------------------------------------------------------------------
    m(
        "read-special",
        "reads: FIFO as commitments.yaml, symlink to /dev/zero (every command, cache key)",
        "reading.py:check_file + read_bounded",
        "reading.py",
        "    if not stat.S_ISREG(info.st_mode):\n        raise _not_regular(info.st_mode)\n    if info.st_size > limit:",
        "    if info.st_size > limit:",
        [corpus("fifo", "symlink-to-dev-zero", "socket", "directory"),
         RP + "test_read_bounded_refuses_special_and_oversized_files_without_reading_them",
         RP + "test_the_cache_key_does_not_read_a_fifo_or_a_device", RP + "test_a_special_file_is_not_even_opened"],
        "the regular-file test before opening is removed (the fstat one stays)",
    ),
    m(
        "read-special-fstat",
        "reads: a file swapped for a FIFO/device between the check and the open",
        "reading.py:read_bounded",
        "reading.py",
        "        if not stat.S_ISREG(info.st_mode):  # swapped for a FIFO or a device since the check\n"
        "            raise _not_regular(info.st_mode)\n",
        "",
        [RP + "test_read_bounded_refuses_special_and_oversized_files_without_reading_them",
         RP + "test_a_file_swapped_for_a_fifo_after_its_check_is_refused_on_the_open_descriptor"],
        "the fstat test on the open descriptor is removed (the stat one stays)",
    ),
    m(
        "read-size",
        "reads: a 50 MB file (the size limit)",
        "reading.py:read_bounded + check_file",
        "reading.py",
        "    limit = max_bytes() if limit is None else limit\n    check_file(path, limit)",
        "    limit = 1 << 40\n    check_file(path, limit)",
        [corpus("file-too-large", "source-too-large"), VA + "test_huge_file_gets_a_size_limit_not_a_hang"],
        "the limit is set to 1 TB",
    ),
    m(
        "cache-key-read",
        "reads: the cache key reads no FIFO or device",
        "cache.py:files_key",
        "cache.py",
        '            digest.update(path.name.encode() + b"\\0" + read_bounded(path))',
        '            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)\n'
        '            digest.update(path.name.encode() + b"\\0" + os.read(fd, 1 << 20))\n'
        "            os.close(fd)",
        [RP + "test_the_cache_key_does_not_read_a_fifo_or_a_device"],
        "the key reads the files with a plain (non-blocking, 1 MB) read instead of read_bounded",
    ),
    # --- argument injection ----------------------------------------------------------------------
    m(
        "git-valid-ref",
        "argument injection: diff --git=--output=x",
        "diffing.py:valid_ref",
        "diffing.py",
        "    return bool(_REF.fullmatch(ref)) and \"..\" not in ref and len(ref) <= 200",
        "    return True",
        [GI + "test_a_ref_that_is_an_option_is_refused_and_writes_nothing", GI + "test_the_option_form_of_the_issue_writes_no_file",
         GI + "test_valid_ref"],
        "every revision is accepted",
    ),
    m(
        "git-end-of-options",
        "argument injection: the revision after --end-of-options",
        "diffing.py:git_snapshot",
        "diffing.py",
        '["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]',
        '["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]',
        [GI + "test_a_ref_that_is_an_option_is_refused_and_writes_nothing", GI + "test_the_option_form_of_the_issue_writes_no_file",
         GI + "test_a_ref_that_is_an_option_reaches_git_only_after_end_of_options"],
        "--end-of-options removed from rev-parse",
    ),
    m(
        "data-version-bounded",
        "reads: the HTML page's content hash (outside git) reads no FIFO or device (found by this audit)",
        "exports.py:data_version",
        "exports.py",
        "            digest.update(read_bounded(path) + b\"\\0\")",
        "            digest.update(path.read_bytes() + b\"\\0\")",
        [HP + "test_the_content_hash_reads_the_data_files_only_and_never_blocks"],
        "read_bytes instead of read_bounded",
    ),
    m(
        "data-version-walk",
        "reads: the HTML page's content hash (outside git) reads only the data files (found by this audit)",
        "exports.py:data_version",
        "exports.py",
        "    for path in data_files(folder):",
        '    for path in sorted(p for p in folder.rglob("*.yaml") if p.relative_to(folder).parts[0] != "schema"):',
        [HP + "test_the_content_hash_reads_the_data_files_only_and_never_blocks"],
        "every *.yaml under the folder is read again, as before the fix (bounded)",
    ),
    m(
        "journal-temp-size",
        "reads: recovery reads no journaled temp larger than a data file (found by this audit)",
        "editing.py:_finish_transaction",
        "editing.py",
        "            if temp.stat().st_size <= max_bytes() and _digest(temp) == entry.get(\"sha256\"):",
        "            if _digest(temp) == entry.get(\"sha256\"):",
        [WT + "test_a_journaled_temp_over_the_size_limit_is_not_read"],
        "the size test before the digest is removed",
    ),
    m(
        "git-size",
        "reads: a file of a git revision over the limit",
        "diffing.py:git_snapshot",
        "diffing.py",
        "        if max_bytes is not None and int(size.stdout.strip() or 0) > max_bytes:",
        "        if False:",
        [GI + "test_a_file_over_the_limit_is_refused_before_it_is_read"],
        "the cat-file -s size test is skipped",
    ),
    # --- silent gaps -----------------------------------------------------------------------------
    m(
        "source-unreadable",
        "silent gap: source file over the limit or unreadable gives a diagnostic",
        "checks.py:_Checker._find_document",
        "checks.py",
        "        if isinstance(content, ReadRefused):\n            # Not a warning: an invented quote must not pass as checked.\n            self.report(",
        "        if isinstance(content, ReadRefused):\n            return None\n            self.report(",
        [corpus("source-too-large", "source-is-a-fifo")],
        "an unread source is skipped without a diagnostic",
    ),
    m(
        "line-true",
        "silent gap: `line: true` refused",
        "models.py:Provenance._not_a_boolean",
        "models.py",
        "        if isinstance(value, bool):\n            raise PydanticCustomError",
        "        if False:\n            raise PydanticCustomError",
        [f"{CORPUS}[line-is-true]", RP + "test_line_true_is_not_line_one"],
        "booleans pass as integers again",
    ),
    m(
        "set-tag",
        "silent gap: `!!set` (and any tag on a mapping or sequence) refused",
        "loading.py:_Composer.check_tag",
        "loading.py",
        '        if tag is None or tag == "!" or tag == f"{_CORE}{kind}":\n            return',
        "        return",
        [corpus("set-tag", "omap-tag"), RP + "test_a_valid_str_tag_is_accepted_and_other_tags_are_not"],
        "check_tag returns at once",
    ),
    m(
        "str-tag",
        "silent gap: `text: !!str t` accepted",
        "loading.py:_Composer.scalar",
        "loading.py",
        '        if tag in (None, "!") or tag == f"{_CORE}str":',
        '        if tag in (None, "!"):',
        [RP + "test_a_valid_str_tag_is_accepted_and_other_tags_are_not",
         RP + "test_a_str_tag_makes_a_number_a_date_or_a_boolean_a_text"],
        "!!str goes the way of the other tags",
    ),
    # --- imprecise positions ---------------------------------------------------------------------
    m(
        "unclosed-quote",
        "position: an unclosed quote is shown at the quote",
        "loading.py:_unclosed",
        "loading.py",
        '    if "while scanning a quoted scalar" in context:\n        return "end of stream" in str(exc.problem or "")',
        '    if "while scanning a quoted scalar" in context:\n        return False',
        [corpus("unclosed-double-quote-mid-file", "unclosed-single-quote-at-end"),
         RP + "test_unclosed_double_quote_is_shown_at_the_quote"],
        "a quote left open is reported where the parser stopped",
    ),
    m(
        "control-char-position",
        "position: control characters with a line, a column and a French message",
        "loading.py:parse_yaml",
        "loading.py",
        "    bad = _NON_PRINTABLE.search(text)\n",
        "    bad = None\n",
        [corpus("bel", "escape-sequence", "delete", "vertical-tab", "c1-control"),
         RP + "test_control_characters_have_a_line_a_column_and_a_french_message"],
        "the scan for non-printable characters is skipped (libyaml's own error)",
    ),
    m(
        "open-flow-at-end",
        "position: a bracket or brace left open at the end of the file, at the bracket",
        "loading.py:_open_flow (from _yaml_position, _yaml_message)",
        "loading.py",
        "    opened = _open_flow(exc, text)\n    if opened is not None:\n        return opened[0], opened[1]\n",
        "",
        [corpus("lone-bracket-at-end-of-file", "bracket-open-at-end-after-lines", "brace-open-at-end-of-line",
                "inner-brace-open-at-end"),
         RP + "test_a_bracket_left_open_at_the_end_is_shown_at_the_bracket"],
        "the position is where the parser met the end of the file",
    ),
    m(
        "nul-column",
        "position: a NUL character with its line and column",
        "loading.py:parse_yaml",
        "loading.py",
        '            result.error(line, col, _("caractère NUL',
        '            result.error(line, None, _("caractère NUL',
        [f"{CORPUS}[nul-byte]"],
        "the NUL is reported without its column",
    ),
    m(
        "deep-nesting",
        "position: 5,000-deep flow nesting, refused with a line",
        "loading.py:_Composer.node (MAX_DEPTH)",
        "loading.py",
        "        if depth >= MAX_DEPTH:",
        "        if False:",
        [corpus("deep-flow-nesting", "deep-block-nesting"), VA + "test_deep_nesting_is_refused"],
        "the depth limit is not checked",
    ),
    m(
        "duplicate-key-first",
        "position: duplicate-key hint names the first occurrence",
        "loading.py:_Composer.mapping",
        "loading.py",
        'key=key, first=f" ({_(\'déjà définie ligne\')} {entries[key][0]})"',
        'key=key, first=f" ({_(\'déjà définie ligne\')} {line})"',
        [RP + "test_duplicate_key_hint_names_the_first_occurrence_not_the_mapping"],
        "the hint names the line of the mapping",
    ),
    m(
        "non-string-key",
        "position: a non-string key at its line",
        "loading.py:_Composer.mapping (keys as written)",
        "loading.py",
        "            key = event.value if plain_key else self.key(event, depth, key_line, key_col)",
        "            key = _resolve(event.value)[1] if plain_key else self.key(event, depth, key_line, key_col)",
        [f"{CORPUS}[non-string-key]"],
        "plain keys are resolved (`1:` becomes the integer 1), as a YAML loader would",
    ),
    m(
        "unsafe-path-once",
        "position: unsafe source path reported once",
        "checks.py:_Checker.source_document",
        "checks.py",
        "        if key not in self._documents:\n            self._documents[key] = self._find_document(file, source, sources)",
        "        self._documents[key] = self._find_document(file, source, sources)",
        [f"{CORPUS}[unsafe-source-path-once]", RP + "test_unsafe_source_path_is_reported_once"],
        "the source is looked up (and reported) for every pledge",
    ),
    # --- writes ----------------------------------------------------------------------------------
    m(
        "leftover-temps",
        "writes: leftover .tmp files cleaned",
        "editing.py:_remove_temps",
        "editing.py",
        "    done: list[str] = []\n    expected = _expected_targets(directory)",
        "    return []\n    done: list[str] = []\n    expected = _expected_targets(directory)",
        [WT + "test_a_write_killed_before_its_renames_leaves_the_data_and_its_temp_is_removed"],
        "recovery removes no temporary file",
    ),
    m(
        "leftover-reported",
        "writes: leftover .tmp files reported when they cannot be removed",
        "cli/common.py:recover_writes",
        "cli/common.py",
        "    if data_pending_recovery(directory):\n        say(",
        "    if False:\n        say(",
        [WT + "test_a_killed_write_in_a_read_only_directory_is_reported",
         WT + "test_a_temp_that_cannot_be_removed_is_reported"],
        "the warning is never given",
    ),
    m(
        "transaction-journal",
        "writes: fmt of two files is one transaction, finished by the next command",
        "editing.py:write_checked",
        "editing.py",
        "        if len(temps) > 1:\n            journal = _write_journal(",
        "        if False:\n            journal = _write_journal(",
        [WT + "test_fmt_killed_between_its_two_renames_is_finished_by_the_next_command"],
        "no journal is written before the renames",
    ),
    m(
        "transaction-recovery",
        "writes: a journal left by a kill is played to the end",
        "editing.py:_finish_transaction",
        "editing.py",
        "                os.replace(temp, target)\n                finished.append(",
        "                finished.append(",
        [WT + "test_fmt_killed_between_its_two_renames_is_finished_by_the_next_command"],
        "recovery does not do the renames of the journal",
    ),
    m(
        "hostile-journal",
        "writes: a hostile journal writes nowhere else",
        "editing.py:_finish_transaction",
        "editing.py",
        "            (str(target) not in targets and not _new_part(directory, target))\n            or temp.parent",
        "            False\n            or temp.parent",
        [WT + "test_a_hostile_journal_never_writes_elsewhere"],
        "any target named by the journal is accepted",
    ),
    m(
        "symlink-through",
        "writes: a symlinked data file is written through its target",
        "writing.py:real_target",
        "writing.py",
        "    return Path(os.path.realpath(path)) if path.is_symlink() else path",
        "    return path",
        [WT + "test_a_symlinked_data_file_is_written_through", WT + "test_atomic_write_keeps_an_existing_mode_and_follows_a_symlink"],
        "the symlink itself is replaced by a regular file",
    ),
    m(
        "symlink-outside",
        "writes: a symlinked data file pointing outside the directory is refused",
        "editing.py:data_target",
        "editing.py",
        "        if not Path(os.path.realpath(target)).is_relative_to(real_dir):",
        "        if False:",
        [WT + "test_a_symlink_to_outside_the_data_directory_is_refused"],
        "a target outside the data directory is written",
    ),
    m(
        "mode-kept",
        "writes: the mode is kept",
        "writing.py:write_temp",
        "writing.py",
        "            os.chmod(temp, stat.S_IMODE(info.st_mode))",
        "            os.chmod(temp, _default_mode())",
        [WT + "test_mode_and_owner_are_kept", WT + "test_atomic_write_keeps_an_existing_mode_and_follows_a_symlink"],
        "the new file gets the default mode",
    ),
    m(
        "owner-kept",
        "writes: the owner and group are kept",
        "writing.py:write_temp",
        "writing.py",
        "                    os.chown(temp, info.st_uid, info.st_gid)",
        "                    pass",
        [WT + "test_mode_and_owner_are_kept"],
        "chown is not called",
    ),
    m(
        "fsync-directory",
        "writes: the directory is fsynced after the renames",
        "editing.py:write_checked",
        "editing.py",
        "        for folder in {t.parent for t in targets.values()}:\n            fsync_directory(folder)",
        "        pass",
        [WT + "test_the_directory_is_synced_after_the_renames",
         WT + "test_the_directory_of_a_one_file_write_is_synced_after_its_rename"],
        "no fsync of the directories after the renames",
    ),
    m(
        "fsync-directory-atomic",
        "writes: the directory is fsynced after atomic_write (-o exports, journals)",
        "writing.py:atomic_write",
        "writing.py",
        "        temp.unlink(missing_ok=True)\n        raise\n    fsync_directory(directory)",
        "        temp.unlink(missing_ok=True)\n        raise",
        [WT + "test_atomic_write_syncs_the_directory_after_the_rename"],
        "no fsync of the directory after the rename of atomic_write",
    ),
    # --- exports ---------------------------------------------------------------------------------
    m(
        "sheet-visible",
        "exports: control/bidi characters in the sheets (CSV, xlsx) (found by this audit)",
        "sheet.py:to_csv, to_xlsx",
        "sheet.py",
        "        writer.writerow([neutralise(visible(cell)) if isinstance(cell, str) else cell for cell in row])",
        "        writer.writerow([neutralise(cell) for cell in row])",
        [SH + "test_sheets_hold_no_raw_control_or_bidi_character"],
        "the sheet's CSV cells are written raw",
    ),
    m(
        "csv-leading-space",
        "exports: CSV neutralisation of ` =…` (leading space)",
        "tables.py:neutralise",
        "tables.py",
        " or value.lstrip().startswith(_FORMULA_START)",
        "",
        [OR + "test_formula_starts_are_neutralised", OR + "test_csv_cells_are_neutralised_and_hold_no_control_character"],
        "leading spaces are no longer skipped",
    ),
    m(
        "csv-fullwidth",
        "exports: CSV neutralisation of fullwidth `＝`",
        "tables.py:_FORMULA_START",
        "tables.py",
        '"|", "\\uff1d", ',
        '"|", ',
        [OR + "test_formula_starts_are_neutralised", OR + "test_csv_cells_are_neutralised_and_hold_no_control_character"],
        "U+FF1D removed from the formula starts",
    ),
    m(
        "csv-pipe",
        "exports: CSV neutralisation of `|`",
        "tables.py:_FORMULA_START",
        "tables.py",
        '"@", "|", ',
        '"@", ',
        [OR + "test_formula_starts_are_neutralised", OR + "test_csv_cells_are_neutralised_and_hold_no_control_character"],
        "`|` removed from the formula starts",
    ),
    m(
        "csv-visible",
        "exports: control/bidi characters in CSV",
        "tables.py:_csv_cell",
        "tables.py",
        "    if isinstance(value, str):\n        return visible(value)",
        "    if isinstance(value, str):\n        return value",
        [OR + "test_csv_cells_are_neutralised_and_hold_no_control_character", OR + "test_no_raw_control_or_bidi_character_in_an_export"],
        "CSV text cells are written raw",
    ),
    m(
        "md-visible",
        "exports: control/bidi characters in Markdown",
        "exports.py:md_text",
        "exports.py",
        '    folded = visible(" ".join(str(value).split()), multiline=False)',
        '    folded = " ".join(str(value).split())',
        [OR + "test_no_raw_control_or_bidi_character_in_an_export"],
        "Markdown cells keep their control characters",
    ),
    m(
        "html-visible",
        "exports: control/bidi characters in HTML",
        "exports.py:esc",
        "exports.py",
        '    return html.escape(visible("" if value is None else str(value)), quote=True)',
        '    return html.escape("" if value is None else str(value), quote=True)',
        [OR + "test_no_raw_control_or_bidi_character_in_an_export"],
        "HTML text keeps its control characters",
    ),
]


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".engagements", ".pytest_cache", ".hypothesis")
    for name in ("src", "tests", "data"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")


def run_tests(tree: Path, selectors: tuple[str, ...]) -> tuple[str, str]:
    """('pass' | 'fail' | 'error' | 'timeout', a short summary) of the tests on `tree`."""
    args: list[str] = []
    for selector in selectors:
        node, _sep, expression = selector.partition(" -k ")
        args.append(node)
        if expression:
            args += ["-k", expression]
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    env["ENGAGEMENTS_CACHE_DIR"] = tempfile.mkdtemp(prefix="audit-cache-")
    # One pytest per selector group would be slower: -k applies to all, so split by -k use.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", "-rN", *args]
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timeout", f"> {TIMEOUT} s"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else done.stderr.strip()[-200:]
    summary = re.sub(r"=+", "", summary).strip()
    if done.returncode == 0:
        return "pass", summary
    if done.returncode == 1:
        return "fail", summary
    return "error", summary


def groups(selectors: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Selectors with `-k` run alone (their expression would filter the others)."""
    plain = tuple(s for s in selectors if " -k " not in s)
    return ([plain] if plain else []) + [(s,) for s in selectors if " -k " in s]


_BASELINE: dict[tuple[str, ...], tuple[str, str]] = {}


def audit(mutation: Mutation, tree: Path) -> tuple[str, str, str]:
    path = tree / mutation.path
    original = path.read_text(encoding="utf-8")
    count = original.count(mutation.old)
    if count != 1:
        return "stale", f"the code to disable occurs {count} times in {mutation.path}", ""
    base = [_BASELINE.setdefault(g, run_tests(tree, g)) for g in groups(mutation.tests)]
    if any(state != "pass" for state, _s in base):
        return "baseline", "; ".join(s for _st, s in base), ""
    path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
    try:
        results = [run_tests(tree, g) for g in groups(mutation.tests)]
    finally:
        path.write_text(original, encoding="utf-8")
    # Only test failures count: a collection error (exit 2 to 4) says nothing of the protection.
    if any(state == "error" for state, _s in results):
        return "error", "; ".join(s for _st, s in results), ""
    failed = any(state in ("fail", "timeout") for state, _s in results)
    if not failed and mutation.redundant:
        return "redundant", "; ".join(s for _st, s in results), "; ".join(s for _st, s in base)
    return ("yes" if failed else "NO"), "; ".join(s for _st, s in results), "; ".join(s for _st, s in base)


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for mutation in MUTATIONS:
            print(f"{mutation.id:24} {mutation.where:45} {mutation.how}")
        return 0
    chosen = [x for x in MUTATIONS if not argv or any(word in x.id for word in argv)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="protection-audit-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        for mutation in chosen:
            start = time.monotonic()
            verdict, after, before = audit(mutation, tree)
            seconds = time.monotonic() - start
            print(f"{mutation.id}: {verdict} ({seconds:.0f} s) disabled: {after} | intact: {before}", flush=True)
            rows.append((mutation, verdict, after))
    print()
    print("| item | protecting code | tests | fails without the fix |")
    print("|---|---|---|---|")
    for mutation, verdict, after in rows:
        tests = "<br>".join(f"`{t.removeprefix('tests/')}`" for t in mutation.tests)
        why = f"; no test can fail: {mutation.redundant}" if verdict == "redundant" else ""
        print(f"| {mutation.item} | `{mutation.where}` | {tests} | {verdict} ({mutation.how}; {after}{why}) |")
    missed = [mutation.id for mutation, verdict, _a in rows if verdict not in ("yes", "redundant")]
    if missed:
        print(f"\nnot covered or not run: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
