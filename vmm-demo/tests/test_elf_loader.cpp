// The guest ELF loader: a good image accepted and loaded, and each bad one refused with its
// one-line reason. Images are built here field by field from <elf.h>, not by the loader.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

#include "../src/elf_loader.hpp"

namespace {

constexpr std::uint64_t ram_base = 0x4000'0000, ram_size = 0x800'0000;

struct seg {
  std::uint64_t paddr, filesz, memsz;
  std::uint32_t flags = PF_R | PF_X;
};

/// An ELF64 little-endian AArch64 executable with `segs`, each segment's file bytes filled with
/// its index + 1, placed after the headers.
std::vector<std::byte> image(std::vector<seg> segs, std::uint64_t entry = ram_base,
                             std::uint16_t machine = EM_AARCH64) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = segs.empty() ? 0 : sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<std::uint16_t>(segs.size());
  std::size_t data = sizeof(Elf64_Ehdr) + segs.size() * sizeof(Elf64_Phdr);
  std::vector<std::byte> out(data);
  std::memcpy(out.data(), &eh, sizeof eh);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = segs[i].flags;
    ph.p_offset = out.size();
    ph.p_vaddr = ph.p_paddr = segs[i].paddr;
    ph.p_filesz = segs[i].filesz;
    ph.p_memsz = segs[i].memsz;
    ph.p_align = 8;
    std::memcpy(out.data() + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr), &ph, sizeof ph);
    out.resize(out.size() + segs[i].filesz, static_cast<std::byte>(i + 1));
  }
  return out;
}

std::string refusal(const std::vector<std::byte>& f) {
  const vmm_demo::elf_image img = vmm_demo::read_elf(f, ram_base, ram_size);
  return img.error;
}

}  // namespace

TEST_CASE("a good guest image is accepted and loaded by its program headers", "[demo][elf]") {
  const auto f =
      image({{ram_base, 0x20, 0x40}, {ram_base + 0x1000, 0x10, 0x10, PF_R | PF_W}}, ram_base + 0x8);
  const vmm_demo::elf_image img = vmm_demo::read_elf(f, ram_base, ram_size);
  REQUIRE(img.ok());
  CHECK(img.entry == ram_base + 0x8);
  REQUIRE(img.segments.size() == 2);
  std::vector<std::byte> ram(0x2000, std::byte{0xEE});
  vmm_demo::load_elf(img, f, ram, ram_base);
  CHECK(ram[0x00] == std::byte{1});
  CHECK(ram[0x1F] == std::byte{1});
  CHECK(ram[0x20] == std::byte{0});  // memsz past filesz: zero
  CHECK(ram[0x3F] == std::byte{0});
  CHECK(ram[0x40] == std::byte{0xEE});  // untouched
  CHECK(ram[0x1000] == std::byte{2});
  CHECK(ram[0x1010] == std::byte{0xEE});
}

TEST_CASE("a bad guest image is refused with its reason", "[demo][elf]") {
  const auto good = image({{ram_base, 0x20, 0x40}});
  auto bad_magic = good;
  bad_magic[1] = std::byte{'X'};
  CHECK(refusal(bad_magic) == "not an ELF file (bad magic)");
  CHECK(refusal({}) == "empty file");
  CHECK(refusal(image({{ram_base, 0x20, 0x40}}, ram_base, EM_X86_64)) ==
        "ELF machine 62 is not AArch64 (183)");
  auto big_endian = good;
  big_endian[EI_DATA] = std::byte{ELFDATA2MSB};
  CHECK(refusal(big_endian) == "not a little-endian ELF file");
  auto truncated = good;
  truncated.resize(truncated.size() - 8);
  CHECK(refusal(truncated) ==
        "segment 0 [file 0x78+0x20] runs past the end of the file (0x90 "
        "bytes): truncated?");
  std::vector<std::byte> headers_only(good.begin(), good.begin() + 40);
  CHECK_FALSE(refusal(headers_only).empty());
  CHECK(refusal(image({{ram_base - 0x1000, 0x20, 0x40}})) ==
        "segment 0 [0x3ffff000+0x40] lies outside RAM [0x40000000, 0x48000000)");
  CHECK(refusal(image({{ram_base + ram_size - 0x20, 0x20, 0x40}})) ==
        "segment 0 [0x47ffffe0+0x40] lies outside RAM [0x40000000, 0x48000000)");
  CHECK(refusal(image({{ram_base, 0x20, 0x40}, {ram_base + 0x20, 0x10, 0x10}})) ==
        "segments [0x40000000+0x40] and [0x40000020+0x10] overlap");
  CHECK(refusal(image({{ram_base, 0x40, 0x20}})) ==
        "segment 0 has more file bytes (0x40) than memory bytes (0x20)");
  CHECK(refusal(image({{ram_base, 0x20, 0x40}}, ram_base + 0x40)) ==
        "entry 0x40000040 is not inside an executable segment");
  CHECK(refusal(image({{ram_base, 0x20, 0x40, PF_R | PF_W}})) ==
        "entry 0x40000000 is not inside an executable segment");
  CHECK(refusal(image({})) == "no loadable segment");
}
