import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, teacher, write

write("notebooks/00-welcome.ipynb", [
md("""
# Welcome to Computropolis

A lesson kit on how a hypervisor virtualizes **memory**, the **MMU** and **I/O**. Every lesson is a
notebook like this one: a story, small runnable cells, and charts drawn from `kernel-lib`, a
simulator of page tables, TLBs, nested page walks, VM exits and virtual devices.

This first notebook only checks that everything works: run it from top to bottom
(*Run → Run All Cells*). You should see a table and a chart.
"""),
md("""
## 1. Load the simulator

`kernel-lib` is an ordinary TypeScript package. Import what a lesson needs by name.
"""),
code("""
import * as kl from "kernel-lib";
import { versions } from "tslab";
kl.showTable([{ tslab: versions.tslab, typescript: versions.typescript, node: versions.node }], { caption: "Your kernel" });
"""),
md("""
## 2. A first chart

When the CPU misses in its TLB it walks the page table: one memory read per level. Inside a virtual
machine with nested paging, *every* guest table pointer must itself be translated by the host's
table. The cell below builds small simulated machines, lets a program touch one page, and counts the
page-table entries the simulated hardware reads for one uncached walk of it.
"""),
code("""
const rows = [4, 5].flatMap((levels) => {
  const reads = kl.pageWalkReads(levels, levels, 4, 4); // guest levels, host levels, page sizes in KiB
  return [
    { walk: "native", levels, references: reads.native },
    { walk: "nested", levels, references: reads.nestedGuest + reads.nestedHost },
  ];
});
kl.showChart(kl.barChart(rows, {
  x: "levels", y: "references", color: "walk",
  title: "Memory reads for one TLB miss", xTitle: "page-table levels (guest = host)", yTitle: "memory reads per walk",
}));
"""),
md("""
**What to notice:** a native walk grows by one read per level; a nested walk grows much faster,
which is why virtualized TLB misses are expensive. The lessons explain where those reads come from.
"""),
md("""
## 3. A live playground

Some charts are *playgrounds*: the simulator runs with parameters you choose. This one builds a
simulated machine in each mode, lets a guest program touch one page, and counts the page-table
entries the hardware walker reads when that page misses in the TLB (guest table, host EPT/NPT table
or shadow table, all stored in simulated memory). Change the numbers and run the cell again: try
5-level guest tables, or 2 MiB pages (`2048` KiB) on the host. In the HTML handout of this lesson
the same chart has sliders and re-runs in your browser.
"""),
code("""
kl.showPlayground("page-walk", { guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 4 });
"""),
teacher("""
Use the playground as a two-minute warm-up: ask the class to predict the nested
count for 5-level tables before moving the slider (35 reads), then show how 2 MiB host pages cut it.
Keep the "why" for the MMU lesson.
"""),
md("""
Next: [01 — Introduction: many machines inside one machine](01-introduction.ipynb).
"""),
], title="Welcome to Computropolis")
