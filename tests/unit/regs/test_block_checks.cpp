// check_block on blocks that break each rule (the compile errors themselves are tested in
// tests/compile_fail; block_tables_v does not run verify_block, so these compile).
#include <mmiotree/regs/check.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
template <class B>
constexpr block_check check = [] {
  constexpr auto& t = block_tables_v<B>;
  return check_block(t.regs, t.fields, t.enums, std::span(t.locks.data(), t.lock_count), B::size);
}();
template <class... R>
using blk = register_block<"b", 0x40, access::any, R...>;
}  // namespace

TEST_CASE("a good block passes", "[regs][check]") {
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0x3, field<"f", 1, 0, rw>>>>.ok());
  // verify_block holds for it (the verdict class's good case is `check == block_check{}`),
  // with locks, enumerators and arrays too.
  STATIC_REQUIRE(verify_block<blk<reg<"a", 0, 32, 0x3, field<"f", 1, 0, rw>>>>);
  STATIC_REQUIRE(
      verify_block<
          blk<reg<"ctl", 0, 32, 0, field<"lock", 0, 0, rw>>,
              reg<"base", 4, 32, 0, field<"v", 31, 0, rwl, lock<"l">>>, lock_if<"l", "ctl", "lock">,
              reg<"mode", 8, 32, 0, field<"m", 1, 0, rw, enumerator<"on", 1>>>,
              reg_array<"d", 0x10, 2, 8, reg<"x", 0, 32, 0>>>>);
}

TEST_CASE("register rules", "[regs][check]") {
  STATIC_REQUIRE(check<blk<reg<"a", 0, 24, 0>>>.error == block_error::bad_register_width);
  STATIC_REQUIRE(check<blk<reg<"a", 2, 32, 0>>>.error == block_error::register_misaligned);
  STATIC_REQUIRE(check<blk<reg<"a", 0x40, 32, 0>>>.error == block_error::register_past_block_end);
  STATIC_REQUIRE(check<blk<reg<"a", 0, 64, 0>, reg<"b", 4, 32, 0>>> ==
                 block_check{block_error::registers_overlap, 0, 1, 0, 4});
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0>, reg<"a", 4, 32, 0>>>.error ==
                 block_error::duplicate_register_name);
  // An array whose stride is smaller than its group overlaps itself.
  using arr = blk<reg_array<"d", 0, 3, 4, reg<"x", 0, 32, 0>, reg<"y", 4, 32, 0>>>;
  STATIC_REQUIRE(check<arr>.error == block_error::registers_overlap);
  // An array element past the block's end.
  using late = blk<reg_array<"d", 0x30, 3, 8, reg<"x", 0, 32, 0>>>;
  STATIC_REQUIRE(check<late> ==
                 block_check{block_error::register_past_block_end, 0, 2, no_index, 0x40});
}

TEST_CASE("field rules", "[regs][check]") {
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0, field<"f", 0, 3, rw>>>>.error ==
                 block_error::field_bits_reversed);
  STATIC_REQUIRE(check<blk<reg<"a", 0, 16, 0, field<"f", 16, 8, rw>>>>.error ==
                 block_error::field_past_register_width);
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0, field<"f", 7, 0, rw>, field<"g", 9, 6, rw>>>> ==
                 block_check{block_error::fields_overlap, 0, 0, 1, 0xC0});
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0, field<"f", 1, 0, rw>, field<"f", 3, 2, rw>>>>.error ==
                 block_error::duplicate_field_name);
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0x100, field<"f", 7, 0, rw>>>> ==
                 block_check{block_error::reset_outside_fields, 0, no_index, no_index, 0x100});
  // Reserved fields declare their bits, so a reset value may set them.
  STATIC_REQUIRE(
      check<blk<reg<"a", 0, 32, 0x100, field<"f", 7, 0, rw>, field<"r", 31, 8, rsvdp>>>>.ok());
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0, field<"f", 1, 0, rw, enumerator<"big", 4>>>>>.error ==
                 block_error::enumerator_does_not_fit);
  STATIC_REQUIRE(check<blk<reg<"a", 0, 32, 0, field<"f", 1, 0, rwl>>>>.error ==
                 block_error::rwl_field_without_lock);
}

TEST_CASE("lock_if rules", "[regs][check]") {
  using no_reg = blk<reg<"a", 0, 32, 0, field<"f", 1, 0, rwl, lock<"l">>>, lock_if<"l", "zz", "f">>;
  STATIC_REQUIRE(check<no_reg>.error == block_error::lock_register_not_found);
  using no_field =
      blk<reg<"a", 0, 32, 0, field<"f", 1, 0, rwl, lock<"l">>>, lock_if<"l", "a", "nope">>;
  STATIC_REQUIRE(check<no_field>.error == block_error::lock_field_not_found);
}
