"""One sandbox per submission: where a student's notebook runs when it is graded.

A submission is hostile code (DESIGN.md): it shares a Node process with the tslab kernel, so
anything the kernel's user can do, it can do. Grading therefore runs the whole execution —
tools/nbexec.py's client and the tslab kernel it starts — inside bubblewrap:

- as an unprivileged user of its own (a uid no other process has, one per sandbox: see
  SANDBOX_UIDS) for real when the grader is root: bwrap runs as root (so it can mount folders
  that user could not reach), then setpriv drops to that uid with no_new_privs (no setuid binary
  brings root back); otherwise as the teacher's own user in a user namespace;
- no network (a private loopback only: the kernel's ZMQ sockets), its own PID namespace (when
  the runner ends, or the wall-clock limit is hit, every process it started is killed, detached
  or not), its own IPC and UTS namespaces;
- an allow-list of read-only mounts: the system folders, the Python and Node installations, the
  venv, and of the project only node_modules, kernel-lib and the runner. The course folder
  (source/, gradebook.db, release/, grades/), the submissions, the project's notebooks/, tests/
  and .git (which hold solutions) and the teacher's home are simply not there; /tmp is an empty
  tmpfs; the only writable folder is the scratch folder, WORK inside;
- rlimits: CPU seconds and address space per process, processes (as its own uid), file size.

Inside, the scratch folder is WORK (/tmp/grading/work) with node_modules and kernel-lib mounted
read-only beside it, so the notebook imports kernel-lib as usual and no path of the teacher's
machine appears in what the student sees.

Without bubblewrap only the rlimits and a separate process group remain; grading then refuses
unless the teacher says --unsandboxed (see Sandbox.protection).
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# One uid per sandbox, from a range no account uses. RLIMIT_NPROC counts every task of a real
# uid machine-wide: when all sandboxes ran as nobody (65534), two gradings at once (two test
# files, two teachers, a CI run beside a developer's) shared one cap of 64, and a tslab kernel
# died at random when it could not start a thread (pthread_create: EAGAIN; in the import cell it
# lost `kl` for the rest of the notebook). Its own uid also keeps concurrent sandboxes apart.
SANDBOX_UIDS = range(1_000_000, 1_000_000 + 2**20)
INSIDE = Path("/tmp/grading")  # what the submission sees
WORK = INSIDE / "work"
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]


@dataclass(frozen=True)
class Limits:
    """Caps for one submission; each is named in the feedback of a cell that hits it."""

    cpu_seconds: int = 120  # per process (RLIMIT_CPU): the kernel gets SIGXCPU
    # Address space per process (RLIMIT_AS): V8 aborts out of memory past it. A lesson's kernel
    # reserves 1.48-1.65 GB of address space (310-390 MB resident; 01-06 measured with their
    # verdicts), so 1536 MB killed honest kernels now and then; 4096 still stops a runaway.
    memory_mb: int = 4096
    processes: int = 64  # tasks (processes and threads) of the sandbox's own uid (RLIMIT_NPROC)
    output_bytes: int = 1_000_000  # outputs of the whole notebook (enforced by nbexec --grading)
    file_mb: int = 64  # largest file a process may write (RLIMIT_FSIZE)

    def describe(self) -> str:
        return (f"{self.cpu_seconds} s of CPU per process, {self.memory_mb} MB of memory per process, "
                f"{self.processes} processes, {self.output_bytes} bytes of output, files up to {self.file_mb} MB")

    def apply(self, count_processes: bool) -> None:
        """Set the rlimits in the calling process (a preexec_fn: before bwrap or the runner starts).

        RLIMIT_NPROC counts every process and thread of the real user, so it is only set when
        that user is the sandbox's own uid (root itself is exempt until setpriv drops to it): on
        a teacher's own account it would count their desktop too.
        """
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_mb * mb, self.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_mb * mb, self.file_mb * mb))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if count_processes:
            resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))


@dataclass
class Outcome:
    """What came back from one sandboxed run."""

    returncode: int
    stdout: bytes
    seconds: float
    wall_limit_hit: bool


def _uids_in_use() -> set[int]:
    """Real uids of the processes running now (from /proc)."""
    uids = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    uids.add(int(line.split()[1]))
                    break
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return uids


def _fresh_uid() -> int:
    """A uid from SANDBOX_UIDS that no process has now (random: concurrent graders rarely meet)."""
    import secrets

    busy = _uids_in_use()
    while True:
        uid = SANDBOX_UIDS[secrets.randbelow(len(SANDBOX_UIDS))]
        if uid not in busy:
            return uid


def _works(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass
class Sandbox:
    # "own-uid": bwrap as root, the submission as a uid of its own (SANDBOX_UIDS); "user": bwrap
    # as the teacher's user in a user namespace; "none": rlimits and a process group only.
    mode: str
    limits: Limits

    @classmethod
    def detect(cls, limits: Limits | None = None) -> "Sandbox":
        limits = limits or Limits()
        forced = os.environ.get("COMPUTROPOLIS_SANDBOX")  # own-uid, user or none: for measuring
        if forced == "nobody":
            raise ValueError("COMPUTROPOLIS_SANDBOX=nobody: that mode is now called own-uid (each sandbox runs as "
                             "a uid of its own, not as nobody); allowed values are own-uid, user and none")
        if forced not in (None, "", "own-uid", "user", "none"):
            raise ValueError(f"COMPUTROPOLIS_SANDBOX={forced!r}: allowed values are own-uid, user and none")
        bwrap = shutil.which("bwrap")
        if bwrap is None or forced == "none":
            return cls("none", limits)
        modes = (["own-uid"] if os.getuid() == 0 and shutil.which("setpriv") else []) + ["user"]
        for mode in [forced] if forced else modes:
            sandbox = cls(mode, limits)
            if _works(sandbox.command(["true"], Path("/tmp"), [])):
                return sandbox
        if forced:
            raise ValueError(f"COMPUTROPOLIS_SANDBOX={forced}: that sandbox does not work on this machine")
        return cls("none", limits)

    def short(self) -> str:
        """A few words for autograde's summary line."""
        return {"own-uid": "bubblewrap, a uid of its own per submission", "user": "bubblewrap as your user",
                "none": "NONE (unsandboxed)"}[self.mode]

    def protection(self) -> str:
        """One paragraph for the teacher: what this machine's sandbox does and does not do."""
        caps = f"Caps per submission: {self.limits.describe()}."
        if self.mode != "own-uid":
            caps = caps.replace(f", {self.limits.processes} processes", "")
        if self.mode == "own-uid":
            return (f"Sandbox: bubblewrap, as an unprivileged user of its own: no network; only the system, Python, Node, node_modules "
                    f"and kernel-lib visible, read-only (not the course folder, the gradebook or other submissions); "
                    f"every process killed when its notebook is done. {caps}")
        if self.mode == "user":
            return (f"Sandbox: bubblewrap as your own user (not root, so not as a user of its own, and no process cap): no "
                    f"network; only the system, Python, Node, node_modules and kernel-lib visible, read-only (not the "
                    f"course folder, the gradebook or other submissions); every process killed when its notebook is "
                    f"done. {caps}")
        return ("UNSANDBOXED: bubblewrap is missing or does not work here (Debian/Ubuntu: apt-get install "
                "bubblewrap). Submissions run as your user with only rlimits and their own process group: they "
                "can read and change anything you can (the gradebook, other students' work, kernel-lib), use the "
                "network, and a process that leaves its group survives grading. Grade untrusted work with "
                f"bubblewrap. {caps}")

    def scratch(self) -> Path:
        """A fresh folder for one submission: WORK inside the sandbox (the parent holds node_modules
        for the unsandboxed mode, where WORK is this real folder)."""
        base = Path(tempfile.mkdtemp(prefix="computropolis-sandbox-"))
        work = base / "work"
        work.mkdir()
        (base / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
        if self.mode == "own-uid":
            os.chmod(base, 0o711)
            uid = _fresh_uid()
            os.chown(work, uid, uid)  # command() runs the sandbox as the folder's owner
        return work

    def inside(self, scratch: Path) -> Path:
        """Where the scratch folder is, as the submission sees it."""
        return scratch if self.mode == "none" else WORK

    def command(self, argv: list[str], scratch: Path, hide: list[Path]) -> list[str]:
        if self.mode == "none":
            return argv
        cmd = ["bwrap", "--dev", "/dev", "--proc", "/proc", "--die-with-parent", "--new-session"]
        if self.mode == "own-uid":
            # bwrap as root (so it can mount what that uid cannot reach), no user namespace; inside,
            # setpriv becomes the sandbox's own uid for real, with no way back (no_new_privs: no setuid binary).
            cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                    "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            cmd += ["--unshare-all", "--cap-drop", "ALL"]
        # /tmp first: the project may itself live under /tmp (a CI clone), and the read-only
        # binds below must land on top of this empty tmpfs, not be hidden by it.
        cmd += ["--perms", "1777", "--tmpfs", "/tmp"]
        cmd += self._visible()
        for folder in hide:  # in case the teacher keeps them under a visible folder
            if folder.exists():
                cmd += ["--tmpfs", str(folder)]
        cmd += ["--perms", "0755", "--dir", str(INSIDE),
                "--bind", str(scratch), str(WORK),
                "--ro-bind", str((ROOT / "node_modules").resolve()), str(INSIDE / "node_modules"),
                "--ro-bind", str((ROOT / "kernel-lib").resolve()), str(INSIDE / "kernel-lib"),
                "--chdir", str(WORK), "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp",
                "--setenv", "JUPYTER_RUNTIME_DIR", str(INSIDE / "runtime"),
                "--setenv", "JUPYTER_DATA_DIR", str(INSIDE / "data"),
                "--setenv", "JUPYTER_CONFIG_DIR", str(INSIDE / "config"), "--"]
        if self.mode == "own-uid":
            uid = scratch.stat().st_uid if scratch.is_dir() and scratch.stat().st_uid in SANDBOX_UIDS else _fresh_uid()
            cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                    "--no-new-privs"]
        return cmd + argv

    @staticmethod
    def _visible() -> list[str]:
        """The only files the sandbox sees, read-only: the system folders, the Python and Node
        installations, the venv, and of the project only node_modules, kernel-lib and the runner
        (so not notebooks/, tests/, .git or build/, which hold the solutions).

        Folders on the way to them are made traversable (0755) but empty: a pyenv under a 0700
        /root shows nothing else of /root."""
        import sys

        mounts: list[str] = []
        for top in SYSTEM:
            if os.path.islink(top):
                mounts += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                mounts += ["--ro-bind", top, top]
        node = Path(shutil.which("node") or "/usr/bin/node").resolve().parent.parent
        needed = [Path(sys.base_prefix).resolve(), node, Path(sys.prefix), ROOT / "node_modules",
                  (ROOT / "node_modules").resolve(), (ROOT / "kernel-lib").resolve(), ROOT / "tools" / "nbexec.py"]
        made: set[Path] = {Path("/")}
        for path in needed:
            if any(path == Path(top) or Path(top) in path.parents for top in SYSTEM):
                continue
            for parent in reversed(path.parents):
                if parent not in made:
                    made.add(parent)
                    mounts += ["--perms", "0755", "--dir", str(parent)]
            mounts += ["--ro-bind", str(path), str(path)]
        return mounts

    def run(self, argv: list[str], scratch: Path, hide: list[Path], wall_seconds: float) -> Outcome:
        """Run argv (the grading runner) in the sandbox; kill all of it after wall_seconds."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPUTROPOLIS_", "NBGRADER"))}
        if self.mode == "none":
            env.update(HOME=str(scratch), JUPYTER_RUNTIME_DIR=str(scratch / ".runtime"))
        started = time.monotonic()
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(self.command(argv, scratch, hide), stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.DEVNULL, cwd=scratch, env=env, start_new_session=True,
                                    preexec_fn=lambda: self.limits.apply(self.mode == "own-uid"))
            hit = False
            try:
                proc.wait(timeout=wall_seconds)
            except subprocess.TimeoutExpired:
                hit = True
            finally:
                # The PID namespace ends with bwrap; without one, the group is what we can reach.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            out.seek(0)
            return Outcome(proc.returncode, out.read(), time.monotonic() - started, hit)

    @staticmethod
    def remove(scratch: Path) -> None:
        shutil.rmtree(scratch.parent, ignore_errors=True)
