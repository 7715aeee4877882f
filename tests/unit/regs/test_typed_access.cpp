// Typed access by name, locks, hooks, peek and state as plain data.
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
// The HDM decoder shape: a capability, and decoders with RWL programming fields locked when
// committed with Lock-On-Commit (CXL r3.1 8.2.4.20).
using hdm = register_block<
    "hdm", 0x50, access::exactly<4>, reg<"cap", 0x0, 32, 0x1, field<"count", 3, 0, hwinit>>,
    reg_array<
        "decoder", 0x10, 2, 0x20,
        reg<"base_lo", 0x0, 32, 0, field<"rsvd", 27, 0, rsvdp>,
            field<"base", 31, 28, rwl, lock<"decoder">>>,
        reg<"ctrl", 0x10, 32, 0,
            field<"ig", 3, 0, rwl, lock<"decoder">, enumerator<"256B", 0>, enumerator<"2KiB", 3>>,
            field<"lock_on_commit", 8, 8, rwl, lock<"decoder">>,
            field<"commit", 9, 9, rwl, lock<"decoder">>, field<"committed", 10, 10, ro>,
            field<"error", 11, 11, ro>>>,
    lock_if<"decoder", "decoder/ctrl", "committed", "lock_on_commit">>;

struct device {
  register_file<hdm, device, after_write_to<"decoder/ctrl">, before_write_to<"decoder/ctrl">,
                after_read_from<"cap">>
      regs{*this};
  std::vector<std::uint64_t> reads;
  int vetoes = 0;

  // Commit 0→1: commit if base is non-zero, else Error-Not-Committed.
  void after_write(write_event<hdm, "decoder/ctrl">& e) {
    if (!e.now.rose<"commit">(e.old)) return;
    if (e.regs.get<"decoder/base_lo", "base">(e.element) != 0)
      e.regs.set<"decoder/ctrl">(e.element, val<"committed", 1>{}, val<"error", 0>{});
    else
      e.regs.set<"decoder/ctrl">(e.element, val<"error", 1>{});
  }
  // Refuse an interleave granularity of 7 by keeping the old one.
  void before_write(write_event<hdm, "decoder/ctrl">& e) {
    if (e.now.get<"ig">() == 7) {
      e.now.set<"ig">(e.old.get<"ig">());
      ++vetoes;
    }
  }
  void after_read(read_event<hdm, "cap">& e) { reads.push_back(e.value.raw); }
};
}  // namespace

TEST_CASE("typed get/set by register and field name", "[regs][typed]") {
  register_state<hdm> s;
  CHECK(s.get<"cap", "count">() == 1);
  s.set<"decoder/ctrl">(1, val<"ig", 3>{}, val<"commit", 1>{});
  CHECK(s.get<"decoder/ctrl", "ig">(1) == 3);
  CHECK(s.get<"decoder/ctrl", "commit">(1) == 1);
  CHECK(s.get<"decoder/ctrl">(0).raw == 0);  // element 0 untouched
  s.set<"decoder/ctrl">(1, enum_val<"ig", "256B">{});
  CHECK(s.get<"decoder/ctrl">(1).raw == 0x200);  // one field changed, the other kept
  s.set_raw<"decoder/base_lo">(0xF000'0001, 0);
  CHECK(s.get<"decoder/base_lo", "base">() == 0xF);
}

TEST_CASE("state is plain data: copyable and comparable", "[regs][typed]") {
  STATIC_REQUIRE(std::is_trivially_copyable_v<register_state<hdm>>);
  register_state<hdm> a;
  register_state<hdm> b = a;
  CHECK(a == b);
  b.set<"decoder/ctrl">(0, val<"ig", 1>{});
  CHECK_FALSE(a == b);
  b.reset();
  CHECK(a == b);
}

TEST_CASE("RWL fields lock when the decoder commits with Lock-On-Commit", "[regs][lock]") {
  device d;
  d.regs.write(0x10, 4, 0x2000'0000);                // base = 2
  d.regs.write(0x20, 4, (1U << 9) | (1U << 8) | 3);  // commit, lock on commit, ig 3
  CHECK(d.regs.get<"decoder/ctrl", "committed">() == 1);
  CHECK(d.regs.state().locked<"decoder">(0));
  CHECK_FALSE(d.regs.state().locked<"decoder">(1));  // per element
  d.regs.write(0x10, 4, 0x5000'0000);
  d.regs.write(0x20, 4, 0);
  CHECK(d.regs.read(0x10, 4) == 0x2000'0000);
  CHECK(d.regs.read(0x20, 4) == 0x703);
  // Decoder 1 is still programmable.
  d.regs.write(0x30, 4, 0x5000'0000);
  CHECK(d.regs.read(0x30, 4) == 0x5000'0000);
}

TEST_CASE("a commit the device refuses sets Error-Not-Committed", "[regs][hooks]") {
  device d;
  d.regs.write(0x20, 4, 1U << 9);  // base is 0
  CHECK(d.regs.get<"decoder/ctrl", "error">() == 1);
  CHECK(d.regs.get<"decoder/ctrl", "committed">() == 0);
  CHECK_FALSE(d.regs.state().locked<"decoder">(0));
}

TEST_CASE("manual locks", "[regs][lock]") {
  register_state<hdm> s;
  s.set_lock<"decoder">(true, 1);
  CHECK(s.locked<"decoder">(1));
  CHECK_FALSE(s.locked<"decoder">(0));
  register_file<hdm> rf;
  rf.state().set_lock<"decoder">(true, 0);
  rf.write(0x10, 4, 0x3000'0000);
  CHECK(rf.read(0x10, 4) == 0);
  rf.state().set_lock<"decoder">(false, 0);
  rf.write(0x10, 4, 0x3000'0000);
  CHECK(rf.read(0x10, 4) == 0x3000'0000);
}

TEST_CASE("before_write may change the value to be stored", "[regs][hooks]") {
  device d;
  d.regs.write(0x20, 4, 2);
  d.regs.write(0x20, 4, 7);
  CHECK(d.regs.get<"decoder/ctrl", "ig">() == 2);
  CHECK(d.vetoes == 1);
}

TEST_CASE("after_read sees the value, peek has no side effect", "[regs][hooks]") {
  device d;
  CHECK(d.regs.read(0x0, 4) == 1);
  CHECK(d.reads == std::vector<std::uint64_t>{1});
  CHECK(d.regs.peek(0x0, 4) == 1);
  CHECK(d.reads.size() == 1);
}

namespace {
// Hook signatures: what counts as the declared hook (hook_exact), what is merely callable.
using ctrl_event = write_event<hdm, "decoder/ctrl">;
using cap_event = write_event<hdm, "cap">;
struct exact {
  void after_write(ctrl_event&) {}
};
struct exact_const {
  void after_write(ctrl_event&) const {}
};
struct by_value {
  void after_write(ctrl_event) {}
};
struct by_const_ref {
  void after_write(const ctrl_event&) {}
};
struct returns_bool {
  bool after_write(ctrl_event&) { return true; }
};
struct generic {
  template <fixed_string R>
  void after_write(write_event<hdm, R>&) {}
};
struct misspelled {
  void after_wrte(ctrl_event&) {}
};
}  // namespace

TEST_CASE("a hook counts as declared only with its exact signature", "[regs][hooks]") {
  constexpr auto aw = hook_kind::after_write;
  static_assert(detail::hook_exact<exact, aw, ctrl_event>());
  static_assert(detail::hook_exact<exact_const, aw, ctrl_event>());
  static_assert(detail::hook_exact<generic, aw, ctrl_event>());
  static_assert(detail::hook_exact<generic, aw, cap_event>());
  // Each of these would compile as a call and never be the hook the device meant (a copy of
  // the event, a result dropped), or is not a call at all.
  static_assert(!detail::hook_exact<by_value, aw, ctrl_event>());
  static_assert(!detail::hook_exact<by_const_ref, aw, ctrl_event>());
  static_assert(!detail::hook_exact<returns_bool, aw, ctrl_event>());
  static_assert(!detail::hook_exact<misspelled, aw, ctrl_event>());
  static_assert(!detail::hook_exact<exact, aw, cap_event>());  // another register's event
  static_assert(!detail::hook_exact<exact, hook_kind::before_write, ctrl_event>());
  // What check_undeclared looks for: any hook a call would reach.
  static_assert(detail::hook_callable<by_value, aw, ctrl_event>());
  static_assert(detail::hook_callable<generic, aw, cap_event>());
  static_assert(!detail::hook_callable<exact, aw, cap_event>());
  static_assert(!detail::hook_callable<misspelled, aw, ctrl_event>());
}

namespace {
/// A device with a generic after_write: it takes every register's event, so the list declares
/// it for each of them (leaving one out does not compile: hook_implemented_but_not_declared).
struct counting {
  register_file<hdm, counting, after_write_to<"cap">, after_write_to<"decoder/base_lo">,
                after_write_to<"decoder/ctrl">>
      regs{*this};
  std::vector<std::uint32_t> written;
  template <fixed_string R>
  void after_write(write_event<hdm, R>& e) {
    written.push_back(e.reg);
  }
};
}  // namespace

TEST_CASE("a generic hook runs once per register an access touches", "[regs][hooks]") {
  counting d;
  d.regs.write(0x10, 4, 0x1000'0000);  // decoder 0 base_lo
  d.regs.write(0x40, 4, 0x2);          // decoder 1 ctrl
  d.regs.write(0x0, 4, 0x7);           // cap (HwInit: the value is kept, the hook still runs)
  const auto& regs = register_file<hdm>::tables.regs;
  CHECK(d.written == std::vector<std::uint32_t>{detail::find_reg(regs, "decoder/base_lo"),
                                                detail::find_reg(regs, "decoder/ctrl"),
                                                detail::find_reg(regs, "cap")});
}

TEST_CASE("equal states save to equal snapshots, whatever the bytes no field owns",
          "[regs][snapshot]") {
  // A block without manual locks: its state still holds an (empty) lock array, whose byte and
  // padding belong to no field. Two files built over memory filled with different bytes must
  // save the same snapshot (a snapshot that carried them would differ run to run, and leak
  // whatever the memory held).
  using plain =
      register_block<"plain", 0x8, access::any, reg<"a", 0x0, 32, 0x1234, field<"v", 15, 0, ro>>,
                     reg<"b", 0x4, 32, 0, field<"x", 7, 0, rw>>>;
  using file = register_file<plain>;
  alignas(file) std::array<std::byte, sizeof(file)> m1, m2;
  m1.fill(std::byte{0xAA});
  m2.fill(std::byte{0x55});
  file* f1 = new (m1.data()) file();
  file* f2 = new (m2.data()) file();
  f1->write(0x4, 4, 0x7);
  f2->write(0x4, 4, 0x7);
  std::vector<std::byte> s1(file::snapshot_size()), s2(file::snapshot_size());
  f1->save_state(s1);
  f2->save_state(s2);
  CHECK(s1 == s2);
  // What the snapshot holds of the registers: a = 0x1234 and b = 0x7, little-endian words.
  CHECK(std::to_integer<unsigned>(s1[0]) == 0x34);
  CHECK(std::to_integer<unsigned>(s1[1]) == 0x12);
  CHECK(std::to_integer<unsigned>(s1[8]) == 0x7);
  f1->~file();
  f2->~file();
}
