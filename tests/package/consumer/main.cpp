// A user's first program: declare a tree, let the compiler check its flat view, dispatch a read
// through an address space, print the tree. Built by the package tests against an installed
// mmiotree (find_package) and a vendored one (add_subdirectory).
#include <mmiotree/mmiotree.hpp>  // the umbrella: every installed header must be there

#include <fmt/core.h>

#include <array>
#include <cstddef>
#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

// 8 KiB of device: RAM in the first page, trapped registers in the second.
using device = container<"dev", 8_KiB,  //
                         at<0, passthrough<"ram", 4_KiB>>, at<4_KiB, io<"regs", 4_KiB>>>;

constexpr auto& view = flat_view_v<device>;
static_assert(view.size() == 2);
static_assert(view[0].lo == 0 && view[0].last == 4_KiB - 1);
static_assert(nodes_v<device>[view[0].leaf].name == "ram");
static_assert(view[1].lo == 4_KiB && view[1].last == 8_KiB - 1);
static_assert(nodes_v<device>[view[1].leaf].name == "regs");

namespace {
/// Registers that read back their own offset plus a tag.
struct regs {
  std::uint64_t read(addr_t offset, unsigned) { return 0xab00 + offset; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
}  // namespace

int main() {
  std::array<std::byte, 4_KiB> ram{};
  ram[8] = std::byte{0x5a};
  regs r;
  address_space<device> as;
  if (as.bind<"ram">(ram) != bind_status::ok) return 1;
  if (as.bind<"regs">(r) != bind_status::ok) return 1;

  const auto reg = as.read(4_KiB + 0x10, 4);
  const auto mem = as.read(8, 1);
  fmt::print("{}", mtree_text<device>());
  fmt::print("regs+0x10: {:#x} ({}), ram+8: {:#x} ({})\n", reg.value, reg.status, mem.value,
             mem.status);
  return reg.ok() && reg.value == 0xab10 && mem.ok() && mem.value == 0x5a ? 0 : 1;
}
