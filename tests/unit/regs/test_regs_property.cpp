// Random guest access sequences against an independent model of the field kinds.
//
// The model is written by hand from the documented rules (DESIGN §2.5, the doc comments of
// regs/access_kind.hpp and regs/register_file.hpp) and shares nothing with the library: its
// own table of the block (offsets, widths, reset values, field bits, kinds, locks — the block
// declaration below typed a second time, on purpose), its own state (one bool per bit) and
// accesses carried out byte by byte, bit by bit. The library is driven and observed only
// through its public interface: guest `read`/`write`, `peek`, `reset`, device-side typed
// `set_field`/`set_lock`, and the stored value `state().get<"reg">(element).raw`.
//
// After every step the two must agree on `peek` of every register, `peek` of every 8 bytes of
// the block (gaps included), and every register's stored bits (WO bits a read does not show).
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
// Every kind, in 64/32/16/8-bit registers, with fields across byte boundaries (so partial
// accesses split them), bits outside every field, gaps no register covers, and the HDM decoder
// shape: a reg_array whose RWL fields are locked per element by `lock_if` on
// committed & lock_on_commit (CXL r3.1 8.2.4.20), plus two locks device code sets by hand
// ("m" on plain registers, "tgt" per decoder).
//
// Byte map: 0x00 q | 0x08 a | 0x0C h | 0x0E b | 0x0F–0x17 gap | 0x18 w | 0x1A–0x1F gap |
// decoder n at 0x20 + 0x20·n: +0 base, +4 size, +8 ctrl, +0xC target, +0x10–0x1F gap |
// 0x80–0x87 gap.
// clang-format off
using blk = register_block<"p", 0x88, access::any,
    reg<"q", 0x00, 64, 0xB06F'95A3'CF0A'53A5,
        field<"ro", 3, 0, ro>, field<"hw", 7, 4, hwinit>, field<"rw", 11, 8, rw>,
        field<"rwo", 19, 12, rwo>, field<"w1c", 27, 20, rw1c>, field<"w1s", 35, 28, rw1s>,
        field<"rc", 43, 36, rc>, field<"rsvdp", 47, 44, rsvdp>, field<"rsvdz", 51, 48, rsvdz>,
        field<"wo", 55, 52, wo>, /* 59:56 no field */ field<"rwl", 63, 60, rwl, lock<"m">>>,
    reg<"a", 0x08, 32, 0x973C'C35A,
        field<"rw", 7, 0, rw>, field<"rc", 15, 8, rc>, field<"w1c", 23, 16, rw1c>,
        field<"rwl", 27, 24, rwl, lock<"m">>, field<"rsvdp", 31, 28, rsvdp>>,
    reg<"h", 0x0C, 16, 0x3A51,
        field<"count", 3, 0, ro>, field<"rwo", 11, 4, rwo>, field<"rsvdz", 13, 12, rsvdz>>,
    reg<"b", 0x0E, 8, 0x96, field<"w1s", 3, 0, rw1s>, field<"rc", 7, 4, rc>>,
    reg<"w", 0x18, 16, 0x77AB, field<"hw", 7, 0, hwinit>, field<"wo", 15, 8, wo>>,
    reg_array<"decoder", 0x20, 3, 0x20,
        reg<"base", 0x0, 32, 0x0123'4560,
            field<"rsvd", 27, 0, rsvdp>, field<"base", 31, 28, rwl, lock<"decoder">>>,
        reg<"size", 0x4, 32, 0x1000'2A11,
            field<"wo", 7, 0, wo>, field<"tag", 15, 8, rwl, lock<"tgt">>,
            field<"size", 31, 28, rwl, lock<"decoder">>>,
        reg<"ctrl", 0x8, 32, 0x5A00'F002,
            field<"ig", 3, 0, rwl, lock<"decoder">>,
            field<"lock_on_commit", 8, 8, rwl, lock<"decoder">>,
            field<"commit", 9, 9, rwl, lock<"decoder">>, field<"committed", 10, 10, ro>,
            field<"error", 11, 11, ro>, field<"rsvdz", 15, 12, rsvdz>,
            field<"rsvdp", 31, 24, rsvdp>>,
        reg<"target", 0xC, 32, 0x0001'0000,
            field<"t0", 15, 0, rwl, lock<"decoder">>, field<"t1", 31, 16, rwl, lock<"decoder">>>>,
    lock_if<"decoder", "decoder/ctrl", "committed", "lock_on_commit">>;
// clang-format on

/// The device: behaviour in hooks, written against the typed interface.
struct device {
  register_file<blk, device, before_write_to<"decoder/ctrl">, after_write_to<"decoder/ctrl">,
                after_read_from<"h">>
      rf{*this};

  // An interleave granularity of 7 is refused: the old one is kept.
  void before_write(write_event<blk, "decoder/ctrl">& e) {
    if (e.now.get<"ig">() == 7) e.now.set<"ig">(e.old.get<"ig">());
  }
  // Commit 0→1: committed if the base is non-zero, else error. Commit 1→0: not committed.
  void after_write(write_event<blk, "decoder/ctrl">& e) {
    if (e.now.rose<"commit">(e.old)) {
      if (e.regs.get<"decoder/base", "base">(e.element) != 0)
        e.regs.set<"decoder/ctrl">(e.element, val<"committed", 1>{}, val<"error", 0>{});
      else
        e.regs.set<"decoder/ctrl">(e.element, val<"error", 1>{});
    } else if (e.now.fell<"commit">(e.old)) {
      e.regs.set<"decoder/ctrl">(e.element, val<"committed", 0>{});
    }
  }
  // Every guest read of h counts itself in h.count (mod 16).
  void after_read(read_event<blk, "h">& e) {
    e.regs.set_field<"h", "count">((e.regs.get<"h", "count">() + 1) & 0xF);
  }
};

/// The library's stored value of a register instance, by the model's name for it.
std::uint64_t stored_by_library(const register_state<blk>& s, std::string_view path,
                                std::size_t e) {
  if (path == "q") return s.get<"q">().raw;
  if (path == "a") return s.get<"a">().raw;
  if (path == "h") return s.get<"h">().raw;
  if (path == "b") return s.get<"b">().raw;
  if (path == "w") return s.get<"w">().raw;
  if (path == "decoder/base") return s.get<"decoder/base">(e).raw;
  if (path == "decoder/size") return s.get<"decoder/size">(e).raw;
  if (path == "decoder/ctrl") return s.get<"decoder/ctrl">(e).raw;
  if (path == "decoder/target") return s.get<"decoder/target">(e).raw;
  return 0xBAD'BAD'BAD;  // a name the model has and this list lacks: a mismatch
}

// ---------------------------------------------------------------------------------------------
// The model.
namespace model {

enum class kind : std::uint8_t { none, ro, hwinit, rw, rwl, rwo, w1c, w1s, rc, rsvdp, rsvdz, wo };
enum class lock_id : std::uint8_t { none, decoder, m, tgt };

struct field_row {
  unsigned hi, lo;
  kind k;
  lock_id lock = lock_id::none;
};
struct reg_row {
  std::string_view path;
  addr_t offset;  // of element 0
  unsigned width;
  std::uint64_t reset;
  std::vector<field_row> fields;
  unsigned count = 1;
  addr_t stride = 0;
};

constexpr addr_t block_size = 0x88;
constexpr unsigned decoders = 3;

// The block of the declaration above, as a table.
const std::vector<reg_row>& table() {
  using k = kind;
  static const std::vector<reg_row> t = {
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
        {63, 60, k::rwl, lock_id::m}}},
      {"a",
       0x08,
       32,
       0x973C'C35A,
       {{7, 0, k::rw},
        {15, 8, k::rc},
        {23, 16, k::w1c},
        {27, 24, k::rwl, lock_id::m},
        {31, 28, k::rsvdp}}},
      {"h", 0x0C, 16, 0x3A51, {{3, 0, k::ro}, {11, 4, k::rwo}, {13, 12, k::rsvdz}}},
      {"b", 0x0E, 8, 0x96, {{3, 0, k::w1s}, {7, 4, k::rc}}},
      {"w", 0x18, 16, 0x77AB, {{7, 0, k::hwinit}, {15, 8, k::wo}}},
      {"decoder/base",
       0x20,
       32,
       0x0123'4560,
       {{27, 0, k::rsvdp}, {31, 28, k::rwl, lock_id::decoder}},
       decoders,
       0x20},
      {"decoder/size",
       0x24,
       32,
       0x1000'2A11,
       {{7, 0, k::wo}, {15, 8, k::rwl, lock_id::tgt}, {31, 28, k::rwl, lock_id::decoder}},
       decoders,
       0x20},
      {"decoder/ctrl",
       0x28,
       32,
       0x5A00'F002,
       {{3, 0, k::rwl, lock_id::decoder},
        {8, 8, k::rwl, lock_id::decoder},
        {9, 9, k::rwl, lock_id::decoder},
        {10, 10, k::ro},
        {11, 11, k::ro},
        {15, 12, k::rsvdz},
        {31, 24, k::rsvdp}},
       decoders,
       0x20},
      {"decoder/target",
       0x2C,
       32,
       0x0001'0000,
       {{15, 0, k::rwl, lock_id::decoder}, {31, 16, k::rwl, lock_id::decoder}},
       decoders,
       0x20},
  };
  return t;
}

struct bit {
  kind k = kind::none;  // none: outside every field
  lock_id lock = lock_id::none;
  bool value = false;
  bool rwo_used = false;  // an RWO bit whose byte a guest wrote since reset
};

struct instance {
  const reg_row* row;
  unsigned element;
  addr_t offset;
  unsigned bytes;
  std::array<bit, 64> bits{};

  [[nodiscard]] std::uint64_t get(unsigned hi, unsigned lo) const {
    std::uint64_t v = 0;
    for (unsigned i = hi + 1; i-- > lo;) v = (v << 1) | (bits[i].value ? 1U : 0U);
    return v;
  }
  void set(unsigned hi, unsigned lo, std::uint64_t v) {
    for (unsigned i = lo; i <= hi; ++i) bits[i].value = ((v >> (i - lo)) & 1U) != 0;
  }
  /// The bits that hold state, as a word (what the library's `raw` must equal).
  [[nodiscard]] std::uint64_t stored() const { return get(8 * bytes - 1, 0); }
};

[[nodiscard]] bool readable(kind k) { return k != kind::none && k != kind::rsvdz && k != kind::wo; }
[[nodiscard]] bool stores(kind k) { return k != kind::none && k != kind::rsvdz; }

enum class mode : std::uint8_t { read, peek, write };

class block {
 public:
  std::vector<instance> inst;  // ascending offset
  bool lock_m = false;
  std::array<bool, decoders> lock_tgt{};

  block() {
    for (const reg_row& r : table())
      for (unsigned e = 0; e < r.count; ++e) {
        instance in{&r, e, r.offset + e * r.stride, r.width / 8};
        for (const field_row& f : r.fields)
          for (unsigned i = f.lo; i <= f.hi; ++i) in.bits[i] = {f.k, f.lock};
        inst.push_back(in);
      }
    std::sort(inst.begin(), inst.end(),
              [](const instance& x, const instance& y) { return x.offset < y.offset; });
    reset();
  }

  /// Reset values (RsvdZ and uncovered bits hold nothing), write-once and manual locks cleared.
  void reset() {
    for (instance& in : inst)
      for (unsigned i = 0; i < 8 * in.bytes; ++i) {
        in.bits[i].value = stores(in.bits[i].k) && ((in.row->reset >> i) & 1U) != 0;
        in.bits[i].rwo_used = false;
      }
    lock_m = false;
    lock_tgt = {};
  }

  instance& find(std::string_view path, unsigned element = 0) {
    for (instance& in : inst)
      if (in.row->path == path && in.element == element) return in;
    throw std::logic_error("model: no such register");
  }

  std::uint64_t read(addr_t off, unsigned size) { return access(mode::read, off, size, 0); }
  std::uint64_t peek(addr_t off, unsigned size) { return access(mode::peek, off, size, 0); }
  void write(addr_t off, unsigned size, std::uint64_t v) {
    (void)access(mode::write, off, size, v);
  }

 private:
  bool holds(lock_id l, unsigned element) {
    switch (l) {
      case lock_id::none: return false;
      case lock_id::m: return lock_m;
      case lock_id::tgt: return lock_tgt[element];
      case lock_id::decoder: {
        const instance& ctrl = find("decoder/ctrl", element);
        return ctrl.get(10, 10) == 1 && ctrl.get(8, 8) == 1;  // committed & lock_on_commit
      }
    }
    return false;
  }

  // The registers an access covers are carried out one after the other in address order, each
  // with its hooks; bytes of the access no register covers do nothing and read as 0.
  std::uint64_t access(mode md, addr_t off, unsigned size, std::uint64_t v) {
    std::uint64_t out = 0;
    for (instance& in : inst) {
      if (in.offset + in.bytes <= off || in.offset >= off + size) continue;
      const instance before = in;
      std::array<bool, 4> held{};  // by lock_id, decided before this register changes
      for (lock_id l : {lock_id::decoder, lock_id::m, lock_id::tgt})
        held[static_cast<unsigned>(l)] = holds(l, in.element);
      for (unsigned byte = 0; byte < in.bytes; ++byte) {
        const addr_t a = in.offset + byte;
        if (a < off || a >= off + size) continue;                  // only the bytes accessed
        const unsigned at = static_cast<unsigned>(8 * (a - off));  // the byte in the access
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
              if (!held[static_cast<unsigned>(b.lock)]) b.value = w;
              break;
            case kind::rwo:
              if (!b.rwo_used) b.value = w;
              b.rwo_used = true;
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
      hooks(md, in, before);
    }
    return out;
  }

  // The device's hooks (struct device above), restated on bits.
  void hooks(mode md, instance& in, const instance& before) {
    if (md == mode::read && in.row->path == "h") in.set(3, 0, (in.get(3, 0) + 1) & 0xF);
    if (md != mode::write || in.row->path != "decoder/ctrl") return;
    if (in.get(3, 0) == 7) in.set(3, 0, before.get(3, 0));  // before_write
    const std::uint64_t was = before.get(9, 9), now = in.get(9, 9);
    if (was == 0 && now == 1) {
      if (find("decoder/base", in.element).get(31, 28) != 0) {
        in.set(10, 10, 1);
        in.set(11, 11, 0);
      } else {
        in.set(11, 11, 1);
      }
    } else if (was == 1 && now == 0) {
      in.set(10, 10, 0);
    }
  }
};

}  // namespace model

// ---------------------------------------------------------------------------------------------

/// Differences between the library and the model, as text; empty when they agree.
std::string differences(const device& d, model::block& m) {
  std::string out;
  for (const model::instance& in : m.inst) {
    const std::uint64_t lp = d.rf.peek(in.offset, in.bytes), mp = m.peek(in.offset, in.bytes);
    if (lp != mp)
      out += fmt::format("  peek({:#x}, {}) [{}[{}]]: library {:#x}, model {:#x}\n", in.offset,
                         in.bytes, in.row->path, in.element, lp, mp);
    const std::uint64_t ls = stored_by_library(d.rf.state(), in.row->path, in.element);
    const std::uint64_t ms = in.stored();
    if (ls != ms)
      out += fmt::format("  stored {}[{}]: library {:#x}, model {:#x}\n", in.row->path, in.element,
                         ls, ms);
  }
  for (addr_t a = 0; a < model::block_size; a += 8) {
    const std::uint64_t lp = d.rf.peek(a, 8), mp = m.peek(a, 8);
    if (lp != mp) out += fmt::format("  peek({:#x}, 8): library {:#x}, model {:#x}\n", a, lp, mp);
  }
  return out;
}

/// The last steps of a run, for a failure message.
std::string tail(const std::vector<std::string>& log) {
  std::string out;
  for (std::size_t i = log.size() > 24 ? log.size() - 24 : 0; i < log.size(); ++i)
    out += fmt::format("  {}: {}\n", i, log[i]);
  return out;
}

std::uint64_t seed() {
  if (const char* s = std::getenv("MMIOTREE_SEED")) return std::strtoull(s, nullptr, 0);
  return 0x5EED'2026;
}

/// A value biased to all-ones, zero and sparse bits, so that W1C/W1S, commits and locks fire.
std::uint64_t pick_value(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return ~std::uint64_t{0};
    case 1: return 0;
    case 2: return rng() & rng();
    default: return rng();
  }
}

}  // namespace

TEST_CASE("register file == independent bit-level model over random access sequences",
          "[regs][property]") {
  const std::uint64_t s = seed();
  INFO("seed " << s << " (set MMIOTREE_SEED to replay)");
  std::mt19937_64 rng(s);
  for (int run = 0; run < 300; ++run) {
    device d;
    model::block m;
    std::vector<std::string> log;
    REQUIRE(differences(d, m).empty());  // reset values
    for (int step = 0; step < 200; ++step) {
      const unsigned r = rng() % 100;
      // An access: half exactly one register instance, half any size at any offset.
      unsigned size = 1U << (rng() % 4);
      addr_t off = rng() % (model::block_size - size + 1);
      if (rng() % 2 == 0) {
        const model::instance& in = m.inst[rng() % m.inst.size()];
        off = in.offset;
        size = in.bytes;
      }
      const std::uint64_t v = pick_value(rng);
      if (r < 2) {
        d.rf.reset();
        m.reset();
        log.push_back("reset()");
      } else if (r < 6) {
        const bool on = rng() % 2 == 0;
        d.rf.state().set_lock<"m">(on);
        m.lock_m = on;
        log.push_back(fmt::format("set_lock<m>({})", on));
      } else if (r < 10) {
        const bool on = rng() % 2 == 0;
        const unsigned e = rng() % model::decoders;
        d.rf.state().set_lock<"tgt">(on, e);
        m.lock_tgt[e] = on;
        log.push_back(fmt::format("set_lock<tgt>({}, {})", on, e));
      } else if (r < 16) {
        // Device code raises status (RC) bits and changes HwInit ones.
        auto& st = d.rf.state();
        const char* field = "";
        switch (rng() % 4) {
          case 0:
            st.set_field<"q", "hw">(v & 0xF);
            m.find("q").set(7, 4, v & 0xF);
            field = "q.hw";
            break;
          case 1:
            st.set_field<"q", "rc">(v & 0xFF);
            m.find("q").set(43, 36, v & 0xFF);
            field = "q.rc";
            break;
          case 2:
            st.set_field<"a", "rc">(v & 0xFF);
            m.find("a").set(15, 8, v & 0xFF);
            field = "a.rc";
            break;
          default:
            st.set_field<"b", "rc">(v & 0xF);
            m.find("b").set(7, 4, v & 0xF);
            field = "b.rc";
            break;
        }
        log.push_back(fmt::format("device sets {} from {:#x}", field, v));
      } else if (r < 56) {
        d.rf.write(off, size, v);
        m.write(off, size, v);
        log.push_back(fmt::format("write({:#x}, {}, {:#x})", off, size, v));
      } else if (r < 90) {
        const std::uint64_t lr = d.rf.read(off, size), mr = m.read(off, size);
        log.push_back(
            fmt::format("read({:#x}, {}): library {:#x}, model {:#x}", off, size, lr, mr));
        if (lr != mr) {
          INFO("run " << run << ", last steps:\n" << tail(log));
          REQUIRE(lr == mr);
        }
      } else {
        const std::uint64_t lp = d.rf.peek(off, size), mp = m.peek(off, size);
        log.push_back(
            fmt::format("peek({:#x}, {}): library {:#x}, model {:#x}", off, size, lp, mp));
        if (lp != mp) {
          INFO("run " << run << ", last steps:\n" << tail(log));
          REQUIRE(lp == mp);
        }
      }
      const std::string diff = differences(d, m);
      if (!diff.empty()) {
        INFO("run " << run << ", last steps:\n" << tail(log));
        REQUIRE(diff == "");
      }
    }
  }
}
