// tests/fuzz/fuzz_elf.cpp: vmm-demo's guest ELF loader (vmm-demo/src/elf_loader.cpp, libelf) on
// raw bytes as the guest file, judged by a reading of the file written here from the ELF64
// layout (<elf.h>, the System V gABI) and the guest ABI of vmm-demo/README.md ("Guest ABI":
// RAM at 0x4000_0000, 128 MiB; loaded by program headers at their physical addresses; PC =
// entry) and elf_loader.hpp's contract (64-bit little-endian, EM_AARCH64, ET_EXEC, every
// PT_LOAD segment inside the file and inside RAM, no two overlapping, the entry inside an
// executable segment). Little-endian ELF64 read byte by byte: e_type at 16, e_machine 18,
// e_entry 24, e_phoff 32, e_shoff 40, e_phentsize 54, e_phnum 56, e_shnum 60; a program header
// of 56 bytes: p_type 0, p_flags 4, p_offset 8, p_paddr 24, p_filesz 32, p_memsz 40; e_phnum
// PN_XNUM (0xffff) takes the count from section header 0's sh_info (at 44).
//
// Every input is refused with a one-line error, or accepted; then:
//   - the segments are, in program-header order, the PT_LOAD headers with p_memsz > 0 (nothing
//     to load otherwise), each with its paddr, offset, filesz, memsz and PF_X as the file
//     says, and the entry is e_entry;
//   - every segment has filesz <= memsz, its file bytes [offset, offset + filesz) inside the
//     file, its memory [paddr, paddr + memsz) inside RAM, no byte of it in another segment;
//   - the entry lies inside an executable segment;
//   - load_elf puts each segment's file bytes at paddr - RAM base and zeroes the rest of memsz.
// Conversely a file whose program headers (as read here) break one of these rules is refused,
// and a plain file — the ELF header's identification and machine/type right, its program
// header table (56-byte entries, fewer than 0xffff) inside the file, no section headers — whose
// segments keep every rule is accepted: libelf has nothing else to object to.
//
// Input: the file itself.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "elf_loader.hpp"
#include "input.hpp"

namespace {

using u128 = unsigned __int128;

constexpr std::uint64_t ram_base = 0x4000'0000, ram_size = 128ULL << 20;

[[noreturn]] void fail(const char* what, std::uint64_t a = 0, std::uint64_t b = 0) {
  fuzz_input::fail("fuzz_elf", what, a, b);
}

std::uint64_t le(std::span<const std::byte> b, std::uint64_t at, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned k = 0; k < n; ++k)
    v |= std::uint64_t(static_cast<std::uint8_t>(b[static_cast<std::size_t>(at) + k])) << (8 * k);
  return v;
}

struct m_segment {
  std::uint64_t paddr, offset, filesz, memsz;
  bool exec;
};

/// The file as read here: its loadable segments and whether it keeps every rule; nullopt when
/// the program headers cannot be read from the file.
struct m_file {
  std::uint64_t entry = 0;
  std::vector<m_segment> segments;
  bool header_ok = false;  ///< magic, ELFCLASS64, ELFDATA2LSB, EM_AARCH64, ET_EXEC
  bool rules_ok = true;    ///< every segment and the entry keep the rules
  bool plain = false;      ///< nothing for libelf to object to beyond the rules
};

std::optional<m_file> model(std::span<const std::byte> f) {
  if (f.size() < 64) return std::nullopt;
  m_file m;
  const auto id = [&](std::size_t k) { return static_cast<std::uint8_t>(f[k]); };
  m.header_ok = id(0) == 0x7f && id(1) == 'E' && id(2) == 'L' && id(3) == 'F' && id(4) == 2 &&
                id(5) == 1 && le(f, 18, 2) == 183 && le(f, 16, 2) == 2;
  m.entry = le(f, 24, 8);
  const std::uint64_t phoff = le(f, 32, 8), shoff = le(f, 40, 8);
  std::uint64_t phnum = le(f, 56, 2);
  if (phnum == 0xffff) {
    if (shoff == 0 || u128{shoff} + 64 > f.size()) return std::nullopt;
    phnum = le(f, shoff + 44, 4);
  }
  if (phnum != 0 && u128{phoff} + u128{phnum} * 56 > f.size()) return std::nullopt;
  m.plain = m.header_ok && id(6) == 1 && le(f, 54, 2) == 56 && le(f, 56, 2) != 0xffff &&
            shoff == 0 && le(f, 60, 2) == 0;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    const std::uint64_t at = phoff + 56 * i;
    if (le(f, at, 4) != 1 || le(f, at + 40, 8) == 0) continue;  // PT_LOAD, something to load
    const m_segment s{le(f, at + 24, 8), le(f, at + 8, 8), le(f, at + 32, 8), le(f, at + 40, 8),
                      (le(f, at + 4, 4) & 1) != 0};
    if (s.filesz > s.memsz || u128{s.offset} + s.filesz > f.size() || s.paddr < ram_base ||
        u128{s.paddr} + s.memsz > u128{ram_base} + ram_size)
      m.rules_ok = false;
    for (const m_segment& o : m.segments)
      if (u128{s.paddr} < u128{o.paddr} + o.memsz && u128{o.paddr} < u128{s.paddr} + s.memsz)
        m.rules_ok = false;
    m.segments.push_back(s);
  }
  bool entry_ok = false;
  for (const m_segment& s : m.segments)
    if (s.exec && m.entry >= s.paddr && u128{m.entry} < u128{s.paddr} + s.memsz) entry_ok = true;
  m.rules_ok = m.rules_ok && entry_ok && !m.segments.empty();
  return m;
}

/// How many of the `n` bytes at `p` are zero before the first that is not: a page at a time with
/// memcmp, so that a segment of up to all of RAM (128 MiB of zeros) is checked in milliseconds,
/// not byte by byte through the coverage instrumentation (which took 16 s per input).
std::uint64_t zeros_from(const std::byte* p, std::uint64_t n) {
  static constexpr std::byte zero_page[4096]{};
  std::uint64_t k = 0;
  while (k < n) {
    const std::uint64_t c = n - k < sizeof zero_page ? n - k : sizeof zero_page;
    if (std::memcmp(p + k, zero_page, c) != 0) break;
    k += c;
  }
  while (k < n && p[k] == std::byte{0}) ++k;
  return k;
}

std::vector<std::byte>& ram() {
  static std::vector<std::byte> r(ram_size);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> f(reinterpret_cast<const std::byte*>(data), size);
  const vmm_demo::elf_image img = vmm_demo::read_elf(f, ram_base, ram_size);
  const std::optional<m_file> m = model(f);
  if (!img.ok()) {
    EXPECT(img.error.find('\n') == std::string::npos);
    // A plain file keeping every rule has nothing to be refused for.
    if (m && m->plain && m->rules_ok) {
      std::fprintf(stderr, "fuzz_elf: refused: %s\n", img.error.c_str());
      fail("a plain file keeping every rule refused");
    }
    return 0;
  }
  EXPECT(img.error.empty());
  if (!m) fail("accepted, but its program headers are not inside the file");
  EXPECT(m->header_ok);
  EXPECT(m->rules_ok, m->segments.size());
  EXPECT(img.entry == m->entry, img.entry, m->entry);
  EXPECT(img.segments.size() == m->segments.size(), img.segments.size(), m->segments.size());
  for (std::size_t k = 0; k < img.segments.size(); ++k) {
    const vmm_demo::segment& g = img.segments[k];
    const m_segment& w = m->segments[k];
    EXPECT(g.paddr == w.paddr && g.offset == w.offset, g.paddr, w.paddr);
    EXPECT(g.filesz == w.filesz && g.memsz == w.memsz, g.filesz, g.memsz);
    EXPECT(g.executable == w.exec, k);
  }
  // Loaded: each segment's bytes, then zeros (RAM starts patterned, so the zeros are written).
  std::vector<std::byte>& r = ram();
  for (const m_segment& s : m->segments)
    std::memset(r.data() + (s.paddr - ram_base), 0xA5, s.memsz);
  vmm_demo::load_elf(img, f, r, ram_base);
  for (const m_segment& s : m->segments) {
    const std::byte* at = r.data() + (s.paddr - ram_base);
    EXPECT(std::memcmp(at, f.data() + s.offset, s.filesz) == 0, s.paddr);
    EXPECT(zeros_from(at + s.filesz, s.memsz - s.filesz) == s.memsz - s.filesz, s.paddr,
           s.filesz + zeros_from(at + s.filesz, s.memsz - s.filesz));
  }
  return 0;
}
