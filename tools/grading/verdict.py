"""Points decided outside the student's kernel.

A test cell runs in the student's kernel, next to the student's code, which can patch anything
there (the checkers, prototypes, tslab's reply handler, JSON.stringify): it can show the student
a friendly check, but it cannot be trusted with the points. So a test cell in the teacher's
source may declare a verdict in its metadata:

    "computropolis": {"verdict": {"call": "pageNumber", "args": [[0, 1048575], {"pow2": [9, 16]}], "cases": 12}}

- call: the function the exercise asks for (a top-level name in the notebook);
- args: how to draw each argument: [lo, hi] an integer in that range, {"pow2": [lo, hi]} 2**k for
  k in that range, {"choice": [v, ...]} one of the values (any JSON: a layout object, say),
  {"const": v} always v, {"list": [n, spec]} n values each drawn by spec, {"lookup": spec} a
  function for exercises that take one (06's walk takes readByte): the grader draws spec (a
  list, e.g. {"list": [4096, [0, 255]]}, a memory) and the harvest cell passes the student
  (i) => list[i], which throws a RangeError for any i outside the list;
- cases: how many argument lists to draw (default 10);
- distinct: how many different reference results a draw must hold to decide anything (default 2,
  at most cases; see "Draws that tell answers apart" below).

Results are equal when they are the same JSON, except that numbers that are not integers match
within a relative 1e-9 (a formula in another order rounds differently), and a call that threw
matches a reference call that threw (the teacher's solution refuses bad input too).

At grading time the grader draws the argument lists from a seed made for this run (never written
where the sandbox can see it), appends to the notebook one harvest cell per exercise that calls
the student's function on them and writes the results as JSON to the scratch folder, and after
the sandbox has ended compares them here, in the grader, with the reference: the same harvest
run on the teacher's own source notebook, once per run, in its own sandbox. The test cell keeps
its points only if it ran clean AND every result equals the reference. Anything the student's
code does to the kernel can only change the results it hands back, that is: make them wrong.

Draws that tell answers apart: if every reference result of a draw is the same (by _same: all
null, all false, all threw), a function that returns that one constant passes it (lesson 01's
hostAddressOf refused most addresses: ~2% of its 16-case draws were all null, and a constant
null scored full points in CI). So a draw decides a verdict only if the teacher's results hold at
least `distinct` different answers. After the reference run (the teacher's notebook, in its own
sandbox, before any student runs) every exercise whose draw falls short is drawn again, up to
REDRAWS times, all in one more reference run, from seeds derived from the run's secret seed (so the
choice depends on the teacher's solution and the seed only, never on a student). An exercise still
short after that is undecidable: it scores zero for everyone, the student's sentence says it was not
graded (no answer in it), and autograde's summary tells the teacher why and what to change.
"""
from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

HARVEST_TAG = "computropolis-harvest"
MAX_ANSWER_BYTES = 1_000_000
LOOKUP = "$lookup"  # an input the harvest cell turns into a function (see {"lookup": spec})
RELATIVE_TOLERANCE = 1e-9
DEFAULT_DISTINCT = 2  # a constant answer fails any draw with two different reference results
REDRAWS = 8  # more draws tried for an exercise whose first draw could not tell answers apart


class VerdictSpecError(ValueError):
    """A verdict in the teacher's notebook that cannot be used; says which cell and what is allowed."""


@dataclass
class Exercise:
    grade_id: str  # the test cell's
    call: str
    inputs: list[list]
    distinct: int = DEFAULT_DISTINCT  # different reference results the draw must hold
    attempt: int = 0  # which draw of this exercise (0 first, then 1..REDRAWS)


def _draw(spec, rng: random.Random, where: str):
    if isinstance(spec, list) and len(spec) == 2 and all(isinstance(v, int) for v in spec) and spec[0] <= spec[1]:
        return rng.randint(spec[0], spec[1])
    if isinstance(spec, dict) and len(spec) == 1:
        (kind, arg), = spec.items()
        if kind == "pow2" and isinstance(arg, list) and len(arg) == 2 and all(isinstance(v, int) for v in arg):
            return 2 ** rng.randint(arg[0], arg[1])
        if kind == "choice" and isinstance(arg, list) and arg:
            return rng.choice(arg)
        if kind == "const":
            return arg
        if kind == "list" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], int) and 1 <= arg[0] <= 100_000:
            return [_draw(arg[1], rng, where) for _ in range(arg[0])]
        if kind == "lookup":
            table = _draw(arg, rng, where)
            if isinstance(table, list):
                return {LOOKUP: table}
    raise VerdictSpecError(f"{where}: argument spec {json.dumps(spec)} is not one of [lo, hi] (integers, lo <= hi), "
                           f'{{"pow2": [lo, hi]}}, {{"choice": [value, ...]}}, {{"const": value}}, {{"list": [n (1 to 100000), spec]}} '
                           f'or {{"lookup": spec of a list}}')


@dataclass
class Spec:
    """One test cell's verdict, checked; draw() makes its argument lists."""

    grade_id: str
    call: str
    args: list
    cases: int
    distinct: int
    where: str

    def draw(self, seed: int, attempt: int = 0) -> Exercise:
        # Each exercise and attempt has its own stream (a str seed is hashed with SHA-512, the same
        # on every machine), so a redraw of one exercise leaves the others' inputs as they were.
        rng = random.Random(f"{seed}/{self.grade_id}/{attempt}")
        inputs = [[_draw(a, rng, self.where) for a in self.args] for _ in range(self.cases)]
        return Exercise(self.grade_id, self.call, inputs, self.distinct, attempt)


def specs(source_nb) -> list[Spec]:
    """The verdicts declared in the teacher's notebook, checked (VerdictSpecError says what is wrong)."""
    found = []
    for cell in source_nb.cells:
        meta = cell.get("metadata", {})
        spec = meta.get("computropolis", {}).get("verdict")
        if spec is None:
            continue
        gid = meta.get("nbgrader", {}).get("grade_id")
        where = f"verdict of test cell {gid!r}"
        if not meta.get("nbgrader", {}).get("grade"):
            raise VerdictSpecError(f"{where}: a verdict belongs on a graded test cell (nbgrader grade: true)")
        unknown = sorted(set(spec) - {"call", "args", "cases", "distinct"})
        if unknown:
            raise VerdictSpecError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: call, args, cases, distinct")
        call, args, cases = spec.get("call"), spec.get("args"), spec.get("cases", 10)
        distinct = spec.get("distinct", DEFAULT_DISTINCT)
        if not (isinstance(call, str) and call.isidentifier()):
            raise VerdictSpecError(f"{where}: 'call' must name the student's function, got {call!r}")
        if not isinstance(args, list):
            raise VerdictSpecError(f"{where}: 'args' must be a list of argument specs, got {args!r}")
        if not (isinstance(cases, int) and not isinstance(cases, bool) and 1 <= cases <= 1000):
            raise VerdictSpecError(f"{where}: 'cases' must be an integer from 1 to 1000, got {cases!r}")
        if not (isinstance(distinct, int) and not isinstance(distinct, bool) and 2 <= distinct <= cases):
            raise VerdictSpecError(f"{where}: 'distinct' (different reference results a draw must hold) must be an "
                                   f"integer from 2 to 'cases' ({cases}), got {distinct!r} (with fewer than 2 a constant "
                                   f"answer could take the points)")
        found.append(Spec(gid, call, args, cases, distinct, where))
        found[-1].draw(0)  # a bad argument spec is named now, not halfway through grading
    return found


def exercises(source_nb, seed: int, attempts: dict[str, int] | None = None) -> list[Exercise]:
    """The verdicts declared in the teacher's notebook, with argument lists drawn from seed
    (attempts: which draw of an exercise to use, 0 where not given)."""
    return [s.draw(seed, (attempts or {}).get(s.grade_id, 0)) for s in specs(source_nb)]


def distinct_results(results: list) -> int:
    """How many different results (by _same) a list of results holds."""
    kinds: list = []
    for r in results:
        if not any(_same(r, k) for k in kinds):
            kinds.append(r)
    return len(kinds)


def tells_apart(ex: Exercise, reference: list) -> bool:
    """Whether ex's reference results hold the different answers a verdict needs (so no constant passes)."""
    return distinct_results(reference) >= ex.distinct


@dataclass
class Settled:
    """What a grading run judges by: the draws chosen, their reference results, the undecidable ones."""

    exercises: list[Exercise]  # the decidable ones, each at its chosen attempt
    reference: dict[str, list]  # grade_id -> the teacher's results on that exercise's inputs
    attempts: dict[str, int]  # grade_id -> the attempt chosen (every exercise, undecidable too)
    undecidable: dict[str, str]  # grade_id -> why, for the teacher


def settle(source_nb, seed: int, run) -> Settled:
    """Draw, get the reference results (run(exercises) -> {(grade_id, attempt): results or None}:
    one reference run of the teacher's notebook), and redraw what cannot tell answers apart.

    Deterministic given seed and the teacher's solution: at most two reference runs, the second
    with attempts 1..REDRAWS of every exercise whose first draw fell short, the first attempt that
    tells answers apart chosen."""
    first = exercises(source_nb, seed)
    got = run(first)
    _require(first, got)
    reference, attempts, undecidable, chosen = {}, {}, {}, []
    short = []
    for ex in first:
        results = got[(ex.grade_id, 0)]
        if tells_apart(ex, results):
            reference[ex.grade_id], attempts[ex.grade_id] = results, 0
            chosen.append(ex)
        else:
            short.append(ex)
    if short:
        by_gid = {s.grade_id: s for s in specs(source_nb)}
        more = [by_gid[ex.grade_id].draw(seed, k) for ex in short for k in range(1, REDRAWS + 1)]
        again = run(more)
        _require(more, again)
        for ex in short:
            pick = next((m for m in more if m.grade_id == ex.grade_id and tells_apart(m, again[(m.grade_id, m.attempt)])), None)
            if pick is None:
                attempts[ex.grade_id] = 0
                undecidable[ex.grade_id] = _undecidable(ex, got[(ex.grade_id, 0)])
            else:
                reference[ex.grade_id], attempts[ex.grade_id] = again[(pick.grade_id, pick.attempt)], pick.attempt
                chosen.append(pick)
    order = [s.grade_id for s in specs(source_nb)]
    chosen.sort(key=lambda ex: order.index(ex.grade_id))
    return Settled(chosen, reference, attempts, undecidable)


def _require(drawn: list[Exercise], got) -> None:
    missing = sorted({ex.grade_id for ex in drawn if got.get((ex.grade_id, ex.attempt)) is None})
    if missing:
        raise MissingReference(missing)


class MissingReference(Exception):
    """The teacher's notebook gave no results for these grade ids (the caller says why)."""

    def __init__(self, grade_ids: list[str]):
        super().__init__(", ".join(grade_ids))
        self.grade_ids = grade_ids


def _undecidable(ex: Exercise, first: list) -> str:
    kinds = distinct_results(first)
    what = (f"all {_show(first[0])}" if kinds == 1 else f"only {kinds} different results")
    return (f"in {1 + REDRAWS} draws of {len(ex.inputs)} cases each, your solution's results "
            f"never held {ex.distinct} different answers (the first draw: {what}), so a function returning a "
            f"constant could not be told from a solution. Widen the ranges in its verdict's 'args' or raise "
            f"'cases' (cell metadata computropolis.verdict), then grade again with --force")


def store_path(course: Path, assignment: str, notebook: str) -> Path:
    """Where a grading run keeps one notebook's seed, chosen draws, reference results and
    undecidable exercises (written by sandboxed_execute.py, read by autograde.py's summary)."""
    return course / ".grading" / assignment / f"{notebook}.verdicts.json"


def undecided(course: Path, assignment: str) -> dict[str, str]:
    """The exercises of `assignment` its last grading run could not decide, each with the reason
    for the teacher, from every notebook's store."""
    pattern = store_path(course, assignment, "*")
    found = {}
    for store in sorted(pattern.parent.glob(pattern.name)):
        try:
            found.update(json.loads(store.read_text()).get("undecidable", {}))
        except (OSError, ValueError):
            continue
    return found


def new_seed() -> int:
    return secrets.randbits(63)


def answers_file(folder: Path, ex: Exercise) -> Path:
    return folder / "answers" / f"{ex.grade_id}.{ex.attempt}.json"


def harvest_cell(ex: Exercise, folder: Path):
    """A code cell that calls the student's function on the drawn inputs and writes the results."""
    import nbformat

    out = answers_file(folder, ex)
    source = (
        f"// Grading: {ex.call} on inputs drawn at grading time.\n"
        f"((f: any, inputs: any[][]) => {{\n"
        f"  const lookup = (t: number[]) => (i: number) => {{\n"
        f"    if (!Number.isInteger(i) || i < 0 || i >= t.length) throw new RangeError(`${{i}} is outside 0..${{t.length - 1}}`);\n"
        f"    return t[i];\n"
        f"  }};\n"
        f"  const results = inputs.map((args) => {{\n"
        f"    const real = args.map((a) => (a !== null && typeof a === \"object\" && {json.dumps(LOOKUP)} in a ? lookup(a[{json.dumps(LOOKUP)}]) : a));\n"
        f"    try {{ const v = f(...real); return {{ value: v === undefined ? null : v }}; }}\n"
        f"    catch (e) {{ return {{ threw: String((e as any)?.name ?? \"error\") }}; }}\n"
        f"  }});\n"
        f"  require(\"fs\").mkdirSync({json.dumps(str(out.parent))}, {{ recursive: true }});\n"
        f"  require(\"fs\").writeFileSync({json.dumps(str(out))}, JSON.stringify(results));\n"
        f"}})({ex.call}, JSON.parse({json.dumps(json.dumps(ex.inputs))}));\n"
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [HARVEST_TAG]
    cell.metadata["nbexec"] = {"run_if_passed": ex.grade_id}
    return cell


def is_harvest(cell) -> bool:
    return HARVEST_TAG in cell.get("metadata", {}).get("tags", [])


def read_answers(folder: Path, ex: Exercise):
    """The results a run wrote for ex, or None if there are none or they are not results."""
    path = answers_file(folder, ex)
    try:
        if not path.is_file() or path.stat().st_size > MAX_ANSWER_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, list) and len(data) == len(ex.inputs)):
        return None
    return data


def _same(mine, theirs) -> bool:
    """Equal as JSON, numbers that are not integers within RELATIVE_TOLERANCE, and threw == threw."""
    if isinstance(mine, dict) and isinstance(theirs, dict) and "threw" in mine and "threw" in theirs:
        return True
    if isinstance(mine, bool) or isinstance(theirs, bool):
        return mine is theirs
    if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
        if isinstance(mine, int) and isinstance(theirs, int):
            return mine == theirs
        return abs(mine - theirs) <= RELATIVE_TOLERANCE * max(abs(mine), abs(theirs)) or mine == theirs
    if isinstance(mine, list) and isinstance(theirs, list):
        return len(mine) == len(theirs) and all(_same(a, b) for a, b in zip(mine, theirs))
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return mine.keys() == theirs.keys() and all(_same(mine[k], theirs[k]) for k in mine)
    return mine == theirs


def _show(result) -> str:
    if isinstance(result, dict) and "value" in result:
        return f"returned {json.dumps(result['value'])[:80]}"
    if isinstance(result, dict) and "threw" in result:
        return f"threw {str(result['threw'])[:60]}"
    return "gave no result"


def _arg(a) -> str:
    if isinstance(a, dict) and LOOKUP in a:
        return f"(i) => [{len(a[LOOKUP])} values][i]"
    text = json.dumps(a)
    return text if len(text) <= 200 else text[:200] + "…"


def judge(ex: Exercise, got, reference) -> str | None:
    """None if got equals the reference on every input; else one sentence saying the first difference."""
    if got is None:
        return (f"{ex.call} gave no results on the inputs drawn at grading time (it is missing, did not "
                f"compile, or its results did not reach the grader)")
    for args, mine, theirs in zip(ex.inputs, got, reference):
        if not _same(mine, theirs):
            call = f"{ex.call}({', '.join(_arg(a) for a in args)})"
            return f"on inputs drawn at grading time, {call} {_show(mine)}; expected: {_show(theirs)[len('returned '):] if isinstance(theirs, dict) and 'value' in theirs else _show(theirs)}"
    return None
