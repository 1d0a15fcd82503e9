/*
 * A plain C implementation of the simulator's TLB + page-walk model, for `npm run bench` only
 * (a speed reference, not product code): how fast could the TypeScript loop be?
 *
 *   cc -O2 -o tlb-model tlb-model.c && ./tlb-model TRACE.raw64 native|nested [sets] [ways]
 *
 * The same model as kernel-lib on 4 KiB pages, x86-64 4-level tables (and a 4-level EPT/NPT):
 * every page the trace touches is premapped first, in first-touch order; a set-associative
 * TLB with true LRU (a hit stamps the entry; a miss fills the first invalid way, else the
 * oldest); a miss walks page tables stored in frames of "physical memory": native reads one
 * entry per level (4), nested translates every guest table frame and the data frame through
 * the host table (24 reads). No walk cache, no memo: every miss really walks. Prints one JSON
 * object with the counts (which must equal the TypeScript model's) and the loop's wall-clock
 * and CPU seconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint64_t u64;

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

/* Maps vpn -> leaf in the 4-level table at root (host frames); tables come from new_table(). */
static void map_page(int64_t root, u64 vpn, int64_t leaf, int64_t (*new_table)(void), int64_t (*storage_of)(int64_t)) {
  int64_t t = root;
  for (int lvl = 3; lvl >= 1; lvl--) {
    unsigned idx = (unsigned)(vpn >> (9 * lvl)) & 511;
    u64 e = table_at(storage_of(t))[idx];
    if (!(e & 1)) {
      int64_t n = new_table();
      e = ((u64)n << 12) | 1;
      table_at(storage_of(t))[idx] = e;
    }
    t = (int64_t)(e >> 12);
  }
  table_at(storage_of(t))[vpn & 511] = ((u64)leaf << 12) | 1;
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

static inline int64_t walk1(int64_t root, u64 vpn) {
  int64_t t = root;
  for (int lvl = 3; lvl >= 0; lvl--) {
    u64 e = table_at(t)[(vpn >> (9 * lvl)) & 511];
    refs++;
    if (!(e & 1)) return -1;
    t = (int64_t)(e >> 12);
  }
  return t;
}

static inline int64_t walk2(int64_t guest_root, u64 vpn) {
  int64_t g = guest_root;
  for (int lvl = 3; lvl >= 0; lvl--) {
    int64_t h = walk1(ept_root, (u64)g);
    if (h < 0) return -1;
    u64 e = table_at(h)[(vpn >> (9 * lvl)) & 511];
    refs++;
    if (!(e & 1)) return -1;
    g = (int64_t)(e >> 12);
  }
  return walk1(ept_root, (u64)g);
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

  int entries = sets * ways;
  u64 *tvpn = calloc((size_t)entries, 8), *stamp = calloc((size_t)entries, 8);
  int64_t *tframe = calloc((size_t)entries, 8);
  char *valid = calloc((size_t)entries, 1);
  u64 clock_ = 0, hits = 0, misses = 0, sum = 0;
  u64 set_mask_tlb = (u64)sets - 1;
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  for (int64_t i = 0; i < n; i++) {
    u64 v = vpn[i];
    int base = (int)(v & set_mask_tlb) * ways, w, hit = -1;
    for (w = base; w < base + ways; w++)
      if (valid[w] && tvpn[w] == v) { hit = w; break; }
    if (hit >= 0) {
      stamp[hit] = ++clock_;
      hits++;
      sum += (u64)tframe[hit];
      continue;
    }
    misses++;
    int64_t fr = nested ? walk2(root, v) : walk1(root, v);
    int victim = base;
    u64 oldest = ~0ull;
    for (w = base; w < base + ways; w++) {
      if (!valid[w]) { victim = w; break; }
      if (stamp[w] < oldest) { oldest = stamp[w]; victim = w; }
    }
    valid[victim] = 1;
    tvpn[victim] = v;
    tframe[victim] = fr;
    stamp[victim] = ++clock_;
    sum += (u64)fr;
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
  printf("{\"mode\":\"%s\",\"accesses\":%lld,\"tlbHits\":%llu,\"tlbMisses\":%llu,\"walkRefs\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"checksum\":%llu}\n",
         nested ? "nested" : "native", (long long)n, (unsigned long long)hits, (unsigned long long)misses, (unsigned long long)refs, seconds, cpu, (unsigned long long)sum);
  return 0;
}
