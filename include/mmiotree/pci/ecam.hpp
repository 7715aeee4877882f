// pci/ecam.hpp: the Enhanced Configuration Access Mechanism — an io region that routes
// configuration accesses by bus, device, function and register to the functions it holds.
//
//   pci::ecam<1> cfg;                             // bus 0 only: a 1 MiB window
//   cfg.attach(0, 3, 0, dev.config());            // 00:03.0
//   space.bind<"ecam">(cfg);                      // an io<"ecam", pci::ecam<1>::size,
//   pci::ecam_access>
//
// Address bits (PCIe r6 §7.2.2): bus 27:20, device 19:15, function 14:12, register 11:0. A
// function that is not attached reads all-ones and ignores writes (a master abort, as a root
// complex answers it). Accesses are 1, 2 or 4 bytes, naturally aligned, inside one function's
// space (`ecam_access`); the region's policy refuses the others before they get here.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/pci/config_space.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace pci {

using namespace mmiotree::literals;

/// The access policy of an ECAM region: configuration accesses (`config_access`).
inline constexpr access_policy ecam_access = config_access;

/// The configuration space of `Buses` buses (1 MiB each), starting at bus 0.
template <std::size_t Buses>
class ecam {
  static_assert(Buses >= 1 && Buses <= 256, "ECAM decodes 1 to 256 buses");

 public:
  static constexpr addr_t size = Buses * 1_MiB;

  /// Routes function bus:dev.fn to `target` (anything with `read(offset, size)` and
  /// `write(offset, size, value)` over a 4 KiB space: a `register_file` of a `pci::function`'s
  /// config block, or a passthrough of a device's configuration space). Returns false when the
  /// address does not exist on this ECAM.
  template <class Target>
  bool attach(unsigned bus, unsigned dev, unsigned fn, Target& target) noexcept {
    if (bus >= Buses || dev >= 32 || fn >= 8) return false;
    slots_[index(bus, dev, fn)] = {&target, &read_thunk<Target>, &write_thunk<Target>};
    return true;
  }
  void detach(unsigned bus, unsigned dev, unsigned fn) noexcept {
    if (bus < Buses && dev < 32 && fn < 8) slots_[index(bus, dev, fn)] = {};
  }
  [[nodiscard]] bool attached(unsigned bus, unsigned dev, unsigned fn) const noexcept {
    return bus < Buses && dev < 32 && fn < 8 && slots_[index(bus, dev, fn)].obj != nullptr;
  }

  std::uint64_t read(addr_t offset, unsigned size) {
    const target& t = slots_[(offset >> 12) % slots_.size()];
    if (t.obj == nullptr)
      return size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
    return t.read(t.obj, offset & 0xFFF, size);
  }
  void write(addr_t offset, unsigned size, std::uint64_t value) {
    const target& t = slots_[(offset >> 12) % slots_.size()];
    if (t.obj != nullptr) t.write(t.obj, offset & 0xFFF, size, value);
  }

 private:
  struct target {
    void* obj = nullptr;
    std::uint64_t (*read)(void*, addr_t, unsigned) = nullptr;
    void (*write)(void*, addr_t, unsigned, std::uint64_t) = nullptr;
  };
  template <class T>
  static std::uint64_t read_thunk(void* o, addr_t off, unsigned size) {
    return static_cast<T*>(o)->read(off, size);
  }
  template <class T>
  static void write_thunk(void* o, addr_t off, unsigned size, std::uint64_t v) {
    static_cast<T*>(o)->write(off, size, v);
  }
  static constexpr std::size_t index(unsigned bus, unsigned dev, unsigned fn) noexcept {
    return (std::size_t{bus} << 8) | (std::size_t{dev} << 3) | fn;
  }

  std::array<target, Buses * 256> slots_{};
};

}  // namespace pci

MMIOTREE_END_NAMESPACE
