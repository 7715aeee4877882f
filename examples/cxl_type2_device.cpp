// A CXL Type-2 accelerator as mmiotree types: its PCI function (IDs, BARs, the PCI Express
// capability, the CXL Device DVSEC and a Register Locator), and its component-register BAR —
// the layout the QEMU RFC "[RFC 6/9] hw/vfio/pci: Wire CXL component-register BAR with COMP_REGS
// overlay" builds at run time — for both kernel geometries. Prints the tree, the flat view and
// the mmap/trap projection of each, then commits HDM decoder 0 the way a Linux guest does and
// dumps the decoded decoder registers before and after. Last, what a v4 kernel reports about the
// device (the simulated vfio-pci device of vfio/sim_device.hpp) is parsed and checked against the
// layout type.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/format/regs.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// The component registers: RAS (present, no errors logged) and two HDM decoders, where QEMU
// puts them in CXL.cache/mem.
using hdm = cxl::hdm_decoders<2>;
struct component
    : cxl::component_block<cxl::capability<cxl::cap_id::ras, 2, 0x80,
                                           stub<"ras", 0x58, stub_response::read_as_zero>>,
                           cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>> {};

// BAR 2: 4 MiB, the component block at 1 MiB. The accelerator's register windows are what the
// kernel's sparse-mmap list leaves: with the v2 geometry all but the 64 KiB block, with v4 all
// but the 4 KiB page holding the decoders.
constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
using lo_v2 = cxl::accel_window<"accel_lo", 0, comp_at>;
using hi_v2 = cxl::accel_window<"accel_hi", comp_at + 64_KiB, bar_size - comp_at - 64_KiB>;
using lo_v4 = cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>;
using hi_v4 = cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>;
// Structs rather than `using` aliases, as the component block above: a diagnostic or a symbol
// then names `bar2_v2`, not the whole component block.
struct bar2_v2 : cxl::type2_component_bar<bar_size, comp_at, component, cxl::kernel_geometry::v2,
                                          4_KiB, lo_v2, hi_v2> {};
struct bar2_v4 : cxl::type2_component_bar<bar_size, comp_at, component, cxl::kernel_geometry::v4,
                                          4_KiB, lo_v4, hi_v4> {};

// The PCI function: a processing accelerator with a 16 MiB BAR 0 and the component BAR 2, the
// CXL DVSECs pointing at the block where bar2_v4 places it.
using function = pci::function<
    pci::ids{.vendor = 0x10DE, .device = 0x2342, .revision = 0xA1, .class_code = 0x12'00'00},
    pci::bars<pci::mem64<0, 16_MiB>, pci::mem64<2, bar_size>>, pci::caps<pci::express_capability<>>,
    pci::ext_caps<cxl::device_dvsec<1_GiB>, cxl::register_locator<2, bar2_v4>>>;

template <class Bar>
void print_layout(const char* name) {
  fmt::print("== BAR 2, {} geometry ==\n{}\n{}\n{}\n", name, mtree_text<Bar>(),
             flat_view_text<Bar>(), projection_text<Bar, 4_KiB>());
}

/// VFIO's BAR ops (pread/pwrite on the BAR): a stand-in answering all-ones.
struct bar_ops {
  std::uint64_t read(addr_t, unsigned size) {
    return size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
  }
  void write(addr_t, unsigned, std::uint64_t) {}
};

struct device_memory final : cxl::decoder_listener {
  void decoder_committed(const cxl::hdm_window& w) override {
    fmt::print("decoder {} committed: HPA {:#x}+{:#x} -> DPA {:#x}+{:#x} (map device memory)\n",
               w.decoder, w.hpa_base, w.hpa_size, w.dpa_base, w.dpa_size);
  }
  void decoder_decommitted(const cxl::hdm_window& w) override {
    fmt::print("decoder {} de-committed (unmap)\n", w.decoder);
  }
};

/// What a v4 kernel reports about the device — here the simulated vfio-pci device — parsed and
/// checked against the layout type: a VMM refuses to start on a mismatch.
bool check_kernel_report() {
  vfio::sim::cxl_device<function> dev({.revision = vfio::cxl_uapi::v4,
                                       .bar_size = bar_size,
                                       .component_offset = comp_at,
                                       .memory_size = 1_GiB});
  const auto info = vfio::parse_device_info(dev.device_info_bytes());
  if (!info) {
    fmt::print("device info refused: {}\n", vfio::describe(info.failure()));
    return false;
  }
  std::vector<vfio::region_info> regions;
  for (std::uint32_t i = 0; i < info->num_regions; ++i) {
    auto r = vfio::parse_region_info(dev.region_info_bytes(i), i);
    if (!r) {
      fmt::print("region {} refused: {}\n", i, vfio::describe(r.failure()));
      return false;
    }
    regions.push_back(std::move(r.value()));
  }
  const auto rep =
      vfio::parse_cxl_report(info.value(), regions, vfio::cxl_uapi::v4, vfio::sim::v4_numbers);
  if (!rep) {
    fmt::print("CXL report refused: {}\n", vfio::describe(rep.failure()));
    return false;
  }
  const vfio::cxl_report& r = rep.value();
  // The decoder count, from the HDM Decoder Capability register at COMP_REGS offset 0.
  const vfio::io_result cap = dev.comp_regs_io().read(0, 4);
  const unsigned count =
      static_cast<unsigned>(cxl::decoder_count_of(static_cast<std::uint32_t>(cap.value & 0xF)));
  fmt::print(
      "== what a v4 kernel reports ==\ncomponent registers in BAR {} ({:#x} bytes), HDM "
      "decoder block at {:#x} ({:#x} bytes, {} decoders), device memory {:#x} bytes, "
      "host firmware committed: {}\n",
      r.component_bar, r.bar_size, *r.hdm_bar_offset, *r.hdm_size, count, r.memory_size,
      r.firmware_committed ? "yes" : "no");
  for (const vfio::sparse_area& a : r.bar_areas)
    fmt::print("  mmappable: [{:#x}, {:#x}]\n", a.offset, a.last());
  const vfio::match_result v4 = vfio::check_matches<bar2_v4, 2>(r, 4_KiB, count);
  fmt::print("against bar2_v4: {}\n", v4.ok() ? "match" : "MISMATCH");
  for (const std::string& s : v4.mismatches) fmt::print("  {}\n", s);
  // The same report against the layout written for the v2 kernel: what it would misroute.
  const vfio::match_result v2 = vfio::check_matches<bar2_v2, 2>(r, 4_KiB, count);
  fmt::print("against bar2_v2: {}\n", v2.ok() ? "match" : "MISMATCH");
  for (const std::string& s : v2.mismatches) fmt::print("  {}\n", s);
  return v4.ok() && !v2.ok();
}

}  // namespace

int main() {
  register_file<function::config> cfg;
  fmt::print("function {:04x}:{:04x}, Register Locator entry: BAR {}, offset {:#x}\n",
             cfg.read(0x00, 2), cfg.read(0x02, 2), cfg.read(0x13C + 0xC, 4) & 0x7,
             cfg.read(0x13C + 0xC, 4) & 0xFFFF'0000);
  print_layout<bar2_v2>("v2");
  print_layout<bar2_v4>("v4");

  // The v4 BAR at run time: accelerator windows mmapped (host memory here), the decoder page
  // trapping to the BAR ops, the decoders emulated.
  std::vector<std::byte> accel(bar_size);
  bar_ops ops;
  device_memory dpa;
  hdm decoders{1_GiB, &dpa};
  address_space<bar2_v4> bar;
  if (bar.bind<"accel_lo">(accel) != bind_status::ok ||
      bar.bind<"accel_hi">(std::span(accel).subspan(comp_at + 0x2000)) != bind_status::ok ||
      bar.bind<"bar_ops">(ops) != bind_status::ok ||
      bar.bind<bar2_v4::hdm_path>(decoders.regs()) != bind_status::ok)
    return 1;

  fmt::print("HDM decoders before the commit:\n{}\n", dump(decoders.state()));
  // Linux's cxl_decoder_commit: high halves first, control last (reference cxl.md §4.2).
  const addr_t d0 = bar2_v4::hdm_lo + 0x10;
  const std::pair<addr_t, std::uint32_t> seq[] = {
      {0x4, 0x100}, {0x0, 0}, {0xC, 0}, {0x8, 0x4000'0000}, {0x18, 0}, {0x14, 0}, {0x10, 1U << 9}};
  for (const auto& [off, v] : seq)
    if (bar.write(d0 + off, 4, v) != access_status::ok) return 1;
  const read_result ctrl = bar.read(d0 + 0x10, 4);
  fmt::print("HDM decoders after the commit:\n{}\n", dump(decoders.state()));
  const bool committed = ctrl.ok() && ctrl.value == (1U << 9 | 1U << 10) && decoders.window(0);
  return committed && check_kernel_report() ? 0 : 1;
}
