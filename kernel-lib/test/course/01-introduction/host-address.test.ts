// Exercise of notebook 01: seeded problems are deterministic and right; checkers accept a
// correct answer and reject typical wrong ones with feedback that does not give the answer away.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { checkHostAddressOf, hostAddressIn, hostAddressProblem } from "../../../src/course/01-introduction";

describe("the hypervisor's map (notebook 01)", () => {
  it("translates guest-physical to host addresses and refuses addresses outside the VM", () => {
    expect(hostAddressIn(0x1234, [7, 3], 4096)).toBe(3 * 4096 + 0x234);
    expect(hostAddressIn(0x2000, [7, 3], 4096)).toBeNull();
    const p = hostAddressProblem(4);
    expect(p.p2m.A!.some((f) => p.p2m.B!.includes(f))).toBe(false); // VMs never share a frame
    expect(hostAddressProblem(4)).toEqual(p);
  });

  it("checks hostAddressOf, naming the no-isolation mistake", () => {
    expect(checkHostAddressOf((gpa, p2m, ps) => hostAddressIn(gpa, p2m, ps)).cases).toBe(160);
    expect(feedback(() => checkHostAddressOf((gpa) => gpa))).toMatch(/no-isolation mode|past the VM's last frame/);
    expect(feedback(() => checkHostAddressOf((gpa, p2m, ps) => p2m[Math.floor(gpa / ps)]! * ps + (gpa % ps)))).toMatch(/return null/);
    expect(feedback(() => checkHostAddressOf((gpa, p2m, ps) => (Math.floor(gpa / ps) < p2m.length ? p2m[Math.floor(gpa / ps)]! * ps : null)))).toMatch(/offset/);
  });
});
