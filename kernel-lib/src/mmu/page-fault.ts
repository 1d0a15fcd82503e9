/**
 * The x86 page-fault error code: what the CPU pushes with a #PF, so the kernel's handler knows
 * why the access failed (Intel SDM Vol. 3A §4.7, "Page-Fault Exceptions", Figure 4-12; AMD APM
 * Vol. 2 §8.4.2). A fault is a modeled event with this code, never a JavaScript exception.
 */

/** P (bit 0): 0 = the page was not present; 1 = a protection violation on a present page. */
export const PF_PRESENT = 1;
/** W/R (bit 1): 1 = the access was a write. */
export const PF_WRITE = 2;
/** U/S (bit 2): 1 = the access came from user mode (every access of a traced process does). */
export const PF_USER = 4;
/** RSVD (bit 3): a reserved bit was set in a paging-structure entry (not produced by this model). */
export const PF_RESERVED = 8;
/** I/D (bit 4): the access was an instruction fetch (not produced: traces carry data accesses). */
export const PF_FETCH = 16;

/** The error code of a user-mode access: `present` false for a missing page, true for a protection fault. */
export function pageFaultErrorCode(fault: { present: boolean; write: boolean; user?: boolean }): number {
  return (fault.present ? PF_PRESENT : 0) | (fault.write ? PF_WRITE : 0) | ((fault.user ?? true) ? PF_USER : 0);
}

/** The error code's bits in words, e.g. "P=1 (protection) W/R=1 (write) U/S=1 (user)". */
export function describePageFaultErrorCode(code: number): string {
  const bit = (mask: number, on: string, off: string, name: string) => `${name}=${code & mask ? 1 : 0} (${code & mask ? on : off})`;
  return [bit(PF_PRESENT, "protection", "not present", "P"), bit(PF_WRITE, "write", "read", "W/R"), bit(PF_USER, "user", "supervisor", "U/S")].join(" ");
}
