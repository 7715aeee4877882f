// vmm-demo: a VMM whose guest-physical map is one mmiotree tree, running an aarch64 guest under
// Unicorn (vmm-demo/README.md). This stage: RAM, the UART and the exit register; the guest is
// loaded from its ELF file and runs until it writes the exit register.
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

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
#include <string>
#include <sys/mman.h>
#include <vector>

#include "elf_loader.hpp"
#include "unicorn_map.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// The guest ABI (vmm-demo/README.md).
constexpr addr_t ram_base = 0x4000'0000, ram_size = 128_MiB;
constexpr addr_t uart_base = 0x0900'0000, exit_base = 0x0910'0000;

using machine =
    container<"machine", 0x200'0000'0000, at<uart_base, io<"uart", 4_KiB, access::adjusted<4, 4>>>,
              at<exit_base, io<"exit", 4_KiB, access::adjusted<4, 4>>>,
              at<ram_base, passthrough<"ram", ram_size>>>;
using space_type = address_space<machine, space_options{.stats = true}>;

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

/// What stopped the guest where it should not have: the address of an unmapped access.
struct fault {
  bool seen = false;
  std::uint64_t addr = 0;
  uc_mem_type type = UC_MEM_READ_UNMAPPED;
};

bool on_unmapped(uc_engine*, uc_mem_type type, std::uint64_t addr, int, std::int64_t, void* user) {
  auto& f = *static_cast<fault*>(user);
  f = {true, addr, type};
  return false;  // stop: a data abort the guest cannot handle
}

int fail(const std::string& why) {
  fmt::print(stderr, "vmm-demo: {}\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vmm-demo: an aarch64 guest under Unicorn on an mmiotree address map"};
  std::string guest_path = VMM_DEMO_GUEST;
  std::uint64_t max_instructions = 50'000'000;
  unsigned timeout_ms = 10'000;
  bool trace = false;
  app.add_option("--guest", guest_path, "guest ELF file")->capture_default_str();
  app.add_option("--max-instructions", max_instructions, "instruction budget of the guest")
      ->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "wall-time budget of the guest, milliseconds")
      ->capture_default_str();
  app.add_flag("--trace", trace, "log every trapped access");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(guest_path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: {}", guest_path, std::strerror(errno)));
  const std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::span<const std::byte> file{reinterpret_cast<const std::byte*>(raw.data()), raw.size()};
  const vmm_demo::elf_image image = vmm_demo::read_elf(file, ram_base, ram_size);
  if (!image.ok()) return fail(fmt::format("{}: {}", guest_path, image.error));

  host_memory ram(ram_size);
  if (ram.p == nullptr) return fail("cannot allocate guest RAM");
  vmm_demo::load_elf(image, file, {ram.p, ram.n}, ram_base);

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
  space.bind<"uart">(con);
  space.bind<"exit">(ex);
  if (space.bind<"ram">({ram.p, ram.n}) != bind_status::ok) return fail("binding RAM failed");

  vmm_demo::unicorn_map<space_type> backend(uc, space);
  if (trace)
    backend.set_access_hook(
        [](void*, const vmm_demo::trapped_access& a) {
          fmt::print("trace: {} {:#x} size {} value {:#x} {}\n", a.write ? "write" : "read ",
                     a.addr, a.size, a.value, to_string(a.status));
        },
        nullptr);
  if (const auto reg = space.add_listener(backend, {.page_size = vmm_demo::uc_page}); !reg.ok())
    return fail(fmt::format("listener refused: {}", to_string(reg.status)));
  if (!backend.error().empty()) return fail(backend.error());

  fault f;
  uc_hook h{};
  uc_hook_add(uc, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), &f, 1, 0);
  std::uint64_t sp = ram_base + ram_size, pc = image.entry;
  uc_reg_write(uc, UC_ARM64_REG_SP, &sp);
  uc_reg_write(uc, UC_ARM64_REG_PC, &pc);

  const auto t0 = std::chrono::steady_clock::now();
  const uc_err r =
      uc_emu_start(uc, image.entry, 0, std::uint64_t{timeout_ms} * 1000, max_instructions);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
  if (f.seen)
    return fail(fmt::format("guest data abort: {} at {:#x} (pc {:#x})",
                            f.type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch" : "access",
                            f.addr, pc));
  if (r != UC_ERR_OK) return fail(fmt::format("guest stopped: {} (pc {:#x})", uc_strerror(r), pc));
  if (!ex.exited)
    return fail(fmt::format("guest did not exit within {} instructions / {} ms (pc {:#x})",
                            max_instructions, timeout_ms, pc));

  fmt::print("\naccesses per region (passthrough spans are mapped in Unicorn: no exits)\n");
  const auto row = [](const char* name, access_counters c) {
    fmt::print("  {:<8} reads {:>8}  writes {:>8}  refused {:>4}\n", name, c.reads, c.writes,
               c.errors);
  };
  row("uart", space.counters<"uart">());
  row("exit", space.counters<"exit">());
  row("ram", space.counters<"ram">());
  fmt::print("guest exited with {} after {:.1f} ms: {}\n", ex.code, ms,
             ex.code == 0 ? "PASS" : "FAIL");
  return static_cast<int>(ex.code);
}
