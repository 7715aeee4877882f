// elf_loader.hpp: the guest's ELF file read with elfutils' libelf and checked against the guest
// ABI before a byte of it reaches guest RAM (vmm-demo/README.md, "Guest ABI").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vmm_demo {

/// One PT_LOAD segment: `filesz` bytes at file offset `offset` go to guest-physical `paddr`, the
/// rest up to `memsz` is zero.
struct segment {
  std::uint64_t paddr = 0;
  std::uint64_t offset = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
  bool executable = false;
};

/// What the file holds, or why it was refused (one line).
struct elf_image {
  std::uint64_t entry = 0;
  std::vector<segment> segments;
  std::string error;  ///< empty when the image is good
  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

/// Reads an aarch64 ELF executable from `file` and checks it: 64-bit little-endian, EM_AARCH64,
/// ET_EXEC, every PT_LOAD segment inside the file and inside RAM [ram_base, ram_base + ram_size),
/// no two segments overlapping, the entry inside an executable segment.
[[nodiscard]] elf_image read_elf(std::span<const std::byte> file, std::uint64_t ram_base,
                                 std::uint64_t ram_size);

/// Copies the image's segments into `ram` (guest RAM from `ram_base`); the image must be one
/// `read_elf` accepted for this RAM.
void load_elf(const elf_image& image, std::span<const std::byte> file, std::span<std::byte> ram,
              std::uint64_t ram_base);

}  // namespace vmm_demo
