// ECAM routing through an address space: bus/device/function/register decoding, absent
// functions, the access sizes ECAM allows.
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/ecam.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using fn_a =
    pci::function<pci::ids{.vendor = 0x1AF4, .device = 0x1041}, pci::bars<pci::mem32<0, 4_KiB>>>;
using fn_b = pci::function<pci::ids{.vendor = 0x1E98, .device = 0x0D93, .multifunction = true}>;
constexpr addr_t ecam_base = 0x3000'0000;
using machine =
    container<"machine", 4_GiB, at<ecam_base, io<"ecam", pci::ecam<2>::size, pci::ecam_access>>>;
constexpr addr_t cfg(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
  return ecam_base + (addr_t{bus} << 20 | addr_t{dev} << 15 | addr_t{fn} << 12 | reg);
}
}  // namespace

TEST_CASE("ECAM routes by bus, device, function and register", "[pci][ecam]") {
  register_file<fn_a::config> a;
  register_file<fn_b::config> b0, b1;
  pci::ecam<2> e;
  CHECK(e.attach(0, 3, 0, a));
  CHECK(e.attach(1, 0, 0, b0));
  CHECK(e.attach(1, 0, 1, b1));
  CHECK_FALSE(e.attach(2, 0, 0, a));  // only buses 0 and 1
  CHECK_FALSE(e.attach(0, 32, 0, a));
  CHECK_FALSE(e.attach(0, 0, 8, a));
  address_space<machine> space;
  REQUIRE(space.bind<"ecam">(e) == bind_status::ok);
  CHECK(space.read(cfg(0, 3, 0, 0), 4).value == 0x1041'1AF4);
  CHECK(space.read(cfg(1, 0, 0, 0), 2).value == 0x1E98);
  CHECK(space.read(cfg(1, 0, 1, 0x0E), 1).value == 0x80);  // multi-function header
  // Absent functions: all-ones, writes dropped.
  CHECK(space.read(cfg(0, 0, 0, 0), 4) == read_result{0xFFFF'FFFF, access_status::ok});
  CHECK(space.read(cfg(0, 3, 1, 0), 2).value == 0xFFFF);
  CHECK(space.read(cfg(0, 31, 7, 0xFFC), 1).value == 0xFF);
  CHECK(space.write(cfg(0, 0, 0, 0x10), 4, 0) == access_status::ok);
  // Writes reach the right function only.
  REQUIRE(space.write(cfg(0, 3, 0, 0x10), 4, 0xFFFF'FFFF) == access_status::ok);
  CHECK(space.read(cfg(0, 3, 0, 0x10), 4).value == 0xFFFF'F000);
  CHECK(b0.read(0x10, 4) == 0);
  // Sizes ECAM allows: 1, 2, 4, naturally aligned; 8 bytes and misaligned are refused.
  CHECK(space.read(cfg(0, 3, 0, 0), 8).status == access_status::access_error);
  CHECK(space.read(cfg(0, 3, 0, 1), 2).status == access_status::access_error);
  CHECK(space.read(cfg(0, 3, 0, 2), 2).value == 0x1041);
  e.detach(0, 3, 0);
  CHECK_FALSE(e.attached(0, 3, 0));
  CHECK(space.read(cfg(0, 3, 0, 0), 4).value == 0xFFFF'FFFF);
}
