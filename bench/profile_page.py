"""Profile one benchmarked page in-process: where its server time goes, and its SQL.

    DATABASE_URL=... python bench/profile_page.py ranking [--sql] [--repeat 3]

Page names as in bench/pages.py, and school_save: the autosave of school_edit's draft. Uses pyinstrument when installed (pip install pyinstrument),
else cProfile.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--sql", action="store_true", help="print each query with its time")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    django_setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pages import autosaver, signed_in, targets

    pages, _info = targets()
    if args.page == "school_save":
        # The autosave of the edit page's draft (bench/pages.py measure_save), one field changed.
        url, user = pages["school_edit"]
        client = signed_in(user)
        counter = iter(range(1, 10**6))
        _url, save = autosaver(client, url)
        request = lambda: save(next(counter))  # noqa: E731
    else:
        url, user = pages[args.page]
        client = signed_in(user) if user is not None else Client(HTTP_HOST="127.0.0.1")
        request = lambda: client.get(url)  # noqa: E731
    request()  # warm up
    if args.sql:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            request()
        for query in captured.captured_queries:
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:600]}")
        print(f"{len(captured.captured_queries)} queries")
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            request()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.repeat):
        request()
    profiler.stop()
    print(f"{(time.perf_counter() - started) / args.repeat * 1000:.1f} ms per request")
    print(profiler.output_text(unicode=True, color=False, show_all=bool(__import__("os").environ.get("SHOW_ALL"))))


if __name__ == "__main__":
    main()
