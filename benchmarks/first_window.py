"""How long until the first window is on screen: the app's start window beside a bare
PySide6 QMainWindow, each in a fresh process, interleaved, as medians (shared, noisy
machines: read the ratio). The goal is 1.5x the bare window or less.

    python benchmarks/first_window.py [--repeat 7] [--platform offscreen|xcb]

Each child reports the wall-clock moment its first window is exposed (an Expose event on a
top-level window); the time counts from just before the process is started, so both include
the interpreter's own start-up. The app child runs `casemanager.app:main` on a new clinic
in a temporary folder; it is stopped as soon as its window is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Installed before anything is shown: prints the time of the first exposed window, then ends
# the process at once (nothing else is measured).
_WATCH = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class _FirstWindow(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose and watched.isWindowType() and watched.isExposed():
            print(f"shown {time.time():.6f}", flush=True)
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
_watch = _FirstWindow()
app.installEventFilter(_watch)
"""

BARE = (
    _WATCH
    + """
from PySide6.QtWidgets import QMainWindow
window = QMainWindow()
window.setWindowTitle("Bare window")
window.resize(560, 520)
window.show()
app.exec()
"""
)

APP = (
    _WATCH
    + """
from casemanager.app import main
main(["--database", sys.argv[1]])
"""
)


def _once(code: str, platform: str, folder: Path) -> float:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": platform,
        "CASEMANAGER_DATA_DIR": str(folder),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    started = time.time()
    child = subprocess.run(
        [sys.executable, "-c", code, url],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    line = next((x for x in child.stdout.splitlines() if x.startswith("shown ")), None)
    if line is None:
        raise SystemExit(f"no window was shown (exit {child.returncode}):\n{child.stderr}")
    return float(line.split()[1]) - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--platform",
        default="xcb" if os.environ.get("DISPLAY") else "offscreen",
        help="Qt platform plugin (default: xcb under a display such as Xvfb, else offscreen)",
    )
    args = parser.parse_args()
    bare: list[float] = []
    app: list[float] = []
    with tempfile.TemporaryDirectory(prefix="first-window-") as tmp:
        for run in range(args.repeat + 1):
            folder = Path(tmp) / f"run{run}"
            folder.mkdir()
            pair = (_once(BARE, args.platform, folder), _once(APP, args.platform, folder))
            if run == 0:
                continue  # warms the file cache for both: not counted
            bare.append(pair[0])
            app.append(pair[1])
    bare_ms, app_ms = statistics.median(bare) * 1000, statistics.median(app) * 1000
    print(f"First window shown, platform {args.platform}, median of {args.repeat} runs each:")
    print(f"  bare PySide6 QMainWindow  {bare_ms:7.0f} ms")
    print(f"  CaseManager start window  {app_ms:7.0f} ms")
    print(f"  ratio                     {app_ms / bare_ms:7.2f}x  (goal: 1.50x or less)")


if __name__ == "__main__":
    main()
