/* main.c: the demo guest. It learns the device by enumeration only (vmm-demo/README.md), and
 * each step prints "PASS name" or "FAIL name: details" on the UART; main returns the number of
 * failures, which start.S writes to the exit register. */
#include "abi.h"

static unsigned failures;

static void putc_(char c) {
  while (mmio_read32(UART_BASE + UART_FR) & (1u << 5)) {
  }
  mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void puthex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19];
  int n = 0;
  buf[n++] = '0';
  buf[n++] = 'x';
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 0xF) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) buf[n++] = digits[(v >> shift) & 0xF];
  buf[n] = 0;
  puts_(buf);
}

/* One PASS or FAIL line: `got` against `want`. */
static int check(const char *name, uint64_t got, uint64_t want) {
  if (got == want) {
    puts_("PASS ");
    puts_(name);
    puts_("\n");
    return 1;
  }
  ++failures;
  puts_("FAIL ");
  puts_(name);
  puts_(": got ");
  puthex(got);
  puts_(", want ");
  puthex(want);
  puts_("\n");
  return 0;
}

/* A rule of the spec that a kernel revision is known to break: a failure prints
 * "DEVIATION name: details" and is not counted, so that a run shows what the device's kernel
 * does; the VMM's own emulation must never print one (the tests fail on it there). */
static void spec(const char *name, uint64_t got, uint64_t want, const char *what) {
  if (got == want) {
    puts_("PASS ");
    puts_(name);
    puts_("\n");
    return;
  }
  puts_("DEVIATION ");
  puts_(name);
  puts_(": ");
  puts_(what);
  puts_(" (got ");
  puthex(got);
  puts_(", want ");
  puthex(want);
  puts_(")\n");
}

/* ---- configuration space (ECAM, bus 0) ---------------------------------------------------- */
static uint64_t cfg_addr(unsigned dev, unsigned off) {
  return ECAM_BASE + ((uint64_t)dev << 15) + off;
}
static uint32_t cfg32(unsigned dev, unsigned off) { return mmio_read32(cfg_addr(dev, off)); }
static uint16_t cfg16(unsigned dev, unsigned off) { return mmio_read16(cfg_addr(dev, off)); }
static void cfg_write32(unsigned dev, unsigned off, uint32_t v) {
  mmio_write32(cfg_addr(dev, off), v);
}
static void cfg_write16(unsigned dev, unsigned off, uint16_t v) {
  mmio_write16(cfg_addr(dev, off), v);
}

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define CXL_VENDOR 0x1E98
#define DVSEC_ID 0x23
#define DVSEC_REGISTER_LOCATOR 8
#define CXL_CAP_HDM 5

/* The extended capability list: the DVSEC of `vendor` with `id`, or 0. */
static unsigned find_dvsec(unsigned dev, uint16_t vendor, uint16_t id) {
  unsigned off = 0x100;
  for (unsigned hops = 0; off >= 0x100 && hops < 64; ++hops) {
    const uint32_t h = cfg32(dev, off);
    if (h == 0 || h == 0xFFFFFFFFu) return 0;
    if ((h & 0xFFFF) == DVSEC_ID && (cfg32(dev, off + 4) & 0xFFFF) == vendor &&
        cfg16(dev, off + 8) == id)
      return off;
    off = (h >> 20) & 0xFFC;
  }
  return 0;
}

/* The memory the guest reads and writes through the CFMWS and the accelerator window. */
#define PATTERN_BAR(off) (0xA5000000u | (uint32_t)(((off) >> 2) & 0xFFFFFF))
#define PATTERN_DPA(mib) (0xD0000000u | (uint32_t)(mib))

static void commit_decoder0(uint64_t hdm, uint32_t lock) {
  /* Linux's cxl_decoder_commit order: base and size, high halves first, control last. */
  const uint64_t d0 = hdm + 0x10;
  mmio_write32(hdm + 0x4, 0x2); /* HDM Decoder Enable */
  mmio_write32(d0 + 0x4, (uint32_t)(CFMWS_BASE >> 32));
  mmio_write32(d0 + 0x0, (uint32_t)(CFMWS_BASE & 0xF0000000u));
  mmio_write32(d0 + 0xC, 0);
  mmio_write32(d0 + 0x8, 0x10000000u); /* 256 MiB */
  mmio_write32(d0 + 0x10, (1u << 9) | lock); /* Commit, and Lock-On-Commit if asked */
}

int main(void) {
  /* Enumerate bus 0. */
  unsigned found = 0, dev = 32;
  for (unsigned d = 0; d < 32; ++d)
    if ((cfg32(d, 0) & 0xFFFF) != 0xFFFF) {
      ++found;
      dev = d;
    }
  check("enumerate: one function on bus 0", found, 1);
  if (dev == 32) return (int)failures;
  check("device is 10de:2342", cfg32(dev, 0), 0x234210DEu);
  check("class: processing accelerator", cfg32(dev, 0x08) >> 8, 0x120000);

  /* BAR 2: size it, assign it at the bottom of the 64-bit window, enable memory space. */
  check("BAR 2 is 64-bit prefetchable memory", cfg32(dev, 0x18) & 0xF, 0xC);
  cfg_write16(dev, PCI_COMMAND, cfg16(dev, PCI_COMMAND) & ~PCI_COMMAND_MEMORY);
  cfg_write32(dev, 0x18, 0xFFFFFFFFu);
  cfg_write32(dev, 0x1C, 0xFFFFFFFFu);
  const uint64_t mask = ((uint64_t)cfg32(dev, 0x1C) << 32) | (cfg32(dev, 0x18) & ~0xFu);
  const uint64_t bar_size = ~mask + 1;
  check("BAR 2 sizes to 4 MiB", bar_size, 0x400000);
  uint64_t bar = PCI64_BASE;
  cfg_write32(dev, 0x18, (uint32_t)bar);
  cfg_write32(dev, 0x1C, (uint32_t)(bar >> 32));
  cfg_write16(dev, PCI_COMMAND, cfg16(dev, PCI_COMMAND) | PCI_COMMAND_MEMORY);
  check("BAR 2 reads back its address", ((uint64_t)cfg32(dev, 0x1C) << 32) | (cfg32(dev, 0x18) & ~0xFu), bar);

  /* The component registers, through the Register Locator DVSEC. */
  const unsigned loc = find_dvsec(dev, CXL_VENDOR, DVSEC_REGISTER_LOCATOR);
  if (!check("register locator DVSEC found", loc != 0, 1)) return (int)failures;
  const uint32_t lo = cfg32(dev, loc + 0xC), hi = cfg32(dev, loc + 0x10);
  check("register locator: component registers (block 1) in BAR 2", lo & 0xFF07, 0x0102);
  const uint64_t comp = bar + ((((uint64_t)hi) << 32) | (lo & 0xFFFF0000u));

  /* The CXL.cache/mem capability array at +4 KiB: find the HDM decoder capability. */
  const uint64_t cm = comp + 0x1000;
  const uint32_t array = mmio_read32(cm);
  check("capability array header: CXL capability", array & 0xFFFF, 1);
  uint64_t hdm = 0;
  for (unsigned i = 1; i <= (array >> 24); ++i) {
    const uint32_t e = mmio_read32(cm + 4 * i);
    if ((e & 0xFFFF) == CXL_CAP_HDM) hdm = cm + (e >> 20);
  }
  if (!check("HDM decoder capability found", hdm != 0, 1)) return (int)failures;
  const uint32_t count_enc = mmio_read32(hdm) & 0xF;
  check("HDM decoders: 2", count_enc == 0 ? 1 : count_enc == 1 ? 2 : count_enc * 2, 2);

  /* Decoder 0: committed by firmware at the CFMWS base, or committed here. */
  const uint64_t d0 = hdm + 0x10;
  uint32_t ctrl = mmio_read32(d0 + 0x10);
  if ((ctrl & (1u << 10)) == 0) {
    /* Not committed yet (the guest-commit flow): the CFMWS decodes to nothing until a commit
     * succeeds, and again after a de-commit. First without Lock-On-Commit, so that it can be
     * undone; then for good. */
    check("device memory unmapped before any commit", mmio_read32(CFMWS_BASE), 0xFFFFFFFFu);
    commit_decoder0(hdm, 0);
    check("unlocked commit: committed", (mmio_read32(d0 + 0x10) >> 10) & 1, 1);
    check("unlocked commit: device memory mapped", mmio_read32(CFMWS_BASE), PATTERN_DPA(0));
    mmio_write32(d0 + 0x10, 0); /* Commit cleared: de-commit */
    check("de-commit: not committed", (mmio_read32(d0 + 0x10) >> 10) & 1, 0);
    check("de-commit: device memory unmapped", mmio_read32(CFMWS_BASE), 0xFFFFFFFFu);
    commit_decoder0(hdm, 1u << 8);
    ctrl = mmio_read32(d0 + 0x10);
  }
  check("decoder 0 committed", (ctrl >> 10) & 1, 1);
  check("decoder 0 base is the CFMWS",
        ((uint64_t)mmio_read32(d0 + 0x4) << 32) | (mmio_read32(d0 + 0x0) & 0xF0000000u),
        CFMWS_BASE);

  /* The device's memory through the HDM window: its pattern, then ours. */
  check("device memory MiB 0", mmio_read32(CFMWS_BASE), PATTERN_DPA(0));
  check("device memory MiB 1", mmio_read32(CFMWS_BASE + 0x100000), PATTERN_DPA(1));
  mmio_write64(CFMWS_BASE + 0x10, 0x600DF00D12345678ULL);
  check("device memory written", mmio_read64(CFMWS_BASE + 0x10), 0x600DF00D12345678ULL);

  /* Forbidden: moving or de-committing the locked decoder; other than 4-byte accesses to its
   * registers (CXL r3.1 8.2.2: refused, so reads are all-ones and writes change nothing). */
  check("decoder 0 locked", (mmio_read32(d0 + 0x10) >> 8) & 1, 1);
  mmio_write32(d0 + 0x0, 0x20000000u);
  check("locked decoder does not move", mmio_read32(d0 + 0x0) & 0xF0000000u,
        (uint32_t)(CFMWS_BASE & 0xF0000000u));
  mmio_write32(d0 + 0x10, 0);
  check("locked decoder stays committed", (mmio_read32(d0 + 0x10) >> 10) & 1, 1);
  spec("lock-on-commit", (mmio_read32(d0 + 0x10) >> 8) & 1, 1,
       "a write of 0 to a locked decoder's control cleared Lock-On-Commit");
  check("device memory still mapped", mmio_read32(CFMWS_BASE + 0x100000), PATTERN_DPA(1));
  check("1-byte read of a decoder register refused", mmio_read8(d0 + 0x10), 0xFF);
  check("2-byte read of a decoder register refused", mmio_read16(d0 + 0x10), 0xFFFF);
  check("8-byte read of decoder registers refused", mmio_read64(d0 + 0x8), ~0ULL);
  /* Decoder 1 is neither committed nor locked: only the access size can refuse this. */
  mmio_write64(hdm + 0x30, 0x130000000ULL);
  check("8-byte write to decoder registers refused",
        ((uint64_t)mmio_read32(hdm + 0x34) << 32) | mmio_read32(hdm + 0x30), 0);
  mmio_write8(hdm + 0x4, 0);
  check("1-byte write to a decoder register refused", mmio_read32(hdm + 0x4), 0x2);

  /* The accelerator's register window, mapped straight from the device's BAR. */
  check("accelerator window word 0", mmio_read32(bar), PATTERN_BAR(0));
  check("accelerator window at 2 MiB", mmio_read32(bar + 0x200000), PATTERN_BAR(0x200000));
  mmio_write32(bar + 0x200000, 0xACCE1000u);
  check("accelerator window written", mmio_read32(bar + 0x200000), 0xACCE1000u);

  /* Move the BAR: the old address no longer decodes (a master abort reads all-ones). */
  const uint64_t moved = PCI64_BASE + 0x10000000;
  cfg_write32(dev, 0x18, (uint32_t)moved);
  cfg_write32(dev, 0x1C, (uint32_t)(moved >> 32));
  check("old BAR address reads all-ones", mmio_read32(bar), 0xFFFFFFFFu);
  check("moved BAR shows the accelerator window", mmio_read32(moved + 0x200000), 0xACCE1000u);
  bar = moved;

  /* Unassigned space inside a PCI window reads all-ones. */
  check("unassigned 32-bit window reads all-ones", mmio_read32(PCI32_BASE + 0x1000), 0xFFFFFFFFu);
  return (int)failures;
}
