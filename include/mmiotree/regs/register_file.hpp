// regs/register_file.hpp: the state of a register block and the guest-access semantics the
// library executes on it (DESIGN §2.5).
//
//   struct hdm_device {
//     register_file<hdm_block, hdm_device, after_write_to<"decoder/ctrl">> regs{*this};
//     void after_write(write_event<hdm_block, "decoder/ctrl">& e) {
//       if (e.now.rose<"commit">(e.old)) e.regs.set<"decoder/ctrl">(e.element, val<"committed",
//       1>{});
//     }
//   };
//
// `register_state` is plain data (values, write-once bookkeeping, manual locks): copyable,
// comparable, and typed access by name from device code. `register_file` adds the guest side:
// `read`/`write` at byte offsets apply the field kinds (masks computed at compile time), then
// call the device's hooks; `peek` reads with no side effect.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/check.hpp>
#include <mmiotree/regs/layout.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

MMIOTREE_BEGIN_NAMESPACE

/// A field value for typed writes: `val<"ig", 3>`. Checked against the field at compile time
/// when passed to `set` (a value wider than the field does not compile).
template <fixed_string Field, std::uint64_t Value>
struct val {
  static constexpr auto field = Field;
  static constexpr std::uint64_t value = Value;
};

/// A field value named by one of the field's enumerators: `enum_val<"ig", "2KiB">`.
template <fixed_string Field, fixed_string Enumerator>
struct enum_val {
  static constexpr auto field = Field;
  static constexpr auto value = Enumerator;
};

namespace diag {
// Errors of typed access, raised with `(void)&diag::emit<…>` (core/diag.hpp); Reg is the
// register's path as written ("ctrl", or "array/register" inside a reg_array). After one, the
// access goes on with an empty register or field (the poison), so it stays one error.
template <fixed_string Reg>
struct no_register_with_this_name {
  static_assert(always_false_v<Reg>,
                "mmiotree: typed access names a register the block lacks: in "
                "no_register_with_this_name<Reg>, no register of the block has the path Reg "
                "(registers of a reg_array are named \"array/register\")");
};
template <fixed_string Reg, fixed_string Field>
struct register_has_no_field_with_this_name {
  static_assert(always_false_v<Reg>,
                "mmiotree: typed access names a field the register lacks: in "
                "register_has_no_field_with_this_name<Reg, Field>, register Reg has no field "
                "named Field");
};
template <fixed_string Reg, fixed_string Field, std::uint64_t Value, unsigned Bits>
struct value_does_not_fit_in_field {
  static_assert(always_false_v<Reg>,
                "mmiotree: a value written by name must fit in its field: in "
                "value_does_not_fit_in_field<Reg, Field, Value, Bits>, val<Field, Value> does not "
                "fit in field Field of register Reg, which is Bits bits wide");
};
template <fixed_string Reg, fixed_string Field, fixed_string Enumerator>
struct field_has_no_enumerator_with_this_name {
  static_assert(always_false_v<Reg>,
                "mmiotree: enum_val names an enumerator the field lacks: in "
                "field_has_no_enumerator_with_this_name<Reg, Field, Enumerator>, field Field of "
                "register Reg declares no enumerator<Enumerator, ...>");
};
template <fixed_string Lock>
struct block_has_no_lock_with_this_name {
  static_assert(always_false_v<Lock>,
                "mmiotree: set_lock/locked name a lock the block lacks: in "
                "block_has_no_lock_with_this_name<Lock>, no field's lock<...> and no lock_if of "
                "the block names Lock");
};
}  // namespace diag

namespace detail {
template <block_type B, fixed_string Reg>
consteval std::uint32_t reg_index() {
  constexpr std::uint32_t r = find_reg(block_tables_v<B>.regs, Reg.view());
  if constexpr (r == no_index) (void)&diag::emit<diag::no_register_with_this_name<Reg>>;
  return r;
}
/// Field `Field` of register R (no_index after an error: the register unknown, or this).
template <block_type B, std::uint32_t R, fixed_string Field>
consteval std::uint32_t field_index() {
  if constexpr (R == no_index) {
    return no_index;
  } else {
    constexpr auto& t = block_tables_v<B>;
    constexpr std::uint32_t f = find_field(t.regs, t.fields, R, Field.view());
    if constexpr (f == no_index)
      (void)&diag::emit<diag::register_has_no_field_with_this_name<reg_path_fs<B, R>, Field>>;
    return f;
  }
}
/// Register R's descriptor, or an empty one when R is no_index (after a name error): what
/// typed access reads, so that a misspelled name is one error, not one more per use.
template <block_type B, std::uint32_t R>
inline constexpr reg_desc reg_desc_v = R == no_index ? reg_desc{} : block_tables_v<B>.regs[R];
/// Field F's descriptor, or an empty one when F is no_index.
template <block_type B, std::uint32_t F>
inline constexpr field_desc field_desc_v =
    F == no_index ? field_desc{} : block_tables_v<B>.fields[F];
/// The numeric value of `val<Field, V>` for field F, checked.
template <block_type B, fixed_string Reg, std::uint32_t F, class V>
consteval std::uint64_t field_constant() {
  if constexpr (F == no_index) {
    return 0;
  } else {
    constexpr field_desc f = block_tables_v<B>.fields[F];
    if constexpr (std::is_integral_v<decltype(V::value)>) {
      constexpr auto v = static_cast<std::uint64_t>(V::value);
      constexpr unsigned bits = f.hi - f.lo + 1;
      if constexpr (bits < 64 && (v >> bits) != 0) {
        (void)&diag::emit<diag::value_does_not_fit_in_field<Reg, V::field, v, bits>>;
        return 0;
      } else {
        return v;
      }
    } else {
      constexpr std::uint32_t e = [] {
        constexpr field_desc fd = block_tables_v<B>.fields[F];
        for (std::uint32_t k = 0; k < fd.enum_count; ++k)
          if (block_tables_v<B>.enums[fd.first_enum + k].name == V::value.view())
            return fd.first_enum + k;
        return no_index;
      }();
      if constexpr (e == no_index) {
        (void)&diag::emit<diag::field_has_no_enumerator_with_this_name<Reg, V::field, V::value>>;
        return 0;
      } else {
        return block_tables_v<B>.enums[e].value;
      }
    }
  }
}
template <block_type B, fixed_string Lock>
consteval std::uint32_t lock_index() {
  constexpr std::uint32_t l = [] {
    for (std::uint32_t k = 0; k < block_tables_v<B>.lock_count; ++k)
      if (block_tables_v<B>.locks[k].name == Lock.view()) return k;
    return no_index;
  }();
  if constexpr (l == no_index) (void)&diag::emit<diag::block_has_no_lock_with_this_name<Lock>>;
  return l;
}
/// Largest array element count in the block (lock bits are kept per element).
template <block_type B>
inline constexpr std::size_t max_elements_v = [] {
  std::size_t m = 1;
  for (const reg_desc& r : block_tables_v<B>.regs) m = std::max<std::size_t>(m, r.count);
  return m;
}();
}  // namespace detail

/// A typed view of one register value: `v.get<"commit">()`, `v.rose<"commit">(old)`.
template <block_type B, std::uint32_t R>
struct reg_value {
  std::uint64_t raw = 0;

  template <fixed_string Field>
  [[nodiscard]] constexpr std::uint64_t get() const noexcept {
    constexpr field_desc d = detail::field_desc_v<B, detail::field_index<B, R, Field>()>;
    return (raw & d.mask()) >> d.lo;
  }
  /// The field went from 0 to non-zero between `old` and this value.
  template <fixed_string Field>
  [[nodiscard]] constexpr bool rose(const reg_value& old) const noexcept {
    return get<Field>() != 0 && old.template get<Field>() == 0;
  }
  template <fixed_string Field>
  [[nodiscard]] constexpr bool fell(const reg_value& old) const noexcept {
    return get<Field>() == 0 && old.template get<Field>() != 0;
  }
  template <fixed_string Field>
  constexpr void set(std::uint64_t v) noexcept {
    constexpr field_desc d = detail::field_desc_v<B, detail::field_index<B, R, Field>()>;
    raw = (raw & ~d.mask()) | ((v << d.lo) & d.mask());
  }
  [[nodiscard]] constexpr bool operator==(const reg_value&) const = default;
};

/// The plain-data state of a register block: one word per register instance, the write-once
/// bookkeeping, and the manual locks. Device code reads and writes it by name with no guest
/// semantics (a device sets RO/HwInit fields this way).
template <block_type B>
struct register_state {
  // A broken block gets its one error here (not a constraint: a failed constraint would add
  // "constraints not satisfied" to every use); nothing computed below from it adds another.
  static_assert(detail::block_verdict_of<B>::value || true);
  static constexpr std::size_t words = word_count_v<B>;
  static constexpr std::size_t lock_bits = block_tables_v<B>.lock_count * detail::max_elements_v<B>;

  std::array<std::uint64_t, words> value{};
  std::array<std::uint64_t, words> rwo_written{};  ///< RWO bits already written since reset
  std::array<std::uint64_t, (lock_bits + 63) / 64> manual_locks{};

  constexpr register_state() noexcept { reset(); }

  /// Every register to its reset value; write-once bits and manual locks cleared.
  constexpr void reset() noexcept {
    // RsvdZ bits hold nothing, even when the declared reset value sets them.
    constexpr auto& t = block_tables_v<B>;
    for (std::size_t r = 0; r < t.regs.size(); ++r)
      for (std::uint32_t e = 0; e < t.regs[r].count; ++e)
        value[t.regs[r].word + e] = t.regs[r].reset & block_layout_v<B>.masks[r].stored;
    rwo_written = {};
    manual_locks = {};
  }

  [[nodiscard]] constexpr bool operator==(const register_state&) const = default;

  /// The raw value of register `Reg` (element `element` of an array).
  template <fixed_string Reg>
  [[nodiscard]] constexpr reg_value<B, detail::reg_index<B, Reg>()> get(
      std::size_t element = 0) const noexcept {
    constexpr reg_desc d = detail::reg_desc_v<B, detail::reg_index<B, Reg>()>;
    assert(element < d.count);
    return {value[d.word + element]};
  }
  /// One field of register `Reg`.
  template <fixed_string Reg, fixed_string Field>
  [[nodiscard]] constexpr std::uint64_t get(std::size_t element = 0) const noexcept {
    return get<Reg>(element).template get<Field>();
  }

  /// Writes several fields of register `Reg` at once, one store:
  /// `set<"decoder/ctrl">(n, val<"commit", 1>{}, enum_val<"ig", "2KiB">{})`. Values are checked
  /// against their fields at compile time.
  template <fixed_string Reg, class... Values>
  constexpr void set(std::size_t element, Values...) noexcept {
    constexpr std::uint32_t r = detail::reg_index<B, Reg>();
    constexpr reg_desc d = detail::reg_desc_v<B, r>;
    constexpr std::uint64_t clear = (std::uint64_t{0} | ... | field_mask<r, Values>());
    constexpr std::uint64_t bits = (std::uint64_t{0} | ... | field_bits<r, Reg, Values>());
    assert(element < d.count);
    std::uint64_t& w = value[d.word + element];
    w = (w & ~clear) | bits;
  }
  template <fixed_string Reg, class V0, class... Values>
  requires(!std::integral<V0>) constexpr void set(V0 v0, Values... vs) noexcept {
    set<Reg>(0, v0, vs...);
  }

  /// Writes one field from a run-time value. Precondition: it fits (asserted; cut to the
  /// field's width otherwise).
  template <fixed_string Reg, fixed_string Field>
  constexpr void set_field(std::uint64_t v, std::size_t element = 0) noexcept {
    constexpr std::uint32_t r = detail::reg_index<B, Reg>();
    constexpr field_desc d = detail::field_desc_v<B, detail::field_index<B, r, Field>()>;
    assert(((v << d.lo) & ~d.mask()) == 0 && (v << d.lo) >> d.lo == v);
    std::uint64_t& w = value[detail::reg_desc_v<B, r>.word + element];
    w = (w & ~d.mask()) | ((v << d.lo) & d.mask());
  }

  /// Writes a whole register (device side; no field semantics).
  template <fixed_string Reg>
  constexpr void set_raw(std::uint64_t v, std::size_t element = 0) noexcept {
    constexpr reg_desc d = detail::reg_desc_v<B, detail::reg_index<B, Reg>()>;
    value[d.word + element] = v & d.width_mask();
  }

  /// Sets or clears the manual lock `Lock` for an element.
  template <fixed_string Lock>
  constexpr void set_lock(bool on, std::size_t element = 0) noexcept {
    constexpr std::uint32_t l = detail::lock_index<B, Lock>();
    const std::size_t bit = l * detail::max_elements_v<B> + element;
    if (on)
      manual_locks[bit / 64] |= std::uint64_t{1} << (bit % 64);
    else
      manual_locks[bit / 64] &= ~(std::uint64_t{1} << (bit % 64));
  }

  /// Whether lock `l` holds for `element`: set by hand, or computed by its lock_if.
  [[nodiscard]] constexpr bool lock_holds(std::uint32_t l, std::size_t element) const noexcept {
    const std::size_t bit = l * detail::max_elements_v<B> + element;
    if ((manual_locks[bit / 64] >> (bit % 64)) & 1U) return true;
    const lock_desc& d = block_tables_v<B>.locks[l];
    if (d.reg == no_index) return false;
    const reg_desc& r = block_tables_v<B>.regs[d.reg];
    const std::size_t e = r.count > 1 ? element : 0;
    return (value[r.word + e] & d.mask) == d.mask;
  }
  template <fixed_string Lock>
  [[nodiscard]] constexpr bool locked(std::size_t element = 0) const noexcept {
    return lock_holds(detail::lock_index<B, Lock>(), element);
  }

 private:
  template <std::uint32_t R, class V>
  static consteval std::uint64_t field_mask() {
    constexpr std::uint32_t f = detail::field_index<B, R, V::field>();
    if constexpr (f == no_index)
      return 0;
    else
      return block_tables_v<B>.fields[f].mask();
  }
  template <std::uint32_t R, fixed_string Reg, class V>
  static consteval std::uint64_t field_bits() {
    constexpr std::uint32_t f = detail::field_index<B, R, V::field>();
    if constexpr (f == no_index)
      return 0;
    else
      return detail::field_constant<B, Reg, f, V>() << block_tables_v<B>.fields[f].lo;
  }
};

/// What a write hook sees: the element written, the value before, the value the field rules
/// produced (`before_write` may change it; `after_write` sees what was stored), and the
/// block's state for further device-side changes.
template <block_type B, fixed_string Reg>
struct write_event {
  static constexpr std::uint32_t reg = detail::reg_index<B, Reg>();
  std::size_t element;
  reg_value<B, reg> old;
  reg_value<B, reg> now;
  register_state<B>& regs;
};

/// What a read hook sees: the value returned to the guest (before RC clearing).
template <block_type B, fixed_string Reg>
struct read_event {
  static constexpr std::uint32_t reg = detail::reg_index<B, Reg>();
  std::size_t element;
  reg_value<B, reg> value;
  register_state<B>& regs;
};

/// No hooks: the field rules alone.
struct no_hooks {};

/// The hooks a device can implement for a register.
enum class hook_kind : std::uint8_t { before_write, after_write, after_read };

/// Hook declarations, listed after the hooks class in `register_file<Block, Device, ...>`: each
/// says the device implements that hook for register `Reg` ("array/register" in a reg_array),
/// with exactly this signature (a non-static member, const or not, returning void):
///
///   before_write_to<Reg>   void before_write(write_event<Block, Reg>&)
///   after_write_to<Reg>    void after_write(write_event<Block, Reg>&)
///   after_read_from<Reg>   void after_read(read_event<Block, Reg>&)
///
/// The register_file calls the declared hooks and no others, and refuses to compile when a
/// declared hook is missing or has another signature (a misspelled name, a parameter by value,
/// another register's event), when the device implements a hook it did not declare, or when a
/// hooks object declares none: a hook that would never run is an error, not a silence.
template <fixed_string Reg>
struct before_write_to {
  static constexpr hook_kind kind = hook_kind::before_write;
  static constexpr auto reg = Reg;
};
template <fixed_string Reg>
struct after_write_to {
  static constexpr hook_kind kind = hook_kind::after_write;
  static constexpr auto reg = Reg;
};
template <fixed_string Reg>
struct after_read_from {
  static constexpr hook_kind kind = hook_kind::after_read;
  static constexpr auto reg = Reg;
};

template <class T>
concept hook_declaration = requires {
  { T::kind } -> std::convertible_to<hook_kind>;
  { T::reg.view() } -> std::convertible_to<std::string_view>;
};

namespace diag {
template <fixed_string Hook, fixed_string Reg>
struct hook_declared_but_not_implemented {
  static_assert(always_false_v<Hook>,
                "mmiotree: a declared hook must exist with its exact signature: in "
                "hook_declared_but_not_implemented<Hook, Reg>, the hooks class has no member "
                "`void Hook(write_event<Block, Reg>&)` (read_event for after_read), so it would "
                "never run: a misspelled name, a parameter by value or const, or the event of "
                "another register or block");
};
template <fixed_string Hook, fixed_string Reg>
struct hook_implemented_but_not_declared {
  static_assert(always_false_v<Hook>,
                "mmiotree: every hook a device implements is declared: in "
                "hook_implemented_but_not_declared<Hook, Reg>, the hooks class has a Hook that "
                "takes register Reg's event, and the register_file's hook list does not declare "
                "it (add before_write_to<Reg>, after_write_to<Reg> or after_read_from<Reg>)");
};
template <fixed_string Hook, fixed_string Reg>
struct hook_declared_twice {
  static_assert(always_false_v<Hook>,
                "mmiotree: a hook is declared once: in hook_declared_twice<Hook, Reg>, the "
                "register_file's hook list names Hook for register Reg more than once");
};
template <class Hooks>
struct hooks_object_declares_no_hooks {
  static_assert(always_false_v<sizeof(Hooks*)>,
                "mmiotree: a register_file given a hooks object declares the hooks it calls: in "
                "hooks_object_declares_no_hooks<Hooks>, list them after Hooks "
                "(register_file<Block, Hooks, after_write_to<\"reg\">, ...>), or use "
                "register_file<Block> for the field rules alone");
};
}  // namespace diag

namespace detail {
// Whether H has the hook with exactly the declared signature, as a non-const or a const member
// (taking the event by non-const reference, returning void; a template deduces it).
template <class H, class E>
concept before_write_member = requires {
  static_cast<void (H::*)(E&)>(&H::before_write);
};
template <class H, class E>
concept before_write_const_member = requires {
  static_cast<void (H::*)(E&) const>(&H::before_write);
};
template <class H, class E>
concept after_write_member = requires {
  static_cast<void (H::*)(E&)>(&H::after_write);
};
template <class H, class E>
concept after_write_const_member = requires {
  static_cast<void (H::*)(E&) const>(&H::after_write);
};
template <class H, class E>
concept after_read_member = requires {
  static_cast<void (H::*)(E&)>(&H::after_read);
};
template <class H, class E>
concept after_read_const_member = requires {
  static_cast<void (H::*)(E&) const>(&H::after_read);
};
// Whether a call of the hook with the event compiles at all, whatever the signature.
template <class H, class E>
concept before_write_callable = requires(H& h, E& e) {
  h.before_write(e);
};
template <class H, class E>
concept after_write_callable = requires(H& h, E& e) {
  h.after_write(e);
};
template <class H, class E>
concept after_read_callable = requires(H& h, E& e) {
  h.after_read(e);
};

/// Whether `H` implements hook K for the event `Event` with exactly the declared signature.
template <class H, hook_kind K, class Event>
consteval bool hook_exact() {
  if constexpr (K == hook_kind::before_write) {
    return before_write_member<H, Event> || before_write_const_member<H, Event>;
  } else if constexpr (K == hook_kind::after_write) {
    return after_write_member<H, Event> || after_write_const_member<H, Event>;
  } else {
    return after_read_member<H, Event> || after_read_const_member<H, Event>;
  }
}
/// Whether a call of hook K with `Event` compiles (the hooks check_undeclared looks for).
template <class H, hook_kind K, class Event>
consteval bool hook_callable() {
  if constexpr (K == hook_kind::before_write) {
    return before_write_callable<H, Event>;
  } else if constexpr (K == hook_kind::after_write) {
    return after_write_callable<H, Event>;
  } else {
    return after_read_callable<H, Event>;
  }
}
template <class Error, hook_kind K, fixed_string Reg>
consteval void emit_hook_error() {
  if constexpr (K == hook_kind::before_write)
    (void)&diag::emit<typename Error::template with<"before_write", Reg>>;
  else if constexpr (K == hook_kind::after_write)
    (void)&diag::emit<typename Error::template with<"after_write", Reg>>;
  else
    (void)&diag::emit<typename Error::template with<"after_read", Reg>>;
}
struct not_implemented {
  template <fixed_string H, fixed_string R>
  using with = diag::hook_declared_but_not_implemented<H, R>;
};
struct not_declared {
  template <fixed_string H, fixed_string R>
  using with = diag::hook_implemented_but_not_declared<H, R>;
};
struct twice {
  template <fixed_string H, fixed_string R>
  using with = diag::hook_declared_twice<H, R>;
};
}  // namespace detail

/// A register block's state plus its guest semantics and the device's hooks. Satisfies
/// `io_handler`, and binds to the block's `regs` region in an address_space.
///
/// Guest writes per field kind: RW/WO take the value; RWL takes it unless its lock holds
/// (decided on the state before the write, so a write that makes its own lock hold still
/// lands); RWO takes the first write after reset, bit by bit: a write uses up the write-once of
/// the RWO bits in the bytes it writes, whatever values it writes there, and no others — an
/// RWO field written one byte at a time keeps each byte's first write; RW1C clears the bits
/// written as 1; RW1S sets them; RO/HwInit/RC/RsvdP keep the old value; RsvdZ and bits outside
/// every field stay 0. A partial write (fewer bytes than the register) touches only the bytes
/// written. Guest reads return the value with RsvdZ/WO/uncovered bits as 0, then clear the RC
/// bits of the bytes read; RC bits in the register's other bytes keep their value. Bytes of
/// the block that no register covers read 0 and ignore writes.
///
/// An access that covers several registers (wholly or in part) is carried out one register
/// after the other in ascending offset order, each with its own lock check and hooks, as the
/// separate bus accesses it stands for: a lock that a hook latches while the lower register is
/// written already holds for the higher ones. The hooks run for every register an access
/// touches, even by one byte; `peek` runs none.
namespace detail {
/// A hooks object that judges a restored state beyond the block's own bit rules
/// (cxl::hdm_decoders: a committed decoder obeys the commit rules).
template <class H, class B>
concept judges_state = requires(const H& h, const register_state<B>& s) {
  { h.valid_state(s) } -> std::convertible_to<bool>;
};
/// A hooks object that rebuilds what it derives from the state after a restore.
template <class H>
concept hears_restore = requires(H& h) {
  h.state_restored();
};
/// A hooks object with state of its own that a snapshot of the block must carry — state the
/// device latched, which the registers no longer say (cxl::hdm_decoders: the DPA each decoder
/// committed with). Its `extra_state_size` bytes follow the block's in the snapshot; it judges
/// the two together (`valid_state(s, extra)`, instead of `judges_state`'s form).
template <class H, class B>
concept keeps_extra_state = requires(const H& h, H& m, const register_state<B>& s,
                                     std::span<std::byte> out, std::span<const std::byte> in) {
  { H::extra_state_size } -> std::convertible_to<std::size_t>;
  h.save_extra_state(out);
  { h.valid_state(s, in) } -> std::convertible_to<bool>;
  m.restore_extra_state(in);
};
}  // namespace detail

template <block_type B, class Hooks = no_hooks, hook_declaration... Declared>
class register_file {
  static_assert(detail::block_verdict_of<B>::value || true);  // as register_state's

 public:
  using block = B;
  using hooks_type = Hooks;
  static constexpr auto& tables = block_tables_v<B>;
  static constexpr auto& layout = block_layout_v<B>;

  register_file() noexcept requires(std::same_as<Hooks, no_hooks> && sizeof...(Declared) == 0) {
    // The protocols the address space binds it by (core/handler.hpp), checked where they are
    // implemented rather than where a binding first needs them.
    static_assert(io_handler<register_file> && stateful_handler<register_file>);
  }
  /// Checks the declared hooks against `Hooks` here, where the device class is complete.
  explicit register_file(Hooks& hooks) noexcept : hooks_(&hooks) {
    [[maybe_unused]] constexpr bool checked = check_hooks();
    static_assert(io_handler<register_file> && stateful_handler<register_file>);
  }

  register_file(const register_file&) = delete;
  register_file& operator=(const register_file&) = delete;

  [[nodiscard]] register_state<B>& state() noexcept { return state_; }
  [[nodiscard]] const register_state<B>& state() const noexcept { return state_; }
  void reset() noexcept { state_.reset(); }

  /// Typed device-side access, forwarded to the state.
  template <fixed_string Reg, fixed_string Field>
  [[nodiscard]] std::uint64_t get(std::size_t element = 0) const noexcept {
    return state_.template get<Reg, Field>(element);
  }
  template <fixed_string Reg>
  [[nodiscard]] auto get(std::size_t element = 0) const noexcept {
    return state_.template get<Reg>(element);
  }
  template <fixed_string Reg, class... Values>
  void set(Values... vs) noexcept {
    state_.template set<Reg>(vs...);
  }

  // Snapshot support (the address space saves bound register files with its own state).

  /// Bytes of `save_state`: the block's state, then the hooks object's own (keeps_extra_state).
  [[nodiscard]] static constexpr std::size_t snapshot_size() noexcept {
    if constexpr (detail::keeps_extra_state<Hooks, B>)
      return sizeof(register_state<B>) + Hooks::extra_state_size;
    else
      return sizeof(register_state<B>);
  }
  /// Writes the state (plain data: registers, write-once bits, manual locks) to `out`, field by
  /// field over zeros: the state's object may hold bytes no field owns (a block without manual
  /// locks still has a one-byte empty array, padded to 8), and a snapshot carries no
  /// indeterminate byte — two equal states save to equal blobs.
  void save_state(std::span<std::byte> out) const noexcept {
    assert(out.size() == snapshot_size());
    std::fill(out.begin(), out.end(), std::byte{0});
    const auto* base = reinterpret_cast<const std::byte*>(&state_);
    const auto put = [&](const auto& field) {
      if (field.empty()) return;
      std::memcpy(out.data() + (reinterpret_cast<const std::byte*>(&field) - base), field.data(),
                  sizeof(field[0]) * field.size());
    };
    put(state_.value);
    put(state_.rwo_written);
    put(state_.manual_locks);
    if constexpr (detail::keeps_extra_state<Hooks, B>)
      hooks_->save_extra_state(out.subspan(sizeof(register_state<B>)));
  }
  /// Whether `in` is a state this block could hold: the right length, no bit set outside what
  /// each register stores, write-once bookkeeping only on RWO bits, no unknown lock bit — and,
  /// when the hooks object has `valid_state(const register_state<B>&)`, what it says.
  [[nodiscard]] bool validate_state(std::span<const std::byte> in) const noexcept {
    if (in.size() != snapshot_size()) return false;
    register_state<B> s;
    std::memcpy(&s, in.data(), sizeof s);
    for (std::size_t r = 0; r < tables.regs.size(); ++r)
      for (std::uint32_t e = 0; e < tables.regs[r].count; ++e) {
        const std::size_t word = tables.regs[r].word + e;
        if ((s.value[word] & ~layout.masks[r].stored) != 0) return false;
        if ((s.rwo_written[word] & ~layout.masks[r].rwo) != 0) return false;
      }
    for (std::size_t bit = register_state<B>::lock_bits; bit < 64 * s.manual_locks.size(); ++bit)
      if ((s.manual_locks[bit / 64] >> (bit % 64)) & 1U) return false;
    if constexpr (detail::keeps_extra_state<Hooks, B>)
      return hooks_->valid_state(s, in.subspan(sizeof(register_state<B>)));
    else if constexpr (detail::judges_state<Hooks, B>)
      return hooks_->valid_state(s);
    return true;
  }
  /// Replaces the state with `in` (which `validate_state` accepted). No register hook runs; a
  /// hooks object with `state_restored()` is told.
  void restore_state(std::span<const std::byte> in) noexcept {
    std::memcpy(&state_, in.data(), sizeof state_);
    if constexpr (detail::keeps_extra_state<Hooks, B>)
      hooks_->restore_extra_state(in.subspan(sizeof state_));
    if constexpr (detail::hears_restore<Hooks>) hooks_->state_restored();
  }

  /// Guest read of `size` (1–8) bytes at `offset` in the block.
  std::uint64_t read(addr_t offset, unsigned size) { return access<true, false>(offset, size, 0); }
  /// Guest write of the low `size` bytes of `value` at `offset`.
  void write(addr_t offset, unsigned size, std::uint64_t value) {
    (void)access<false, false>(offset, size, value);
  }
  /// A read with no side effect: no RC clearing, no hook. For dumps and debuggers.
  [[nodiscard]] std::uint64_t peek(addr_t offset, unsigned size) const {
    return const_cast<register_file*>(this)->template access<true, true>(offset, size, 0);
  }

 private:
  static constexpr std::size_t reg_count = tables.regs.size();

  // The hooks: declared by the Declared list, checked once against Hooks (check_hooks), then
  // called where both hold, so that an error stays one error.
  template <hook_kind K, std::uint32_t R>
  using event_t =
      std::conditional_t<K == hook_kind::after_read, read_event<B, detail::reg_path_fs<B, R>>,
                         write_event<B, detail::reg_path_fs<B, R>>>;
  template <hook_kind K, std::uint32_t R>
  static constexpr bool declared =
      ((Declared::kind == K && detail::find_reg(tables.regs, Declared::reg.view()) == R) || ...);
  template <hook_kind K, std::uint32_t R>
  static consteval bool calls() {
    if constexpr (declared<K, R>)
      return detail::hook_exact<Hooks, K, event_t<K, R>>();
    else
      return false;
  }

  static consteval bool check_hooks() {
    if constexpr (sizeof...(Declared) == 0) {
      (void)&diag::emit<diag::hooks_object_declares_no_hooks<Hooks>>;
    } else {
      (check_declared<Declared>(), ...);
      [&]<std::size_t... R>(std::index_sequence<R...>) {
        (check_undeclared<static_cast<std::uint32_t>(R)>(), ...);
      }
      (std::make_index_sequence<reg_count>{});
    }
    return true;
  }
  template <class D>
  static consteval void check_declared() {
    constexpr std::uint32_t r = detail::reg_index<B, D::reg>();  // reports an unknown name
    if constexpr (r != no_index) {
      constexpr std::size_t times =
          ((Declared::kind == D::kind && Declared::reg.view() == D::reg.view() ? 1 : 0) + ...);
      if constexpr (times > 1)
        detail::emit_hook_error<detail::twice, D::kind, D::reg>();
      else if constexpr (!detail::hook_exact<Hooks, D::kind, event_t<D::kind, r>>())
        detail::emit_hook_error<detail::not_implemented, D::kind, D::reg>();
    }
  }
  template <std::uint32_t R>
  static consteval void check_undeclared() {
    check_undeclared_kind<hook_kind::before_write, R>();
    check_undeclared_kind<hook_kind::after_write, R>();
    check_undeclared_kind<hook_kind::after_read, R>();
  }
  template <hook_kind K, std::uint32_t R>
  static consteval void check_undeclared_kind() {
    if constexpr (!declared<K, R> && detail::hook_callable<Hooks, K, event_t<K, R>>())
      detail::emit_hook_error<detail::not_declared, K, detail::reg_path_fs<B, R>>();
  }

  // The common guest access covers exactly one register: `exact_` finds it in one load. Every
  // register lies at a multiple of its width (check_block), so at a multiple of the narrowest
  // width in the block, `granule_`; `exact_[offset / granule_]` describes the instance starting
  // there — its register, its element and its width, packed in one entry so that the access
  // needs no further table before it calls the register's function (`width` 0: none starts
  // there). Kept for blocks of up to 4096 granules (a 16 KiB block of 32-bit registers) whose
  // registers and elements fit the fields; others take the search below. With a constant offset
  // the compiler folds the table, the register's width and its write function: a typed guest
  // write compiles to the field rules' masks.
  static constexpr addr_t granule_ = [] {
    unsigned g = 8;
    for (const reg_desc& r : tables.regs) g = std::min(g, std::max(r.bytes(), 1U));
    return addr_t{g};
  }();
  // One word, so that the access reads it with one load and keeps it in a register (a
  // struct of three fields was copied to the stack and read back, field by field).
  struct exact_entry {
    std::uint64_t bits = 0;  ///< reg (15:0), element (31:16), width in bytes (39:32; 0: none)
    [[nodiscard]] constexpr std::uint32_t reg() const noexcept { return bits & 0xFFFF; }
    [[nodiscard]] constexpr std::uint32_t element() const noexcept { return (bits >> 16) & 0xFFFF; }
    [[nodiscard]] constexpr unsigned width() const noexcept {
      return static_cast<unsigned>(bits >> 32);
    }
  };
  static constexpr bool exact_fits_ = [] {
    if (tables.regs.size() > 0xFFFF) return false;
    for (const reg_desc& r : tables.regs)
      if (r.count > 0x10000) return false;
    return true;
  }();
  static constexpr std::size_t exact_entries_ =
      exact_fits_ && (B::size + granule_ - 1) / granule_ <= 4096
          ? (B::size + granule_ - 1) / granule_
          : 0;
  static constexpr auto exact_ = [] {
    std::array<exact_entry, exact_entries_> a{};
    if constexpr (exact_entries_ != 0)
      for (std::size_t i = 0; i < layout.instances.size(); ++i) {
        const reg_instance& in = layout.instances[i];
        // In range unless the block failed check_block (a register past its end): that error
        // is already reported, and an out-of-bounds store here would add a second one.
        if (in.offset / granule_ < exact_entries_)
          a[in.offset / granule_] = {std::uint64_t{in.reg} | (std::uint64_t{in.element} << 16) |
                                     (std::uint64_t{tables.regs[in.reg].bytes()} << 32)};
      }
    return a;
  }();

  template <bool Read, bool Peek>
  std::uint64_t access(addr_t offset, unsigned size, std::uint64_t value) {
    if constexpr (exact_entries_ != 0) {
      if (offset < B::size && offset % granule_ == 0) {
        const exact_entry e = exact_[offset / granule_];
        if (e.width() == size) {
          const std::uint64_t part = detail::width_mask(size);
          if constexpr (Read) {
            return read_one(e.reg(), e.element(), part, Peek) & part;
          } else {
            write_one(e.reg(), e.element(), part, value & part);
            return 0;
          }
        }
      }
    }
    return general_access<Read, Peek>(offset, size, value);
  }

  // Register r's read or write function. In a block of up to `direct_calls_max` registers,
  // by direct calls picked by comparing r: the compiler folds a known r and inlines the call,
  // or makes a jump table. (A pointer loaded from the function tables is resolved only after
  // inlining is decided, so a constant offset still left one call per access: a W1C write took
  // 5 ns against 0.6 ns by hand, docs/benchmarks.md "Typed registers".) Larger blocks use the
  // tables.
  static constexpr std::size_t direct_calls_max = 32;
  std::uint64_t read_one(std::uint32_t r, std::uint32_t element, std::uint64_t byte_mask,
                         bool peek) {
    if constexpr (reg_count <= direct_calls_max) {
      return [&]<std::size_t... R>(std::index_sequence<R...>) {
        std::uint64_t v = 0;
        (void)((r == R && (v = read_reg<R>(*this, element, byte_mask, peek), true)) || ...);
        return v;
      }
      (std::make_index_sequence<reg_count>{});
    } else {
      return read_fns_[r](*this, element, byte_mask, peek);
    }
  }
  void write_one(std::uint32_t r, std::uint32_t element, std::uint64_t byte_mask, std::uint64_t w) {
    if constexpr (reg_count <= direct_calls_max) {
      [&]<std::size_t... R>(std::index_sequence<R...>) {
        (void)((r == R && (write_reg<R>(*this, element, byte_mask, w), true)) || ...);
      }
      (std::make_index_sequence<reg_count>{});
    } else {
      write_fns_[r](*this, element, byte_mask, w);
    }
  }

  /// Any access: partial registers, several registers, bytes no register covers. Kept out of
  /// line: inlined, its loop's registers made every access save and restore six callee-saved
  /// registers, the one-register path included.
  template <bool Read, bool Peek>
  [[gnu::noinline]] std::uint64_t general_access(addr_t offset, unsigned size,
                                                 std::uint64_t value) {
    if (size == 0 || size > 8 || offset >= B::size || B::size - offset < size) return 0;
    const addr_t end = offset + size;
    // First instance whose end passes `offset`: instances are sorted and do not overlap.
    const auto& inst = layout.instances;
    auto it = std::upper_bound(inst.begin(), inst.end(), offset,
                               [](addr_t o, const reg_instance& i) { return o < i.offset; });
    if (it != inst.begin()) --it;
    std::uint64_t result = 0;
    for (; it != inst.end() && it->offset < end; ++it) {
      const reg_desc& r = tables.regs[it->reg];
      const addr_t r_end = it->offset + r.bytes();
      if (r_end <= offset) continue;
      // Bytes [lo, hi) of the access overlap bytes [lo - it->offset, …) of the register.
      const addr_t lo = std::max(offset, it->offset);
      const addr_t hi = std::min(end, r_end);
      const unsigned reg_shift = static_cast<unsigned>(8 * (lo - it->offset));
      const unsigned acc_shift = static_cast<unsigned>(8 * (lo - offset));
      const unsigned nbits = static_cast<unsigned>(8 * (hi - lo));
      const std::uint64_t part = nbits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << nbits) - 1;
      const std::uint64_t byte_mask = part << reg_shift;
      if constexpr (Read) {
        const std::uint64_t v = read_fns_[it->reg](*this, it->element, byte_mask, Peek);
        result |= ((v >> reg_shift) & part) << acc_shift;
      } else {
        const std::uint64_t w = ((value >> acc_shift) & part) << reg_shift;
        write_fns_[it->reg](*this, it->element, byte_mask, w);
      }
    }
    return result;
  }

  template <std::uint32_t R>
  static std::uint64_t read_reg(register_file& self, std::uint32_t element, std::uint64_t byte_mask,
                                bool peek) {
    constexpr reg_masks m = block_layout_v<B>.masks[R];
    constexpr reg_desc d = block_tables_v<B>.regs[R];
    std::uint64_t& word = self.state_.value[d.word + element];
    const std::uint64_t v = word & ~m.read_zero;
    if (!peek) {
      if constexpr (m.rc != 0) word &= ~(m.rc & byte_mask);
      if constexpr (calls<hook_kind::after_read, R>()) {
        read_event<B, detail::reg_path_fs<B, R>> e{element, {v}, self.state_};
        self.hooks_->after_read(e);
      }
    }
    return v;
  }

  template <std::uint32_t R>
  static void write_reg(register_file& self, std::uint32_t element, std::uint64_t byte_mask,
                        std::uint64_t w) {
    constexpr reg_masks m = block_layout_v<B>.masks[R];
    constexpr reg_desc d = block_tables_v<B>.regs[R];
    register_state<B>& st = self.state_;
    const std::size_t word = d.word + element;
    const std::uint64_t old = st.value[word];
    std::uint64_t locked = 0;
    for (const rwl_guard& g : rwl_guards_v<B, R>)
      if (st.lock_holds(g.lock, element)) locked |= g.mask;
    const std::uint64_t rwo_open = m.rwo & ~st.rwo_written[word];
    const std::uint64_t take = (m.writable | (m.rwl & ~locked) | rwo_open) & byte_mask;
    std::uint64_t now = (old & ~take) | (w & take);
    now &= ~(m.w1c & byte_mask & w);
    now |= m.w1s & byte_mask & w;
    now &= m.stored;
    using event = write_event<B, detail::reg_path_fs<B, R>>;
    if constexpr (calls<hook_kind::before_write, R>()) {
      event e{element, {old}, {now}, st};
      self.hooks_->before_write(e);
      now = e.now.raw & m.stored;
    }
    st.value[word] = now;
    st.rwo_written[word] |= rwo_open & byte_mask;
    if constexpr (calls<hook_kind::after_write, R>()) {
      event e{element, {old}, {now}, st};
      self.hooks_->after_write(e);
    }
  }

  using read_fn = std::uint64_t (*)(register_file&, std::uint32_t, std::uint64_t, bool);
  using write_fn = void (*)(register_file&, std::uint32_t, std::uint64_t, std::uint64_t);
  static constexpr auto read_fns_ = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<read_fn, sizeof...(I)>{&read_reg<static_cast<std::uint32_t>(I)>...};
  }
  (std::make_index_sequence<reg_count>{});
  static constexpr auto write_fns_ = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<write_fn, sizeof...(I)>{&write_reg<static_cast<std::uint32_t>(I)>...};
  }
  (std::make_index_sequence<reg_count>{});

  register_state<B> state_{};
  Hooks* hooks_ = nullptr;
};

MMIOTREE_END_NAMESPACE
