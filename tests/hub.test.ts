// The whole class on a real JupyterHub (issue 16): JupyterHub 5 with configurable-http-proxy on
// localhost, each student's server run as their own Unix account (LocalProcessSpawner; the hub runs as
// root), the kit installed into a shared users' environment exactly as docs/classroom.md installs it
// on TLJH (tools/classroom/hub/install.sh), and a course driven through it as people would: students
// log in and open the lessons from the nbgitpuller link in Chromium and Run All; the teacher releases
// an exercise into nbgrader's exchange with `npm run assign -- --exchange`; students fetch, answer
// (right, wrong, adversarial) and submit through their own servers (the Assignments tab's REST calls,
// run by nbgrader in the student's server, as the student); the teacher collects, grades in the
// sandbox and returns feedback with `npm run autograde -- --exchange`; each student fetches their own.
// Then N students log in at once (start times, memory per student) and the idle culler stops them.
// Everything the hub started is stopped and the users removed afterwards, and leftovers of a crashed
// earlier run are removed first. Times and memory go to artifacts/hub-run.json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, request, type APIRequestContext, type Browser, type BrowserContext } from "playwright-core";
import { adversarialClass, fill, RIGHT, type Notebook } from "./fixtures/grading/adversarial-class";
import { ARTIFACTS, browserEnv, CHROMIUM, CHROMIUM_ARGS, freePort, ROOT, runInEnv, startInEnv } from "./helpers/project";

// The hub's prefix must be reachable by the students' accounts: build/hub when every folder above the project
// lets other users through (o+x), else a folder under /var/tmp (a clone under /root, say).
const searchable = (dir: string): boolean => (statSync(dir).mode & 0o001) !== 0 && (dir === "/" || searchable(path.dirname(dir)));
const PREFIX = process.env.COMPUTROPOLIS_HUB_PREFIX ?? (searchable(ROOT) ? path.join(ROOT, "build/hub") : "/var/tmp/computropolis-hub");
const STATE = path.join(PREFIX, "state"); // the hub's database, cookie secret, pid files, log
const TEACHER_HOME = path.join(PREFIX, "teacher"); // the teacher's (root's) course: source, gradebook
const COURSE = path.join(TEACHER_HOME, "course");
const EXCHANGE = path.join(PREFIX, "exchange");
const HOMES = path.join(PREFIX, "home");
const USER = "cphub-"; // every Unix account the test makes starts with this
const TEACHER = `${USER}teacher`;
const CLASS = { right: `${USER}ada`, wrong: `${USER}ben`, adversarial: `${USER}eve` };
const STUDENTS = Object.values(CLASS);
const LOGINS = Number(process.env.COMPUTROPOLIS_HUB_LOGINS ?? 8); // students logging in at once
const CROWD = Array.from({ length: LOGINS }, (_, i) => `${USER}s${String(i + 1).padStart(2, "0")}`);
const PASSWORD = `pw-${process.pid}-${Date.now()}`;
const LESSON = "paging-exercises";
const COURSE_ID = "computropolis";
const WELCOME = "computropolis/notebooks/00-welcome.ipynb";

let hubUrl = "";
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const apis: APIRequestContext[] = [];
const tokens: Record<string, string> = {};
const run: { times: Record<string, number>; class?: unknown; logins?: unknown; memory?: unknown; hidden_tests_in_feedback?: unknown } = { times: {} };
let hubPid = 0;

// ---- processes and accounts ------------------------------------------------------------------
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const readPid = (file: string) => (existsSync(file) ? Number(readFileSync(file, "utf8").trim()) || 0 : 0);
const testUsers = () => readFileSync("/etc/passwd", "utf8").split("\n").map((l) => l.split(":")[0]!).filter((n) => n.startsWith(USER));
const pidsOf = (user: string) =>
  spawnSync("ps", ["-u", user, "-o", "pid="], { encoding: "utf8" }).stdout.split("\n").map(Number).filter((p) => p > 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopGroup(pid: number) {
  if (!pid || !alive(pid)) return;
  try { process.kill(-pid, "SIGTERM"); } catch { process.kill(pid, "SIGTERM"); }
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(200);
  try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ }
}

/** Stops what a run of this test started (by the pids it recorded) and removes its accounts. */
async function cleanUp() {
  await stopGroup(readPid(path.join(STATE, "hub.pid"))); // the hub, its proxy and culler: one process group
  const proxy = readPid(path.join(STATE, "proxy.pid"));
  if (proxy && alive(proxy)) process.kill(proxy, "SIGKILL");
  for (const user of testUsers()) {
    for (const pid of pidsOf(user)) try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    spawnSync("userdel", ["--remove", "--force", user], { encoding: "utf8" });
  }
  for (const dir of [STATE, TEACHER_HOME, EXCHANGE]) rmSync(dir, { recursive: true, force: true });
  for (const user of [...STUDENTS, ...CROWD]) rmSync(path.join(HOMES, user), { recursive: true, force: true });
}

function addUser(user: string) {
  // Ubuntu's useradd (TLJH's) makes 0750 homes; Debian's default is 0755: the guide tells admins to check.
  const r = spawnSync("useradd", ["--create-home", "--base-dir", HOMES, "-K", "HOME_MODE=0750", "--shell", "/bin/bash", user], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`useradd ${user}: ${r.stderr}`);
}

/** runInEnv without blocking the event loop (several at once). */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = startInEnv(args);
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const asUser = (user: string, ...cmd: string[]) => spawnSync("runuser", ["-u", user, "--", ...cmd], { encoding: "utf8" });

// ---- the hub, as its users reach it --------------------------------------------------------------
async function logIn(user: string): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL: hubUrl });
  apis.push(ctx);
  const form = await (await ctx.get("/hub/login")).text();
  const xsrf = form.match(/name="_xsrf" value="([^"]+)"/)?.[1];
  const r = await ctx.post("/hub/login", { form: { username: user, password: PASSWORD, _xsrf: xsrf ?? "" }, maxRedirects: 0 });
  expect(r.status(), `login of ${user}`).toBe(302);
  return ctx;
}

/** A token, made as the person would on the hub's Token page (their session cookie + XSRF). */
async function makeToken(ctx: APIRequestContext | BrowserContext, user: string): Promise<string> {
  const cookies = "storageState" in ctx ? (await ctx.storageState()).cookies : [];
  // The hub's own XSRF cookie (each user server sets another _xsrf, at /user/NAME/).
  const xsrf = (cookies.find((c) => c.name === "_xsrf" && c.path === "/hub/") ?? cookies.find((c) => c.name === "_xsrf"))?.value ?? "";
  const req = "request" in ctx ? ctx.request : ctx;
  const r = await req.post(`${hubUrl}/hub/api/users/${user}/tokens`, { headers: { "X-XSRFToken": xsrf }, data: { note: "hub test", expires_in: 3600 } });
  expect(r.status(), `token for ${user}: ${await r.text()}`).toBe(201);
  return (await r.json()).token;
}

async function withToken(token: string, base = "/"): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL: `${hubUrl}${base}`, extraHTTPHeaders: { Authorization: `token ${token}` } });
  apis.push(ctx);
  return ctx;
}

async function hubUser(user: string) {
  const r = await (await withToken(tokens[TEACHER]!)).get(`hub/api/users/${user}`);
  return (await r.json()) as { servers: Record<string, { ready: boolean; pending: string | null }> };
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s. Hub log:\n${hubLog().slice(-3000)}`);
    await sleep(250);
  }
}
const hubLog = () => (existsSync(path.join(STATE, "jupyterhub.log")) ? readFileSync(path.join(STATE, "jupyterhub.log"), "utf8") : "");

/** One student's own server, through the hub's proxy, with their token. */
const server = (user: string) => withToken(tokens[user]!, `/user/${user}/`);

async function assignmentAction(user: string, action: "fetch" | "submit" | "fetch_feedback") {
  const r = await (await server(user)).post(`assignments/${action}`, { form: { course_id: COURSE_ID, assignment_id: LESSON } });
  const body = await r.text();
  expect(r.status(), `${action} as ${user}: ${body}`).toBe(200);
  expect(body, `${action} as ${user}`).not.toContain('"success": false');
  return body;
}

const getJson = async (ctx: APIRequestContext, url: string) => {
  const r = await ctx.get(url);
  expect(r.status(), `${url}: ${await r.text()}`).toBe(200);
  return r.json();
};

// ---- memory, from /proc, per student (all processes of their account) -----------------------------
function memoryOf(user: string) {
  const mb = { server: { rss: 0, pss: 0 }, kernels: { rss: 0, pss: 0, count: 0 }, other: { rss: 0, pss: 0 } };
  for (const pid of pidsOf(user)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const rss = Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
      const pss = Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+)/m)?.[1] ?? 0) / 1024;
      const kind = cmd.includes("jupyterhub-singleuser") ? mb.server : cmd.includes("tslab") ? mb.kernels : mb.other;
      kind.rss += rss;
      kind.pss += pss;
      if (kind === mb.kernels) mb.kernels.count++;
    } catch { /* exited meanwhile */ }
  }
  return mb;
}
const round = (x: number) => Math.round(x);

// ---- set-up and tear-down -----------------------------------------------------------------------
beforeAll(async () => {
  let t = Date.now();
  await cleanUp(); // a crashed earlier run's hub, processes and accounts
  run.times.leftovers_s = (Date.now() - t) / 1000;
  t = Date.now();
  const install = runInEnv(["bash", "tools/classroom/hub/install.sh", PREFIX], {}, 1_500_000);
  expect(install.status, `install.sh:\n${install.stdout}\n${install.stderr}`).toBe(0);
  run.times.install_s = (Date.now() - t) / 1000;

  t = Date.now();
  mkdirSync(STATE, { recursive: true, mode: 0o700 });
  mkdirSync(TEACHER_HOME, { recursive: true, mode: 0o700 });
  for (const user of [...STUDENTS, ...CROWD]) addUser(user);
  const [port, apiPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
  hubUrl = `http://127.0.0.1:${port}`;
  const log = openSync(path.join(STATE, "jupyterhub.log"), "a");
  const hub = spawn(path.join(PREFIX, "hub/bin/jupyterhub"), ["-f", path.join(ROOT, "tools/classroom/hub/jupyterhub_config.py")], {
    cwd: STATE,
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      COMPUTROPOLIS_HUB_PREFIX: PREFIX,
      COMPUTROPOLIS_HUB_STATE: STATE,
      COMPUTROPOLIS_HUB_PORT: String(port),
      COMPUTROPOLIS_HUB_API_PORT: String(apiPort),
      COMPUTROPOLIS_HUB_PROXY_API_PORT: String(proxyApiPort),
      COMPUTROPOLIS_HUB_CHP: path.join(ROOT, "node_modules/.bin/configurable-http-proxy"),
      COMPUTROPOLIS_HUB_PASSWORD: PASSWORD,
      COMPUTROPOLIS_HUB_USERS: [TEACHER, ...STUDENTS, ...CROWD].join(","),
      COMPUTROPOLIS_HUB_ADMIN: TEACHER,
    },
  });
  closeSync(log);
  hubPid = hub.pid!;
  writeFileSync(path.join(STATE, "hub.pid"), String(hubPid));
  await waitFor("the hub answering", 60_000, async () => (await fetch(`${hubUrl}/hub/api/`)).ok);
  tokens[TEACHER] = await makeToken(await logIn(TEACHER), TEACHER);
  run.times.hub_start_s = (Date.now() - t) / 1000;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: browserEnv() });
}, 1_800_000);

afterAll(async () => {
  for (const ctx of apis) await ctx.dispose().catch(() => {});
  await browser?.close().catch(() => {});
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, "hub-jupyterhub.log"), hubLog()); // for a failed run: kept, not committed
  const t = Date.now();
  await cleanUp();
  run.times.teardown_s = (Date.now() - t) / 1000;
  writeFileSync(path.join(ARTIFACTS, "hub-run.json"), JSON.stringify(run, null, 1) + "\n");
  expect(testUsers(), "accounts left behind").toEqual([]);
  expect(hubPid > 0 && alive(hubPid), "the hub still runs").toBe(false);
}, 120_000);

// ---- the class ----------------------------------------------------------------------------------
describe("a class on a real JupyterHub", () => {
  const pullLink = () =>
    `${hubUrl}/hub/user-redirect/git-pull?repo=${encodeURIComponent(`file://${PREFIX}/remote/computropolis`)}` +
    `&branch=student-edition&urlpath=${encodeURIComponent(`lab/tree/${WELCOME}`)}`;

  it("students log in, open the lessons from the nbgitpuller link (the student edition) and run them", async () => {
    const t = Date.now();
    const pageErrors: string[] = [];
    // Ada as a person does it, in Chromium: the login form, the nbgitpuller link, Run → Run All Cells.
    const inChromium = async (user: string) => {
      const ctx = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on("pageerror", (e) => pageErrors.push(`${user}: ${e}`));
      const start = Date.now();
      await page.goto(`${hubUrl}/hub/login`);
      await page.fill("#username_input", user);
      await page.fill("#password_input", PASSWORD);
      await Promise.all([page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 180_000 }), page.click("#login_submit")]);
      const loggedIn = (Date.now() - start) / 1000;
      await page.goto(pullLink());
      await page.waitForURL(new RegExp(`/user/${user}/lab/tree/${WELCOME}`), { timeout: 180_000 });
      mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
      try {
        await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 120_000 });
        // The kernel indicator in the status bar says the TypeScript kernel is idle (what a student waits for).
        await page.locator(".jp-StatusBar-Widget", { hasText: /TypeScript \| Idle/ }).first().waitFor({ timeout: 180_000 });
        await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
        await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
        await page.waitForSelector(".jp-OutputArea-output svg.main-svg", { timeout: 180_000 });
      } catch (e) {
        await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "hub-student-failed.png") });
        throw e;
      }
      expect(await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, "screenshots", "hub-student-welcome.png") });
      tokens[user] = await makeToken(ctx, user);
      return { user, way: "chromium", loggedIn, lessonRun: (Date.now() - start) / 1000 };
    };
    // Ben and Eve through the same endpoints their pages call: login form, nbgitpuller's API, a notebook
    // session on the tslab kernel and the lesson's first cell (read from their own copy) run in it.
    const overHttp = async (user: string) => {
      const start = Date.now();
      const ctx = await logIn(user);
      tokens[user] = await makeToken(ctx, user);
      const r = await (await withToken(tokens[user]!)).post(`hub/api/users/${user}/server`);
      expect([201, 202], await r.text()).toContain(r.status());
      await waitFor(`${user}'s server`, 240_000, async () => (await hubUser(user)).servers[""]?.ready);
      const loggedIn = (Date.now() - start) / 1000;
      const api = await server(user);
      const pull = await api.get(`git-pull/api?repo=${encodeURIComponent(`file://${PREFIX}/remote/computropolis`)}&branch=student-edition&targetpath=computropolis`,
        { timeout: 180_000 });
      expect(await pull.text(), `${user}: nbgitpuller`).toContain('"phase": "finished"');
      const nb = (await getJson(api, `api/contents/${WELCOME}`)).content as Notebook;
      const firstCode = nb.cells.find((c) => c.cell_type === "code")!;
      const session = await api.post("api/sessions", { data: { path: WELCOME, name: "00-welcome.ipynb", type: "notebook", kernel: { name: "tslab" } } });
      expect(session.status(), await session.text()).toBe(201);
      const ran = await runAsync(["python", "tools/classroom/hub/kernel_ready.py", `${hubUrl}/user/${user}/`, tokens[user]!,
        (await session.json()).kernel.id, "--timeout", "180", "--code", ([] as string[]).concat(firstCode.source).join("")]);
      expect(ran.status, `${user} ran the welcome lesson's first cell: ${ran.stderr}`).toBe(0);
      expect(JSON.parse(ran.stdout).outputs).toContain("display_data");
      return { user, way: "http", loggedIn, lessonRun: (Date.now() - start) / 1000 };
    };
    const opened = await Promise.all([inChromium(CLASS.right), overHttp(CLASS.wrong), overHttp(CLASS.adversarial)]);
    run.times.class_login_pull_runall_s = (Date.now() - t) / 1000;
    run.class = opened;
    expect(pageErrors).toEqual([]);

    for (const user of STUDENTS) {
      // Each copy is the student's own, in their home, owned by them; the lessons are the student edition.
      const home = path.join(HOMES, user, "computropolis");
      expect(statSync(path.join(home, "notebooks/00-welcome.ipynb")).uid).toBe(Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout));
      const api = await server(user);
      const listing = await getJson(api, "api/contents/computropolis/notebooks");
      const lessons = (listing.content as { name: string }[]).map((f) => f.name).filter((n) => /^\d\d-.*\.ipynb$/.test(n));
      expect(lessons.length).toBeGreaterThanOrEqual(7);
      let stubs = 0;
      for (const name of lessons) {
        const nb = (await getJson(api, `api/contents/computropolis/notebooks/${name}`)).content as Notebook;
        const all = JSON.stringify(nb);
        expect(all, `${user}/${name}`).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS/);
        expect(nb.cells.some((c) => ((c.metadata as { tags?: string[] }).tags ?? []).includes("teacher")), `${user}/${name}: teacher cell`).toBe(false);
        stubs += (all.match(/YOUR CODE HERE/g) ?? []).length;
      }
      expect(stubs, "exercises start from the stub").toBeGreaterThan(0);
      expect(existsSync(path.join(home, "tests")), "the test suites (with solutions) are not on the branch").toBe(false);
    }
  });

  const released = () => JSON.parse(readFileSync(path.join(COURSE, "release", LESSON, `${LESSON}.ipynb`), "utf8")) as Notebook;
  const answers = (): Record<string, Notebook> => ({
    [CLASS.right]: fill(released(), RIGHT),
    [CLASS.wrong]: fill(released(), { ...RIGHT, "nested-walk": "return 24;" }),
    // Looks for the teacher's source from the kernel's folder upwards and in the course folder (tests/fixtures).
    [CLASS.adversarial]: adversarialClass(released(), { course: COURSE, scores: path.join(COURSE, "grades", LESSON, "scores.csv") })["d-reads-source"]!.nb,
  });

  it("the teacher releases an exercise into nbgrader's exchange; students fetch, answer and submit it", async () => {
    let t = Date.now();
    const assign = runInEnv(["python", "tools/grading/assign.py", "tests/fixtures/grading/paging-exercises.ipynb", "--exchange", "--exchange-root", EXCHANGE],
      { COMPUTROPOLIS_COURSE: COURSE, INIT_CWD: ROOT });
    expect(assign.status, assign.stderr + assign.stdout).toBe(0);
    expect(assign.stdout).toContain("released into the exchange");
    run.times.assign_release_s = (Date.now() - t) / 1000;
    // The permissions nbgrader documents: the exchange world-writable, students may write into inbound
    // but not list it; outbound readable.
    const mode = (p: string) => statSync(path.join(EXCHANGE, p)).mode & 0o7777;
    expect(mode("")).toBe(0o777);
    expect(mode(`${COURSE_ID}/inbound`)).toBe(0o2733);
    expect(mode(`${COURSE_ID}/outbound`)).toBe(0o755);

    t = Date.now();
    const work = answers();
    await Promise.all(STUDENTS.map(async (user) => {
      await assignmentAction(user, "fetch");
      const api = await server(user);
      const mine = await getJson(api, `api/contents/${LESSON}/${LESSON}.ipynb`);
      expect(JSON.stringify(mine.content)).toContain("YOUR CODE HERE");
      // Saved as JupyterLab saves it, then handed in with the Assignments tab's Submit.
      const r = await api.put(`api/contents/${LESSON}/${LESSON}.ipynb`, { data: { type: "notebook", format: "json", content: work[user] } });
      expect(r.status(), await r.text()).toBe(200);
      await assignmentAction(user, "submit");
    }));
    run.times.fetch_answer_submit_s = (Date.now() - t) / 1000;
    const inbound = spawnSync("ls", [path.join(EXCHANGE, COURSE_ID, "inbound")], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    expect(inbound.map((d) => d.split("+")[0]).sort()).toEqual([...STUDENTS].sort());
  });

  it("the teacher collects, grades in the sandbox and returns feedback; each student fetches only their own", async () => {
    let t = Date.now();
    const grade = runInEnv(["python", "tools/grading/autograde.py", "--exchange", "--exchange-root", EXCHANGE, LESSON, "--timeout", "10"],
      { COMPUTROPOLIS_COURSE: COURSE, INIT_CWD: ROOT });
    expect(grade.status, grade.stderr + grade.stdout).toBe(0);
    expect(grade.stdout).toMatch(/Sandbox: bubblewrap, as an unprivileged user of its own/);
    // The summary line names the sandbox as it is: each submission as a uid of its own (SANDBOX_UIDS), not nobody.
    expect(grade.stdout).toMatch(/^Graded 3 submission\(s\) of '[^']+' in [\d.]+ s \([\d.]+ s each, sandbox: bubblewrap, a uid of its own per submission\)\.$/m);
    expect(grade.stdout).toContain("released into the exchange");
    run.times.collect_autograde_release_feedback_s = (Date.now() - t) / 1000;
    expect(readFileSync(path.join(COURSE, "grades", LESSON, "scores.csv"), "utf8")).toBe(
      "student,page-number-tests,offset-in-page-tests,nested-walk-tests,total,max\n" +
      `${CLASS.right},2,1,3,6,6\n${CLASS.wrong},2,1,0,3,6\n${CLASS.adversarial},0,1,3,4,6\n`);

    t = Date.now();
    const expected: Record<string, [number, string, string[]]> = {
      [CLASS.right]: [6, "Math.floor(address / pageSize)", ["return 24;", "could not find the teacher"]],
      [CLASS.wrong]: [3, "return 24;", ["could not find the teacher"]],
      [CLASS.adversarial]: [4, "could not find the teacher", ["return 24;"]],
    };
    const hiddenInFeedback: Record<string, boolean> = {};
    await Promise.all(STUDENTS.map(async (user) => {
      await assignmentAction(user, "fetch_feedback");
      const api = await server(user);
      const stamps = (await getJson(api, `api/contents/${LESSON}/feedback`)).content as { name: string }[];
      expect(stamps.length, `${user}: one feedback folder per submission`).toBe(1);
      const html = (await getJson(api, `api/contents/${LESSON}/feedback/${stamps[0]!.name}/${LESSON}.html?type=file&format=text`)).content as string;
      const [score, own, others] = expected[user]!;
      expect(html, `${user}'s feedback`).toMatch(new RegExp(`Score: ${score}(\\.0+)? / 6`));
      // The code as the page shows it (highlighted: tags stripped, entities decoded).
      const shown = html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
      expect(shown, `${user}'s own answer`).toContain(own);
      for (const other of others) expect(shown, `${user} got someone else's feedback`).not.toContain(other);
      // (Eve's own code names "BEGIN SOLUTION": it searched for the teacher's markers.)
      expect(shown.match(/.{0,80}END SOLUTION.{0,80}/)?.[0] ?? "", `${user}: no solution reaches a student`).toBe("");
      // Hidden tests stay hidden in feedback too (GenerateFeedback clears them: nbgrader_config.py).
      hiddenInFeedback[user] = shown.includes("BEGIN HIDDEN TESTS");
      expect(hiddenInFeedback[user], `${user}'s feedback shows the hidden tests`).toBe(false);
    }));
    run.times.fetch_feedback_s = (Date.now() - t) / 1000;
    run.hidden_tests_in_feedback = hiddenInFeedback;
  });

  it("a student cannot read another's home, the teacher's source, the gradebook, others' submissions or feedback", () => {
    const [ada, ben] = [CLASS.right, CLASS.wrong];
    // Positive controls: what ben may read, he reads (so a failure below is the permission, not the path).
    expect(asUser(ben, "cat", path.join(HOMES, ben, LESSON, `${LESSON}.ipynb`)).status).toBe(0);
    expect(asUser(ben, "ls", path.join(EXCHANGE, COURSE_ID, "outbound", LESSON)).status).toBe(0);
    expect(spawnSync("ls", [path.join(HOMES, ada, LESSON)]).status, "root can").toBe(0);
    const denied = {
      "another student's home": ["ls", path.join(HOMES, ada)],
      "another student's notebook": ["cat", path.join(HOMES, ada, LESSON, `${LESSON}.ipynb`)],
      "the teacher's source": ["cat", path.join(COURSE, "source", LESSON, `${LESSON}.ipynb`)],
      "the gradebook": ["cat", path.join(COURSE, "gradebook.db")],
      "the scores": ["cat", path.join(COURSE, "grades", LESSON, "scores.csv")],
      "the list of submissions": ["ls", path.join(EXCHANGE, COURSE_ID, "inbound")],
      "the list of feedback": ["ls", path.join(EXCHANGE, COURSE_ID, "feedback")],
    };
    for (const [what, cmd] of Object.entries(denied)) {
      const r = asUser(ben, ...cmd);
      expect(r.status, `${ben} could read ${what}`).not.toBe(0);
      expect(r.stderr, what).toContain("Permission denied");
    }
  });

  it("memory per student on the hub, and the class's servers listed for the teacher", async () => {
    const memory = Object.fromEntries(STUDENTS.map((u) => [u, memoryOf(u)]));
    for (const [user, m] of Object.entries(memory)) {
      expect(m.server.rss, `${user}'s server`).toBeGreaterThan(30);
      expect(m.kernels.count, `${user} has the welcome lesson's kernel`).toBeGreaterThanOrEqual(1);
      expect(m.kernels.rss).toBeGreaterThan(50);
    }
    run.memory = { class_after_run_all: Object.fromEntries(Object.entries(memory).map(([u, m]) => [u, {
      server_rss_mb: round(m.server.rss), server_pss_mb: round(m.server.pss), kernels: m.kernels.count,
      kernel_rss_mb: round(m.kernels.rss), kernel_pss_mb: round(m.kernels.pss),
      total_rss_mb: round(m.server.rss + m.kernels.rss + m.other.rss), total_pss_mb: round(m.server.pss + m.kernels.pss + m.other.pss),
    }])) };
    const users = (await getJson(await withToken(tokens[TEACHER]!), "hub/api/users")) as { name: string; servers: Record<string, { ready: boolean }> }[];
    const running = users.filter((u) => u.servers[""]?.ready).map((u) => u.name).sort();
    expect(running).toEqual([...STUDENTS].sort());
  });

  it(`${LOGINS} students log in at once: each server starts and its TypeScript kernel answers; the idle culler stops them all`, async () => {
    for (const ctx of contexts.splice(0)) await ctx.close(); // the class closed their tabs
    const t = Date.now();
    const results = await Promise.all(CROWD.map(async (user) => {
      const start = Date.now();
      const ctx = await logIn(user);
      tokens[user] = await makeToken(ctx, user);
      const hub = await withToken(tokens[user]!);
      const r = await hub.post(`hub/api/users/${user}/server`);
      expect([201, 202], await r.text()).toContain(r.status());
      await waitFor(`${user}'s server`, 240_000, async () => (await hubUser(user)).servers[""]?.ready);
      const serverReady = (Date.now() - start) / 1000;
      const api = await server(user);
      const k = await api.post("api/kernels", { data: { name: "tslab" } });
      expect(k.status(), await k.text()).toBe(201);
      const id = (await k.json()).id as string;
      const ready = await runAsync(["python", "tools/classroom/hub/kernel_ready.py", `${hubUrl}/user/${user}/`, tokens[user]!, id, "--timeout", "240"]);
      expect(ready.status, `${user}'s kernel: ${ready.stderr}`).toBe(0);
      expect(JSON.parse(ready.stdout).language).toBe("typescript");
      return { user, serverReady, kernelReady: (Date.now() - start) / 1000 };
    }));
    const wall = (Date.now() - t) / 1000;
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const s = sorted(results.map((r) => r.serverReady)), k = sorted(results.map((r) => r.kernelReady));
    const mem = CROWD.map(memoryOf);
    const avg = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / xs.length);
    run.logins = {
      students: LOGINS, wall_s: wall,
      server_ready_s: { median: s[Math.floor(s.length / 2)], max: s[s.length - 1] },
      kernel_ready_s: { median: k[Math.floor(k.length / 2)], max: k[k.length - 1] },
      per_student_idle: {
        server_rss_mb: avg(mem.map((m) => m.server.rss)), server_pss_mb: avg(mem.map((m) => m.server.pss)),
        kernel_rss_mb: avg(mem.map((m) => m.kernels.rss)), kernel_pss_mb: avg(mem.map((m) => m.kernels.pss)),
      },
      each: results,
    };
    for (const m of mem) expect(m.kernels.count).toBe(1);

    // The idle culler, as the hub runs it but with a timeout of seconds: every idle server is stopped.
    const c = Date.now();
    const culler = spawn(path.join(PREFIX, "hub/bin/python"), ["-m", "jupyterhub_idle_culler", `--url=${hubUrl}/hub/api`, "--timeout=5", "--cull-every=5"], {
      env: { ...process.env, JUPYTERHUB_API_TOKEN: tokens[TEACHER]! }, stdio: "ignore",
    });
    try {
      for (const user of [...CROWD, ...STUDENTS]) {
        await waitFor(`the culler stopping ${user}'s server`, 120_000, async () => Object.keys((await hubUser(user)).servers).length === 0);
      }
    } finally {
      culler.kill("SIGTERM");
    }
    run.times.cull_all_s = (Date.now() - c) / 1000;
    try {
      await waitFor("the students' processes ending", 60_000, async () => [...CROWD, ...STUDENTS].every((u) => pidsOf(u).length === 0));
    } catch (e) {
      const left = spawnSync("ps", ["-o", "user,pid,etime,args", "-u", [...CROWD, ...STUDENTS].join(",")], { encoding: "utf8" }).stdout;
      throw new Error(`processes still running after their servers were culled:\n${left}`);
    }
  });
});
