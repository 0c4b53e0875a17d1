"""The teacher kit (docs/teaching/) cannot rot.

- every numbered notebook has a docs/teaching/weekN.md that names it and has the headed
  sections a teacher relies on (objectives, prerequisites, time, discussion questions with
  notes, stumbling blocks, the real-data note), and no week file is left without a notebook;
- every `helpers.module.name` the kit mentions imports, every bare helpers function it calls
  exists, every `python -m helpers ...` command parses with the real command line, every
  `make` target and make variable exists in the Makefile, every HELPERS_* environment
  variable is read by the package, every repository path exists, every relative link resolves;
- the Harmonix facts it states (frame rate, frame duration, bands, hop) are the real ones.

Code is looked for in `inline code` and in fenced blocks, so prose may say anything.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import importlib
import io
import pkgutil
import re
import shlex
from pathlib import Path

import pytest

from helpers.course import notebook_paths
from helpers.data import HARMONIX_PARAMS

from .conftest import REPO

KIT = REPO / "docs" / "teaching"
NOTEBOOKS = notebook_paths(REPO / "notebooks")

#: Headings (## level) every week file must have, in this order: key -> regex on the heading text.
REQUIRED_SECTIONS = {
    "objectives": r"^learning objectives\b",
    "prerequisites": r"^prerequisites\b",
    "time": r"^time\b",
    "discussion": r"^discussion questions\b",
    "stumbling": r"^common stumbling blocks\b",
    "real data": r"^with the real harmonix data\b",
}
MIN_QUESTIONS, MAX_QUESTIONS = 6, 8
#: Every discussion question carries a note for the teacher introduced by this phrase.
TEACHER_NOTE = "A good answer mentions"
MIN_OBJECTIVES = 4

#: Top-level entries of the repository that a kit path may start with (build/ and data/
#: are generated, so paths there are not checked).
CHECKED_ROOTS = ("notebooks", "helpers", "docs", "tests", "benchmarks", "requirements", "etc")
CHECKED_FILES = ("Makefile", "data_manifest.yaml", "environment.yml", "pyproject.toml", "README.md")

#: Bare calls the kit may show that are not helpers functions (a learner's own are named my_...).
NOT_HELPERS_CALLS = {"Audio", "display"}


def week_file(notebook: Path) -> Path:
    """docs/teaching/weekN.md for notebook NN_*.ipynb (week2a.md for 02a_*.ipynb)."""
    prefix = notebook.name.split("_")[0]
    return KIT / f"week{int(prefix[:2])}{prefix[2:]}.md"


def kit_files() -> list[Path]:
    return sorted(KIT.glob("*.md"))


# ------------------------------------------------------------------------------ markdown parsing
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_INLINE = re.compile(r"`([^`\n]+)`")


def code_snippets(text: str) -> list[str]:
    """Inline code spans and the logical lines of fenced blocks (a trailing backslash joins lines)."""
    snippets = []
    for block in _FENCE.findall(text):
        snippets += [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    snippets += _INLINE.findall(_FENCE.sub("", text))
    return snippets


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of every ``## `` section, in order."""
    parts = re.split(r"^## +(.+?)\s*$", _FENCE.sub("", text), flags=re.M)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def section(text: str, key: str) -> str:
    for heading, body in sections(text):
        if re.search(REQUIRED_SECTIONS[key], heading, re.I):
            return body
    raise AssertionError(f"no '## {key}' section")


def _shell_words(command: str) -> list[str]:
    """Words of one shell command, up to the first operator or comment."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError as exc:  # unbalanced quotes
        raise AssertionError(f"cannot split {command!r} into shell words: {exc}") from None
    for i, w in enumerate(words):
        if w and set(w) <= set(";&|<>"):
            return words[:i]
    return words


def _without_comment(snippet: str) -> str:
    return re.sub(r"(?:^|\s)#.*$", "", snippet)


def helpers_commands(snippet: str) -> list[list[str]]:
    """The argument lists of every ``python -m helpers ...`` in a snippet."""
    out = []
    for m in re.finditer(r"(?:^|[\s;&|])(?:\S*/)?python3?(?:\.\d+)? -m helpers\b(.*)", _without_comment(snippet)):
        out.append(_shell_words(m.group(1)))
    return out


def make_commands(snippet: str) -> list[list[str]]:
    """The arguments of every ``make ...`` command in a snippet (a command starts a line or follows an operator)."""
    out = []
    for m in re.finditer(r"(?:^|[;&|]\s*|(?:^|\s)[A-Z_]+=\S+\s+)make\b(.*)", _without_comment(snippet)):
        out.append(_shell_words(m.group(1)))
    return out


def makefile_targets_and_variables() -> tuple[set[str], set[str]]:
    text = (REPO / "Makefile").read_text()
    targets = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.$()/ -]+?)\s*:(?!=)", line)
        if m and not line.startswith("\t"):
            targets.update(m.group(1).split())
        if line.startswith(".PHONY:"):
            targets.update(line.split(":", 1)[1].split())
    variables = set(re.findall(r"\$\(([A-Z_]+)\)", text)) | set(re.findall(r"^([A-Z_]+)\s*[?:]?=", text, re.M))
    return targets, variables


def _subcommands(parser: argparse.ArgumentParser) -> dict:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def helpers_public_names() -> set[str]:
    import helpers

    names = set()
    for info in pkgutil.iter_modules(helpers.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"helpers.{info.name}")
        names.update(getattr(module, "__all__", ()))
    return names


# ------------------------------------------------------------------------------ the tests
def test_kit_has_a_guide_and_week_files():
    assert (KIT / "README.md").is_file(), "docs/teaching/README.md (the class guide) is missing"
    assert [week_file(nb).name for nb in NOTEBOOKS] == sorted(
        (p.name for p in KIT.glob("week*.md")), key=lambda n: (int(re.sub(r"\D", "", n)), n)
    ), "one docs/teaching/weekN.md per notebook NN_*.ipynb (N = int(NN); week2a.md for 02a_*), and no others"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_week_file_names_its_notebook(notebook):
    text = week_file(notebook).read_text(encoding="utf-8")
    assert f"notebooks/{notebook.name}" in text, f"{week_file(notebook).name} must name notebooks/{notebook.name}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_week_file_has_the_required_sections_in_order(notebook):
    path = week_file(notebook)
    headings = [h for h, _ in sections(path.read_text(encoding="utf-8"))]
    found = []
    for key, pattern in REQUIRED_SECTIONS.items():
        matches = [i for i, h in enumerate(headings) if re.search(pattern, h, re.I)]
        assert matches, f"{path.name}: no '## ' heading matching {pattern!r} (headings: {headings})"
        found.append(matches[0])
    assert found == sorted(found), f"{path.name}: sections out of order: {headings}"
    for key in REQUIRED_SECTIONS:
        body = section(path.read_text(encoding="utf-8"), key)
        assert len(body.strip()) > 80, f"{path.name}: section '{key}' is (nearly) empty"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_objectives_questions_and_time_are_substantial(notebook):
    path = week_file(notebook)
    text = path.read_text(encoding="utf-8")
    objectives = re.findall(r"^\s*(?:[-*]|\d+\.)\s+\S", section(text, "objectives"), re.M)
    assert len(objectives) >= MIN_OBJECTIVES, f"{path.name}: {len(objectives)} learning objectives, want >= {MIN_OBJECTIVES}"

    discussion = section(text, "discussion")
    questions = re.findall(r"^\d+\.\s+\S", discussion, re.M)
    assert MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS, (
        f"{path.name}: {len(questions)} discussion questions, want {MIN_QUESTIONS}-{MAX_QUESTIONS}")
    notes = discussion.count(TEACHER_NOTE)
    assert notes == len(questions), f"{path.name}: {len(questions)} questions but {notes} notes ('{TEACHER_NOTE}')"

    time_text = section(text, "time")
    for word in ("class", "self-study", "measured"):
        assert word in time_text.lower(), f"{path.name}: the time section must give {word!r} time"
    assert re.search(r"\d+(?:\.\d+)?\s*s\b", time_text), f"{path.name}: no measured time in seconds"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_week_file_lists_its_exercises_with_their_signatures(notebook):
    from helpers.exercises import EXERCISES

    path = week_file(notebook)
    text = path.read_text(encoding="utf-8")
    prefix = notebook.name.split("_")[0]
    mentioned = set(re.findall(r"`(w\d+\.\w+)`", text))
    assert not mentioned - set(EXERCISES), f"{path.name}: unknown exercise ids {sorted(mentioned - set(EXERCISES))}"
    missing = {ex.id for ex in EXERCISES.values() if ex.notebook == prefix} - mentioned
    assert not missing, f"{path.name}: the notebook's exercises {sorted(missing)} are not in the kit"
    for ex_id, signature in re.findall(r"^\|\s*`(w\d+\.\w+)`\s*\|\s*`([^`]+)`", text, re.M):
        assert f"def {signature}:" == EXERCISES[ex_id].signature, (
            f"{path.name}: {ex_id} is `{EXERCISES[ex_id].signature[4:-1]}`, not `{signature}`")


def test_every_relative_link_resolves():
    for path in kit_files():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+://|mailto:", target):
                continue
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
    guide = (KIT / "README.md").read_text(encoding="utf-8")
    for nb in NOTEBOOKS:
        assert f"({week_file(nb).name})" in guide, f"docs/teaching/README.md does not link {week_file(nb).name}"


def test_repository_paths_exist():
    for path in kit_files():
        for snippet in code_snippets(path.read_text(encoding="utf-8")):
            for word in re.split(r"[\s=(),]+", snippet):
                word = word.strip("'\".:;")
                if not word or any(c in word for c in "<>*$") or "XX" in word:
                    continue
                if word.split("/")[0] in CHECKED_ROOTS and "/" in word or word in CHECKED_FILES:
                    assert (REPO / word).exists(), f"{path.name}: `{snippet}` names {word}, which does not exist"


def test_helpers_names_resolve():
    from helpers.exercises import EXERCISES

    # exported names, and the functions the exercises ask the learner to write
    public = helpers_public_names() | {ex.function_name for ex in EXERCISES.values()}
    checked = 0
    for path in kit_files():
        for snippet in code_snippets(path.read_text(encoding="utf-8")):
            for dotted in re.findall(r"(?<![\w.])helpers(?:\.[A-Za-z_]\w*)+", snippet):
                parts = dotted.split(".")
                for n in range(len(parts), 0, -1):  # the longest importable prefix, then attributes
                    try:
                        obj = importlib.import_module(".".join(parts[:n]))
                        break
                    except ModuleNotFoundError:
                        continue
                for attr in parts[n:]:
                    assert hasattr(obj, attr), f"{path.name}: `{snippet}`: {dotted} does not exist ({attr!r})"
                    obj = getattr(obj, attr)
                checked += 1
            m = re.match(r"from (helpers(?:\.\w+)*) import (.+)", snippet)
            if m:
                module = importlib.import_module(m.group(1))
                for name in re.split(r"\s*,\s*", m.group(2).strip("() ")):
                    assert hasattr(module, name.split(" as ")[0]), f"{path.name}: `{snippet}`: no {name} in {m.group(1)}"
                    checked += 1
            for call in re.findall(r"(?<![\w.])([A-Za-z_]\w*)\(", snippet):
                if (call in dir(builtins) or call in NOT_HELPERS_CALLS or call.startswith("my_")
                        or not ("_" in call or call[0].isupper())):
                    continue  # only names shaped like the package's (run_batch, TrackerParams), not math (log)
                assert call in public, f"{path.name}: `{snippet}` calls {call}(), which no helpers module exports"
                checked += 1
    assert checked >= 20, f"only {checked} helpers names found in the kit: did the parsing break?"


def test_helpers_commands_parse():
    from helpers.cli import build_parser

    def data_parser():
        return build_parser()._subparsers._group_actions[0].choices["data"]

    commands = [c for path in kit_files() for s in code_snippets(path.read_text(encoding="utf-8"))
                for c in helpers_commands(s)]
    assert len(commands) >= 10, f"only {len(commands)} `python -m helpers` commands found: did the parsing break?"
    registered, data_commands = _subcommands(build_parser()), _subcommands(data_parser())
    for args in commands:
        words = [w for w in args if not w.startswith("--debug")]
        assert words, "`python -m helpers` without a command"
        if words[0] in ("--help", "-h"):
            continue
        assert words[0] in registered, f"`python -m helpers {' '.join(args)}`: no command {words[0]!r} in helpers/cli"
        if words[0] == "data" and len(words) > 1 and words[1] not in ("--help", "-h"):
            assert words[1] in data_commands, f"`python -m helpers {' '.join(args)}`: no data command {words[1]!r}"
        if len(words) == 1:
            continue  # a bare mention names the command; nothing more to parse
        parser, to_parse = (data_parser(), words[1:]) if words[0] == "data" else (build_parser(), words)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                parser.parse_args(to_parse)
                code = 0
            except SystemExit as exc:
                code = exc.code
        assert code in (0, None), f"`python -m helpers {' '.join(args)}` does not parse: {err.getvalue().strip()}"


def test_make_targets_and_variables_exist():
    targets, variables = makefile_targets_and_variables()
    found = 0
    for path in kit_files():
        for snippet in code_snippets(path.read_text(encoding="utf-8")):
            for args in make_commands(snippet):
                skip_next = False
                for word in args:
                    if skip_next:
                        skip_next = False
                        continue
                    if word in ("-o", "-C", "-f", "-W", "-j"):
                        skip_next = True
                        continue
                    if word.startswith("-"):
                        continue
                    if "=" in word:
                        name = word.split("=", 1)[0]
                        assert name in variables, f"{path.name}: `{snippet}` sets {name}, which the Makefile does not use"
                        continue
                    assert word in targets, f"{path.name}: `{snippet}`: no make target {word!r} in the Makefile"
                    found += 1
    assert found >= 5, f"only {found} make targets found in the kit: did the parsing break?"


def test_environment_variables_exist():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "helpers").rglob("*.py"))
    for path in kit_files():
        for snippet in code_snippets(path.read_text(encoding="utf-8")):
            for name in re.findall(r"\b(HELPERS_[A-Z_]+)\b", snippet):
                assert f'"{name}"' in source, f"{path.name}: `{snippet}`: helpers never reads {name}"


#: A line with one of these words is about a mistake (the original brief's, a tutorial's, librosa's
#: defaults), so the wrong values it quotes are not checked.
PITFALL_WORDS = re.compile(r"brief|default|tutorial|wrong|instead|mistake|assum|habit", re.I)


def test_harmonix_facts_are_the_real_ones():
    """Numbers with these units must be the Harmonix values, except on a line about a mistake."""
    p = HARMONIX_PARAMS
    allowed = {
        r"(\d+(?:\.\d+)?)\s*(?:frames/s\b|frames per second)": {round(p.frame_rate_hz, 1), round(p.frame_rate_hz, 2)},
        r"(\d+(?:\.\d+)?)\s*ms (?:per|a) frame": {round(1000 * p.frame_duration_s, 1), round(1000 * p.frame_duration_s)},
        r"(\d+)\s*mel bands": {p.n_mels},
        r"\bhop(?: length)?(?: of)? (\d+) samples": {p.hop_length},
        r"\bsr (\d+) Hz|sample rate (\d+) Hz": {p.sr},
    }
    checked = 0
    for path in kit_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if PITFALL_WORDS.search(line):
                continue
            for pattern, values in allowed.items():
                for found in re.findall(pattern, line, re.I):
                    number = next(n for n in (found if isinstance(found, tuple) else (found,)) if n)
                    assert float(number) in values, (
                        f"{path.name}: {number!r} in {line.strip()!r} is not the Harmonix value {values}")
                    checked += 1
    assert checked >= 5, f"only {checked} Harmonix facts found in the kit: did the parsing break?"
