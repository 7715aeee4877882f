// vfio/config_passthrough.hpp: a passed-through PCI function's configuration space — the
// device's own bytes, read and written through the VFIO configuration region, with the registers
// a VMM must own laid over them as typed registers at a higher priority. Linux only (it reads a
// `region_io`); not in mmiotree.hpp.
//
//   using fn = pci::function<ids, pci::bars<pci::mem64<0, 16_MiB>, pci::mem64<2, 4_MiB>>, …>;
//   vfio::fd_region config(device_fd, config_info.offset, config_info.size);   // region 7
//   vfio::passthrough_function<fn> cfg(config);
//   if (const auto m = cfg.verify(bar_sizes); !m.ok()) refuse(m.mismatches);
//   pci::bar_slots bars(cfg.function(), {space.slot<"pci64/bar0">(), {},
//   space.slot<"pci64/bar2">()}); ecam.attach(0, 2, 0, cfg);                               // guest
//   configuration accesses space.attach_state(0x0000'0210, cfg.function());         // the VMM's
//   registers in snapshots
//
// The configuration space is a tree, checked by the same compiler as any other:
//
//   config (container, 4 KiB)
//     device       io, priority 0: the VFIO configuration region (pread/pwrite)
//     <overlays>   priority 1: each `virtualise<Reg, Fields…>` a register of F's configuration
//                  space that the VMM holds; each `emulate<Offset, R>` a region of the VMM's own
//
// so two overlays over one byte, or an overlay past the 4 KiB, do not compile.
//
// `vmm_fields<F>`, the default, virtualises what a VMM must own (QEMU's vfio-pci owns the same):
//   - BAR0–5: the guest programs guest-physical addresses and sizes BARs; the device keeps its
//     host addresses;
//   - I/O and Memory Space Enable in Command: they move the guest's BAR slots; the device keeps
//     decoding for the host's mappings. Command's other bits — Bus Master above all: the device
//     needs it for DMA — are the device's;
//   - MSI-X Message Control, when F has a capability named "msix": the VMM routes interrupts;
//   - when F has the CXL Device DVSEC named "cxl_device": its Control, Lock and range bases — a
//     guest that enables, locks or re-bases the device's memory must not do it to the host's.
// Everything else — the IDs, Status, both capability lists, every other capability — is the
// device's, read and written through. The Expansion ROM BAR is passed through too (vfio-pci
// virtualises it in the kernel); a VMM that hides the ROM adds `virtualise<"expansion_rom">`.
//
// A virtualised register lives in the VMM's `pci::function_device<F>` — its BAR decode, its
// `bar_slots`, its MSI-X listener, its snapshot, all as for an emulated function. A register
// virtualised in some fields only reads those from the VMM and the others from the device; a
// write reaches both: the VMM's bits its registers, the others the device, written through with
// the device's own virtualised bits written back as it holds them (write-1-to-clear or -set bits
// as 0, so that the write-back changes nothing). A write to a wholly virtualised register never
// reaches the device. A device access that fails reads as all-ones and is counted
// (`device_failures`).
//
// `verify(bar_sizes)` says whether the device is the one F describes, before a guest sees it —
// a virtualised register in the wrong place would hide the device's bytes and show the VMM's:
// the IDs (when F names them), a type-0 header, every BAR's size (from VFIO region info) and
// type, each capability that holds a virtualised register present in the device's list at the
// offset F places it with the same ID (and, for a DVSEC, vendor, revision and DVSEC ID), and
// every read-only field of a virtualised register holding the value the device has (the guest
// sees F's value there: an MSI-X Table Size that differed would make the guest program vectors
// the device does not have).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/region_io.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

using namespace mmiotree::literals;

/// Register `Reg` of the function type's configuration space (a path of its block: "bar0",
/// "msix/control"), held by the VMM: the whole register, or only the bits of `Fields`.
template <fixed_string Reg, fixed_string... Fields>
struct virtualise {};

/// Region `R` of the VMM's own at `Offset` of configuration space (an emulated capability the
/// device lacks, say), at priority 1; the VMM binds it (`space().bind<R::name>(…)`).
template <addr_t Offset, region R>
struct emulate {};

/// The overlays of a passed-through function's configuration space.
template <class... O>
struct overlays {};

namespace diag {
template <fixed_string Name, fixed_string Offset, fixed_string Size>
struct overlay_outside_configuration_space {
  static_assert(mmiotree::diag::always_false_v<Offset>,
                "mmiotree: a configuration-space overlay lies inside the 4 KiB configuration "
                "space: in overlay_outside_configuration_space<Name, Offset, Size>, region Name "
                "of Size bytes at Offset runs past 0xFFF");
};
}  // namespace diag

namespace detail {

/// The device's bytes: configuration accesses (1, 2 or 4 bytes, aligned); an access that
/// crosses into an overlay is cut there.
inline constexpr access_policy device_access{
    .valid = sizes(1, 4),
    .impl_min = 1,
    .impl_max = 4,
    .unaligned = false,
    .align = 4,
    .on_straddle = straddle::split,
};
/// A virtualised register of `Bytes` bytes.
template <unsigned Bytes>
inline constexpr access_policy register_access{
    .valid = sizes(1, 4),
    .impl_min = 1,
    .impl_max = static_cast<std::uint8_t>(Bytes),
    .unaligned = false,
    .align = Bytes,
    .on_straddle = straddle::split,
};

/// A register path as a region name: "msix/control" becomes "msix.control".
template <fixed_string S>
inline constexpr auto dotted = [] {
  fixed_string<S.size()> f{};
  for (std::size_t i = 0; i < S.size(); ++i) f.value[i] = S.value[i] == '/' ? '.' : S.value[i];
  return f;
}();

/// Bits of register R's fields whose write is an action, not a value (RW1C, RW1S): written back
/// as 0 to leave them as they are.
template <class B>
constexpr std::uint64_t action_bits(std::uint32_t r) {
  const auto& t = block_tables_v<B>;
  std::uint64_t m = 0;
  for (std::uint32_t k = 0; k < t.regs[r].field_count; ++k) {
    const field_desc& f = t.fields[t.regs[r].first_field + k];
    if (f.access == field_access::rw1c || f.access == field_access::rw1s) m |= f.mask();
  }
  return m;
}

/// What one overlay contributes: whether it is correct, a register the VMM holds (and which
/// bits), and its placement in the tree.
template <class B, class O>
struct overlay_of;

template <class B, fixed_string Reg, fixed_string... Fields>
struct overlay_of<B, virtualise<Reg, Fields...>> {
  static constexpr std::uint32_t r = mmiotree::detail::reg_index<B, Reg>();
  static constexpr bool ok =
      r != no_index && ((mmiotree::detail::field_index<B, r, Fields>() != no_index) && ...);
  static constexpr reg_desc d = mmiotree::detail::reg_desc_v<B, r>;
  static constexpr bool is_register = true;
  /// The VMM's bits.
  static constexpr std::uint64_t mask =
      sizeof...(Fields) == 0
          ? d.width_mask()
          : (std::uint64_t{0} | ... |
             mmiotree::detail::field_desc_v<B, mmiotree::detail::field_index<B, r, Fields>()>.mask());
  static constexpr std::uint64_t actions = ok ? action_bits<B>(r) : 0;
  using placement = at<d.offset, io<dotted<Reg>, d.width / 8, register_access<d.width / 8>>, 1>;
};

template <addr_t Offset, class R>
consteval bool fits_config_space() {
  if constexpr (Offset >= 4_KiB || R::size == 0 || R::size > 4_KiB - Offset) {
    (void)&mmiotree::diag::emit<diag::overlay_outside_configuration_space<
        R::name, mmiotree::diag::hex<Offset>, mmiotree::diag::hex<R::size>>>;
    return false;
  } else {
    return true;
  }
}

template <class B, addr_t Offset, class R>
struct overlay_of<B, emulate<Offset, R>> {
  static constexpr bool ok = fits_config_space<Offset, R>();
  static constexpr bool is_register = false;
  static constexpr std::uint32_t r = no_index;
  static constexpr std::uint64_t mask = 0, actions = 0;
  using placement = at<Offset, R, 1>;
};

template <bool Ok, class... Info>
struct config_tree {
  // After an error, the device alone (the poison): no second error.
  using type = container<"config", 4_KiB, at<0, io<"device", 4_KiB, device_access>, 0>>;
};
template <class... Info>
struct config_tree<true, Info...> {
  using type = container<"config", 4_KiB, at<0, io<"device", 4_KiB, device_access>, 0>,
                         typename Info::placement...>;
};

template <class F, class Overlays>
struct vmm_fields_of;

/// The overlays the VMM must own (see the file comment).
template <class F>
struct vmm_fields_of<F, void> {
  using block = typename F::config;
  static constexpr bool msix =
      mmiotree::detail::find_reg(block_tables_v<block>.regs, "msix/control") != no_index;
  static constexpr bool cxl =
      mmiotree::detail::find_reg(block_tables_v<block>.regs, "cxl_device/control") != no_index;
  using base = overlays<virtualise<"command", "io_space", "memory_space">, virtualise<"bar0">,
                        virtualise<"bar1">, virtualise<"bar2">, virtualise<"bar3">,
                        virtualise<"bar4">, virtualise<"bar5">>;
  template <class... A, class... M, class... C>
  static auto cat(overlays<A...>, overlays<M...>, overlays<C...>) -> overlays<A..., M..., C...>;
  using type = decltype(cat(
      base{}, std::conditional_t<msix, overlays<virtualise<"msix/control">>, overlays<>>{},
      std::conditional_t<
          cxl,
          overlays<virtualise<"cxl_device/control">, virtualise<"cxl_device/lock">,
                   virtualise<"cxl_device/range1_base_hi">, virtualise<"cxl_device/range1_base_lo">,
                   virtualise<"cxl_device/range2_base_hi">,
                   virtualise<"cxl_device/range2_base_lo">>,
          overlays<>>{}));
};

}  // namespace detail

/// The registers a VMM owns in a passed-through function of type `F` (see the file comment).
template <class F>
using vmm_fields = typename detail::vmm_fields_of<F, void>::type;

/// The configuration-space tree of a passed-through function of type `F` with `Overlays`.
template <class F, class Overlays>
struct passthrough_tree;
template <class F, class... O>
struct passthrough_tree<F, overlays<O...>>
    : detail::config_tree<(detail::overlay_of<typename F::config, O>::ok && ...),
                          detail::overlay_of<typename F::config, O>...>::type {};

/// The configuration space of a passed-through function of type `F` (a `pci::function<…>`
/// describing the device: its BARs and the capabilities that hold virtualised registers where
/// the device has them), read and written through `config` (the VFIO configuration region)
/// with `Overlays` over it. An ECAM target (`read`/`write` over 4 KiB). Neither copyable nor
/// movable: its overlays hold its address.
template <class F, class Overlays = vmm_fields<F>>
class passthrough_function;

template <class F, class... O>
class passthrough_function<F, overlays<O...>> {
  using block = typename F::config;
  template <std::size_t I>
  using info = std::tuple_element_t<I, std::tuple<detail::overlay_of<block, O>...>>;

 public:
  using tree = passthrough_tree<F, overlays<O...>>;
  using function_type = pci::function_device<F>;
  /// How many overlays are registers the VMM holds.
  static constexpr std::size_t virtualised =
      (std::size_t{0} + ... + std::size_t{detail::overlay_of<block, O>::is_register});

  explicit passthrough_function(region_io& config, pci::bar_listener* bars = nullptr,
                                pci::msix_control_listener* msix = nullptr)
      : config_(&config), device_(config), function_(bars, msix) {
    // A typed bind of a handler fails only at compile time: its status is always `ok`.
    (void)space_.template bind<"device">(device_);
    bind_registers(std::make_index_sequence<sizeof...(O)>{});
  }
  passthrough_function(const passthrough_function&) = delete;
  passthrough_function& operator=(const passthrough_function&) = delete;

  /// A configuration read of 1, 2 or 4 bytes at `offset` (what ECAM routes here); an access the
  /// tree refuses reads all-ones.
  std::uint64_t read(addr_t offset, unsigned size) { return space_.read(offset, size).value; }
  void write(addr_t offset, unsigned size, std::uint64_t value) {
    (void)space_.write(offset, size, value);
  }

  /// The VMM's registers: bind `pci::bar_slots` to it, set its MSI-X listener, attach it to
  /// snapshots.
  [[nodiscard]] function_type& function() noexcept { return function_; }
  /// The tree's address space: bind the `emulate` overlays here.
  [[nodiscard]] address_space<tree>& space() noexcept { return space_; }
  /// Device accesses that failed (read as all-ones, or a write lost).
  [[nodiscard]] std::uint64_t device_failures() const noexcept { return device_.failures(); }
  [[nodiscard]] const io_result& last_device_failure() const noexcept {
    return device_.last_failure();
  }
  /// The VMM's registers to their reset values: call it whenever the device is reset (a
  /// VFIO_DEVICE_RESET, or a Function-Level Reset the guest starts through the device's own
  /// PCIe capability, which passes through), so that the guest's BARs, decode bits and MSI-X
  /// state reset with the device's own registers.
  void reset() { function_.reset(); }

  /// Whether the device behind the configuration region is the one F describes; `bar_sizes`
  /// are the sizes VFIO reports for regions 0–5 (0: no BAR). Every difference as a sentence.
  [[nodiscard]] match_result verify(const std::array<std::uint64_t, 6>& bar_sizes) const {
    verifier v{*config_, {}, {}};
    v.run(bar_sizes);
    return std::move(v.out);
  }

 private:
  /// One virtualised register: its bytes in configuration space, the VMM's bits, and the
  /// action bits (RW1C/RW1S) among them.
  struct register_spec {
    addr_t offset = 0;
    std::uint64_t mask = 0;
    std::uint64_t actions = 0;
    std::uint32_t reg = no_index;
  };
  static constexpr std::array<register_spec, virtualised + 1> specs = [] {
    std::array<register_spec, virtualised + 1> s{};
    std::size_t k = 0;
    auto one = [&]<class I>() {
      if constexpr (I::is_register) s[k++] = {I::d.offset, I::mask, I::actions & I::mask, I::r};
    };
    (one.template operator()<detail::overlay_of<block, O>>(), ...);
    (void)one;
    return s;
  }();

  /// The io handler of a virtualised register.
  class virtual_register {
   public:
    void set(passthrough_function& owner, const register_spec& s) noexcept {
      owner_ = &owner;
      spec_ = &s;
    }
    std::uint64_t read(addr_t off, unsigned size) {
      const addr_t at = spec_->offset + off;
      const std::uint64_t all = mmiotree::detail::width_mask(size);
      const std::uint64_t mine = (spec_->mask >> (8 * off)) & all;
      std::uint64_t v = owner_->function_.config().read(at, size) & mine;
      if (mine != all) v |= owner_->device_.read(at, size) & ~mine & all;
      return v;
    }
    void write(addr_t off, unsigned size, std::uint64_t value) {
      const addr_t at = spec_->offset + off;
      const std::uint64_t all = mmiotree::detail::width_mask(size);
      const std::uint64_t mine = (spec_->mask >> (8 * off)) & all;
      if (mine != 0) owner_->function_.config().write(at, size, value);
      if (mine == all) return;
      // The device's own value of the VMM's bits goes back with the guest's other bits.
      const std::uint64_t keep = mine & ~(spec_->actions >> (8 * off));
      const std::uint64_t now = mine != 0 ? owner_->device_.read(at, size) : 0;
      owner_->device_.write(at, size, (now & keep) | (value & ~mine & all));
    }

   private:
    passthrough_function* owner_ = nullptr;
    const register_spec* spec_ = nullptr;
  };

  template <std::size_t... I>
  void bind_registers(std::index_sequence<I...>) {
    std::size_t k = 0;
    auto one = [&]<std::size_t J>() {
      if constexpr (info<J>::is_register) {
        registers_[k].set(*this, specs[k]);
        (void)space_.template bind<info<J>::placement::type::name>(registers_[k]);
        ++k;
      }
    };
    (one.template operator()<I>(), ...);
    (void)one;
  }

  /// The checks of `verify`, reading the device directly (failures are sentences).
  struct verifier {
    region_io& io;
    match_result out;

    std::optional<std::uint64_t> rd(addr_t off, unsigned size) {
      const io_result r = io.read(off, size);
      if (r.ok()) return r.value;
      out.mismatches.push_back(
          "the configuration region cannot be read at " + vfio::detail::hex(off) + " (" +
          std::string(to_string(r.error)) +
          (r.error == io_error::os_error ? ", errno " + std::to_string(r.err) : std::string()) +
          ")");
      return std::nullopt;
    }
    void say(std::string s) { out.mismatches.push_back(std::move(s)); }

    void run(const std::array<std::uint64_t, 6>& bar_sizes) {
      const auto vendor = rd(0x00, 2);
      if (!vendor) return;
      if (*vendor == 0xFFFF) {
        say("the configuration region reads vendor ID 0xffff: no function answers there");
        return;
      }
      constexpr pci::ids id = F::identity;
      if constexpr (id.vendor != 0xFFFF) {
        const auto device = rd(0x02, 2);
        if (device && (*vendor != id.vendor || *device != id.device))
          say("the device is " + vfio::detail::hex(*vendor) + ":" + vfio::detail::hex(*device) +
              ", the layout describes " + vfio::detail::hex(id.vendor) + ":" +
              vfio::detail::hex(id.device));
      }
      if (const auto h = rd(0x0E, 1); h && (*h & 0x7F) != 0)
        say("the device's header type is " + vfio::detail::hex(*h & 0x7F) +
            ", not 0: it is not a type-0 function");
      bars(bar_sizes);
      capabilities();
      read_only_fields();
    }

    /// Capabilities of F's the device does not have where F places them: their registers'
    /// read-only fields are not compared (the one sentence says it).
    std::vector<std::string> missing;

    static std::string kind_name(const pci::detail::bar_reg& b) {
      if (b.role == pci::detail::bar_reg::what::io) return "an I/O BAR";
      return std::string(b.is64 ? "a 64-bit" : "a 32-bit") +
             (b.prefetchable ? " prefetchable" : "") + " memory BAR";
    }

    void bars(const std::array<std::uint64_t, 6>& sizes) {
      using what = pci::detail::bar_reg::what;
      for (unsigned i = 0; i < 6; ++i) {
        const pci::detail::bar_reg& b = F::bar_registers[i];
        const std::string name = "BAR " + std::to_string(i);
        if (b.role == what::unused || b.role == what::mem_high) {
          if (sizes[i] != 0)
            say(name + ": the kernel reports " + vfio::detail::hex(sizes[i]) + " bytes, the " +
                "layout has " +
                (b.role == what::unused
                     ? std::string("no BAR there: the guest could never map it")
                     : "the upper half of BAR " + std::to_string(i - 1) + " there"));
          continue;
        }
        const std::uint64_t declared = std::uint64_t{1} << b.log2;
        if (sizes[i] == 0) {
          say(name + ": the layout declares " + kind_name(b) + " of " +
              vfio::detail::hex(declared) + " bytes, the kernel reports no region");
          continue;
        }
        if (sizes[i] != declared)
          say(name + ": the kernel reports " + vfio::detail::hex(sizes[i]) +
              " bytes, the layout declares " + vfio::detail::hex(declared));
        const auto reg = rd(0x10 + 4 * addr_t{i}, 4);
        if (!reg) continue;
        pci::detail::bar_reg dev{};
        if ((*reg & 1) != 0) {
          dev.role = what::io;
        } else {
          dev.role = what::mem_low;
          dev.is64 = ((*reg >> 1) & 3) == 2;
          dev.prefetchable = ((*reg >> 3) & 1) != 0;
        }
        if (dev.role != b.role || dev.is64 != b.is64 || dev.prefetchable != b.prefetchable)
          say(name + ": the layout declares " + kind_name(b) + ", the device has " +
              kind_name(dev));
      }
    }

    /// One list's capabilities as the device links them: {offset, header}.
    std::vector<std::pair<addr_t, std::uint64_t>> device_list(bool ext) {
      std::vector<std::pair<addr_t, std::uint64_t>> l;
      addr_t at = 0x100;
      if (!ext) {
        const auto status = rd(0x06, 2);
        const auto ptr = rd(0x34, 1);
        if (!status || !ptr || (*status & 0x10) == 0) return l;
        at = *ptr & 0xFC;
      }
      const addr_t first = ext ? 0x100 : 0x40;
      while (at >= first && at <= (ext ? 0xFFC : 0xFC)) {
        for (const auto& [o, h] : l)
          if (o == at) {
            say(std::string("the device's ") + (ext ? "extended" : "standard") +
                " capability list loops back to " + vfio::detail::hex(at));
            return l;
          }
        const auto h = rd(at, ext ? 4 : 2);
        if (!h || (ext && (*h == 0 || *h == 0xFFFF'FFFF))) break;
        l.push_back({at, *h});
        at = ext ? (*h >> 20) & 0xFFC : (*h >> 8) & 0xFC;
      }
      return l;
    }

    /// Reset value of register `path` of F's block (it exists: F generates it).
    static std::uint64_t reset_of(const std::string& path) {
      const auto& t = block_tables_v<block>;
      const std::uint32_t r = mmiotree::detail::find_reg(t.regs, path);
      return r == no_index ? 0 : t.regs[r].reset;
    }

    void capabilities() {
      const auto& t = block_tables_v<block>;
      std::vector<std::string_view> seen;
      std::optional<std::vector<std::pair<addr_t, std::uint64_t>>> lists[2];
      for (std::size_t k = 0; k < virtualised; ++k) {
        const reg_desc& r = t.regs[specs[k].reg];
        if (r.group.empty()) continue;
        bool done = false;
        for (const std::string_view g : seen) done = done || g == r.group;
        if (done) continue;
        seen.push_back(r.group);
        const std::string group(r.group);
        const bool ext = r.offset >= 0x100;
        const std::uint32_t h =
            mmiotree::detail::find_reg(t.regs, group + (ext ? "/header" : "/cap_id"));
        if (h == no_index) continue;  // a group of F's that is not a capability
        const addr_t at = t.regs[h].offset;
        const std::uint64_t want = ext ? t.regs[h].reset & 0xF'FFFF : t.regs[h].reset;
        auto& list = lists[ext ? 1 : 0];
        if (!list) list = device_list(ext);
        const auto found =
            std::find_if(list->begin(), list->end(), [&](const auto& e) { return e.first == at; });
        const std::string where = "capability " + group + " (ID " +
                                  vfio::detail::hex(want & 0xFFFF) + ") at " +
                                  vfio::detail::hex(at) + " in the layout";
        if (found == list->end()) {
          std::string has;
          for (const auto& [o, hd] : *list)
            has += (has.empty() ? "" : ", ") + vfio::detail::hex(o) + " ID " +
                   vfio::detail::hex(ext ? hd & 0xFFFF : hd & 0xFF);
          say(where + ": the device's " + (ext ? "extended" : "standard") +
              " capability list does not reach " + vfio::detail::hex(at) + " (it holds " +
              (has.empty() ? std::string("nothing") : has) + ")");
          missing.push_back(group);
          continue;
        }
        const std::uint64_t got = ext ? found->second & 0xF'FFFF : found->second & 0xFF;
        if (got != want) {
          say(where + ": the device has ID " + vfio::detail::hex(got & 0xFFFF) +
              (ext ? " version " + std::to_string(got >> 16) : std::string()) + " there" +
              (ext ? " (the layout: version " + std::to_string(want >> 16) + ")" : ""));
          missing.push_back(group);
          continue;
        }
        if (ext && (want & 0xFFFF) == 0x23 && !dvsec(group, at)) missing.push_back(group);
      }
    }

    /// A DVSEC: vendor and revision (Header 1, bits 19:0) and DVSEC ID (Header 2); false when
    /// the device's differs.
    bool dvsec(const std::string& group, addr_t at) {
      const std::uint64_t h1 = reset_of(group + "/header1") & 0xF'FFFF;
      const std::uint64_t h2 = reset_of(group + "/header2") & 0xFFFF;
      const auto d1 = rd(at + 4, 4);
      const auto d2 = rd(at + 8, 2);
      if (!d1 || !d2) return false;
      if ((*d1 & 0xF'FFFF) == h1 && *d2 == h2) return true;
      say("capability " + group + " at " + vfio::detail::hex(at) + ": the device's DVSEC is " +
          "vendor " + vfio::detail::hex(*d1 & 0xFFFF) + " revision " +
          std::to_string((*d1 >> 16) & 0xF) + " ID " + vfio::detail::hex(*d2) +
          ", the layout's vendor " + vfio::detail::hex(h1 & 0xFFFF) + " revision " +
          std::to_string(h1 >> 16) + " ID " + vfio::detail::hex(h2));
      return false;
    }

    /// A read-only field the VMM holds shows F's value to the guest: it must be the device's.
    void read_only_fields() {
      const auto& t = block_tables_v<block>;
      for (std::size_t k = 0; k < virtualised; ++k) {
        const reg_desc& r = t.regs[specs[k].reg];
        if (r.group.empty() && r.name.size() == 4 && r.name.substr(0, 3) == "bar")
          continue;  // BARs: checked by `bars`
        if (std::find(missing.begin(), missing.end(), r.group) != missing.end()) continue;
        std::optional<std::uint64_t> dev;
        for (std::uint32_t j = 0; j < r.field_count; ++j) {
          const field_desc& f = t.fields[r.first_field + j];
          if ((f.access != field_access::ro && f.access != field_access::hwinit) ||
              (f.mask() & specs[k].mask) == 0)
            continue;
          if (!dev) dev = rd(r.offset, r.bytes());
          if (!dev) return;
          if (((*dev ^ r.reset) & f.mask()) != 0)
            say((r.group.empty() ? std::string() : std::string(r.group) + "/") +
                std::string(r.name) + "." + std::string(f.name) + ": the device has " +
                vfio::detail::hex((*dev & f.mask()) >> f.lo) + ", the layout " +
                vfio::detail::hex((r.reset & f.mask()) >> f.lo) +
                " (the guest would see the layout's)");
        }
      }
    }
  };

  region_io* config_;
  forward device_;
  function_type function_;
  std::array<virtual_register, virtualised + 1> registers_{};
  address_space<tree> space_;
};

}  // namespace vfio

MMIOTREE_END_NAMESPACE
