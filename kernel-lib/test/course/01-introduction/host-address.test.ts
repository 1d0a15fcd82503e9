// Exercise of notebook 01: seeded problems are deterministic and right; checkers accept a
// correct answer and reject typical wrong ones with feedback that does not give the answer away.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { checkHostAddressOf, hostAddressProblem } from "../../../src/course/01-introduction";

const hostAddressRight = (gpa: number, p2m: number[], ps: number) => (Math.floor(gpa / ps) < p2m.length ? p2m[Math.floor(gpa / ps)]! * ps + (gpa % ps) : null);

describe("the hypervisor's map (notebook 01)", () => {
  it("translates guest-physical to host addresses and refuses addresses outside the VM", () => {
    // The reference is private (it answers the exercise); the problem's reveal shows it at work.
    const shown = hostAddressProblem(4);
    for (const a of shown.answers) {
      const gpa = Number(a["guest-physical address"]), frame = Math.floor(gpa / 4096), p2m = shown.p2m[a.VM as string]!;
      if (frame < p2m.length) expect(a["host address"]).toBe("0x" + (p2m[frame]! * 4096 + (gpa % 4096)).toString(16));
      else expect(a["host address"]).toMatch(/^refused/);
    }
    const p = hostAddressProblem(4);
    expect(p.p2m.A!.some((f) => p.p2m.B!.includes(f))).toBe(false); // VMs never share a frame
    expect(hostAddressProblem(4)).toEqual(p);
  });

  it("checks hostAddressOf, naming the no-isolation mistake", () => {
    expect(checkHostAddressOf(hostAddressRight).cases).toBe(160);
    expect(feedback(() => checkHostAddressOf((gpa) => gpa))).toMatch(/no-isolation mode|past the VM's last frame/);
    expect(feedback(() => checkHostAddressOf((gpa, p2m, ps) => p2m[Math.floor(gpa / ps)]! * ps + (gpa % ps)))).toMatch(/return null/);
    expect(feedback(() => checkHostAddressOf((gpa, p2m, ps) => (Math.floor(gpa / ps) < p2m.length ? p2m[Math.floor(gpa / ps)]! * ps : null)))).toMatch(/offset/);
  });
});
