"""Time coopctl against bean-check on a generated cooperative (whole processes, medians, peak memory).

    python benchmarks/run.py [DIR] [--runs 3] [--members 400]

DIR is a cooperative made by benchmarks/generate.py (generated into a temporary folder when
absent). Each figure is the median of --runs whole-process runs; peak memory is the process's
maximum resident set size. "cold" runs start with an empty cache, "warm" ones after a run that
filled it, "incremental" ones after one transaction is appended to the open month's file.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def measure(argv: list[str], env: dict, cwd: Path) -> tuple[float, int]:
    """(seconds, peak RSS in MiB) of one whole process."""
    with (
        tempfile.TemporaryFile() as errors
    ):  # a file, not a pipe: a chatty child must never block on a full pipe
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed: {errors.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss // 1024


def median_of(runs: int, argv: list[str], env: dict, cwd: Path, before=None) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        seconds, peak = measure(argv, env, cwd)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument(
        "--quick", action="store_true", help="skip the cold check and report (for a federation's scale)"
    )
    parser.add_argument(
        "--after-close",
        action="store_true",
        help="the treasurer's month: the last two months open; close the first of them (a whole load on an "
        "empty cache), then time the last month's close after one appended transaction (dry run and writing)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="with --after-close: start from a copy of this cache folder (the one generate.py's closes "
        "used, COOPCTL_CACHE_DIR), as on the treasurer's machine after the earlier closes, instead of an "
        "empty cache (then the first close is a whole load)",
    )
    args = parser.parse_args()
    root = args.root
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="coopctl-bench-"))
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(root), "--members", str(args.members)], check=True
        )
    root = root.resolve()
    cache = Path(tempfile.mkdtemp(prefix="coopctl-bench-cache-"))
    env = {
        **os.environ,
        "COOPCTL_CACHE_DIR": str(cache),
        "COOPCTL_MEMBER": "",
        "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
    }
    coopctl = [str(BIN / "coopctl"), "--root", str(root)]
    main_ledger = root / "ledgers" / "main.beancount"
    month_files = sorted(
        p
        for p in (root / "ledgers").glob("*/[0-9][0-9][0-9][0-9]-[0-9][0-9].beancount")
        if p.parent.name != "closing"
    )
    open_month = month_files[-1]
    original = open_month.read_bytes()
    closing = root / "ledgers" / "closing" / f"{open_month.stem}.beancount"
    if closing.exists():
        raise SystemExit(f"{closing} exists: the benchmark closes {open_month.stem}, which must be open")
    kept = Path(tempfile.mkdtemp(prefix="coopctl-bench-kept-")) / "cache"
    members = (root / "config" / "members.yaml").read_text(encoding="utf-8")
    member = members.split("- id: ", 1)[1].split()[0]

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()

    appended = [0]

    def append_one() -> None:
        appended[0] += 1
        activity = "Act00000"
        with open_month.open("a", encoding="utf-8") as handle:
            handle.write(
                f'\n{open_month.stem}-28 * "Client" "Benchmark invoice {appended[0]}"\n'
                f"  Assets:Receivable:{activity}  120.00 EUR\n  Income:Activity:{activity}  -100.00 EUR\n"
                f"  Liabilities:VAT:Collected  -20.00 EUR\n"
            )

    before_last = root / "ledgers" / "closing" / f"{month_files[-2].stem}.beancount"
    if not args.after_close and len(month_files) > 1 and not before_last.exists():
        raise SystemExit(
            f"{month_files[-2].stem} is open: the rows below close the last month, {open_month.stem}, after "
            "it; generate with every month but the last closed, or use --after-close"
        )
    if args.after_close:
        if args.cache is not None:
            shutil.rmtree(cache)
            shutil.copytree(args.cache, cache, symlinks=True)
        after_close(
            args.runs, root, env, coopctl, month_files, cache, kept, append_one, args.cache is not None
        )
        return
    rows = []
    try:
        base = median_of(args.runs, [str(BIN / "bean-check"), "-C", str(main_ledger)], env, root)
        rows.append(("bean-check -C", base))
        plan = [
            ("coopctl check", ["check"], clear_cache),
            ("close-month --dry-run (cold)", ["close-month", "--dry-run"], clear_cache),
            (f"balance {member} (cold)", ["balance", member], clear_cache),
            ("report (cold)", ["report"], clear_cache),
        ]
        if args.quick:
            plan = [row for row in plan if row[1][0] in ("close-month", "balance")]
        for label, command, before in plan:
            rows.append((label, median_of(args.runs, coopctl + command, env, root, before)))
        measure(coopctl + ["members"], env, root)  # a read-only command fills the cache
        # the interpreter's floor, and what a command line costs before it reads anything
        rows.append(
            (
                "python -c pass (the interpreter)",
                median_of(args.runs, [sys.executable, "-c", "pass"], env, root),
            )
        )
        rows.append(
            ("coopctl --version", median_of(args.runs, [str(BIN / "coopctl"), "--version"], env, root))
        )
        rows.append(("coopctl --help", median_of(args.runs, [str(BIN / "coopctl"), "--help"], env, root)))
        # a question asked for the first time on a warm cache computes its answer (config, figures, views);
        # asked again on the same ledger, the answer is read back (coopctl/store/answers.py)
        rows.append(
            (f"balance {member} (warm cache, first asked)", measure(coopctl + ["balance", member], env, root))
        )
        rows.append(("report (warm cache, first asked)", measure(coopctl + ["report"], env, root)))
        rows.append(
            (f"balance {member} (warm)", median_of(args.runs, coopctl + ["balance", member], env, root))
        )
        rows.append(("report (warm)", median_of(args.runs, coopctl + ["report"], env, root)))
        rows.append(
            (
                f"balance {member} after one appended transaction",
                median_of(args.runs, coopctl + ["balance", member], env, root, append_one),
            )
        )
        if not args.quick:
            # a whole load proves the closed months and seals them on this machine (as any close or check
            # does); then each dry run follows one more transaction appended to the open month
            measure(coopctl + ["close-month", "--dry-run"], env, root)
            rows.append(
                (
                    "close-month --dry-run after one appended transaction",
                    median_of(args.runs, coopctl + ["close-month", "--dry-run"], env, root, append_one),
                )
            )
            # the writing close: each run starts from the same state (the open month not closed, the
            # cache and the seal as they were), one more transaction appended, then writes the closing
            shutil.copytree(cache, kept, symlinks=True)

            def undo_close_and_append() -> None:
                closing.unlink(missing_ok=True)
                shutil.rmtree(cache, ignore_errors=True)
                shutil.copytree(kept, cache, symlinks=True)
                append_one()

            rows.append(
                (
                    "close-month (writing) after one appended transaction",
                    median_of(args.runs, coopctl + ["close-month"], env, root, undo_close_and_append),
                )
            )
    finally:
        open_month.write_bytes(original)
        closing.unlink(missing_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(kept.parent, ignore_errors=True)

    print_table(root, args.runs, members, rows, base)


def after_close(
    runs, root: Path, env: dict, coopctl: list, month_files: list, cache: Path, kept: Path, append_one, warm
):
    """Issue 18's "close what changed": the month before the last closed on this machine (cold cache: the
    whole load, which leaves the cache and the seal describing the ledger it wrote; ``warm``: from the cache
    the earlier closes left), then the last month's dry run and writing close, each after one more
    transaction appended, from that same state."""
    main_ledger = root / "ledgers" / "main.beancount"
    previous, last = month_files[-2], month_files[-1]
    closings = [root / "ledgers" / "closing" / f"{month.stem}.beancount" for month in (previous, last)]
    if any(path.exists() for path in closings):
        raise SystemExit(f"--after-close: {previous.stem} and {last.stem} must both be open")
    originals = {path: path.read_bytes() for path in (main_ledger, last)}
    rows = []
    how = "after the earlier closes" if warm else "cold cache: whole load"
    try:
        base = median_of(runs, [str(BIN / "bean-check"), "-C", str(main_ledger)], env, root)
        rows.append(("bean-check -C", base))
        rows.append(
            (
                f"close-month {previous.stem} ({how})",
                measure(coopctl + ["close-month"], env, root),
            )
        )
        shutil.copytree(cache, kept, symlinks=True)

        def back_to_the_close(then_append: bool = True) -> None:
            closings[1].unlink(missing_ok=True)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(kept, cache, symlinks=True)
            if then_append:
                append_one()

        rows.append(
            (
                f"close-month --dry-run {last.stem}, after it and one transaction",
                median_of(runs, coopctl + ["close-month", "--dry-run"], env, root, back_to_the_close),
            )
        )
        rows.append(
            (
                f"close-month {last.stem} (writing), after it and one transaction",
                median_of(runs, coopctl + ["close-month"], env, root, back_to_the_close),
            )
        )
    finally:
        for path in closings:
            path.unlink(missing_ok=True)
        for path, raw in originals.items():
            path.write_bytes(raw)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(kept.parent, ignore_errors=True)
    members = (root / "config" / "members.yaml").read_text(encoding="utf-8")
    print_table(root, runs, members, rows, base)


def print_table(root: Path, runs: int, members: str, rows: list, base: tuple[float, int]) -> None:
    files = sorted((root / "ledgers").rglob("*.beancount"))
    size = sum(p.stat().st_size for p in files) / 2**20
    transactions = sum(p.read_text(encoding="utf-8").count('" "') for p in files)
    print(f"# coopctl benchmark — {root}")
    print(
        f"ledger: {len(files)} files, {size:.1f} MiB, about {transactions:,} transactions; "
        f"{members.count('- id: ')} members; median of {runs} runs"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}; load average at the end {os.getloadavg()[0]:.2f} (a shared machine: "
        "read the ratios, measured in one run)"
    )
    print()
    print(
        f"| {'command':<48} | {'seconds':>8} | {'× bean-check':>12} | {'peak MiB':>8} | "
        f"{'× bean-check':>12} |"
    )
    print(f"| {'-' * 48} | {'-' * 8}: | {'-' * 12}: | {'-' * 8}: | {'-' * 12}: |")
    for label, (seconds, peak) in rows:
        print(
            f"| {label:<48} | {seconds:8.2f} | {seconds / base[0]:12.2f} | {peak:8d} | "
            f"{peak / base[1]:12.2f} |"
        )


if __name__ == "__main__":
    main()
