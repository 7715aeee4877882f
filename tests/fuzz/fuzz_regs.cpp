// tests/fuzz/fuzz_regs.cpp: arbitrary guest access sequences (reads, writes and side-effect-free
// peeks of any size 0-15 at any offset, any value) to typed register blocks, interleaved with
// device-side field updates, lock changes and resets, each checked against a bit-level model of
// the field access kinds.
//
// The model is written from the documented rules alone — DESIGN §2.5, the doc comments of
// regs/access_kind.hpp and of `register_file` in regs/register_file.hpp — and shares nothing
// with the library: its own table of each block (offsets, widths, reset values, field bits,
// kinds, locks: the declarations below typed a second time, on purpose), its own state (one
// bool per bit, plus a write-once flag per RWO bit), and accesses carried out register by
// register in ascending offset order, byte by byte, bit by bit:
//   RW/WO take the written bit; RWL takes it unless its lock holds (decided on the state before
//   this register is written, after the lower registers of the same access); RWO takes the
//   first write after reset and every write uses up the write-once of the RWO bits of the bytes
//   it writes; RW1C clears where 1 is written; RW1S sets where 1 is written; RO, HwInit, RC and
//   RsvdP keep their value; RsvdZ and bits of no field hold 0. Reads return every bit but
//   RsvdZ/WO/no-field bits (0), then clear the RC bits of the bytes read (not peek). Bytes no
//   register covers read 0 and ignore writes; an access of size 0 or above 8, or not wholly
//   inside the block, does nothing and reads 0. A computed lock (lock_if) holds for element e
//   when all its bits are set in element e of its register (element 0 when that register is
//   not in an array), a manual lock when device code set it for that element; either suffices.
// The library is driven and observed only through its public interface: guest read/write/peek,
// reset, typed `set_field`/`set_lock`/`locked`, and the stored words `state().value` (one per
// register instance, in declaration order, array elements consecutive: regs/block.hpp).
//
// After every step the two must agree on each register instance's peek, each stored word
// (which also catches WO bits a read does not show) and each lock; a read must return what the
// model predicts. A stored mismatch is reported per bit with its kind, so that "RsvdP bit
// changed", "locked RWL bit changed", "RW1C bit cleared without a 1 written" read off the log.
//
// Two blocks: `mix` has every kind in 8/16/32/64-bit registers, fields across byte boundaries,
// bits of no field, gaps, an HDM-like reg_array with per-element computed locks, locks computed
// from guest-writable RW1S and RWO bits (so an access spanning two registers can lock its own
// upper half), manual locks, and one device hook that latches a manual lock from a write (it
// runs the direct-call, one-load path of register_file). `wide` has 36 registers — past the
// direct-call limit — in a block of more than 4096 byte granules, so every access takes the
// function tables and the general path.
//
// Input: one byte choosing the block, then records (missing bytes read as zero):
//   op      low 4 bits: 0-6 write, 7-10 read, 11-12 peek, 13 device sets a field,
//           14 set or clear a lock, 15 a reset or (next byte odd) a snapshot round trip:
//           save_state, validate_state, reset, restore_state, and nothing may differ
//   access  size byte (bits 0-2: 1, 2, 4, 8, the register's width, 3, bits 3-6 raw (0-15), 8)
//           and where byte (bits 0-1: a register's offset, that offset -8..+7 by bits 2-5,
//           the same by bits 2-7, or a raw 16-bit offset within the block and 16 bytes past
//           it), then the register index byte, or 2 raw bytes
//   value   for writes: a byte (0 all-ones, 1 zero, 2 eight raw bytes, 3 the next byte
//           repeated), for device updates 8 raw bytes
#include <mmiotree/regs/register_file.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "input.hpp"

namespace {

using mmiotree::addr_t;
using mmiotree::after_write_to;
using mmiotree::field;
using mmiotree::field_access;
using mmiotree::fixed_string;
using mmiotree::lock;
using mmiotree::lock_if;
using mmiotree::reg;
using mmiotree::reg_array;
using mmiotree::register_block;
using mmiotree::register_file;
using mmiotree::write_event;
using namespace mmiotree::field_kinds;

using fuzz_input::reader;

// ---------------------------------------------------------------------------------------------
// The model.
namespace model {

enum class kind : std::uint8_t { none, ro, hwinit, rw, rwl, rwo, w1c, w1s, rc, rsvdp, rsvdz, wo };

const char* name(kind k) {
  constexpr const char* names[] = {"no field", "RO",   "HwInit", "RW",    "RWL",   "RWO",
                                   "RW1C",     "RW1S", "RC",     "RsvdP", "RsvdZ", "WO"};
  return names[static_cast<unsigned>(k)];
}
bool readable(kind k) { return k != kind::none && k != kind::rsvdz && k != kind::wo; }
bool stores(kind k) { return k != kind::none && k != kind::rsvdz; }

struct field_row {
  unsigned hi, lo;
  kind k;
  int lock = -1;  // index into the block's locks, for RWL
};
struct reg_row {
  const char* name;
  addr_t offset;  // of element 0
  unsigned width;
  std::uint64_t reset;
  std::vector<field_row> fields;
  unsigned count = 1;
  addr_t stride = 0;
};
/// A lock: manual (reg -1), or computed from every bit of `mask` in register `reg`.
struct lock_row {
  const char* name;
  int reg = -1;
  std::uint64_t mask = 0;
};

struct bit {
  kind k = kind::none;
  int lock = -1;
  bool value = false;
  bool used = false;  // an RWO bit whose byte a guest wrote since reset
};

struct instance {
  int reg;
  unsigned element;
  addr_t offset;
  unsigned bytes;
  std::size_t word;  // the library's state word (declaration order, elements consecutive)
  std::array<bit, 64> bits{};

  [[nodiscard]] std::uint64_t get(unsigned hi, unsigned lo) const {
    std::uint64_t v = 0;
    for (unsigned i = hi + 1; i-- > lo;) v = (v << 1) | (bits[i].value ? 1U : 0U);
    return v;
  }
  void set(unsigned hi, unsigned lo, std::uint64_t v) {
    for (unsigned i = lo; i <= hi; ++i) bits[i].value = ((v >> (i - lo)) & 1U) != 0;
  }
  [[nodiscard]] std::uint64_t stored() const { return get(8 * bytes - 1, 0); }
};

enum class mode : std::uint8_t { read, peek, write };

/// A hook of the device, restated: after a guest write touching register `reg`, if its bits
/// hi..lo are all ones, manual lock `lock` is set (element 0).
struct latch_hook {
  int reg = -1;
  unsigned hi = 0, lo = 0;
  int lock = -1;
};

class block {
 public:
  block(addr_t size, std::vector<reg_row> regs, std::vector<lock_row> locks, latch_hook hook = {})
      : size_(size), regs_(std::move(regs)), locks_(std::move(locks)), hook_(hook) {
    std::size_t word = 0;
    for (int r = 0; r < static_cast<int>(regs_.size()); ++r) {
      const reg_row& row = regs_[r];
      max_elements_ = std::max(max_elements_, row.count);
      for (unsigned e = 0; e < row.count; ++e) {
        instance in{r, e, row.offset + e * row.stride, row.width / 8, word++};
        for (const field_row& f : row.fields)
          for (unsigned i = f.lo; i <= f.hi; ++i) in.bits[i] = {f.k, f.lock};
        inst.push_back(in);
      }
    }
    std::sort(inst.begin(), inst.end(),
              [](const instance& x, const instance& y) { return x.offset < y.offset; });
    manual_.assign(locks_.size() * max_elements_, false);
    reset();
  }

  std::vector<instance> inst;  // ascending offset

  [[nodiscard]] addr_t size() const { return size_; }
  [[nodiscard]] const reg_row& row(int r) const { return regs_[r]; }
  [[nodiscard]] const std::vector<lock_row>& locks() const { return locks_; }
  [[nodiscard]] unsigned max_elements() const { return max_elements_; }

  void reset() {
    for (instance& in : inst)
      for (unsigned i = 0; i < 64; ++i) {
        bit& b = in.bits[i];
        b.value = i < 8 * in.bytes && stores(b.k) && ((regs_[in.reg].reset >> i) & 1U) != 0;
        b.used = false;
      }
    std::fill(manual_.begin(), manual_.end(), false);
  }

  instance& find(int reg, unsigned element) {
    for (instance& in : inst)
      if (in.reg == reg && in.element == element) return in;
    std::fprintf(stderr, "fuzz_regs: model has no register %d[%u]\n", reg, element);
    std::abort();
  }

  void set_manual(int l, unsigned element, bool on) { manual_[l * max_elements_ + element] = on; }

  [[nodiscard]] bool holds(int l, unsigned element) {
    if (manual_[l * max_elements_ + element]) return true;
    const lock_row& lk = locks_[l];
    if (lk.reg < 0) return false;
    const instance& in = find(lk.reg, regs_[lk.reg].count > 1 ? element : 0);
    for (unsigned i = 0; i < 64; ++i)
      if (((lk.mask >> i) & 1U) != 0 && !in.bits[i].value) return false;
    return true;
  }

  std::uint64_t access(mode md, addr_t off, unsigned size, std::uint64_t v) {
    if (size == 0 || size > 8 || off >= size_ || size_ - off < size) return 0;
    std::uint64_t out = 0;
    for (instance& in : inst) {
      if (in.offset + in.bytes <= off || in.offset >= off + size) continue;
      std::array<bool, 8> held{};  // before this register changes (at most 8 locks)
      if (md == mode::write)
        for (std::size_t l = 0; l < locks_.size(); ++l)
          held[l] = holds(static_cast<int>(l), in.element);
      for (unsigned byte = 0; byte < in.bytes; ++byte) {
        const addr_t a = in.offset + byte;
        if (a < off || a >= off + size) continue;  // only the bytes accessed
        const unsigned at = static_cast<unsigned>(8 * (a - off));
        for (unsigned i = 0; i < 8; ++i) {
          bit& b = in.bits[8 * byte + i];
          if (md != mode::write) {
            if (readable(b.k) && b.value) out |= std::uint64_t{1} << (at + i);
            if (md == mode::read && b.k == kind::rc) b.value = false;  // returned, then cleared
            continue;
          }
          const bool w = ((v >> (at + i)) & 1U) != 0;
          switch (b.k) {
            case kind::rw:
            case kind::wo: b.value = w; break;
            case kind::rwl:
              if (!held[b.lock]) b.value = w;
              break;
            case kind::rwo:
              if (!b.used) b.value = w;
              b.used = true;
              break;
            case kind::w1c:
              if (w) b.value = false;
              break;
            case kind::w1s:
              if (w) b.value = true;
              break;
            case kind::none:
            case kind::ro:
            case kind::hwinit:
            case kind::rc:
            case kind::rsvdp:
            case kind::rsvdz: break;
          }
        }
      }
      if (md == mode::write && in.reg == hook_.reg &&
          in.get(hook_.hi, hook_.lo) == (std::uint64_t{1} << (hook_.hi - hook_.lo + 1)) - 1)
        set_manual(hook_.lock, 0, true);
    }
    return out;
  }

 private:
  addr_t size_;
  std::vector<reg_row> regs_;
  std::vector<lock_row> locks_;
  latch_hook hook_;
  unsigned max_elements_ = 1;
  std::vector<bool> manual_;
};

}  // namespace model

using model::kind;

// ---------------------------------------------------------------------------------------------
// Block `mix`. Byte map: 0x00 q | 0x08 ctl | 0x0C g | 0x10 h | 0x12 b | 0x13 c | 0x14-0x17 gap |
// 0x18 w | 0x1A-0x1F gap | element n at 0x20 + 0x20 n: +0 base, +4 size, +8 ctrl, +0x10 x,
// +0x18 t, +0x1C-0x1F gap | 0x80-0x87 gap.
// clang-format off
using mix_blk = register_block<"mix", 0x88, mmiotree::access::any,
    reg<"q", 0x00, 64, 0xB06F'95A3'CF0A'53A5,
        field<"ro", 3, 0, ro>, field<"hw", 7, 4, hwinit>, field<"rw", 11, 8, rw>,
        field<"rwo", 19, 12, rwo>, field<"w1c", 27, 20, rw1c>, field<"w1s", 35, 28, rw1s>,
        field<"rc", 43, 36, rc>, field<"rsvdp", 47, 44, rsvdp>, field<"rsvdz", 51, 48, rsvdz>,
        field<"wo", 55, 52, wo>, /* 59:56 no field */ field<"rwl", 63, 60, rwl, lock<"m">>>,
    reg<"ctl", 0x08, 32, 0x5AC3'3CF0,
        field<"latch", 0, 0, rw1s>, field<"lk", 1, 1, rwo>, field<"en", 7, 2, rw>,
        field<"rc", 15, 8, rc>, field<"w1c", 23, 16, rw1c>,
        field<"rwl", 27, 24, rwl, lock<"latch">>, field<"rsvdp", 31, 28, rsvdp>>,
    reg<"g", 0x0C, 32, 0xAB12'3456,
        field<"a", 15, 0, rwl, lock<"latch">>, field<"b", 23, 16, rwl, lock<"once">>,
        field<"wo", 31, 24, wo>>,
    reg<"h", 0x10, 16, 0x3A51,
        field<"ro", 3, 0, ro>, field<"rwo", 11, 4, rwo>, field<"rsvdz", 13, 12, rsvdz>,
        field<"rw", 15, 14, rw>>,
    reg<"b", 0x12, 8, 0x96, field<"w1s", 3, 0, rw1s>, field<"rc", 7, 4, rc>>,
    reg<"c", 0x13, 8, 0x5A, field<"rwl", 3, 0, rwl, lock<"m">>, field<"ro", 7, 4, ro>>,
    reg<"w", 0x18, 16, 0x77AB, field<"hw", 7, 0, hwinit>, field<"wo", 15, 8, wo>>,
    reg_array<"d", 0x20, 3, 0x20,
        reg<"base", 0x0, 32, 0x0123'4560,
            field<"rsvd", 27, 0, rsvdp>, field<"base", 31, 28, rwl, lock<"dec">>>,
        reg<"size", 0x4, 32, 0x1000'2A11,
            field<"wo", 7, 0, wo>, field<"tag", 15, 8, rwl, lock<"tgt">>,
            /* 27:16 no field */ field<"size", 31, 28, rwl, lock<"dec">>>,
        reg<"ctrl", 0x8, 32, 0x5A00'F002,
            field<"ig", 3, 0, rwl, lock<"dec">>, field<"loc", 8, 8, rw>,
            field<"commit", 9, 9, rwl, lock<"dec">>, field<"committed", 10, 10, ro>,
            field<"err", 11, 11, rw1c>, field<"rsvdz", 15, 12, rsvdz>, field<"arm", 16, 16, rw1s>,
            field<"rsvdp", 31, 24, rsvdp>>,
        reg<"x", 0x10, 64, 0x0123'4567'89AB'CDEF,
            field<"lo", 31, 0, rwl, lock<"armed">>, field<"hi", 63, 32, rwl, lock<"latch">>>,
        reg<"t", 0x18, 32, 0x00FF'1234,
            field<"t0", 15, 0, rwl, lock<"tgt">>, field<"rc", 23, 16, rc>,
            field<"w1c", 31, 24, rw1c>>>,
    lock_if<"latch", "ctl", "latch">,
    lock_if<"once", "ctl", "lk">,
    lock_if<"dec", "d/ctrl", "committed", "loc">,
    lock_if<"armed", "d/ctrl", "arm">>;
// clang-format on

/// The device of `mix`: a write that leaves b's W1S nibble all ones latches manual lock "m" —
/// which then already holds for c, one byte higher, in the same access.
struct mix_device {
  register_file<mix_blk, mix_device, after_write_to<"b">> rf{*this};
  void after_write(write_event<mix_blk, "b">& e) {
    if (e.now.get<"w1s">() == 0xF) e.regs.set_lock<"m">(true);
  }
};

// The model's locks of `mix`: 0 m, 1 tgt (manual); 2 latch, 3 once, 4 dec, 5 armed (computed).
enum mix_lock : int { lk_m, lk_tgt, lk_latch, lk_once, lk_dec, lk_armed };
// Register rows, in declaration order.
enum mix_reg : int { r_q, r_ctl, r_g, r_h, r_b, r_c, r_w, r_base, r_size, r_ctrl, r_x, r_t };

model::block mix_model() {
  using k = kind;
  std::vector<model::reg_row> regs = {
      {"q",
       0x00,
       64,
       0xB06F'95A3'CF0A'53A5,
       {{3, 0, k::ro},
        {7, 4, k::hwinit},
        {11, 8, k::rw},
        {19, 12, k::rwo},
        {27, 20, k::w1c},
        {35, 28, k::w1s},
        {43, 36, k::rc},
        {47, 44, k::rsvdp},
        {51, 48, k::rsvdz},
        {55, 52, k::wo},
        {63, 60, k::rwl, lk_m}}},
      {"ctl",
       0x08,
       32,
       0x5AC3'3CF0,
       {{0, 0, k::w1s},
        {1, 1, k::rwo},
        {7, 2, k::rw},
        {15, 8, k::rc},
        {23, 16, k::w1c},
        {27, 24, k::rwl, lk_latch},
        {31, 28, k::rsvdp}}},
      {"g",
       0x0C,
       32,
       0xAB12'3456,
       {{15, 0, k::rwl, lk_latch}, {23, 16, k::rwl, lk_once}, {31, 24, k::wo}}},
      {"h",
       0x10,
       16,
       0x3A51,
       {{3, 0, k::ro}, {11, 4, k::rwo}, {13, 12, k::rsvdz}, {15, 14, k::rw}}},
      {"b", 0x12, 8, 0x96, {{3, 0, k::w1s}, {7, 4, k::rc}}},
      {"c", 0x13, 8, 0x5A, {{3, 0, k::rwl, lk_m}, {7, 4, k::ro}}},
      {"w", 0x18, 16, 0x77AB, {{7, 0, k::hwinit}, {15, 8, k::wo}}},
      {"d/base", 0x20, 32, 0x0123'4560, {{27, 0, k::rsvdp}, {31, 28, k::rwl, lk_dec}}, 3, 0x20},
      {"d/size",
       0x24,
       32,
       0x1000'2A11,
       {{7, 0, k::wo}, {15, 8, k::rwl, lk_tgt}, {31, 28, k::rwl, lk_dec}},
       3,
       0x20},
      {"d/ctrl",
       0x28,
       32,
       0x5A00'F002,
       {{3, 0, k::rwl, lk_dec},
        {8, 8, k::rw},
        {9, 9, k::rwl, lk_dec},
        {10, 10, k::ro},
        {11, 11, k::w1c},
        {15, 12, k::rsvdz},
        {16, 16, k::w1s},
        {31, 24, k::rsvdp}},
       3,
       0x20},
      {"d/x",
       0x30,
       64,
       0x0123'4567'89AB'CDEF,
       {{31, 0, k::rwl, lk_armed}, {63, 32, k::rwl, lk_latch}},
       3,
       0x20},
      {"d/t",
       0x38,
       32,
       0x00FF'1234,
       {{15, 0, k::rwl, lk_tgt}, {23, 16, k::rc}, {31, 24, k::w1c}},
       3,
       0x20},
  };
  std::vector<model::lock_row> locks = {
      {"m"},
      {"tgt"},
      {"latch", r_ctl, 0x1},
      {"once", r_ctl, 0x2},
      {"dec", r_ctrl, (1U << 10) | (1U << 8)},
      {"armed", r_ctrl, 1U << 16},
  };
  return model::block(0x88, std::move(regs), std::move(locks), {r_b, 3, 0, lk_m});
}

// ---------------------------------------------------------------------------------------------
// Block `wide`: 36 registers of 8/16/32/64 bits, each cut into four equal fields whose kinds
// follow a fixed cycle; RWL fields are guarded by the manual lock "bm". 0x1100 bytes of byte
// granules: no one-load table, no direct calls.
struct wide_spec {
  addr_t offset = 0;
  unsigned width = 0;
  std::uint64_t reset = 0;
  std::array<kind, 4> k{};
};
constexpr std::size_t wide_regs = 36;
constexpr addr_t wide_size = 0x1100;
constexpr std::array<wide_spec, wide_regs> wide_specs = [] {
  constexpr std::array<unsigned, 9> widths{32, 8, 16, 64, 32, 16, 8, 8, 64};
  constexpr std::array<kind, 11> cycle{kind::rw,    kind::ro,    kind::w1c,   kind::rwl,
                                       kind::rsvdp, kind::rc,    kind::wo,    kind::rwo,
                                       kind::w1s,   kind::rsvdz, kind::hwinit};
  std::array<wide_spec, wide_regs> s{};
  addr_t at = 0;
  for (std::size_t i = 0; i < wide_regs; ++i) {
    wide_spec& w = s[i];
    w.width = widths[i % widths.size()];
    const addr_t bytes = w.width / 8;
    if (i == 32) at = 0x1000;  // the last four far from the rest
    at = (at + bytes - 1) / bytes * bytes;
    w.offset = at;
    at += bytes + (i % 5 == 0 ? bytes : 0);  // a gap after every fifth
    const std::uint64_t mask =
        w.width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << w.width) - 1;
    w.reset = (0x9E37'79B9'7F4A'7C15ULL * (i + 1)) & mask;
    for (unsigned j = 0; j < 4; ++j) w.k[j] = cycle[(i * 4 + j * 3) % cycle.size()];
  }
  return s;
}();

constexpr field_access access_of(kind k) {
  switch (k) {
    case kind::ro: return field_access::ro;
    case kind::hwinit: return field_access::hwinit;
    case kind::rw: return field_access::rw;
    case kind::rwl: return field_access::rwl;
    case kind::rwo: return field_access::rwo;
    case kind::w1c: return field_access::rw1c;
    case kind::w1s: return field_access::rw1s;
    case kind::rc: return field_access::rc;
    case kind::rsvdp: return field_access::rsvdp;
    case kind::rsvdz: return field_access::rsvdz;
    case kind::wo: return field_access::wo;
    case kind::none: break;
  }
  return field_access::ro;
}

template <std::size_t I>
inline constexpr auto wide_name = [] {
  fixed_string<3> f{};
  f.value[0] = 'w';
  f.value[1] = static_cast<char>('0' + I / 10);
  f.value[2] = static_cast<char>('0' + I % 10);
  return f;
}();
template <unsigned J>
inline constexpr auto field_name = [] {
  fixed_string<2> f{};
  f.value[0] = 'f';
  f.value[1] = static_cast<char>('0' + J);
  return f;
}();
template <std::size_t I, unsigned J>
struct wide_field {
  static constexpr unsigned q = wide_specs[I].width / 4;
  static constexpr kind k = wide_specs[I].k[J];
  using type = std::conditional_t<k == kind::rwl,
                                  field<field_name<J>, q*(J + 1) - 1, q * J, rwl, lock<"bm">>,
                                  field<field_name<J>, q*(J + 1) - 1, q * J, access_of(k)>>;
};
template <std::size_t I>
using wide_reg = reg<wide_name<I>, wide_specs[I].offset, wide_specs[I].width, wide_specs[I].reset,
                     typename wide_field<I, 0>::type, typename wide_field<I, 1>::type,
                     typename wide_field<I, 2>::type, typename wide_field<I, 3>::type>;
template <std::size_t... I>
auto wide_of(std::index_sequence<I...>)
    -> register_block<"wide", wide_size, mmiotree::access::any, wide_reg<I>...>;
using wide_blk = decltype(wide_of(std::make_index_sequence<wide_regs>{}));

model::block wide_model() {
  std::vector<model::reg_row> regs;
  for (const wide_spec& s : wide_specs) {
    model::reg_row r{"w", s.offset, s.width, s.reset, {}};
    const unsigned q = s.width / 4;
    for (unsigned j = 0; j < 4; ++j)
      r.fields.push_back({q * (j + 1) - 1, q * j, s.k[j], s.k[j] == kind::rwl ? 0 : -1});
    regs.push_back(r);
  }
  return model::block(wide_size, std::move(regs), {{"bm"}});
}

// ---------------------------------------------------------------------------------------------
// The comparison.

[[noreturn]] void fail(const char* block, const std::string& what) {
  std::fprintf(stderr, "fuzz_regs: block %s: %s\n", block, what.c_str());
  std::abort();
}

std::string hex(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

/// The stored bits the library and the model disagree on, each with its kind and lock.
std::string explain(model::block& m, const model::instance& in, std::uint64_t lib) {
  std::string out;
  for (unsigned i = 0; i < 8 * in.bytes; ++i) {
    const bool l = ((lib >> i) & 1U) != 0;
    const model::bit& b = in.bits[i];
    if (l == b.value) continue;
    out += "\n    bit " + std::to_string(i) + " (" + model::name(b.k);
    if (b.lock >= 0)
      out += std::string(", lock ") + m.locks()[b.lock].name +
             (m.holds(b.lock, in.element) ? " holds" : " open");
    out += "): library " + std::to_string(l) + ", model " + std::to_string(b.value);
  }
  return out;
}

/// What a step did, formatted only when a check fails.
struct step {
  const char* op;
  std::uint64_t a = 0, b = 0, c = 0;
  [[nodiscard]] std::string text() const {
    return std::string(op) + "(" + hex(a) + ", " + hex(b) + ", " + hex(c) + ")";
  }
};

/// Every register instance's peek and stored word, library against model.
template <class File>
void compare(const char* block, File& rf, model::block& m, const step& st) {
  for (const model::instance& in : m.inst) {
    const std::uint64_t lp = rf.peek(in.offset, in.bytes);
    const std::uint64_t mp = m.access(model::mode::peek, in.offset, in.bytes, 0);
    const auto where = [&] {
      return "after " + st.text() + ": " + m.row(in.reg).name + "[" + std::to_string(in.element) +
             "] at " + hex(in.offset);
    };
    const std::uint64_t ls = rf.state().value[in.word];
    if (ls != in.stored())
      fail(block, where() + ": stored: library " + hex(ls) + ", model " + hex(in.stored()) +
                      explain(m, in, ls));
    if (lp != mp) fail(block, where() + ": peek: library " + hex(lp) + ", model " + hex(mp));
  }
}

/// A snapshot round trip: the saved state is accepted, and restoring it over a reset brings
/// back everything — values, write-once bookkeeping, manual locks (the model does not move).
template <class File>
void round_trip(const char* block, File& rf, model::block& m) {
  std::vector<std::byte> blob(File::snapshot_size());
  rf.save_state(blob);
  if (!rf.validate_state(blob)) fail(block, "validate_state refuses a state save_state wrote");
  rf.reset();
  rf.restore_state(blob);
  compare(block, rf, m, {"save_state, reset, restore_state"});
}

/// One step's guest access, decoded and carried out on both sides.
template <class File>
void guest_access(const char* block, File& rf, model::block& m, reader& in, model::mode md) {
  const std::uint8_t s = in.byte(), p = in.byte();
  const model::instance& target = m.inst[in.byte() % m.inst.size()];
  unsigned size = 0;
  switch (s & 7) {
    case 0: size = 1; break;
    case 1: size = 2; break;
    case 2: size = 4; break;
    case 3: size = 8; break;
    case 4: size = target.bytes; break;
    case 5: size = 3; break;
    case 6: size = (s >> 3) & 15; break;
    default: size = 8; break;
  }
  addr_t off = target.offset;
  switch (p & 3) {
    case 0: break;
    case 1: off = target.offset + ((p >> 2) & 15) - 8; break;
    case 2: off = target.offset + (p >> 2) - 32; break;
    default: off = in.word(2) % (m.size() + 16); break;
  }
  std::uint64_t v = 0;
  if (md == model::mode::write) {
    switch (in.byte() & 3) {
      case 0: v = ~std::uint64_t{0}; break;
      case 1: v = 0; break;
      case 2: v = in.word(8); break;
      default: v = std::uint64_t{in.byte()} * 0x0101'0101'0101'0101ULL; break;
    }
  }
  const char* names[] = {"read", "peek", "write"};
  const step st{names[static_cast<unsigned>(md)], off, size, v};
  std::uint64_t lib = 0;
  switch (md) {
    case model::mode::read: lib = rf.read(off, size); break;
    case model::mode::peek: lib = rf.peek(off, size); break;
    case model::mode::write: rf.write(off, size, v); break;
  }
  const std::uint64_t mod = m.access(md, off, size, v);
  if (md != model::mode::write && lib != mod)
    fail(block, st.text() + ": library " + hex(lib) + ", model " + hex(mod));
  compare(block, rf, m, st);
}

// ---------------------------------------------------------------------------------------------
// The targets.

struct mix_target {
  mix_device dev;
  model::block m = mix_model();

  /// Device code updates a field the guest cannot write (or an RC field it only clears).
  void device_set(reader& in) {
    const std::uint8_t which = in.byte();
    const unsigned e = (which >> 4) % 3;
    const std::uint64_t v = in.word(8);
    auto& st = dev.rf.state();
    const auto both = [&](int reg, unsigned element, unsigned hi, unsigned lo) {
      const std::uint64_t x = v & ((std::uint64_t{1} << (hi - lo + 1)) - 1);
      m.find(reg, element).set(hi, lo, x);
      return x;
    };
    switch (which % 10) {
      case 0: st.set_field<"q", "ro">(both(r_q, 0, 3, 0)); break;
      case 1: st.set_field<"q", "hw">(both(r_q, 0, 7, 4)); break;
      case 2: st.set_field<"q", "rc">(both(r_q, 0, 43, 36)); break;
      case 3: st.set_field<"ctl", "rc">(both(r_ctl, 0, 15, 8)); break;
      case 4: st.set_field<"b", "rc">(both(r_b, 0, 7, 4)); break;
      case 5: st.set_field<"h", "ro">(both(r_h, 0, 3, 0)); break;
      case 6: st.set_field<"w", "hw">(both(r_w, 0, 7, 0)); break;
      case 7: st.set_field<"c", "ro">(both(r_c, 0, 7, 4)); break;
      case 8: st.set_field<"d/ctrl", "committed">(both(r_ctrl, e, 10, 10), e); break;
      default: st.set_field<"d/t", "rc">(both(r_t, e, 23, 16), e); break;
    }
    compare("mix", dev.rf, m, {"device_set(field, element, value)", which % 10u, e, v});
  }

  void set_lock(reader& in) {
    const std::uint8_t b = in.byte();
    const unsigned e = (b >> 3) % 3;
    const bool on = (b & 0x80) != 0;
    auto& st = dev.rf.state();
    const int l = b % 6;
    switch (l) {
      case lk_m: st.set_lock<"m">(on, e); break;
      case lk_tgt: st.set_lock<"tgt">(on, e); break;
      case lk_latch: st.set_lock<"latch">(on, e); break;
      case lk_once: st.set_lock<"once">(on, e); break;
      case lk_dec: st.set_lock<"dec">(on, e); break;
      default: st.set_lock<"armed">(on, e); break;
    }
    m.set_manual(l, e, on);
    compare("mix", dev.rf, m,
            {"set_lock(lock, on, element)", static_cast<std::uint64_t>(l), on, e});
  }

  void check_locks() {
    const auto& st = dev.rf.state();
    for (unsigned e = 0; e < 3; ++e) {
      const std::array<bool, 6> lib{st.locked<"m">(e),     st.locked<"tgt">(e),
                                    st.locked<"latch">(e), st.locked<"once">(e),
                                    st.locked<"dec">(e),   st.locked<"armed">(e)};
      for (int l = 0; l < 6; ++l)
        if (lib[l] != m.holds(l, e))
          fail("mix", std::string("lock ") + m.locks()[l].name + "[" + std::to_string(e) +
                          "]: library " + std::to_string(lib[l]) + ", model " +
                          std::to_string(m.holds(l, e)));
    }
  }

  void run(reader& in) {
    dev.rf.reset();
    m.reset();
    compare("mix", dev.rf, m, {"reset"});
    for (int records = 0; records < 128 && !in.done(); ++records) {
      const unsigned op = in.byte() & 15;
      if (op <= 6) {
        guest_access("mix", dev.rf, m, in, model::mode::write);
      } else if (op <= 10) {
        guest_access("mix", dev.rf, m, in, model::mode::read);
      } else if (op <= 12) {
        guest_access("mix", dev.rf, m, in, model::mode::peek);
      } else if (op == 13) {
        device_set(in);
      } else if (op == 14) {
        set_lock(in);
      } else if ((in.byte() & 1) != 0) {
        round_trip("mix", dev.rf, m);
      } else {
        dev.rf.reset();
        m.reset();
        compare("mix", dev.rf, m, {"reset"});
      }
      check_locks();
    }
  }
};

struct wide_target {
  register_file<wide_blk> rf;
  model::block m = wide_model();

  void run(reader& in) {
    rf.reset();
    m.reset();
    compare("wide", rf, m, {"reset"});
    for (int records = 0; records < 128 && !in.done(); ++records) {
      const unsigned op = in.byte() & 15;
      if (op <= 6) {
        guest_access("wide", rf, m, in, model::mode::write);
      } else if (op <= 10) {
        guest_access("wide", rf, m, in, model::mode::read);
      } else if (op <= 12) {
        guest_access("wide", rf, m, in, model::mode::peek);
      } else if (op <= 14) {
        const bool on = (in.byte() & 1) != 0;
        rf.state().set_lock<"bm">(on);
        m.set_manual(0, 0, on);
        compare("wide", rf, m, {"set_lock(bm, on)", on});
      } else if ((in.byte() & 1) != 0) {
        round_trip("wide", rf, m);
      } else {
        rf.reset();
        m.reset();
        compare("wide", rf, m, {"reset"});
      }
      if (rf.state().locked<"bm">() != m.holds(0, 0)) fail("wide", "lock bm differs");
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mix_target mix;
  static wide_target wide;
  reader in(std::span<const std::uint8_t>(data, size));
  if ((in.byte() & 1) == 0)
    mix.run(in);
  else
    wide.run(in);
  return 0;
}
