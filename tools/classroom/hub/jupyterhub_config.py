"""JupyterHub configuration of the hub test (tests/hub.test.ts), over a prefix made by install.sh.

What stands in for production, and why the test still covers it (docs/classroom.md says the same):
- LocalProcessSpawner (UnitSpawner below) for TLJH's SystemdSpawner: both start `jupyterhub-singleuser` from the users'
  environment as the student's own Unix account, in their home folder, with the same environment
  variables from the hub; systemd adds the memory/CPU limits (tljh-config limits.*), which the test
  does not enforce but measures against.
- DummyAuthenticator with a shared password for TLJH's FirstUseAuthenticator (a student's own
  password chosen at first login): the same login form and session cookie.
- The idle culler runs as a hub-managed service with TLJH's default settings.

Settings come from the environment the test starts the hub with (COMPUTROPOLIS_HUB_*).
"""
import os
import pwd
import signal

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (traitlets provides it)
env = os.environ
prefix = env["COMPUTROPOLIS_HUB_PREFIX"]
state = env["COMPUTROPOLIS_HUB_STATE"]

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(env["COMPUTROPOLIS_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["COMPUTROPOLIS_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['COMPUTROPOLIS_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [env["COMPUTROPOLIS_HUB_CHP"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = env["COMPUTROPOLIS_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(env["COMPUTROPOLIS_HUB_USERS"].split(","))
c.Authenticator.admin_users = {env["COMPUTROPOLIS_HUB_ADMIN"]}

# Each student's server: the users' environment's jupyterhub-singleuser, run as the student (the hub is
# root), JupyterLab by default, as TLJH does.
class UnitSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that ends all of the student's processes when their server stops, as systemd does
    when it stops TLJH's per-user unit (and Kubernetes when Z2JH deletes the pod). Plain LocalProcessSpawner
    signals only the server: the tslab kernels, in sessions of their own, outlived every culled server in
    this test (about 220 MB each)."""

    async def stop(self, now=False):
        await super().stop(now=now)
        uid = pwd.getpwnam(self.user.name).pw_uid
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    os.kill(int(pid), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


c.JupyterHub.spawner_class = UnitSpawner
c.Spawner.cmd = [f"{prefix}/user/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "PATH": f"{prefix}/user/bin:/usr/local/bin:/usr/bin:/bin",
    # nbgitpuller clones from a local bare repository owned by root (the GitHub stand-in); git refuses another
    # user's repository unless a system config marks it safe (install.sh). A hub pulling from GitHub needs none.
    "GIT_CONFIG_SYSTEM": f"{prefix}/gitconfig",
}

# TLJH's idle culler: a student's server is stopped after an hour without activity (tljh-config
# services.cull.timeout); the test also runs one with a timeout of seconds to see it cull.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [f"{prefix}/hub/bin/python", "-m", "jupyterhub_idle_culler",
                f"--timeout={env.get('COMPUTROPOLIS_HUB_CULL_TIMEOUT', '3600')}", "--cull-every=60"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
