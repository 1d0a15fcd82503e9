"""python tools/grading/verdict_odds.py [--draws N] NOTEBOOK...

How often each verdict's draws cannot tell a constant answer from a solution (verdict.py: a draw
decides only if the teacher's results hold `distinct` different answers; else it is drawn again,
up to REDRAWS times, and then the exercise is graded for no one). Run it on a teacher's notebook
after writing or changing a verdict: it runs the notebook once (on the real tslab kernel, outside
any sandbox: it is your own code) with N fresh draws of every verdict, and prints per exercise how
many draws fell short, the share of the most common answer over all cases, and from that the
estimated chance that a grading run finds the exercise undecidable. Exit status 1 if any exercise
is undecidable more often than once in a million grading runs (by that estimate), 2 for bad input.
"""
from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdict  # noqa: E402
from sandbox import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from nbexec import run_notebook  # noqa: E402

TOLERATED = 1e-6  # chance per grading run that an exercise is graded for no one
MAX_HARVEST_CHARS = 4_000_000  # the harvest cells' inputs, per notebook (06's memories are 4 KiB each)


def odds(path: Path, draws: int) -> list[dict]:
    source = nbformat.read(path, as_version=4)
    specs = verdict.specs(source)
    if not specs:
        return []
    seed = secrets.randbits(63)
    drawn = []
    for spec in specs:
        one = len(json.dumps(spec.draw(seed, 0).inputs))
        n = max(10, min(draws, MAX_HARVEST_CHARS // max(1, one * len(specs))))
        drawn += [spec.draw(seed, k) for k in range(n)]
    # In the project (node_modules resolves kernel-lib as for the lessons), removed afterwards.
    (ROOT / "build").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="verdict-odds-", dir=ROOT / "build"))
    try:
        nb = nbformat.reads(nbformat.writes(source), as_version=4)
        nb.cells += [verdict.harvest_cell(ex, work) for ex in drawn]
        nbformat.write(nb, work / path.name)
        result = run_notebook(work / path.name)
        if not result.ok:
            raise SystemExit(f"error: {path} did not run clean, so its reference results are unknown:\n  "
                             + "\n  ".join(p.describe(str(path)) for p in result.problems))
        got = {(ex.grade_id, ex.attempt): verdict.read_answers(work, ex) for ex in drawn}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    for spec in specs:
        mine = [ex for ex in drawn if ex.grade_id == spec.grade_id]
        results = [got[(ex.grade_id, ex.attempt)] for ex in mine]
        short = sum(1 for ex, r in zip(mine, results) if not verdict.tells_apart(ex, r))
        flat = [x for r in results for x in r]
        top = max(sum(1 for y in flat if verdict._same(x, y)) for x in flat[:200]) / len(flat)
        # A draw falls short (for distinct 2) when all its cases give one answer: about top**cases
        # for the most common answer; the redraws multiply it 1 + REDRAWS times.
        per_draw = max(short / len(mine), top ** spec.cases) if spec.distinct == 2 else short / len(mine)
        rows.append({"exercise": spec.grade_id, "call": spec.call, "cases": spec.cases, "distinct": spec.distinct,
                     "draws": len(mine), "short": short, "most_common_share": top,
                     "per_draw": per_draw, "undecidable": per_draw ** (1 + verdict.REDRAWS)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/grading/verdict_odds.py", description=__doc__.split("\n\n")[1])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--draws", type=int, default=200, help="draws of each verdict (default 200; fewer where "
                    "one draw is large, as 06's memories)")
    args = ap.parse_args(argv)
    if args.draws < 10:
        ap.error(f"--draws must be at least 10, got {args.draws}")
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        ap.error(f"no such notebook: {', '.join(missing)}")
    bad = False
    for path in args.notebooks:
        try:
            rows = odds(path, args.draws)
        except verdict.VerdictSpecError as e:
            print(f"error: {path}: {e}", file=sys.stderr)
            return 2
        if not rows:
            print(f"{path}: no verdicts")
        for r in rows:
            flag = r["undecidable"] > TOLERATED
            bad |= flag
            print(f"{'TOO OFTEN' if flag else 'ok':9} {path.name} {r['exercise']} ({r['call']}, {r['cases']} cases, "
                  f"distinct {r['distinct']}): {r['short']}/{r['draws']} draws fell short; most common answer "
                  f"{r['most_common_share']:.1%} of cases; a draw falls short ~{r['per_draw']:.2g}, "
                  f"undecidable ~{r['undecidable']:.2g} per grading run")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
