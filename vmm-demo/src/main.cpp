// vmm-demo: a VMM whose guest-physical map is one mmiotree tree, running an aarch64 guest under
// Unicorn against a simulated vfio-pci CXL Type-2 accelerator (vmm-demo/README.md).
#include <mmiotree/cxl/decoder_slots.hpp>
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/comp_regs_forward.hpp>
#include <mmiotree/vfio/config_passthrough.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/region_io.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <fmt/core.h>
#include <unicorn/unicorn.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <vector>

#include "elf_loader.hpp"
#include "machine.hpp"
#include "unicorn_map.hpp"

using namespace vmm_demo;

namespace {

struct options {
  std::string guest = VMM_DEMO_GUEST;
  std::string kernel = "v4";
  std::string flow = "firmware-committed";
  std::string comp_regs = "emulate";
  unsigned device_decoders = 2;
  std::uint64_t max_instructions = 50'000'000;
  unsigned timeout_ms = 10'000;
  bool trace = false;
};

/// The PL011-style UART: a byte written to DR is output; FR reads 0 (never full).
struct uart {
  std::string line;
  std::vector<std::string> lines;
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t off, unsigned, std::uint64_t v) {
    if (off != 0x00) return;
    const char c = static_cast<char>(v & 0xFF);
    if (c != '\n') {
      line += c;
      return;
    }
    fmt::print("guest: {}\n", line);
    std::fflush(stdout);
    lines.push_back(std::move(line));
    line.clear();
  }
};

/// The exit register: a 32-bit write ends the run with that code.
struct exit_register {
  uc_engine* uc = nullptr;
  bool exited = false;
  std::uint32_t code = 0;
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t off, unsigned, std::uint64_t v) {
    if (off != 0) return;
    exited = true;
    code = static_cast<std::uint32_t>(v);
    uc_emu_stop(uc);
  }
};

/// Guest RAM: anonymous host memory.
struct host_memory {
  std::byte* p = nullptr;
  std::size_t n = 0;
  explicit host_memory(std::size_t size) : n(size) {
    void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) p = static_cast<std::byte*>(m);
  }
  host_memory(const host_memory&) = delete;
  host_memory& operator=(const host_memory&) = delete;
  ~host_memory() {
    if (p != nullptr) ::munmap(p, n);
  }
};

/// The path of node `i` of `Space`'s tree below the root ("pci64/bar/hdm_decoders"); "(none)"
/// for npos (a hole, or outside the map).
template <class Space>
std::string path_of(node_index i) {
  if (i == npos) return "(none)";
  std::string path(mmiotree::path_of(Space::nodes, i), '\0');
  mmiotree::path_of(Space::nodes, i, path.data());
  return path;
}

/// The sentences of a mismatch, on stderr after whatever the run printed so far.
void explain(const vfio::match_result& m) {
  std::fflush(stdout);
  for (const std::string& s : m.mismatches) fmt::print(stderr, "  {}\n", s);
}

int fail(const std::string& why) {
  std::fflush(stdout);  // the reason comes last, after whatever the run printed
  fmt::print(stderr, "vmm-demo: {}\n", why);
  return 2;
}

/// What the kernel said about the device, checked against the layout.
struct device_report {
  vfio::cxl_report cxl;
  unsigned decoders = 0;  ///< from the HDM Decoder Capability register
};

/// What the simulated kernel reports about the device, parsed and checked against `Bar`; an
/// empty optional after printing why the VMM refuses to start.
template <class Bar, class Device>
std::optional<device_report> kernel_report(Device& dev, vfio::cxl_uapi rev) {
  const auto info = vfio::parse_device_info(dev.device_info_bytes());
  if (!info) {
    fail("device info refused: " + vfio::describe(info.failure()));
    return std::nullopt;
  }
  std::vector<vfio::region_info> regions;
  for (std::uint32_t i = 0; i < info->num_regions; ++i) {
    auto r = vfio::parse_region_info(dev.region_info_bytes(i), i);
    if (!r) {
      fail(fmt::format("region {} refused: {}", i, vfio::describe(r.failure())));
      return std::nullopt;
    }
    regions.push_back(std::move(r.value()));
  }
  auto rep = vfio::parse_cxl_report(info.value(), regions, rev, vfio::sim::v4_numbers);
  if (!rep) {
    fail("CXL report refused: " + vfio::describe(rep.failure()));
    return std::nullopt;
  }
  // The decoder count, from the HDM Decoder Capability register, read through COMP_REGS where
  // the layout puts the decoder block (if COMP_REGS starts past it, check_matches says so).
  std::optional<unsigned> count;
  if (rep->comp_regs_bar_offset <= Bar::hdm_lo) {
    const vfio::io_result cap = dev.comp_regs_io().read(Bar::hdm_lo - rep->comp_regs_bar_offset, 4);
    if (!cap.ok()) {
      fail(fmt::format("COMP_REGS read of the HDM capability register failed: {}",
                       vfio::to_string(cap.error)));
      return std::nullopt;
    }
    count =
        static_cast<unsigned>(cxl::decoder_count_of(static_cast<std::uint32_t>(cap.value & 0xF)));
  }
  const vfio::match_result m = vfio::check_matches<Bar, 2>(rep.value(), 4_KiB, count);
  fmt::print(
      "kernel {}: component registers in BAR {} ({:#x} bytes), {} HDM decoders, device "
      "memory {:#x} bytes; against the layout: {}\n",
      vfio::to_string(rev), rep->component_bar, rep->bar_size,
      count ? std::to_string(*count) : std::string("?"), rep->memory_size,
      m.ok() ? "match" : "MISMATCH");
  if (!m.ok()) {
    explain(m);
    fail("the device is not the layout's: refusing to start");
    return std::nullopt;
  }
  return device_report{std::move(rep.value()), *count};
}

template <class Bar>
int run(const options& o, std::span<const std::byte> file, const elf_image& image) {
  using tree = machine<Bar>;
  using space_type = address_space<tree, space_options{.stats = true}>;
  const vfio::cxl_uapi rev =
      Bar::geometry == cxl::kernel_geometry::v4 ? vfio::cxl_uapi::v4 : vfio::cxl_uapi::v2;

  fmt::print("== the machine ==\n{}\n{}\n== BAR 2 ({} geometry): mmapped and trapped ==\n{}\n",
             mtree_text<tree>(), flat_view_text<tree>(), vfio::to_string(rev),
             projection_text<Bar, 4_KiB>());

  // The device, as a kernel of revision `rev` shows it.
  vfio::sim::cxl_device<function> dev({.revision = rev,
                                       .bar_size = bar_size,
                                       .component_offset = comp_at,
                                       .decoders = o.device_decoders,
                                       .memory_size = device_memory_size});
  const std::optional<device_report> report = kernel_report<Bar>(dev, rev);
  if (!report) return 2;
  vfio::passthrough_function<function> cfg(dev.config_io());
  {
    std::array<std::uint64_t, 6> sizes{};
    for (std::uint32_t i = 0; i < 6; ++i)
      if (auto r = vfio::parse_region_info(dev.region_info_bytes(i), i)) sizes[i] = r->size;
    if (const vfio::match_result m = cfg.verify(sizes); !m.ok()) {
      explain(m);
      return fail("the device's configuration space is not the layout's: refusing to start");
    }
  }

  host_memory ram(ram_size);
  if (ram.p == nullptr) return fail("cannot allocate guest RAM");
  load_elf(image, file, {ram.p, ram.n}, ram_base);

  uc_engine* uc = nullptr;
  if (const uc_err r = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc); r != UC_ERR_OK)
    return fail(fmt::format("uc_open: {}", uc_strerror(r)));
  struct closer {
    uc_engine* uc;
    ~closer() { uc_close(uc); }
  } close_uc{uc};

  space_type space;
  uart con;
  exit_register ex{uc};
  pci::ecam<1> ecam;
  ecam.attach(0, device_number, 0, cfg);
  if (space.template bind<"uart">(con) != bind_status::ok ||
      space.template bind<"exit">(ex) != bind_status::ok ||
      space.template bind<"ecam">(ecam) != bind_status::ok ||
      space.template bind<"ram">({ram.p, ram.n}) != bind_status::ok)
    return fail("binding the machine's devices and RAM failed");

  // BAR 2: the accelerator windows are the device's BAR memory (VFIO-owned), the trapped rest
  // goes to the kernel's BAR ops; COMP_REGS is bound below.
  const auto bar = space.template slot<Bar, "pci64/bar">();
  const std::span<std::byte> bar_mem = dev.bar_memory();
  const mem_attrs vfio_owned{.vfio_owned = true};
  bool bound = bar.template bind<"accel_lo">(bar_mem.first(Bar::trapped_lo), vfio_owned) ==
                   bind_status::ok &&
               bar.template bind<"accel_hi">(bar_mem.subspan(Bar::trapped_last + 1), vfio_owned) ==
                   bind_status::ok;
  vfio::forward bar_ops(dev.bar_io());
  bound = bound && bar.template bind<"bar_ops">(bar_ops) == bind_status::ok;
  const auto dpa = space.template slot<device_memory, "cfmws/dpa">();
  bound = bound && dpa.template bind<"">(dev.device_memory(), vfio_owned) == bind_status::ok;
  if (!bound) return fail("binding the device's memory failed");
  pci::bar_slots bars(cfg.function(), {slot_handle{}, slot_handle{}, bar, {}, {}, {}});

  // COMP_REGS: the VMM's typed decoder block, whose commits map the device memory
  // (decoder_slots) — or the kernel's region, accesses forwarded as the RFC does, BASE
  // virtualised where the revision shows the host's.
  constexpr bool emulated = Bar::backend == cxl::comp_regs_backend::emulate;
  hdm decoders{device_memory_size};
  register_file<component::array> capability_array;
  vfio::comp_regs_forward comp_regs(
      dev.comp_regs_io(), rev, Bar::hdm_lo - report->cxl.comp_regs_bar_offset, report->decoders);
  std::optional<cxl::decoder_slots> memory;
  if constexpr (emulated) {
    bound = bar.template bind<Bar::hdm_path>(decoders.regs()) == bind_status::ok;
    // v2 traps the whole CXL.cache/mem range: the VMM also answers its capability array (v4
    // leaves it to the device, read through the BAR ops).
    if constexpr (Bar::geometry == cxl::kernel_geometry::v2)
      bound = bound &&
              bar.template bind<"cachemem/capability_array">(capability_array) == bind_status::ok;
    memory.emplace(decoders, std::initializer_list<cxl::memory_slot>{cxl::memory_slot{dpa, 0}});
  } else {
    bound = bar.template bind<Bar::comp_regs_path>(comp_regs) == bind_status::ok;
  }
  if (!bound) return fail("binding the component registers failed");

  unicorn_map<space_type> backend(uc, space);
  if (o.trace)
    backend.set_access_hook(
        [](void* ctx, const trapped_access& a) {
          const auto& s = *static_cast<const space_type*>(ctx);
          fmt::print("trace: {} {:#x} {} size {} value {:#x} {}\n", a.write ? "write" : "read ",
                     a.addr, path_of<space_type>(s.leaf_at(a.addr)), a.size, a.value,
                     to_string(a.status));
        },
        &space);
  if (const auto reg = space.add_listener(backend, {.page_size = uc_page}); !reg.ok())
    return fail(fmt::format("listener refused: {}", to_string(reg.status)));
  if (!backend.error().empty()) return fail(backend.error());

  // Machine done: the firmware-committed flow programs decoder 0 with the CFMWS base and
  // commits and locks it (RFC patch 7); the device memory is mapped there — by decoder_slots
  // when the VMM emulates the decoders, by the VMM placing the slot when the kernel answers.
  if (o.flow == "firmware-committed") {
    if constexpr (emulated) {
      if (const cxl::commit_refusal r = decoders.firmware_commit(0, cfmws_base, device_memory_size);
          r != cxl::commit_refusal::none)
        return fail(fmt::format("firmware commit refused: {}", cxl::to_string(r)));
      if (memory->state(0) != cxl::memory_state::mapped)
        return fail(fmt::format("device memory after the firmware commit: {}",
                                cxl::to_string(memory->state(0))));
    } else {
      if (const vfio::forward_commit r =
              comp_regs.firmware_commit(0, cfmws_base, device_memory_size);
          r != vfio::forward_commit::committed)
        return fail(fmt::format(
            "firmware commit through COMP_REGS: {}{}", vfio::to_string(r),
            r == vfio::forward_commit::io_failed
                ? fmt::format(" ({}, errno {})", vfio::to_string(comp_regs.last_failure().error),
                              comp_regs.last_failure().err)
                : std::string()));
      if (const commit_result c = dpa.place(cfmws_base); !c.ok())
        return fail(
            fmt::format("mapping the device memory at {:#x}: {}", cfmws_base, to_string(c.error)));
    }
  }
  if (!backend.error().empty()) return fail(backend.error());
  fmt::print("== the live map at machine done ({} flow) ==\n{}\n", o.flow, flat_view_text(space));

  std::uint64_t sp = ram_base + ram_size, pc = image.entry;
  uc_reg_write(uc, UC_ARM64_REG_SP, &sp);
  uc_reg_write(uc, UC_ARM64_REG_PC, &pc);

  // Run until the guest exits, stopping to apply map changes its accesses made.
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  uc_err r = UC_ERR_OK;
  for (;;) {
    const double left = o.timeout_ms - elapsed_ms();
    if (left <= 0) break;
    backend.set_running(true);
    r = uc_emu_start(uc, pc, 0, static_cast<std::uint64_t>(left * 1000) + 1, o.max_instructions);
    backend.set_running(false);
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    if (r != UC_ERR_OK || ex.exited || !backend.pending()) break;
    backend.apply_pending();
    pc = backend.resume_pc(pc);
    if (!backend.error().empty()) break;
  }
  const double ms = elapsed_ms();
  if (!backend.error().empty()) return fail(backend.error());
  if (const guest_fault& f = backend.fault(); f.seen)
    return fail(fmt::format("guest data abort: {} at {:#x} (pc {:#x})",
                            f.type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch" : "access",
                            f.addr, pc));
  if (r != UC_ERR_OK) return fail(fmt::format("guest stopped: {} (pc {:#x})", uc_strerror(r), pc));
  if (!ex.exited)
    return fail(fmt::format("guest did not exit within {} instructions / {} ms (pc {:#x})",
                            o.max_instructions, o.timeout_ms, pc));

  // What the guest left in the device: the VMM reads the memfds the device is backed by.
  std::uint64_t dpa_word = 0;
  std::uint32_t accel_word = 0;
  std::memcpy(&dpa_word, dev.device_memory().data() + 0x10, 8);
  std::memcpy(&accel_word, dev.bar_memory().data() + 0x200000, 4);
  const bool dpa_ok = dpa_word == 0x600D'F00D'1234'5678ULL;
  const bool accel_ok = accel_word == 0xACCE'1000U;
  fmt::print(
      "\n== what the guest left in the device ==\n"
      "  device memory +0x10:  {:#018x} ({})\n  BAR 2 +0x200000:      {:#010x} ({})\n",
      dpa_word, dpa_ok ? "the guest's write" : "NOT the guest's write", accel_word,
      accel_ok ? "the guest's write" : "NOT the guest's write");

  // Trapped accesses per leaf. A passthrough leaf's accesses never reach the space: it is a
  // Unicorn mapping, so its count is the proof that it was not trapped.
  fmt::print("\n== trapped accesses per region ==\n");
  bool passthrough_quiet = true;
  for (node_index i = 0; i < space_type::nodes.size(); ++i) {
    const node& n = space_type::nodes[i];
    if (!is_leaf(n.kind)) continue;
    const std::string path = path_of<space_type>(i);
    const access_counters c = space.counters_of(i);
    if (n.kind == region_kind::passthrough)
      passthrough_quiet = passthrough_quiet && c == access_counters{};
    fmt::print("  {:<32} {:<12} reads {:>6}  writes {:>6}  refused {:>4}\n", path,
               to_string(n.kind), c.reads, c.writes, c.errors);
  }
  fmt::print("  passthrough spans trapped: {}\n", passthrough_quiet ? "none" : "SOME");
  const bool pass = ex.code == 0 && dpa_ok && accel_ok && passthrough_quiet;
  fmt::print("\nguest exit code {} after {:.1f} ms; verdict: {}\n", ex.code, ms,
             pass ? "PASS" : "FAIL");
  return pass ? 0 : (ex.code != 0 ? static_cast<int>(ex.code) : 1);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "vmm-demo: an aarch64 guest under Unicorn drives a passed-through CXL Type-2 "
      "accelerator through an mmiotree address map"};
  options o;
  app.add_option("--guest", o.guest, "guest ELF file")->capture_default_str();
  app.add_option("--kernel", o.kernel, "kernel revision the simulated device behaves as")
      ->check(CLI::IsMember({"v2", "v4"}))
      ->capture_default_str();
  app.add_option("--flow", o.flow, "who commits HDM decoder 0")
      ->check(CLI::IsMember({"firmware-committed", "guest-commit"}))
      ->capture_default_str();
  app.add_option("--comp-regs", o.comp_regs,
                 "who answers the component registers: the VMM's typed decoder block "
                 "(emulate) or the kernel's COMP_REGS region (forward, the RFC's way)")
      ->check(CLI::IsMember({"emulate", "forward"}))
      ->capture_default_str();
  app.add_option("--device-decoders", o.device_decoders,
                 "HDM decoders of the simulated device (the layout has 2: any other count shows "
                 "a device the layout does not describe refused)")
      ->check(CLI::IsMember({1, 2, 4, 6, 8, 10}))
      ->capture_default_str();
  app.add_option("--max-instructions", o.max_instructions, "instruction budget of the guest")
      ->capture_default_str();
  app.add_option("--timeout-ms", o.timeout_ms, "wall-time budget of the guest, milliseconds")
      ->capture_default_str();
  app.add_flag("--trace", o.trace, "log every trapped access");
  CLI11_PARSE(app, argc, argv);

  if (o.comp_regs == "forward" && o.flow == "guest-commit")
    return fail(
        "--comp-regs=forward cannot run --flow=guest-commit: no kernel revision lets a guest "
        "commit a decoder through COMP_REGS (v2 commits only its shadow, v4 absorbs the writes)");

  std::ifstream in(o.guest, std::ios::binary);
  if (!in) return fail(fmt::format("{}: {}", o.guest, std::strerror(errno)));
  const std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::span<const std::byte> file{reinterpret_cast<const std::byte*>(raw.data()), raw.size()};
  const elf_image image = read_elf(file, ram_base, ram_size);
  if (!image.ok()) return fail(fmt::format("{}: {}", o.guest, image.error));
  using enum cxl::comp_regs_backend;
  if (o.comp_regs == "forward")
    return o.kernel == "v2" ? run<bar2_v2<forward>>(o, file, image)
                            : run<bar2_v4<forward>>(o, file, image);
  return o.kernel == "v2" ? run<bar2_v2<emulate>>(o, file, image)
                          : run<bar2_v4<emulate>>(o, file, image);
}
