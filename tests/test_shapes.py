"""The geometry module under threads: shapely is imported at first use, from any thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A thread builds a point index (the ZIP-code loader beside the app) while the main thread,
# as soon as shapely is half imported, reads an area (the first report on the event loop).
FIRST_USE_FROM_TWO_THREADS = textwrap.dedent(
    """
    import sys, threading
    from vecinos import shapes

    failures = []

    def index():
        try:
            shapes.PointIndex([(-118.2, 34.05)])
        except Exception as exc:
            failures.append(repr(exc))

    loader = threading.Thread(target=index)
    loader.start()
    while "shapely" not in sys.modules:
        pass
    try:
        area = shapes.shape_of(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
        )
        print("inside" if shapes.covers(area, 0.5, 0.5) else "outside")
    except Exception as exc:
        failures.append(repr(exc))
    loader.join()
    print(failures)
    """
)


def test_first_use_of_shapely_from_two_threads_at_once_works_in_both() -> None:
    # Unguarded, Python's import machinery fails both threads on shapely's circular imports,
    # and every later use of shapely in the process with them.
    for _ in range(3):  # each a fresh interpreter, where shapely is not imported yet
        run = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", FIRST_USE_FROM_TWO_THREADS],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert run.stdout.split() == ["inside", "[]"], run.stdout + run.stderr
