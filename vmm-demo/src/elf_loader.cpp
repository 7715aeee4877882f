#include "elf_loader.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <gelf.h>
#include <libelf.h>
#include <memory>

namespace vmm_demo {

namespace {
struct elf_closer {
  void operator()(Elf* e) const noexcept { elf_end(e); }
};
std::string libelf_error(const char* what) { return fmt::format("{}: {}", what, elf_errmsg(-1)); }
}  // namespace

elf_image read_elf(std::span<const std::byte> file, std::uint64_t ram_base,
                   std::uint64_t ram_size) {
  elf_image img;
  if (file.empty()) {
    img.error = "empty file";
    return img;
  }
  if (file.size() < SELFMAG || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0) {
    img.error = "not an ELF file (bad magic)";
    return img;
  }
  if (elf_version(EV_CURRENT) == EV_NONE) {
    img.error = libelf_error("libelf cannot be initialised");
    return img;
  }
  // elf_memory may convert a foreign-endian image in place: give it a copy of its own.
  std::vector<char> copy(file.size());
  if (!file.empty()) std::memcpy(copy.data(), file.data(), file.size());
  std::unique_ptr<Elf, elf_closer> elf(elf_memory(copy.data(), copy.size()));
  if (!elf) {
    img.error = libelf_error("not an ELF file");
    return img;
  }
  if (elf_kind(elf.get()) != ELF_K_ELF) {
    img.error = "not an ELF file (bad magic)";
    return img;
  }
  if (gelf_getclass(elf.get()) != ELFCLASS64) {
    img.error = "not a 64-bit ELF file";
    return img;
  }
  GElf_Ehdr eh;
  if (gelf_getehdr(elf.get(), &eh) == nullptr) {
    img.error = libelf_error("ELF header unreadable");
    return img;
  }
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    img.error = "not a little-endian ELF file";
    return img;
  }
  if (eh.e_machine != EM_AARCH64) {
    img.error = fmt::format("ELF machine {} is not AArch64 ({})", eh.e_machine, EM_AARCH64);
    return img;
  }
  if (eh.e_type != ET_EXEC) {
    img.error = fmt::format("ELF type {} is not an executable (ET_EXEC)", eh.e_type);
    return img;
  }
  std::size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) != 0) {
    img.error = libelf_error("program headers unreadable");
    return img;
  }
  const std::uint64_t ram_end = ram_base + ram_size;
  for (std::size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf.get(), static_cast<int>(i), &ph) == nullptr) {
      img.error = libelf_error(fmt::format("program header {} unreadable", i).c_str());
      return img;
    }
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) {
      img.error = fmt::format("segment {} has more file bytes ({:#x}) than memory bytes ({:#x})", i,
                              ph.p_filesz, ph.p_memsz);
      return img;
    }
    if (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset) {
      img.error = fmt::format(
          "segment {} [file {:#x}+{:#x}] runs past the end of the file "
          "({:#x} bytes): truncated?",
          i, ph.p_offset, ph.p_filesz, file.size());
      return img;
    }
    if (ph.p_paddr < ram_base || ph.p_paddr >= ram_end || ph.p_memsz > ram_end - ph.p_paddr) {
      img.error = fmt::format("segment {} [{:#x}+{:#x}] lies outside RAM [{:#x}, {:#x})", i,
                              ph.p_paddr, ph.p_memsz, ram_base, ram_end);
      return img;
    }
    const segment s{ph.p_paddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_X) != 0};
    for (const segment& o : img.segments)
      if (s.paddr < o.paddr + o.memsz && o.paddr < s.paddr + s.memsz) {
        img.error = fmt::format("segments [{:#x}+{:#x}] and [{:#x}+{:#x}] overlap", o.paddr,
                                o.memsz, s.paddr, s.memsz);
        return img;
      }
    img.segments.push_back(s);
  }
  if (img.segments.empty()) {
    img.error = "no loadable segment";
    return img;
  }
  img.entry = eh.e_entry;
  const bool entry_ok =
      std::any_of(img.segments.begin(), img.segments.end(), [&](const segment& s) {
        return s.executable && img.entry >= s.paddr && img.entry - s.paddr < s.memsz;
      });
  if (!entry_ok)
    img.error = fmt::format("entry {:#x} is not inside an executable segment", img.entry);
  return img;
}

void load_elf(const elf_image& image, std::span<const std::byte> file, std::span<std::byte> ram,
              std::uint64_t ram_base) {
  for (const segment& s : image.segments) {
    std::byte* to = ram.data() + (s.paddr - ram_base);
    std::memcpy(to, file.data() + s.offset, s.filesz);
    std::memset(to + s.filesz, 0, s.memsz - s.filesz);
  }
}

}  // namespace vmm_demo
