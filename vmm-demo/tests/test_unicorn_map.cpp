// unicorn_map, the demo's Unicorn backend, on a small machine whose trapped pages, host pages
// and two movable trapped slots sit side by side: what the guest's own instructions reach, and
// how many size hooks the backend keeps. Expected values come from the layout below, worked out
// by hand: every access reaches its handler with the size the guest used (an 8-byte access
// whole, not as Unicorn's two 4-byte callbacks), and there is one size hook per run of trapped
// mappings that no host mapping interrupts.
#include <catch2/catch.hpp>
#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "../src/unicorn_map.hpp"

namespace {

using namespace mmiotree;
using namespace mmiotree::literals;
using vmm_demo::unicorn_map;

// 0x1000 a, 0x2000 b (trapped, adjacent) | 0x3000 host | 0x4000 c (4-byte only) | 0x8000 the
// window "lo" (slot d) | 0x10'0000 RAM (the code) | 0x20'0000 the window "hi" (slot e) |
// 0x400'0000 f, 64 MiB: large enough that unicorn_map maps its pages on first touch.
// clang-format off
struct box : container<"box", 4_GiB,
    at<0x1000, io<"a", 4_KiB>>,
    at<0x2000, io<"b", 4_KiB>>,
    at<0x3000, passthrough<"host", 4_KiB>>,
    at<0x4000, io<"c", 4_KiB, access::exactly<4>>>,
    at<0x8000, container<"lo", 64_KiB, slot<io<"d", 4_KiB>>>>,
    at<0x10'0000, passthrough<"ram", 64_KiB>>,
    at<0x20'0000, container<"hi", 64_KiB, slot<io<"e", 4_KiB>>>>,
    at<0x400'0000, io<"f", 64_MiB>>> {};
// clang-format on
using space_type = address_space<box>;
constexpr std::uint64_t code_at = 0x10'0000;

struct call {
  char leaf;
  addr_t off;
  unsigned size;
  bool write;
  bool operator==(const call&) const = default;
};
struct logging_io {
  char leaf;
  std::vector<call>* log;
  std::uint64_t read(addr_t off, unsigned size) {
    log->push_back({leaf, off, size, false});
    return 0x1122'3344'5566'7788;
  }
  void write(addr_t off, unsigned size, std::uint64_t) { log->push_back({leaf, off, size, true}); }
};

/// The machine in a Unicorn engine through unicorn_map.
struct rig {
  std::vector<call> log;
  logging_io a{'a', &log}, b{'b', &log}, c{'c', &log}, d{'d', &log}, e{'e', &log}, f{'f', &log};
  std::vector<std::byte> ram = std::vector<std::byte>(64_KiB);
  std::vector<std::byte> host = std::vector<std::byte>(4_KiB);
  struct engine {
    uc_engine* uc = nullptr;
    engine() { REQUIRE(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) == UC_ERR_OK); }
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;
    ~engine() {
      if (uc) uc_close(uc);
    }
  } engine_;
  uc_engine* uc = engine_.uc;
  space_type space;
  slot_handle slot_d = space.slot<"lo/d">(), slot_e = space.slot<"hi/e">();
  std::optional<unicorn_map<space_type>> backend;
  listener_registration registration{};

  rig() {
    REQUIRE(space.bind<"a">(a) == bind_status::ok);
    REQUIRE(space.bind<"b">(b) == bind_status::ok);
    REQUIRE(space.bind<"c">(c) == bind_status::ok);
    REQUIRE(space.bind<"lo/d">(d) == bind_status::ok);
    REQUIRE(space.bind<"hi/e">(e) == bind_status::ok);
    REQUIRE(space.bind<"f">(f) == bind_status::ok);
    REQUIRE(space.bind<"host">(host) == bind_status::ok);
    REQUIRE(space.bind<"ram">(ram) == bind_status::ok);
    backend.emplace(uc, space);
    registration = space.add_listener(*backend, {.page_size = vmm_demo::uc_page});
    REQUIRE(registration.ok());
    REQUIRE(backend->error().empty());
  }
  rig(const rig&) = delete;
  rig& operator=(const rig&) = delete;
  ~rig() { space.remove_listener(registration.id); }

  /// Runs `insn` (one load or store through x1) with x1 = `addr`; returns x0 afterwards.
  std::uint64_t run(std::uint32_t insn, std::uint64_t addr, std::uint64_t x0 = 0) {
    log.clear();
    std::vector<std::uint32_t> code{insn, 0xD503'201FU};  // the access; nop: the end
    std::memcpy(ram.data(), code.data(), code.size() * 4);
    uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
    uc_reg_write(uc, UC_ARM64_REG_X1, &addr);
    backend->set_running(true);  // as the VMM's run loop does
    const uc_err err = uc_emu_start(uc, code_at, code_at + 4, 0, 0);
    backend->set_running(false);
    REQUIRE(err == UC_ERR_OK);
    REQUIRE_FALSE(backend->pending());
    uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
    return x0;
  }
};

constexpr std::uint32_t ldr_x0 = 0xF940'0020U;   // ldr x0, [x1]
constexpr std::uint32_t str_x0 = 0xF900'0020U;   // str x0, [x1]
constexpr std::uint32_t ldr_w0 = 0xB940'0020U;   // ldr w0, [x1]
constexpr std::uint32_t strh_w0 = 0x7900'0020U;  // strh w0, [x1]

/// The calls an 8-byte read, an 8-byte write and a 4-byte read at `addr`, and a 2-byte write at
/// `addr` + 2, make.
void check_sizes(rig& r, char leaf, std::uint64_t addr, addr_t off) {
  CHECK(r.run(ldr_x0, addr) == 0x1122'3344'5566'7788);
  CHECK(r.log == std::vector<call>{{leaf, off, 8, false}});
  r.run(str_x0, addr, 42);
  CHECK(r.log == std::vector<call>{{leaf, off, 8, true}});
  CHECK(r.run(ldr_w0, addr) == 0x5566'7788);
  CHECK(r.log == std::vector<call>{{leaf, off, 4, false}});
  r.run(strh_w0, addr + 2, 7);
  CHECK(r.log == std::vector<call>{{leaf, off + 2, 2, true}});
}

}  // namespace

TEST_CASE("unicorn_map: every trapped access reaches its handler with the guest's size", "[demo]") {
  rig r;
  check_sizes(r, 'a', 0x1008, 8);
  check_sizes(r, 'b', 0x2ff0, 0xff0);
  SECTION("an 8-byte access to a 4-byte-only register is refused, not split") {
    CHECK(r.run(ldr_x0, 0x4000) == ~std::uint64_t{0});
    CHECK(r.log.empty());
    r.run(str_x0, 0x4000, 1);
    CHECK(r.log.empty());
    CHECK(r.run(ldr_w0, 0x4004) == 0x5566'7788);
    CHECK(r.log == std::vector<call>{{'c', 4, 4, false}});
  }
  SECTION("host memory is not trapped") {
    r.run(str_x0, 0x3010, 0x0102'0304'0506'0708);
    CHECK(r.log.empty());
    std::uint64_t v = 0;
    std::memcpy(&v, r.host.data() + 0x10, 8);
    CHECK(v == 0x0102'0304'0506'0708);
  }
}

TEST_CASE("unicorn_map: one size hook per run of trapped mappings, as slots move", "[demo]") {
  rig r;
  // a, b: one run; the host page; c: a run.
  CHECK(r.backend->size_hooks() == 2);
  REQUIRE(r.slot_d.place(0x9000).ok());  // after c, no host page between: c's run grows
  CHECK(r.backend->size_hooks() == 2);
  check_sizes(r, 'd', 0x9010, 0x10);
  REQUIRE(r.slot_e.place(0x20'3000).ok());  // after RAM: a run of its own
  CHECK(r.backend->size_hooks() == 3);
  check_sizes(r, 'e', 0x20'3ff8, 0xff8);
  REQUIRE(r.slot_d.disable().ok());
  CHECK(r.backend->size_hooks() == 3);
  REQUIRE(r.slot_e.place(0x20'0000).ok());
  CHECK(r.backend->size_hooks() == 3);
  check_sizes(r, 'e', 0x20'0000, 0);
  REQUIRE(r.slot_e.disable().ok());
  CHECK(r.backend->size_hooks() == 2);
  REQUIRE(r.slot_d.enable().ok());
  CHECK(r.backend->size_hooks() == 2);
  check_sizes(r, 'd', 0x9ff8, 0xff8);
}

TEST_CASE("unicorn_map: a page mapped on first touch is sized from that first access", "[demo]") {
  static_assert(64_MiB >= vmm_demo::lazy_threshold);
  rig r;
  CHECK(r.backend->size_hooks() == 2);
  CHECK(r.backend->lazy_pages() == 0);
  check_sizes(r, 'f', 0x400'1008, 0x1008);  // the first access maps the page
  CHECK(r.backend->lazy_pages() == 1);
  CHECK(r.backend->size_hooks() == 3);      // RAM lies between c and f
  check_sizes(r, 'f', 0x400'2ff8, 0x2ff8);  // the next page joins its run
  check_sizes(r, 'f', 0x7ff'f000, 0x3ff'f000);
  CHECK(r.backend->lazy_pages() == 3);
  CHECK(r.backend->size_hooks() == 3);
  REQUIRE(r.slot_e.place(0x20'0000).ok());  // e, f: one run
  CHECK(r.backend->size_hooks() == 3);
  check_sizes(r, 'e', 0x20'0008, 8);
  check_sizes(r, 'f', 0x400'1000, 0x1000);
}
