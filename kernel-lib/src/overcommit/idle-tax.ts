/**
 * Share-based reclamation with an idle-memory tax (Waldspurger, "Memory Resource Management in
 * VMware ESX Server", OSDI 2002, §5.2, figure O3): when memory must be taken back, it is taken
 * from the VM that pays the least per page, where an idle page costs more than an active one.
 * For a VM with S shares and P pages of which a fraction f is active, the adjusted
 * shares-per-page ratio is ρ = S / (P · (f + k · (1 − f))) with idle-page cost k = 1 / (1 − τ)
 * for tax rate τ (0 ≤ τ < 1; ESX's default is 0.75). The lowest ρ loses a page ("min-funding
 * revocation"). τ = 0 is pure share-based isolation; τ near 1 lets all idle memory be taken.
 *
 * The active fraction f is estimated as ESX does, by sampling: a few random resident pages have
 * their accessed bit cleared (here the EPT/NPT accessed bit, which the nested walker sets); at
 * the end of the period the share found touched again is f.
 */
import { ConfigError, requireNumber } from "../core/errors";

/** ESX Server's default idle-memory tax rate (O3). */
export const ESX_DEFAULT_TAX_RATE = 0.75;

/** Idle-page cost k = 1 / (1 − τ). */
export function idlePageCost(taxRate: number): number {
  requireNumber("taxRate", taxRate, 0, 0.999999);
  return 1 / (1 - taxRate);
}

/** Waldspurger's adjusted shares-per-page ratio ρ = S / (P · (f + k(1 − f))). Infinity for a VM with no pages. */
export function adjustedSharesPerPage(shares: number, pages: number, activeFraction: number, taxRate: number): number {
  requireNumber("shares", shares, 0);
  requireNumber("pages", pages, 0);
  requireNumber("activeFraction", activeFraction, 0, 1);
  if (pages === 0) return Infinity;
  const k = idlePageCost(taxRate);
  return shares / (pages * (activeFraction + k * (1 - activeFraction)));
}

/** What the reclaim policy knows of one VM. */
export interface TaxedClient {
  /** Shares (weight); equal shares give equal claims. */
  shares: number;
  /** Pages it holds now (resident). */
  pages: number;
  /** Estimated fraction of them in active use, 0..1. */
  activeFraction: number;
}

/** Index of the client that gives up the next page: the lowest ρ (ties: the lowest index), -1 if none holds pages. */
export function pickVictim(clients: readonly TaxedClient[], taxRate: number): number {
  if (!Array.isArray(clients)) throw new ConfigError("clients", clients, "an array of { shares, pages, activeFraction }");
  let best = -1;
  let bestRho = Infinity;
  clients.forEach((c, i) => {
    const rho = adjustedSharesPerPage(c.shares, c.pages, c.activeFraction, taxRate);
    if (c.pages > 0 && rho < bestRho) {
      bestRho = rho;
      best = i;
    }
  });
  return best;
}

/**
 * How `pages` pages would be reclaimed, one at a time, by min-funding revocation: the pages
 * taken from each client (its active fraction held fixed, its page count shrinking).
 */
export function planReclaim(clients: readonly TaxedClient[], pages: number, taxRate: number): number[] {
  const held = clients.map((c) => ({ ...c }));
  const taken = clients.map(() => 0);
  for (let n = 0; n < pages; n++) {
    const v = pickVictim(held, taxRate);
    if (v < 0) break;
    held[v]!.pages--;
    taken[v]!++;
  }
  return taken;
}
