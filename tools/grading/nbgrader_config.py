"""nbgrader configuration for Computropolis: TypeScript notebooks on the tslab kernel.

Loaded by `npm run assign` / `npm run autograde` (tools/grading/course.py passes it with
--config), and by the nbgrader_config.py those commands write into the course folder, so a
teacher running `nbgrader ...` there, or the Formgrader in JupyterLab, gets the same setup.

The course folder (nbgrader's CourseDirectory.root) is build/grading/ in this project unless
COMPUTROPOLIS_COURSE names another folder; the commands' --course option overrides both.
"""
import os
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                    ClearOutput, ClearSolutions, ComputeChecksums, DeduplicateIds, IgnorePattern,
                                    IncludeHeaderFooter, InstantiateTests, LimitOutput, LockCells,
                                    OverwriteKernelspec, SaveAutoGrades, SaveCells)

GRADING = Path(__file__).resolve().parent
ROOT = GRADING.parent.parent
sys.path.insert(0, str(GRADING))
from sandboxed_execute import SandboxedExecute  # noqa: E402
from tslab_preprocessors import RemoveTeacherCells, TslabOverwriteCells  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.root = os.environ.get("COMPUTROPOLIS_COURSE") or str(ROOT / "build" / "grading")
c.CourseDirectory.course_id = "computropolis"

# The student version: solutions become a stub that fails loudly, hidden tests disappear.
# Markers are the project's cell conventions (tools/cells.py; README "Cell tags").
c.ClearSolutions.code_stub = {"typescript": '// YOUR CODE HERE\nthrow new Error("not implemented");'}
c.ClearSolutions.begin_solution_delimeter = "// BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "// END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "// BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "// END HIDDEN TESTS"

# nbgrader's default generate_assignment pipeline, plus: teacher-only cells are removed.
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter, InstantiateTests, LockCells, RemoveTeacherCells, ClearSolutions, ClearOutput,
    CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
    CheckCellMetadata,
]

# Autograde: nbgrader's pipeline with execution in a sandbox per submission, through
# tools/nbexec.py, and the points decided in this process (SandboxedExecute); deleted or edited
# test cells restored from the gradebook (checksums) before anything runs. (`npm run autograde`
# has already put copied, renamed or retyped graded cells back as released: normalise.py.)
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, TslabOverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.OverwriteCells.add_missing_cells = True
c.SandboxedExecute.timeout = int(os.environ.get("COMPUTROPOLIS_GRADING_TIMEOUT", "30"))

# Feedback: nbgrader's pipeline (GetGrades, CSSHTMLHeaderPreprocessor) renders the autograded copy,
# whose test cells were restored from the teacher's source with their hidden tests; a page a student
# gets carries none of them (the same ClearHiddenTests as the release).
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Validate (`nbgrader validate`, JupyterLab's Validate button): tslab cells judged as nbexec does.
from tslab_preprocessors import configure_validate  # noqa: E402
configure_validate(c)
