"""One rule finds specs for every command: render, validate and a schedule's `specs:` agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli.spec import expand_arguments
from briefgen.errors import InputError
from briefgen.schedule.file import load_schedules
from briefgen.spec.find import find_specs


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    for name in ("specs/a.yaml", "specs/asia/b.yml", "specs/asia/cloud.csv", "specs/.git/c.yaml",
                 "specs/.hidden.yaml", "specs/z.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    return tmp_path


EXPECTED = ["specs/a.yaml", "specs/asia/b.yml", "specs/z.yaml"]


@pytest.mark.parametrize("name", ["specs", "specs/**", "specs/*"])
def test_render_validate_and_schedules_find_the_same_specs(desk: Path, name: str) -> None:
    def relative(paths: list[Path]) -> list[str]:
        return sorted(p.resolve().relative_to(desk).as_posix() for p in paths)

    wanted = EXPECTED if name != "specs/*" else ["specs/a.yaml", "specs/asia/b.yml",
                                                 "specs/z.yaml"]
    rendered = find_specs(str(desk / name))
    validated = [p for p in expand_arguments([str(desk / name)]) if isinstance(p, Path)]
    (desk / "schedules.yaml").write_text(
        "jobs:\n  - name: weekly\n    cron: \"0 7 * * MON\"\n    timezone: Asia/Hong_Kong\n"
        f"    specs: [\"{name}\"]\n    owner: desk@example.com\n"
        "    delivery: {config: delivery.yaml, lists: [clients]}\n", encoding="utf-8")
    schedules = load_schedules(desk / "schedules.yaml")
    scheduled = schedules.spec_paths(schedules.jobs[0])
    assert relative(rendered) == relative(validated) == relative(scheduled) == wanted


def test_a_name_that_means_no_spec_is_a_usage_error(desk: Path) -> None:
    with pytest.raises(InputError, match=r"no spec found at .*nothing"):
        find_specs([desk / "specs", desk / "nothing"])
    assert find_specs([desk / "specs/a.yaml", desk / "specs"])[0].name == "a.yaml"  # listed once
    assert len(find_specs([desk / "specs/a.yaml", desk / "specs"])) == 3
