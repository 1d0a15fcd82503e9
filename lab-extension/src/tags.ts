/**
 * How a tagged cell looks in JupyterLab: the handouts' classes (tools/handouts/callouts.css) and
 * label for each tag of the project's one vocabulary, tools/cells.py. build.mjs reads that
 * vocabulary from cells.py when it builds the extension (CALLOUTS' labels included), so a tag added
 * there is known here; tests/lab-extension.test.ts checks every tag has a look and a CSS rule.
 * Pure (no DOM): the test imports it.
 */

/** The vocabulary, as tools/cells.py defines it. */
export interface Vocabulary {
  /** Callout tags and their labels ("story" → "Story"). */
  callouts: Record<string, string>;
  /** Every allowed tag. */
  tags: string[];
}

export interface Look {
  /** Classes on the cell, as build.py puts them on a handout's cell. */
  classes: string[];
  /** The label above the cell ("" for none). */
  label: string;
}

/**
 * Looks of the tags that are not callouts. The handouts show these differently (solutions stubbed,
 * reveals folded, notes on outputs computed with the answer); in a notebook a label says what the
 * cell is for.
 */
const OTHER_LOOKS: Record<string, Look> = {
  teacher: { classes: ["callout", "teacher-notes"], label: "Teacher notes" },
  solution: { classes: ["exercise"], label: "Exercise" },
  tests: { classes: ["tests"], label: "Tests (autograded)" },
  "uses-solution": { classes: ["uses-solution"], label: "Uses your exercise answer: run it once the exercise passes" },
  reveal: { classes: ["reveal"], label: "Reveal: run it once you have your answer" },
  optional: { classes: ["optional"], label: "Optional extension" },
  // Route membership (tools/routes.py): a quiet label, so a teacher sees which cells a timed route takes.
  "route-50": { classes: ["route"], label: "In the 50- and 90-minute routes" },
  "route-90": { classes: ["route"], label: "In the 90-minute route" },
};

/** Which tag gives a cell its box, as build.py decides: teacher, then solution, then tests, then a callout. */
const PRECEDENCE = ["teacher", "solution", "tests"];

/** Every tag's look; a vocabulary tag with no look is an error (the build stops on it, naming the tag). */
export function looksFor(vocabulary: Vocabulary): Record<string, Look> {
  const looks: Record<string, Look> = {};
  for (const tag of vocabulary.tags) {
    const callout = vocabulary.callouts[tag];
    const look = callout !== undefined ? { classes: ["callout", `callout-${tag}`], label: callout } : OTHER_LOOKS[tag];
    if (!look) throw new Error(`lab-extension: tag "${tag}" of tools/cells.py has no look in lab-extension/src/tags.ts`);
    looks[tag] = look;
  }
  return looks;
}

/** The classes and label of a cell with `tags` (tags outside the vocabulary are ignored). */
export function cellLook(tags: readonly string[], source: string, looks: Record<string, Look>): Look {
  const known = tags.filter((t) => looks[t]);
  const box = PRECEDENCE.find((t) => known.includes(t)) ?? known.find((t) => looks[t]!.classes.includes("callout"));
  const extras = known.filter((t) => t !== box && !PRECEDENCE.includes(t) && !looks[t]!.classes.includes("callout"));
  const classes = [...known.map((t) => `kl-tag-${t}`)];
  const labels: string[] = [];
  for (const tag of box ? [box, ...extras] : extras) {
    classes.push(...looks[tag]!.classes);
    // A callout whose text opens with its own bold lead-in ("**Pause and think.**") is not labelled twice.
    if (!(tag !== "teacher" && looks[tag]!.classes.includes("callout") && leadInSays(source, tag))) labels.push(looks[tag]!.label);
  }
  return { classes: [...new Set(classes)], label: labels.join(" · ") };
}

/**
 * Does markdown `source` open with a bold lead-in naming `tag` within its first three words
 * ("**Quick debate.**", "**What if…**")? The same rule as build.py's lead_in_says.
 */
export function leadInSays(source: string, tag: string): boolean {
  const m = /^\s*(\*\*|__)([\s\S]*?)\1/.exec(source);
  if (!m) return false;
  const lead = (m[2]!.toLowerCase().match(/[a-z]+/g) ?? []).slice(0, 3);
  const key = tag.split("-");
  return lead.some((_, i) => key.every((k, j) => lead[i + j] === k));
}
