// regs/block.hpp: register blocks — a list of registers with a size and an access policy,
// usable anywhere in a region tree — their descriptor tables and their layout checks.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/hash.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/access_kind.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/tree/region.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// A register block of `Size` bytes: registers, register arrays and computed locks. It is a
/// region (kind `regs`): place it in a tree like an `io` region and bind a `register_file`.
template <fixed_string Name, addr_t Size, access_policy Access, class... Items>
struct register_block {
  static constexpr region_kind kind = region_kind::regs;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = Access;
  using items = detail::type_list<Items...>;
  /// A hash of the registers and fields (for snapshot fingerprints); defined below.
  static consteval std::uint64_t layout_hash();
};

namespace detail {
template <fixed_string N, addr_t S, access_policy A, class... I>
void as_register_block(const register_block<N, S, A, I...>*);
}  // namespace detail

/// A `register_block<…>` type, or a class derived from one. Deriving gives a block a short name:
/// `struct my_regs : register_block<…> {};` makes every symbol keyed on the block (its register
/// file, its state, each write event) spell `my_regs` instead of every register and field name
/// of the block, a character at a time — which costs compile time, object size and debug
/// information (the PCI layer's configuration space was 24 KB per symbol).
template <class T>
concept block_type = requires(const T* p) {
  detail::as_register_block(p);
};

inline constexpr std::uint32_t no_index = std::numeric_limits<std::uint32_t>::max();

/// A field as a value. Bits [lo, hi].
struct field_desc {
  std::string_view name;
  unsigned hi = 0;
  unsigned lo = 0;
  field_access access = field_access::rw;
  std::string_view lock_name;     ///< empty unless the field has `lock<…>`
  std::uint32_t lock = no_index;  ///< index into the block's locks
  std::uint32_t first_enum = 0;
  std::uint32_t enum_count = 0;

  /// Bits [lo, hi] as a mask. Total on any hi and lo (bits past 63 are dropped, a reversed
  /// field has none), so that a field check_block refuses still gives a value and the block's
  /// one compile error is not followed by an invalid shift in the layout computed from it.
  [[nodiscard]] constexpr std::uint64_t mask() const noexcept {
    if (lo >= 64 || hi < lo) return 0;
    const unsigned w = (hi < 64 ? hi : 63) - lo + 1;
    return (w >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << w) - 1) << lo;
  }
};

struct enum_desc {
  std::string_view name;
  std::uint64_t value = 0;
};

/// A register (or one register of an array group) as a value. Its state words are
/// `word .. word + count - 1`, one per array element.
struct reg_desc {
  std::string_view group;  ///< the array's name, empty for a plain register
  std::string_view name;
  addr_t offset = 0;  ///< of element 0, in the block
  unsigned width = 32;
  std::uint64_t reset = 0;
  std::uint32_t first_field = 0;
  std::uint32_t field_count = 0;
  std::uint32_t count = 1;
  addr_t stride = 0;
  std::uint32_t word = 0;

  [[nodiscard]] constexpr unsigned bytes() const noexcept { return width / 8; }
  [[nodiscard]] constexpr std::uint64_t width_mask() const noexcept {
    return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  }
};

/// A named lock. Computed (`lock_if`): holds for element e when every bit of `mask` is set in
/// register `reg`'s element e (element 0 if that register is not in an array). Manual: no
/// `reg`; device code sets it.
struct lock_desc {
  std::string_view name;
  std::uint32_t reg = no_index;
  std::uint64_t mask = 0;
  std::string_view reg_path;  ///< as declared, for diagnostics
  std::string_view missing;   ///< a field of lock_if that was not found (diagnostics)
};

/// One register instance (register × element) by offset, for guest dispatch.
struct reg_instance {
  addr_t offset = 0;
  std::uint32_t reg = 0;
  std::uint32_t element = 0;
};

/// Per-register masks derived from the field kinds.
struct reg_masks {
  std::uint64_t writable = 0;  ///< rw, wo: take the written value
  std::uint64_t rwl = 0;       ///< take it unless locked
  std::uint64_t rwo = 0;       ///< take it on the first write
  std::uint64_t w1c = 0;
  std::uint64_t w1s = 0;
  std::uint64_t rc = 0;
  std::uint64_t read_zero = 0;  ///< rsvdz, wo and bits outside every field
  std::uint64_t stored = 0;     ///< bits that hold state (not rsvdz, not uncovered)
};

namespace detail {

template <class F>
struct field_info;
template <fixed_string N, unsigned H, unsigned L, field_access A, class... O>
struct field_info<field<N, H, L, A, O...>> {
  static constexpr std::size_t enums = (std::size_t{0} + ... + (is_enumerator<O> ? 1 : 0));
};

template <class R>
inline constexpr std::size_t reg_field_count = 0;
template <fixed_string N, addr_t O, unsigned W, std::uint64_t Rs, class... F>
inline constexpr std::size_t reg_field_count<reg<N, O, W, Rs, F...>> = sizeof...(F);
template <class R>
inline constexpr std::size_t reg_enum_count = 0;
template <fixed_string N, addr_t O, unsigned W, std::uint64_t Rs, class... F>
inline constexpr std::size_t reg_enum_count<reg<N, O, W, Rs, F...>> = (std::size_t{0} + ... +
                                                                       field_info<F>::enums);

template <class T>
inline constexpr bool is_reg = false;
template <fixed_string N, addr_t O, unsigned W, std::uint64_t Rs, class... F>
inline constexpr bool is_reg<reg<N, O, W, Rs, F...>> = true;

template <class I>
struct item_counts {
  static constexpr std::size_t regs = 0, fields = 0, enums = 0, locks = 0;
};
template <fixed_string N, addr_t O, unsigned W, std::uint64_t Rs, class... F>
struct item_counts<reg<N, O, W, Rs, F...>> {
  using R = reg<N, O, W, Rs, F...>;
  static constexpr std::size_t regs = 1, fields = reg_field_count<R>, enums = reg_enum_count<R>,
                               locks = 0;
};
template <fixed_string N, addr_t O, std::size_t C, addr_t S, class... Rg>
struct item_counts<reg_array<N, O, C, S, Rg...>> {
  static constexpr std::size_t regs = sizeof...(Rg);
  static constexpr std::size_t fields = (std::size_t{0} + ... + reg_field_count<Rg>);
  static constexpr std::size_t enums = (std::size_t{0} + ... + reg_enum_count<Rg>);
  static constexpr std::size_t locks = 0;
};
template <fixed_string N, fixed_string R, fixed_string... F>
struct item_counts<lock_if<N, R, F...>> {
  static constexpr std::size_t regs = 0, fields = 0, enums = 0, locks = 1;
};

template <class Items>
struct block_counts;
template <class... I>
struct block_counts<type_list<I...>> {
  static constexpr std::size_t regs = (std::size_t{0} + ... + item_counts<I>::regs);
  static constexpr std::size_t fields = (std::size_t{0} + ... + item_counts<I>::fields);
  static constexpr std::size_t enums = (std::size_t{0} + ... + item_counts<I>::enums);
  static constexpr std::size_t lock_ifs = (std::size_t{0} + ... + item_counts<I>::locks);
  // Each field can name at most one lock; lock_if adds one each. An upper bound.
  static constexpr std::size_t locks = fields + lock_ifs;
};

/// The raw tables of a block, before checking.
template <std::size_t R, std::size_t F, std::size_t E, std::size_t L>
struct block_tables {
  std::array<reg_desc, R> regs{};
  std::array<field_desc, F> fields{};
  std::array<enum_desc, E> enums{};
  std::array<lock_desc, L> locks{};
  std::size_t lock_count = 0;
  std::size_t words = 0;  ///< state words: one per register instance
};

struct table_cursor {
  std::size_t reg = 0, field = 0, en = 0, lock_if = 0;
};

template <class Tables, class Fd>
constexpr void emit_field(Tables& t, table_cursor& c) {
  field_desc& f = t.fields[c.field++];
  f.name = Fd::name.view();
  f.hi = Fd::hi;
  f.lo = Fd::lo;
  f.access = Fd::access;
  f.first_enum = static_cast<std::uint32_t>(c.en);
  [&]<class... O>(type_list<O...>) {
    auto one = [&]<class Opt>() {
      if constexpr (is_lock<Opt>) {
        f.lock_name = Opt::name.view();
      } else {
        t.enums[c.en++] = {Opt::name.view(), Opt::value};
        ++f.enum_count;
      }
    };
    (one.template operator()<O>(), ...);
    (void)one;  // g++ 12 calls it "set but not used" when the pack is empty
  }(typename Fd::options{});
}

template <class Tables, class R>
constexpr void emit_reg(Tables& t, table_cursor& c, std::string_view group, addr_t base,
                        std::uint32_t count, addr_t stride) {
  reg_desc& r = t.regs[c.reg++];
  r.group = group;
  r.name = R::name.view();
  r.offset = base + R::offset;
  r.width = R::width;
  r.reset = R::reset;
  r.count = count;
  r.stride = stride;
  r.first_field = static_cast<std::uint32_t>(c.field);
  r.field_count = static_cast<std::uint32_t>(reg_field_count<R>);
  [&]<class... F>(type_list<F...>) { (emit_field<Tables, F>(t, c), ...); }(typename R::fields{});
}

template <class Tables, class I>
constexpr void emit_item(Tables& t, table_cursor& c) {
  if constexpr (item_counts<I>::locks == 1) {
    lock_desc& l = t.locks[c.lock_if++];
    l.name = I::name.view();
    l.reg_path = I::reg.view();
  } else if constexpr (is_reg<I>) {
    emit_reg<Tables, I>(t, c, {}, 0, 1, 0);
  } else {
    [&]<class... Rg>(type_list<Rg...>) {
      (emit_reg<Tables, Rg>(t, c, I::name.view(), I::offset, static_cast<std::uint32_t>(I::count),
                            I::stride),
       ...);
    }(typename I::regs{});
  }
}

/// Register index by path ("ctrl" or "decoder/ctrl"), or no_index.
constexpr std::uint32_t find_reg(std::span<const reg_desc> regs, std::string_view path) {
  const auto slash = path.find('/');
  const std::string_view group =
      slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::uint32_t i = 0; i < regs.size(); ++i)
    if (regs[i].group == group && regs[i].name == name) return i;
  return no_index;
}

/// Field index (absolute) of `name` in register `r`, or no_index.
constexpr std::uint32_t find_field(std::span<const reg_desc> regs,
                                   std::span<const field_desc> fields, std::uint32_t r,
                                   std::string_view name) {
  for (std::uint32_t k = 0; k < regs[r].field_count; ++k)
    if (fields[regs[r].first_field + k].name == name) return regs[r].first_field + k;
  return no_index;
}

template <class B>
consteval auto make_tables() {
  using counts = block_counts<typename B::items>;
  block_tables<counts::regs, counts::fields, counts::enums, counts::locks> t{};
  table_cursor c{};
  [&]<class... I>(type_list<I...>) { (emit_item<decltype(t), I>(t, c), ...); }(typename B::items{});
  // Computed locks first (in declaration order), then manual locks named only by fields.
  t.lock_count = counts::lock_ifs;
  for (std::size_t i = 0; i < counts::lock_ifs; ++i) {
    lock_desc& l = t.locks[i];
    l.reg = find_reg(t.regs, l.reg_path);
  }
  for (field_desc& f : t.fields) {
    if (f.lock_name.empty()) continue;
    std::size_t k = 0;
    while (k < t.lock_count && t.locks[k].name != f.lock_name) ++k;
    if (k == t.lock_count) t.locks[t.lock_count++].name = f.lock_name;
    f.lock = static_cast<std::uint32_t>(k);
  }
  std::size_t word = 0;
  for (reg_desc& r : t.regs) {
    r.word = static_cast<std::uint32_t>(word);
    word += r.count;
  }
  t.words = word;
  return t;
}

/// lock_if's field names, resolved into a mask on its register (a second pass: the pack of
/// names is only visible on the type).
template <class B, class Tables>
constexpr void resolve_lock_fields(Tables& t) {
  std::size_t i = 0;
  [&]<class... I>(type_list<I...>) {
    auto one = [&]<class It>() {
      if constexpr (item_counts<It>::locks == 1) {
        lock_desc& l = t.locks[i++];
        [&]<fixed_string N, fixed_string R, fixed_string... F>(lock_if<N, R, F...>*) {
          auto add = [&](std::string_view fname) {
            if (l.reg == no_index) return;
            const std::uint32_t f = find_field(t.regs, t.fields, l.reg, fname);
            if (f == no_index) {
              if (l.missing.empty()) l.missing = fname;
            } else {
              l.mask |= t.fields[f].mask();
            }
          };
          (add(F.view()), ...);
        }
        (static_cast<It*>(nullptr));
      }
    };
    (one.template operator()<I>(), ...);
    (void)one;
  }(typename B::items{});
}

}  // namespace detail

/// The descriptor tables of a block type.
template <block_type B>
inline constexpr auto block_tables_v = [] {
  auto t = detail::make_tables<B>();
  detail::resolve_lock_fields<B>(t);
  return t;
}();

template <fixed_string Name, addr_t Size, access_policy Access, class... Items>
consteval std::uint64_t register_block<Name, Size, Access, Items...>::layout_hash() {
  const auto& t = block_tables_v<register_block>;
  detail::fnv1a f;
  for (const reg_desc& r : t.regs) {
    f.str(r.group);
    f.str(r.name);
    f.u64(r.offset);
    f.u64(r.width);
    f.u64(r.reset);
    f.u64(r.count);
    f.u64(r.stride);
    for (std::uint32_t k = 0; k < r.field_count; ++k) {
      const field_desc& fd = t.fields[r.first_field + k];
      f.str(fd.name);
      f.u64(fd.hi);
      f.u64(fd.lo);
      f.u64(static_cast<std::uint64_t>(fd.access));
      f.u64(fd.lock);
    }
  }
  for (std::size_t l = 0; l < t.lock_count; ++l) {
    f.str(t.locks[l].name);
    f.u64(t.locks[l].reg);
    f.u64(t.locks[l].mask);
  }
  return f.h;
}

MMIOTREE_END_NAMESPACE
