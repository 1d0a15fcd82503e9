// The documented orderings of the I/O paths (io/DESIGN.md, docs/virtualization-figures.md
// section C) hold over the whole slider grid of the io-paths playground, run as it runs them.
import { describe, expect, it } from "vitest";
import { getPlayground } from "../../src/display/playground";
import { IO_PATHS } from "../../src/io/config";
import { runIo } from "../../src/io/run";
import { defaultIoCosts } from "../../src/costs/io";

// How the playground runs each bar (playgrounds/io-paths.ts): seed 1, 400 requests per VM.
const SEED = 1;
const REQUESTS_PER_VM = 400;
// Two paths that both carry all of the offered load (or both fill the link) differ only by
// end-of-run effects: "a ≤ b" is checked up to this relative tolerance.
const TIE = 0.005;

function sliderValues(key: string): readonly number[] {
  const spec = getPlayground("io-paths").params[key]!;
  expect(spec.values, key).toBeDefined();
  return spec.values!;
}

describe("the io-paths playground's whole slider grid", () => {
  it("orders throughput emulated < virtio < vhost < passthrough ≤ bare metal, and exits per request the reverse", () => {
    const grid = { requestBytes: sliderValues("requestBytes"), offeredLoadKrps: sliderValues("offeredLoadKrps"), vmCount: sliderValues("vmCount") };
    let points = 0;
    let lightPoints = 0;
    for (const requestBytes of grid.requestBytes) {
      for (const offeredLoadKrps of grid.offeredLoadKrps) {
        for (const vmCount of grid.vmCount) {
          const at = `${requestBytes} B, ${offeredLoadKrps}k req/s, ${vmCount} VM(s)`;
          const runs = IO_PATHS.map((path) =>
            runIo({ path, seed: SEED, requestsPerVm: REQUESTS_PER_VM, requestBytes, offeredLoadRps: offeredLoadKrps * 1000, vmCount }),
          );
          const [emulated, virtio, vhost, passthrough, bare] = runs.map((r) => r.throughputGbps) as [number, number, number, number, number];
          expect(emulated, at).toBeLessThanOrEqual(virtio * (1 + TIE));
          expect(virtio, at).toBeLessThanOrEqual(vhost * (1 + TIE));
          expect(vhost, at).toBeLessThanOrEqual(passthrough * (1 + TIE));
          expect(passthrough, at).toBeLessThanOrEqual(bare * (1 + TIE));
          const [eEmu, eVirtio, eVhost, ePass, eBare] = runs.map((r) => r.exitsPerRequest) as [number, number, number, number, number];
          expect(eEmu, at).toBeGreaterThan(Math.max(eVirtio, eVhost));
          expect(ePass, at).toBeGreaterThan(eBare);
          expect(eBare, at).toBe(0);
          // At a light load: the link under 60% busy, and virtio and vhost keep up with the offered
          // load. Past a back end's or the link's capacity the rings stay full and EVENT_IDX
          // suppresses nearly every kick and interrupt (DESIGN.md), while a NIC still interrupts
          // at its moderation rate: passthrough then exits more per request than virtio.
          const offeredGbps = (vmCount * offeredLoadKrps * 1000 * requestBytes * 8) / 1e9;
          const wireGbps = (offeredGbps * (requestBytes + defaultIoCosts.wireOverheadBytes)) / requestBytes;
          // (Compared with bare metal, which carries what the seeded arrivals actually offered.)
          const keepsUp = (gbps: number) => gbps >= 0.98 * bare;
          if (wireGbps < 0.6 * defaultIoCosts.linkGbps && keepsUp(virtio) && keepsUp(vhost)) {
            expect(Math.min(eVirtio, eVhost), at).toBeGreaterThan(ePass);
            lightPoints++;
          }
          points++;
        }
      }
    }
    expect(points).toBe(grid.requestBytes.length * grid.offeredLoadKrps.length * grid.vmCount.length);
    expect(lightPoints).toBeGreaterThan(points / 3); // 78 of the 168 points today
  });
});
