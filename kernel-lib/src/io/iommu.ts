/**
 * An IOMMU (Intel VT-d / AMD-Vi): translates and checks every DMA address a device issues.
 *
 * A device assigned to a VM is programmed by the guest driver with guest-physical addresses.
 * The IOMMU gives each device a domain (an I/O page table) that maps those addresses (IOVAs)
 * to the host-physical frames of ITS VM only. A DMA to anything else — another VM's memory, the
 * host's — finds no mapping and is blocked as a fault. Without an IOMMU the device would put
 * the guest's address on the bus as a host-physical address and write wherever it points.
 *
 * Translations are cached in an IOTLB (direct-mapped here); a miss costs a page-table walk.
 * Domains hold address ranges rather than one entry per page so mapping a whole VM is cheap.
 * A range whose addresses and length are multiples of the large IOMMU page (`iommuPageBytes`,
 * 2 MiB by default) is mapped with large pages, as the IOMMU driver picks the largest page that
 * fits and VFIO maps guest memory (C14); others with 4 KiB pages. One IOTLB entry then covers a
 * whole large page, so a VM's DMA buffers need a handful of entries instead of one per 4 KiB.
 */
import { ConfigError, requireInt, requireNumber } from "../core/errors";
import { defaultIoCosts, requireIommuPageBytes, type IoCosts } from "../costs/io";

/** Direction of a DMA, seen from the device: read guest memory (transmit) or write it (receive). */
export type IommuAccess = "read" | "write";

/** Why the IOMMU blocked a DMA. */
export type IommuFaultReason =
  | "no-domain" // the device was never attached: all its DMA is blocked
  | "not-mapped" // the address is outside every range of the device's domain
  | "read-only"; // a write to a range mapped read-only

/** A blocked DMA, reported (not thrown): the lesson's proof that isolation holds. */
export interface IommuFault {
  /** The device that issued the DMA. */
  readonly deviceId: string;
  /** The VM the device is assigned to (-1 if none). */
  readonly deviceOwnerVm: number;
  /** The address the device used (an IOVA: to the guest, a guest-physical address). */
  readonly iova: number;
  /** Bytes the DMA covered. */
  readonly bytes: number;
  /** Read or write. */
  readonly access: IommuAccess;
  /** Why it was blocked. */
  readonly reason: IommuFaultReason;
  /** Simulated time of the fault in ns (0 outside a simulation). */
  readonly timeNs: number;
}

/** The result of one translation: the host-physical address, or a fault. Both carry the time it took. */
export type IommuTranslation =
  | {
      readonly ok: true;
      readonly hostPhysicalAddress: number;
      readonly iotlbHit: boolean;
      readonly costNs: number;
      /** I/O page walks it needed (IOTLB misses, one per page not cached). */
      readonly walks: number;
    }
  | { readonly ok: false; readonly fault: IommuFault; readonly costNs: number };

/** One mapped range of a domain. */
export interface IommuMapping {
  /** First IOVA of the range. */
  readonly iova: number;
  /** Host-physical address the first IOVA maps to. */
  readonly hostPhysicalAddress: number;
  /** Length in bytes (a multiple of the page size). */
  readonly bytes: number;
  /** May the device write through this range? */
  readonly writable: boolean;
  /** Page size the range is mapped with: the large IOMMU page when everything is aligned to it, else 4 KiB. */
  readonly pageBytes: number;
}

/** Counters of an IOMMU. */
export interface IommuStats {
  /** DMAs checked. */
  translations: number;
  /** Translations served by the IOTLB. */
  iotlbHits: number;
  /** Translations that walked the I/O page table. */
  iotlbMisses: number;
  /** DMAs blocked. */
  faults: number;
}

interface Domain {
  readonly index: number;
  readonly ownerVm: number;
  readonly mappings: IommuMapping[];
}

/** The base page of the I/O page tables, in bytes (4 KiB): every mapping is a multiple of it. */
export const IOMMU_PAGE_BYTES = 4096;

/** The IOMMU costs an Iommu needs; without `iommuPageBytes` every range uses 4 KiB pages. */
export type IommuCosts = Pick<IoCosts, "iotlbHitNs" | "iommuWalkNs" | "iotlbEntries"> & Partial<Pick<IoCosts, "iommuPageBytes">>;

/** The IOMMU of one host: domains per device, an IOTLB, and a log of blocked DMAs. */
export class Iommu {
  private readonly domains = new Map<string, Domain>();
  private readonly iotlbTags: Float64Array;
  /** Every blocked DMA, in order. */
  readonly faults: IommuFault[] = [];
  /** Counters. */
  readonly stats: IommuStats = { translations: 0, iotlbHits: 0, iotlbMisses: 0, faults: 0 };

  private readonly largePageBytes: number;

  constructor(private readonly costs: IommuCosts) {
    requireInt("costs.iotlbEntries", costs.iotlbEntries, 1, 1 << 20);
    this.iotlbTags = new Float64Array(costs.iotlbEntries).fill(-1);
    this.largePageBytes = requireIommuPageBytes(costs.iommuPageBytes ?? IOMMU_PAGE_BYTES);
  }

  /** Gives `deviceId` its own domain, owned by VM `vmId` (device assignment). */
  attach(deviceId: string, vmId: number): void {
    if (this.domains.has(deviceId)) throw new ConfigError("deviceId", deviceId, "a device not yet attached to a domain");
    this.domains.set(deviceId, { index: this.domains.size, ownerVm: vmId, mappings: [] });
  }

  /** Maps `bytes` at `iova` in the device's domain to host-physical `hostPhysicalAddress`. */
  map(deviceId: string, iova: number, hostPhysicalAddress: number, bytes: number, writable = true): void {
    const domain = this.domainOf(deviceId);
    for (const [field, value] of [["iova", iova], ["hostPhysicalAddress", hostPhysicalAddress], ["bytes", bytes]] as const) {
      requireNumber(field, value, 0);
      if (value % IOMMU_PAGE_BYTES !== 0 || !Number.isSafeInteger(value)) {
        throw new ConfigError(field, value, `a whole multiple of the ${IOMMU_PAGE_BYTES}-byte page`);
      }
    }
    const large = this.largePageBytes;
    const pageBytes = iova % large === 0 && hostPhysicalAddress % large === 0 && bytes % large === 0 ? large : IOMMU_PAGE_BYTES;
    domain.mappings.push({ iova, hostPhysicalAddress, bytes, writable, pageBytes });
  }

  /** The VM a device is assigned to, or undefined if it has no domain. */
  ownerOf(deviceId: string): number | undefined {
    return this.domains.get(deviceId)?.ownerVm;
  }

  /**
   * Translates and checks a DMA of `bytes` at `iova`. A DMA crossing pages is checked page by
   * page; any page outside the domain blocks the whole DMA (reported in `faults`).
   */
  translate(deviceId: string, iova: number, bytes: number, access: IommuAccess, timeNs = 0): IommuTranslation {
    this.stats.translations++;
    const domain = this.domains.get(deviceId);
    if (domain === undefined) return this.fault(deviceId, -1, iova, bytes, access, "no-domain", timeNs, 0);
    let costNs = 0;
    let firstHit = true;
    let hostPhysicalAddress = -1;
    let walks = 0;
    const end = iova + Math.max(bytes, 1);
    // Page by page of the mapping each part falls in (4 KiB or large), one IOTLB lookup each.
    for (let address = iova; address < end; ) {
      const mapping = findMapping(domain, address);
      if (mapping === undefined) return this.fault(deviceId, domain.ownerVm, iova, bytes, access, "not-mapped", timeNs, costNs + this.costs.iommuWalkNs);
      if (access === "write" && !mapping.writable) {
        return this.fault(deviceId, domain.ownerVm, iova, bytes, access, "read-only", timeNs, costNs + this.costs.iommuWalkNs);
      }
      const page = Math.floor(address / mapping.pageBytes);
      const hit = this.lookupIotlb(domain.index, page, mapping.pageBytes !== IOMMU_PAGE_BYTES);
      costNs += hit ? this.costs.iotlbHitNs : this.costs.iommuWalkNs;
      if (!hit) walks++;
      if (address === iova) {
        firstHit = hit;
        hostPhysicalAddress = mapping.hostPhysicalAddress + (iova - mapping.iova);
      }
      address = Math.min(end, (page + 1) * mapping.pageBytes);
    }
    return { ok: true, hostPhysicalAddress, iotlbHit: firstHit, costNs, walks };
  }

  private domainOf(deviceId: string): Domain {
    const domain = this.domains.get(deviceId);
    if (domain === undefined) throw new ConfigError("deviceId", deviceId, `an attached device: ${[...this.domains.keys()].join(", ") || "none attached"}`);
    return domain;
  }

  /**
   * Direct-mapped IOTLB: the slot is (page + domain) mod entries, the tag names the domain, page
   * and page size. The domain (VT-d tags entries with a domain id) is in the index so that VMs
   * whose memory starts at the same alignment do not all compete for one slot.
   */
  private lookupIotlb(domainIndex: number, page: number, large: boolean): boolean {
    const tag = (page * 4096 + domainIndex) * 2 + (large ? 1 : 0);
    const slot = (page + domainIndex) % this.iotlbTags.length;
    if (this.iotlbTags[slot] === tag) {
      this.stats.iotlbHits++;
      return true;
    }
    this.iotlbTags[slot] = tag;
    this.stats.iotlbMisses++;
    return false;
  }

  private fault(
    deviceId: string,
    deviceOwnerVm: number,
    iova: number,
    bytes: number,
    access: IommuAccess,
    reason: IommuFaultReason,
    timeNs: number,
    costNs: number,
  ): IommuTranslation {
    const fault: IommuFault = { deviceId, deviceOwnerVm, iova, bytes, access, reason, timeNs };
    this.faults.push(fault);
    this.stats.faults++;
    return { ok: false, fault, costNs };
  }
}

function findMapping(domain: Domain, address: number): IommuMapping | undefined {
  for (const m of domain.mappings) {
    if (address >= m.iova && address < m.iova + m.bytes) return m;
  }
  return undefined;
}

/**
 * Host-physical memory split among VMs: VM v owns `bytesPerVm` bytes starting at
 * `baseAddress + v · bytesPerVm`. The simple layout lets a report say whose memory a DMA hit.
 */
export interface IoHostMemoryLayout {
  /** Host-physical address of VM 0's first byte. */
  readonly baseAddress: number;
  /** Guest-physical memory per VM, in bytes. */
  readonly bytesPerVm: number;
  /** Number of VMs. */
  readonly vmCount: number;
}

/** The VM owning a host-physical address under `layout`, or "host" if none does. */
export function ioHostMemoryOwner(layout: IoHostMemoryLayout, hostPhysicalAddress: number): number | "host" {
  const offset = hostPhysicalAddress - layout.baseAddress;
  if (offset < 0) return "host";
  const vm = Math.floor(offset / layout.bytesPerVm);
  return vm < layout.vmCount ? vm : "host";
}

/** What happened to one DMA of an assigned device. */
export interface IoDmaOutcome {
  /** The device that issued it. */
  readonly deviceId: string;
  /** The VM the device belongs to. */
  readonly deviceOwnerVm: number;
  /** The address the guest driver programmed into the device. */
  readonly programmedAddress: number;
  /** Read or write. */
  readonly access: IommuAccess;
  /** True when the IOMMU blocked it. */
  readonly blocked: boolean;
  /** The IOMMU's fault report when blocked. */
  readonly fault: IommuFault | null;
  /** Where the data went (or came from), when not blocked. */
  readonly hostPhysicalAddress: number | null;
  /** Whose memory that is: a VM number or "host"; null when blocked. */
  readonly touchedMemoryOf: number | "host" | null;
  /** True when a device of one VM touched memory that is not that VM's: isolation broken. */
  readonly isolationViolated: boolean;
}

/**
 * Performs one DMA of an assigned device. With an IOMMU the address is translated through the
 * device's domain; without one (`iommu` null) it goes on the bus unchanged as a host-physical
 * address — which is why device assignment without an IOMMU is unsafe.
 */
export function ioAssignedDeviceDma(
  iommu: Iommu | null,
  layout: IoHostMemoryLayout,
  deviceId: string,
  deviceOwnerVm: number,
  programmedAddress: number,
  bytes: number,
  access: IommuAccess,
  timeNs = 0,
): IoDmaOutcome & { readonly costNs: number; readonly walks: number } {
  if (iommu === null) {
    const owner = ioHostMemoryOwner(layout, programmedAddress);
    return {
      deviceId,
      deviceOwnerVm,
      programmedAddress,
      access,
      blocked: false,
      fault: null,
      hostPhysicalAddress: programmedAddress,
      touchedMemoryOf: owner,
      isolationViolated: owner !== deviceOwnerVm,
      costNs: 0,
      walks: 0,
    };
  }
  const t = iommu.translate(deviceId, programmedAddress, bytes, access, timeNs);
  if (!t.ok) {
    return {
      deviceId,
      deviceOwnerVm,
      programmedAddress,
      access,
      blocked: true,
      fault: t.fault,
      hostPhysicalAddress: null,
      touchedMemoryOf: null,
      isolationViolated: false,
      costNs: t.costNs,
      walks: 1,
    };
  }
  const owner = ioHostMemoryOwner(layout, t.hostPhysicalAddress);
  return {
    deviceId,
    deviceOwnerVm,
    programmedAddress,
    access,
    blocked: false,
    fault: null,
    hostPhysicalAddress: t.hostPhysicalAddress,
    touchedMemoryOf: owner,
    isolationViolated: owner !== deviceOwnerVm,
    costNs: t.costNs,
    walks: t.walks,
  };
}

/** The two DMAs of the cross-VM demonstration and what became of them. */
export interface IoCrossVmDmaReport {
  /** Was an IOMMU present? */
  readonly iommuEnabled: boolean;
  /** Host memory layout used (VM 0 and VM 1, 64 MiB each from 4 GiB). */
  readonly layout: IoHostMemoryLayout;
  /** VM 0's device writes into VM 0's own buffer (guest-physical 0x1000): always fine. */
  readonly ownBuffer: IoDmaOutcome;
  /** VM 0's driver programs its device with the host-physical address of a page of VM 1. */
  readonly crossVm: IoDmaOutcome;
}

/**
 * The isolation demonstration: VM 0 has a passthrough device (an SR-IOV VF, "vf0"); its driver
 * — buggy or malicious — programs a DMA write into memory that belongs to VM 1. With the IOMMU
 * the write is blocked and reported as a fault; without it, it lands in VM 1's memory.
 */
export function ioCrossVmDma(options: { iommu?: boolean; costs?: IommuCosts } = {}): IoCrossVmDmaReport {
  const iommuEnabled = options.iommu ?? true;
  const layout: IoHostMemoryLayout = { baseAddress: 0x1_0000_0000, bytesPerVm: 64 * 1024 * 1024, vmCount: 2 };
  const iommu = iommuEnabled ? new Iommu(options.costs ?? defaultIoCosts) : null;
  for (let vm = 0; vm < 2; vm++) {
    iommu?.attach(`vf${vm}`, vm);
    iommu?.map(`vf${vm}`, 0, layout.baseAddress + vm * layout.bytesPerVm, layout.bytesPerVm);
  }
  // Without an IOMMU a guest must hand its device host-physical addresses; with one, guest-physical.
  const ownAddress = iommuEnabled ? 0x1000 : layout.baseAddress + 0x1000;
  const victimAddress = layout.baseAddress + layout.bytesPerVm + 0x2000;
  return {
    iommuEnabled,
    layout,
    ownBuffer: strip(ioAssignedDeviceDma(iommu, layout, "vf0", 0, ownAddress, 1500, "write")),
    crossVm: strip(ioAssignedDeviceDma(iommu, layout, "vf0", 0, victimAddress, 1500, "write")),
  };
}

function strip(outcome: IoDmaOutcome & { costNs: number; walks: number }): IoDmaOutcome {
  const { costNs: _cost, walks: _walks, ...rest } = outcome;
  return rest;
}
