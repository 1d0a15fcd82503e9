/*
 * A plain C implementation of the simulator's TLB + page-walk model, for `npm run bench` only
 * (a speed reference, not product code): how fast could the simulator's loop be?
 *
 *   cc -O2 -o tlb-model tlb-model.c && ./tlb-model TRACE.raw64 native|nested [sets] [ways]
 *
 * The same model as kernel-lib on 4 KiB pages, x86-64 4-level tables (and a 4-level EPT/NPT):
 * every page the trace touches is premapped first, in first-touch order, writable, as the
 * simulator's premap does; a set-associative TLB with true LRU (a hit stamps the entry; a miss
 * fills the first invalid way, else the oldest); a miss walks page tables stored in frames of
 * "physical memory": native reads one entry per level (4), nested translates every guest table
 * frame and the data frame through the host table (24 reads). No walk cache, no memo: every
 * miss really walks.
 *
 * As in kernel-lib (tlb.ts, walker.ts, Mmu.translateAccess), and unlike a bare TLB model:
 * - TLB entries are tagged (address space and page size) and hold the walk's permissions; a
 *   raw64 trace is all reads, so a hit needs no permission check, but the tag is compared;
 * - the walk checks each entry's present bit, stops at a large-page (PS) entry where a large
 *   page may be, sets accessed bits it finds clear, gathers the writable bit, decodes the frame
 *   field (bits 12..51) and checks the address and every frame against the machine's bounds;
 * - nested: the host walk of each guest table frame sets EPT accessed and dirty bits (SDM Vol.
 *   3C §29.3.5), and the TLB entry's permissions are the guest's and the host's together.
 * Built with -DMINIMAL_MODEL=1 it drops all of the above (the reference of earlier stops: an
 * untagged TLB over entries that are only a present bit and a frame number), for comparison.
 *
 * Prints one JSON object with the counts (which must equal the simulator's) and the loop's
 * wall-clock and CPU seconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MINIMAL_MODEL
#define MINIMAL_MODEL 0
#endif
enum { FULL = !MINIMAL_MODEL };

typedef uint64_t u64;

/* The x86-64 entry (layout.ts X86_64_PTE), used for the EPT too: present, writable, accessed, dirty, page size. */
enum { P = 1, W = 2, A = 0x20, D = 0x40, PS = 0x80 };
#define FRAME_MASK ((1ull << 40) - 1)
#define VIRTUAL_PAGES (1ull << 36) /* 48-bit addresses, 4 KiB pages */
enum { PERM_WRITE = 1, PERM_DIRTY = 2 };

/* Host physical memory: frames numbered densely; table frames have 512 entries of storage. */
static u64 *mem;
static int64_t mem_slots, mem_cap;
static int32_t *slot_of;
static int64_t hfn_count, hfn_cap;

static void *grow(void *p, int64_t *cap, int64_t need, size_t item) {
  if (need <= *cap) return p;
  int64_t n = *cap ? *cap : 1024;
  while (n < need) n *= 2;
  p = realloc(p, (size_t)n * item);
  if (!p) { fprintf(stderr, "tlb-model: out of memory\n"); exit(1); }
  *cap = n;
  return p;
}

static int64_t new_hfn(int table) {
  int64_t cap = hfn_cap;
  slot_of = grow(slot_of, &cap, hfn_count + 1, sizeof *slot_of);
  hfn_cap = cap;
  slot_of[hfn_count] = -1;
  if (table) {
    int64_t mc = mem_cap;
    mem = grow(mem, &mc, (mem_slots + 1) * 512, sizeof *mem);
    mem_cap = mc;
    memset(mem + mem_slots * 512, 0, 512 * sizeof *mem);
    slot_of[hfn_count] = (int32_t)mem_slots++;
  }
  return hfn_count++;
}

static inline u64 *table_at(int64_t hfn) { return mem + (size_t)slot_of[hfn] * 512; }

/* Maps vpn -> leaf, writable, in the 4-level table at root (host frames); tables come from new_table(). */
static void map_page(int64_t root, u64 vpn, int64_t leaf, int64_t (*new_table)(void), int64_t (*storage_of)(int64_t)) {
  int64_t t = root;
  for (int lvl = 3; lvl >= 1; lvl--) {
    unsigned idx = (unsigned)(vpn >> (9 * lvl)) & 511;
    u64 e = table_at(storage_of(t))[idx];
    if (!(e & P)) {
      int64_t n = new_table();
      e = ((u64)n << 12) | P | W;
      table_at(storage_of(t))[idx] = e;
    }
    t = (int64_t)((e >> 12) & FRAME_MASK);
  }
  table_at(storage_of(t))[vpn & 511] = ((u64)leaf << 12) | P | W;
}

static int64_t identity(int64_t f) { return f; }
static int64_t new_host_table(void) { return new_hfn(1); }

/* Nested: guest-physical frames, each backed by a host frame mapped in the host table. */
static int64_t *g2h;
static int64_t gfn_count, g2h_cap, ept_root;
static int64_t new_gfn(int table) {
  int64_t cap = g2h_cap;
  g2h = grow(g2h, &cap, gfn_count + 1, sizeof *g2h);
  g2h_cap = cap;
  int64_t h = new_hfn(table);
  g2h[gfn_count] = h;
  map_page(ept_root, (u64)gfn_count, h, new_host_table, identity);
  return gfn_count++;
}
static int64_t new_guest_table(void) { return new_gfn(1); }
static int64_t guest_storage(int64_t gfn) { return g2h[gfn]; }

static u64 refs;
/* A walk's result: frame, page shift (0: 4 KiB; 9: 2 MiB; 18: 1 GiB) and permissions. */
static int64_t w_frame;
static int w_shift, w_perm;

/*
 * One level of a walk (the work walker.ts does per entry): 0 if the entry at `at` is not
 * present, else 1, or 2 at a leaf (the last level, or a PS entry where a large page may be);
 * sets the accessed bit, clears *writable on a read-only entry, and puts in *next the frame the
 * entry points at.
 */
static inline int step(u64 *at, int lvl, int *writable, int64_t *next) {
  u64 e = *at;
  refs++;
  if (!(e & P)) return 0;
  if (!FULL) {
    *next = (int64_t)(e >> 12);
    return 1;
  }
  if (!(e & A)) *at = e |= A;
  if (!(e & W)) *writable = 0;
  *next = (int64_t)((e >> 12) & FRAME_MASK);
  return lvl == 0 || ((e & PS) && (lvl == 1 || lvl == 2)) ? 2 : 1;
}

/* walker.ts walk1DFlags on x86-64 tables: 0 on a fault. set_dirty: a host walk of a guest table frame (EPT A and D). */
static inline int walk1(int64_t root, u64 vpn, int set_dirty) {
  if (FULL && vpn >= VIRTUAL_PAGES) return 0;
  int64_t t = root, next;
  int writable = 1;
  for (int lvl = 3; lvl >= 0; lvl--) {
    if (FULL && t >= hfn_count) return 0;
    u64 *at = table_at(t) + ((vpn >> (9 * lvl)) & 511);
    int got = step(at, lvl, &writable, &next);
    if (!got) return 0;
    if (got == 2) {
      if (set_dirty && writable && !(*at & D)) *at |= D;
      w_perm = (writable ? PERM_WRITE : 0) | ((*at & D) ? PERM_DIRTY : 0);
      w_shift = 9 * lvl;
      w_frame = next + (int64_t)(vpn & ((1ull << (9 * lvl)) - 1));
      return 1;
    }
    t = next;
  }
  w_frame = t; /* (the minimal model: no leaf test, the walk ends at the last level) */
  w_shift = 0;
  w_perm = PERM_WRITE | PERM_DIRTY;
  return 1;
}

/* walker.ts walk2D: the guest's table from guest frame guest_root, every guest-physical frame through the EPT. */
static inline int walk2(int64_t guest_root, u64 vpn) {
  if (FULL && vpn >= VIRTUAL_PAGES) return 0;
  int64_t g = guest_root, next;
  int writable = 1, dirty = 0, guest_shift = 0;
  for (int lvl = 3; lvl >= 0; lvl--) {
    if (!walk1(ept_root, (u64)g, 1)) return 0;
    int64_t h = w_frame;
    if (FULL && h >= hfn_count) return 0;
    u64 *at = table_at(h) + ((vpn >> (9 * lvl)) & 511);
    int got = step(at, lvl, &writable, &next);
    if (!got) return 0;
    if (got == 2) {
      dirty = (*at & D) != 0;
      guest_shift = 9 * lvl;
      g = next + (int64_t)(vpn & ((1ull << (9 * lvl)) - 1));
      break;
    }
    g = next;
  }
  if (!walk1(ept_root, (u64)g, 0)) return 0; /* the data page: a read sets EPT A only */
  if (w_shift > guest_shift) w_shift = guest_shift;
  w_perm &= (writable ? PERM_WRITE : 0) | (dirty ? PERM_DIRTY : 0);
  return 1;
}

/* Distinct pages in first-touch order (open addressing). */
static u64 *set_keys;
static int64_t set_mask;
static int set_add(u64 v) {
  u64 i = (v * 0x9E3779B97F4A7C15ull) >> 20 & (u64)set_mask;
  while (set_keys[i] != ~0ull) {
    if (set_keys[i] == v) return 0;
    i = (i + 1) & (u64)set_mask;
  }
  set_keys[i] = v;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: tlb-model TRACE.raw64 native|nested [sets] [ways]\n"); return 2; }
  int nested = strcmp(argv[2], "nested") == 0;
  int sets = argc > 3 ? atoi(argv[3]) : 16, ways = argc > 4 ? atoi(argv[4]) : 4;
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  int64_t n = bytes / 8;
  u64 *vpn = malloc((size_t)n * 8);
  if (fread(vpn, 8, (size_t)n, f) != (size_t)n) { fprintf(stderr, "short read\n"); return 2; }
  fclose(f);
  for (int64_t i = 0; i < n; i++) vpn[i] >>= 12; /* little-endian host assumed */

  /* Premap every touched page, first touch first. */
  int64_t size = 1024;
  while (size < 2 * n + 2) size *= 2;
  set_keys = malloc((size_t)size * 8);
  memset(set_keys, 0xff, (size_t)size * 8);
  set_mask = size - 1;
  new_hfn(0); /* frame 0 unused: a zero entry never points at a table */
  int64_t root;
  if (nested) {
    ept_root = new_hfn(1);
    root = new_gfn(1);
  } else root = new_hfn(1);
  for (int64_t i = 0; i < n; i++) {
    if (!set_add(vpn[i])) continue;
    if (nested) map_page(root, vpn[i], new_gfn(0), new_guest_table, guest_storage);
    else map_page(root, vpn[i], new_hfn(0), new_host_table, identity);
  }

  /* The TLB (tlb.ts): an entry's key is its address-space tag × 32 + its page shift, ~0 when invalid. */
  const u64 INVALID = ~0ull, key = 1 * 32; /* the running context's tag: 1 */
  int entries = sets * ways;
  u64 *tvpn = calloc((size_t)entries, 8), *tkey = malloc((size_t)entries * 8), *stamp = calloc((size_t)entries, 8);
  int64_t *tframe = calloc((size_t)entries, 8);
  unsigned char *tperm = calloc((size_t)entries, 1);
  for (int e = 0; e < entries; e++) tkey[e] = INVALID;
  u64 clock_ = 0, hits = 0, misses = 0, evictions = 0, sum = 0;
  int64_t large_valid = 0; /* valid entries of large pages: none on these traces, but the probe asks */
  u64 set_mask_tlb = (u64)sets - 1;
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  for (int64_t i = 0; i < n; i++) {
    u64 v = vpn[i];
    int base = (int)(v & set_mask_tlb) * ways, w, hit = -1;
    for (w = base; w < base + ways; w++)
      if (tkey[w] == key && tvpn[w] == v) { hit = w; break; }
    if (FULL && hit < 0 && large_valid) { /* a large-page probe would go here */ }
    if (hit >= 0) {
      stamp[hit] = ++clock_;
      hits++;
      sum += (u64)tframe[hit];
      continue;
    }
    misses++;
    if (!(nested ? walk2(root, v) : walk1(root, v, 0))) { fprintf(stderr, "tlb-model: page %llu faulted\n", (unsigned long long)v); return 1; }
    if (FULL && w_shift != 0) { fprintf(stderr, "tlb-model: large pages are not modelled here\n"); return 1; }
    int victim = base;
    u64 oldest = ~0ull;
    for (w = base; w < base + ways; w++) {
      if (tkey[w] == INVALID) { victim = w; break; }
      if (stamp[w] < oldest) { oldest = stamp[w]; victim = w; }
    }
    if (tkey[victim] != INVALID) evictions++;
    tkey[victim] = key;
    tvpn[victim] = v;
    tframe[victim] = w_frame;
    tperm[victim] = (unsigned char)w_perm;
    stamp[victim] = ++clock_;
    sum += (u64)w_frame;
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
  printf("{\"mode\":\"%s\",\"model\":\"%s\",\"accesses\":%lld,\"tlbHits\":%llu,\"tlbMisses\":%llu,\"tlbEvictions\":%llu,\"walkRefs\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"checksum\":%llu}\n",
         nested ? "nested" : "native", FULL ? "full" : "minimal", (long long)n, (unsigned long long)hits, (unsigned long long)misses, (unsigned long long)evictions,
         (unsigned long long)refs, seconds, cpu, (unsigned long long)sum);
  return 0;
}
