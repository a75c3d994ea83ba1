"""Whatever a spec file holds, loading it returns a spec or raises `SpecError`: nothing else.

Hypothesis mutates the sample (keys deleted, renamed or given values of the wrong type, lines
dropped or swapped, the file cut short, random bytes, random YAML) and checks that contract, and
that `briefgen validate` answers with exit 0 or 2 and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.errors import FileError, Problem, SpecError
from briefgen.inputs import located as yamlmarks
from briefgen.spec.load import LoadedSpec, load_spec
from tests.helpers.corpus import paths_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPEC_TEXT = (FIXTURES / "baba.yaml").read_text(encoding="utf-8")
CSV_TEXT = (FIXTURES / "baba-cloud-revenue.csv").read_text(encoding="utf-8")
SPEC_DATA = yaml.safe_load(SPEC_TEXT)
# libyaml when present: the pure-Python emitter would be most of these tests' time.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# About 2 s per test on two busy cores; raise max_examples locally to search harder.
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text without lone surrogates, which no file on disk can hold as UTF-8.
text = st.text(st.characters(codec="utf-8"), max_size=20)
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | text
    | st.dates(min_value=dt.date(1, 1, 1)) | st.sampled_from(["no", "RMB", "buy", "1e999", ""])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


PATHS = paths_in(SPEC_DATA)


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copy(value) for value in data]
    return data


@st.composite
def mutated_data(draw: st.DrawFn) -> bytes:
    """The sample with a few keys deleted, renamed or given another value, dumped as YAML."""
    data = _copy(SPEC_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            current = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this part
        action = draw(st.sampled_from(["delete", "replace", "rename"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace" or not isinstance(parent, dict):
            parent[path[-1]] = draw(values)
        else:
            parent[draw(text)] = current
            del parent[path[-1]]
    dumped: str = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
    return dumped.encode("utf-8")


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """The sample's text with lines dropped, repeated or swapped, then maybe cut short."""
    lines = SPEC_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "swap", "insert"]))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            column = draw(st.integers(0, len(lines[index])))
            junk = draw(st.sampled_from([": ", "\t", "- ", "&a ", "*a", "'", '"', "{", "[", "#",
                                         "<<: *a", "---", "!!binary ", "? ", "%YAML 1.1"]))
            lines[index] = lines[index][:column] + junk + lines[index][column:]
    data = "".join(lines).encode("utf-8")
    cut = draw(st.none() | st.integers(0, len(data)))
    return data if cut is None else data[:cut]


random_yaml = values.map(
    lambda value: yaml.dump(value, Dumper=DUMPER, allow_unicode=True).encode("utf-8")
)
raw_bytes = st.binary(max_size=400) | st.tuples(
    st.integers(0, len(SPEC_TEXT)), st.binary(min_size=1, max_size=20)
).map(lambda cut: SPEC_TEXT.encode("utf-8")[: cut[0]] + cut[1])
any_spec = mutated_data() | mutated_text() | random_yaml | raw_bytes


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check_load(folder: Path, content: bytes, csv: str = CSV_TEXT) -> None:
    (folder / "x.yaml").write_bytes(content)
    (folder / "baba-cloud-revenue.csv").write_text(csv, encoding="utf-8")
    try:
        loaded = load_spec(folder / "x.yaml", display="x.yaml")
    except SpecError as exc:
        assert exc.problems, "a SpecError must say what is wrong"
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert problem.file and problem.message
            assert len(str(problem).splitlines()) == 1, "one problem, one line"
    else:
        assert isinstance(loaded, LoadedSpec)


@FUZZ
@given(content=mutated_data())
def test_mutated_data(folder: Path, content: bytes) -> None:
    _check_load(folder, content)


@FUZZ
@given(content=mutated_text())
def test_mutated_text(folder: Path, content: bytes) -> None:
    _check_load(folder, content)


@FUZZ
@given(content=random_yaml | raw_bytes)
def test_random_files(folder: Path, content: bytes) -> None:
    _check_load(folder, content)


@FUZZ
@given(csv=st.text(st.characters(codec="utf-8"), max_size=200)
       | st.integers(0, len(CSV_TEXT)).map(lambda cut: CSV_TEXT[:cut]))
def test_mutated_csv(folder: Path, csv: str) -> None:
    _check_load(folder, SPEC_TEXT.encode("utf-8"), csv)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=any_spec)
def test_cli_never_shows_a_traceback(folder: Path, content: bytes) -> None:
    (folder / "x.yaml").write_bytes(content)
    shutil.copy(FIXTURES / "baba-cloud-revenue.csv", folder)
    for extra in ([], ["--strict"], ["--json"]):
        result = CliRunner().invoke(app, ["validate", *extra, str(folder / "x.yaml")])
        assert result.exit_code in (0, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@settings(FUZZ, max_examples=50)
@given(content=mutated_data() | mutated_text() | random_yaml)
def test_libyaml_and_pure_python_agree(content: bytes) -> None:
    """What both parsers accept, the fast path (libyaml) loads exactly as pure Python does.

    libyaml is a little more lenient (a tab inside a plain key), so a text only it accepts is
    not a failure; a text it rejects is parsed again by pure Python anyway. The two also differ
    on YAML's bare `!` tag before an empty value ("" or null), which no spec has reason to use.
    """
    try:
        source = content.decode("utf-8")
    except UnicodeDecodeError:
        return
    assume(not re.search(r"(^|\s)!(\s|$)", source))
    assume(yamlmarks.takes_fast_path(source))  # the texts that parse_located gives libyaml
    loaded = []
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        try:
            doc = yamlmarks._parse_with(loader, source, "x.yaml")
        except (FileError, yamlmarks._RetryWithPurePython):
            return
        loaded.append(repr((doc.data, doc.value_marks, doc.key_marks, doc.problems)))
    assert loaded[0] == loaded[1]


@pytest.mark.parametrize("text", ["?", "a:", "a: 1\nb:", "? x"])
def test_a_text_without_a_final_newline_is_located_as_pure_python_locates_it(text: str) -> None:
    # libyaml would put the empty value of "?" at line 2, a line the file does not have.
    expected = yamlmarks._parse_with(yaml.SafeLoader, text, "x.yaml")
    doc = yamlmarks.parse_located(text, "x.yaml", keep_going=True)
    assert repr((doc.data, doc.value_marks, doc.key_marks)) == repr(
        (expected.data, expected.value_marks, expected.key_marks))
