"""What a document keeps between renders (parsed wording, broken lines, font subsets, line
drawings) never changes what the next document says or how it looks: a plan rendered after
many others, in another order, is byte for byte the plan a fresh process renders first."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from casemanager.domain import catalogs
from casemanager.reports import page, plan_of_care, take_home
from casemanager.reports.data import EvaluationSnapshot, ExerciseSheet
from tests.reports.conftest import make_snapshot

ROOT = Path(__file__).resolve().parents[2]

# Long enough to break across pages, in lines (one paragraph, several runs) and as one run;
# one unbroken "word" wider than the column, which ReportLab splits (never kept).
LONG = "\n".join(["Keep your back flat and breathe out as you lift, slowly."] * 22)
UNBROKEN = "https://example.org/" + "x" * 140


def _cases() -> list[tuple[str, EvaluationSnapshot, str, bool]]:
    base = make_snapshot()
    bridge = next(t for t in catalogs.STARTER_EXERCISES if t.key == "bridge")
    long_sheet = ExerciseSheet(
        None, "Long walk", LONG, LONG.replace("\n", " ") + " " + UNBROKEN, 1, 5, None, 1
    )
    own_bridge = ExerciseSheet("bridge", bridge.name, "Lift the hips.", None, 2, 10, 5, 2)
    return [
        ("english", base, "en", False),
        ("spanish large", make_snapshot("José Ángel", "Muñoz"), "es", True),
        ("vietnamese", make_snapshot("Nguyễn Thị", "Phương"), "en", True),
        ("chinese", make_snapshot("秀英", "王"), "es", False),
        ("long text", replace(base, exercises=(long_sheet, own_bridge)), "en", False),
        ("long text large", replace(base, exercises=(long_sheet,)), "es", True),
        ("discharged", replace(base, episode_open=False, exercises=()), "en", False),
    ]


def _render(case: tuple[str, EvaluationSnapshot, str, bool]) -> bytes:
    _label, snapshot, language, large = case
    return take_home.render(snapshot, language, large, invariant=True)


def _each_in_a_fresh_process(folder: Path) -> list[bytes]:
    """Every case rendered in a new process, in the list's order (the in-process renders
    go in another order, so each meets other caches)."""
    code = (
        "import sys; from pathlib import Path; "
        "from tests.reports.test_render_caches import _cases, _render; "
        "[(Path(sys.argv[1]) / f'{i}.pdf').write_bytes(_render(c)) "
        "for i, c in enumerate(_cases())]"
    )
    subprocess.run([sys.executable, "-c", code, str(folder)], cwd=ROOT, check=True, timeout=300)
    return [(folder / f"{i}.pdf").read_bytes() for i in range(len(_cases()))]


def test_a_plan_is_the_same_whatever_was_rendered_before(tmp_path: Path) -> None:
    cases = _cases()
    fresh = _each_in_a_fresh_process(tmp_path)
    for case in reversed(cases):  # fill every cache, in another order
        _render(case)
    plan_of_care.render(make_snapshot(), invariant=True)
    for index, case in enumerate(cases):
        again = _render(case)
        assert again == _render(case), case[0]
        assert again == fresh[index], case[0]


def test_cached_layout_keeps_every_word() -> None:
    """The long instructions, split over pages, read in full after the layout is reused."""
    case = _cases()[4]
    for _ in range(2):
        reader = PdfReader(io.BytesIO(_render(case)))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert text.count("breathe out as you lift, slowly.") >= 2 * 22
        assert len(reader.pages) >= 3


def test_a_box_taller_than_a_page_carries_on_over_the_next() -> None:
    """A filled box (a warning, a note) splits across pages like the table it replaced:
    every line printed once, in order, on a fill on each page."""
    look = page.styles()
    lines = [f"Line {n} of a long note." for n in range(1, 81)]
    snapshot = make_snapshot()
    frame = page.clinician_frame(snapshot, "Box", "a tall box")
    box = page.Box([page.para(line, look.body) for line in lines], page.NOTE_FILL)
    pdf = page.build([page.para("Before the box.", look.body), box], frame, invariant=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = " ".join(p.extract_text() for p in reader.pages)
    found = re.findall(r"Line (\d+) of a long note\.", text)
    assert found == [str(n) for n in range(1, 81)]
    for number, sheet in enumerate(reader.pages, start=1):  # the fill colour, on each page
        assert b"1 .956863 .807843 rg" in sheet.get_contents().get_data(), number


def test_plans_rendered_at_once_on_threads_are_the_plans_rendered_one_by_one() -> None:
    """A print on the worker thread while a small batch renders on its own thread: each
    document is whole and its own (ReportLab's build state, `rl_config.invariant` among it,
    is process-wide), even beside documents built with other settings."""
    cases = _cases()
    alone = [_render(case) for case in cases]

    def stamped(case: tuple[str, EvaluationSnapshot, str, bool]) -> bytes:
        _label, snapshot, language, large = case
        return take_home.render(snapshot, language, large, invariant=False)

    with ThreadPoolExecutor(max_workers=4) as pool:
        others = [pool.submit(stamped, case) for case in cases * 2]
        together = list(pool.map(_render, cases * 2))
        assert all(other.result().startswith(b"%PDF") for other in others)
    assert together == alone * 2
