// vfio/sim_device.hpp: a simulated vfio-pci CXL Type-2 device — the embedded default for tests
// and the demo (no hardware, no kernel module). It produces the bytes a kernel of the named
// uAPI revision returns for VFIO_DEVICE_GET_INFO and VFIO_DEVICE_GET_REGION_INFO (capability
// chains and sparse-mmap lists included), backs the component-register BAR and the device memory
// with memfds, and answers the regions' reads and writes as that kernel does:
//
//   - the BAR's raw read/write path: what the kernel withholds (v2: the whole 64 KiB component
//     block; v4: the HDM decoder block's bytes — not the rest of their page, which stays "a
//     normal vfio-pci BAR" and holds the capability array a guest needs to find the decoders)
//     reads all-ones and drops writes, the rest is the BAR's memory (reference
//     updates-2026-12.md §1.4);
//   - COMP_REGS, v2 (reference cxl.md §3.4, vfio_cxl_emu.c): the CXL.cache/mem range from the
//     capability array through the HDM block, 4-byte aligned accesses only (else EINVAL), read
//     from a shadow taken at open — a committed, locked decoder appears with Lock cleared and
//     BASE zeroed — and written by the v2 rules, including its non-spec Lock clearing;
//   - COMP_REGS, v4 (draft B and its selftest): the HDM block alone, live reads of the host's
//     decoder (BASE holds the host address: the VMM must virtualise it), guest writes absorbed;
//   - the device memory: v2 reads and writes through the fd; v4 refuses them (EIO) — a host CPU
//     access through a kernel mapping is a fatal error there — and only mmap works.
// Its host-side decoder 0 is firmware-committed and locked, as both revisions require. The
// device's configuration space is the reset state of the PCI function type it is given, with
// what the host did before a VMM opened it: the memory BARs at host addresses, Memory Space
// Enable and Bus Master set. It is region 7, accessed as vfio-pci accesses it (`config_io`).
//
// The v4 numbers no public header gives (vfio/cxl_uapi.hpp) are the simulator's own:
// `sim::v4_numbers`. Everything here is computed from the simulator's configuration by the
// kernels' rules, not from a layout type, so that `check_matches` checks something.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/region_io.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio::sim {

/// The simulator's answer to the numbers no v4 header gives: the v2 region type and subtypes,
/// and a region capability ID of its own choosing that no kernel region capability uses.
inline constexpr vfio::v4_numbers v4_numbers{.region_type = uapi::cxl_vendor_region_type,
                                             .memory_subtype = uapi::cxl_subtype_memory,
                                             .comp_regs_subtype = uapi::cxl_subtype_comp_regs,
                                             .comp_regs_cap_id = 0x7FF0,
                                             .comp_regs_cap_version = 1};

/// The device: where its registers are, how much memory it has, and what its host did.
struct cxl_device_config {
  cxl_uapi revision = cxl_uapi::v4;
  std::uint32_t component_bar = 2;
  std::uint64_t bar_size = 4ULL << 20;
  std::uint64_t component_offset = 1ULL << 20;  ///< of the 64 KiB component block in the BAR
  std::uint64_t ras_offset = 0x80;              ///< RAS structure, in CXL.cache/mem (0: none)
  std::uint64_t hdm_offset = 0x128;             ///< HDM decoder structure, in CXL.cache/mem
  unsigned decoders = 2;                        ///< 1, 2, 4, 6, 8 or 10 (a device's counts)
  std::uint64_t memory_size = 256ULL << 20;     ///< the device memory (DPA), a 256 MiB multiple
  std::uint64_t host_hpa = 0x40'0000'0000ULL;   ///< where the host's firmware committed it
  std::uint64_t host_page = 4096;
  /// Where the host's firmware placed the function's BARs: from here, each at the next multiple
  /// of its size, in BAR order (the configuration region shows them, as a kernel's does).
  std::uint64_t host_bar_base = 0x60'0000'0000ULL;
  std::uint32_t num_irqs = 5;
};

/// The region indices the simulated device reports (vfio-pci's fixed 0–8, then its own).
inline constexpr std::uint32_t memory_region = 9;
inline constexpr std::uint32_t comp_regs_region = 10;
inline constexpr std::uint32_t region_count = 11;

namespace detail {
struct memfd {
  int fd = -1;
  std::byte* map = nullptr;
  std::uint64_t size = 0;
  memfd(const char* name, std::uint64_t n) : size(n) {
    fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(n)) != 0)
      throw std::runtime_error(std::string("memfd for ") + name + ": " + std::strerror(errno));
    void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw std::runtime_error(std::string("mmap of ") + name + ": " + std::strerror(errno));
    }
    map = static_cast<std::byte*>(p);
  }
  memfd(const memfd&) = delete;
  memfd& operator=(const memfd&) = delete;
  ~memfd() {
    ::munmap(map, size);
    ::close(fd);
  }
  [[nodiscard]] std::uint32_t r32(std::uint64_t at) const noexcept {
    std::uint32_t v;
    std::memcpy(&v, map + at, 4);
    return v;
  }
  void w32(std::uint64_t at, std::uint32_t v) noexcept { std::memcpy(map + at, &v, 4); }
};

/// Little-endian buffer builder.
struct out {
  std::vector<std::byte> b;
  void put(std::size_t at, std::uint64_t v, unsigned n) {
    if (b.size() < at + n) b.resize(at + n);
    for (unsigned k = 0; k < n; ++k) b[at + k] = static_cast<std::byte>(v >> (8 * k));
  }
  void cap(std::size_t at, std::uint16_t id, std::uint16_t version, std::uint32_t next) {
    put(at, id, 2);
    put(at + 2, version, 2);
    put(at + 4, next, 4);
  }
};

/// The HDM Decoder Count field's encoding (CXL r3.1 §8.2.4.20.1) of a device's counts.
[[nodiscard]] constexpr std::uint32_t count_field(unsigned n) noexcept {
  return n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : n == 6 ? 3 : n == 8 ? 4 : 5;
}
}  // namespace detail

/// The simulated device. `Function` is the `pci::function<…>` whose reset state is the device's
/// configuration space.
template <class Function>
class cxl_device {
 public:
  explicit cxl_device(const cxl_device_config& c = {})
      : cfg_(c), bar_("mmiotree-sim-bar", c.bar_size), memory_("mmiotree-sim-dpa", c.memory_size) {
    build_hardware();
    open_shadow();
    host_configuration();
  }
  cxl_device(const cxl_device&) = delete;
  cxl_device& operator=(const cxl_device&) = delete;

  [[nodiscard]] const cxl_device_config& params() const noexcept { return cfg_; }
  /// The BAR and the device memory as host memory (what the VMM mmaps), and their fds.
  [[nodiscard]] std::span<std::byte> bar_memory() noexcept { return {bar_.map, bar_.size}; }
  [[nodiscard]] std::span<std::byte> device_memory() noexcept {
    return {memory_.map, memory_.size};
  }
  [[nodiscard]] int bar_fd() const noexcept { return bar_.fd; }
  [[nodiscard]] int memory_fd() const noexcept { return memory_.fd; }

  // ---- what the kernel reports ------------------------------------------------------------

  /// BAR offset of the HDM decoder block, and its size.
  [[nodiscard]] std::uint64_t hdm_bar_offset() const noexcept {
    return cfg_.component_offset + 0x1000 + cfg_.hdm_offset;
  }
  [[nodiscard]] std::uint64_t hdm_size() const noexcept { return 0x10 + 0x20ULL * cfg_.decoders; }
  /// The bytes the kernel keeps trapped in the BAR: [lo, last].
  [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> trapped() const noexcept {
    if (cfg_.revision != cxl_uapi::v4)
      return {cfg_.component_offset, cfg_.component_offset + 0x10000 - 1};
    const std::uint64_t p = cfg_.host_page;
    return {hdm_bar_offset() / p * p, ((hdm_bar_offset() + hdm_size() - 1) / p + 1) * p - 1};
  }

  /// VFIO_DEVICE_GET_INFO's buffer.
  [[nodiscard]] std::vector<std::byte> device_info_bytes() const {
    detail::out o;
    const std::uint32_t flags = uapi::device_flag_reset | uapi::device_flag_pci |
                                uapi::device_flag_caps | uapi::device_flag_cxl;
    o.put(4, flags, 4);
    o.put(8, region_count, 4);
    o.put(12, cfg_.num_irqs, 4);
    o.put(16, 24, 4);
    o.cap(24, uapi::device_cap_cxl, 1, 0);
    switch (cfg_.revision) {
      case cxl_uapi::v2:
        o.put(32, cfg_.component_bar, 1);
        o.put(36, 1, 4);  // FIRMWARE_COMMITTED
        o.put(40, cfg_.component_offset + 0x1000, 8);
        o.put(48, memory_region, 4);
        o.put(52, comp_regs_region, 4);
        break;
      case cxl_uapi::v3:
        o.put(32, 1, 4);  // HOST_FIRMWARE_COMMITTED
        o.put(36, memory_region, 4);
        o.put(40, comp_regs_region, 4);
        o.put(44, cfg_.component_bar, 4);
        o.put(48, 0, 4);
        o.put(56, cfg_.component_offset, 8);
        o.put(64, 0x10000, 8);
        break;
      case cxl_uapi::v4:
        o.put(32, 1, 4);
        o.put(36, 0, 4);
        break;
    }
    o.put(0, o.b.size(), 4);
    return o.b;
  }

  /// VFIO_DEVICE_GET_REGION_INFO's buffer for region `index` (an index the device does not
  /// have: an empty buffer, as the kernel's EINVAL).
  [[nodiscard]] std::vector<std::byte> region_info_bytes(std::uint32_t index) const {
    detail::out o;
    std::uint32_t flags = 0;
    std::uint64_t size = 0;
    const std::uint64_t fd_offset = std::uint64_t{index} << 40;  // vfio-pci's layout
    std::size_t at = 32;
    const auto type_cap = [&](std::uint32_t subtype, std::uint32_t next) {
      o.cap(at, uapi::region_cap_type, 1, next);
      o.put(at + 8, region_type(), 4);
      o.put(at + 12, subtype, 4);
      at += 16;
    };
    if (index == cfg_.component_bar) {
      flags = uapi::region_flag_read | uapi::region_flag_write | uapi::region_flag_mmap |
              uapi::region_flag_caps;
      size = cfg_.bar_size;
      std::vector<std::pair<std::uint64_t, std::uint64_t>> areas;
      const auto [lo, last] = trapped();
      if (lo > 0) areas.push_back({0, lo});
      if (last + 1 < cfg_.bar_size) areas.push_back({last + 1, cfg_.bar_size - (last + 1)});
      o.cap(at, uapi::region_cap_sparse_mmap, 1, 0);
      o.put(at + 8, areas.size(), 4);
      o.put(at + 12, 0, 4);
      for (std::size_t k = 0; k < areas.size(); ++k) {
        o.put(at + 16 + 16 * k, areas[k].first, 8);
        o.put(at + 24 + 16 * k, areas[k].second, 8);
      }
    } else if (index == uapi::pci_config_region) {
      flags = uapi::region_flag_read | uapi::region_flag_write;
      size = 4096;
    } else if (index == memory_region) {
      flags = uapi::region_flag_read | uapi::region_flag_write | uapi::region_flag_mmap |
              uapi::region_flag_caps;
      size = cfg_.memory_size;
      type_cap(memory_subtype(), 0);
    } else if (index == comp_regs_region) {
      flags = uapi::region_flag_read | uapi::region_flag_write | uapi::region_flag_caps;
      size = comp_regs_size();
      if (cfg_.revision == cxl_uapi::v4) {
        type_cap(v4_numbers.comp_regs_subtype, 48);
        o.cap(48, v4_numbers.comp_regs_cap_id, v4_numbers.comp_regs_cap_version, 0);
        o.put(56, cfg_.component_bar, 4);
        o.put(60, 0, 4);
        o.put(64, hdm_bar_offset(), 8);
        o.put(72, hdm_size(), 8);
      } else {
        type_cap(uapi::cxl_subtype_comp_regs, 0);
      }
    } else if (index >= region_count) {
      return {};
    }
    o.put(4, flags, 4);
    o.put(8, index, 4);
    o.put(12, (flags & uapi::region_flag_caps) ? 32 : 0, 4);
    o.put(16, size, 8);
    o.put(24, fd_offset, 8);
    if (o.b.size() < 32) o.b.resize(32);
    o.put(0, o.b.size(), 4);
    return o.b;
  }

  // ---- the regions' read/write paths ---------------------------------------------------------

  /// The component BAR's raw path (what VFIO's pread/pwrite on the BAR do).
  [[nodiscard]] region_io& bar_io() noexcept { return bar_io_; }
  /// COMP_REGS.
  [[nodiscard]] region_io& comp_regs_io() noexcept { return comp_io_; }
  /// The device memory through the fd (v4: EIO).
  [[nodiscard]] region_io& memory_io() noexcept { return memory_io_; }
  /// The configuration region (index 7): the function's configuration space, accessed as
  /// vfio-pci does — any 1 to 8 bytes inside the 4 KiB, cut into naturally aligned dwords, words
  /// and bytes (vfio_pci_config_rw).
  [[nodiscard]] region_io& config_io() noexcept { return config_io_; }
  /// The function's configuration space itself, as the device holds it.
  [[nodiscard]] register_file<typename Function::config>& config_space() noexcept {
    return config_;
  }

  /// The host's decoder 0 as the hardware holds it (BASE: the host address).
  [[nodiscard]] std::uint32_t hardware_hdm(std::uint64_t offset) const noexcept {
    return bar_.r32(hdm_bar_offset() + offset);
  }

 private:
  [[nodiscard]] std::uint32_t region_type() const noexcept {
    return cfg_.revision == cxl_uapi::v4 ? v4_numbers.region_type : uapi::cxl_vendor_region_type;
  }
  [[nodiscard]] std::uint32_t memory_subtype() const noexcept {
    return cfg_.revision == cxl_uapi::v4 ? v4_numbers.memory_subtype : uapi::cxl_subtype_memory;
  }
  /// v2: the CXL.cache/mem range through the HDM block; v3: the component block; v4: the block.
  [[nodiscard]] std::uint64_t comp_regs_size() const noexcept {
    switch (cfg_.revision) {
      case cxl_uapi::v2: return cfg_.hdm_offset + hdm_size();
      case cxl_uapi::v3: return 0x10000;
      case cxl_uapi::v4: return hdm_size();
    }
    return 0;
  }
  [[nodiscard]] std::uint64_t comp_regs_origin() const noexcept {
    switch (cfg_.revision) {
      case cxl_uapi::v2: return cfg_.component_offset + 0x1000;
      case cxl_uapi::v3: return cfg_.component_offset;
      case cxl_uapi::v4: return hdm_bar_offset();
    }
    return 0;
  }

  /// The hardware: a known pattern in the BAR, the component block's capability array, the HDM
  /// block with decoder 0 committed and locked by the host's firmware at `host_hpa`; a known
  /// word at the start of every MiB of the device memory.
  void build_hardware() {
    for (std::uint64_t i = 0; i + 4 <= bar_.size; i += 4)
      bar_.w32(i, 0xA5000000U | static_cast<std::uint32_t>(i >> 2 & 0xFFFFFF));
    // The device memory: a known word at the start of every MiB (touching every page would
    // make each simulated device cost its whole memory size in host RAM).
    for (std::uint64_t i = 0; i + 4 <= memory_.size; i += 1ULL << 20)
      memory_.w32(i, 0xD0000000U | static_cast<std::uint32_t>(i >> 20 & 0xFFFFFFF));
    const std::uint64_t cm = cfg_.component_offset + 0x1000;
    for (std::uint64_t i = cfg_.component_offset; i < cfg_.component_offset + 0x10000; i += 4)
      bar_.w32(i, 0);
    const std::uint32_t entries = cfg_.ras_offset ? 2 : 1;
    bar_.w32(cm, 0x0001U | 1U << 16 | 1U << 20 | entries << 24);
    std::uint64_t e = cm + 4;
    if (cfg_.ras_offset) {
      bar_.w32(e, 0x0002U | 2U << 16 | static_cast<std::uint32_t>(cfg_.ras_offset) << 20);
      e += 4;
    }
    bar_.w32(e, 0x0005U | 1U << 16 | static_cast<std::uint32_t>(cfg_.hdm_offset) << 20);
    const std::uint64_t h = hdm_bar_offset();
    bar_.w32(h + 0x0, detail::count_field(cfg_.decoders));  // no interleave capability
    bar_.w32(h + 0x4, 0x2);                                 // HDM Decoder Enable
    bar_.w32(h + 0x10, static_cast<std::uint32_t>(cfg_.host_hpa & 0xF000'0000U));
    bar_.w32(h + 0x14, static_cast<std::uint32_t>(cfg_.host_hpa >> 32));
    bar_.w32(h + 0x18, static_cast<std::uint32_t>(cfg_.memory_size & 0xF000'0000U));
    bar_.w32(h + 0x1C, static_cast<std::uint32_t>(cfg_.memory_size >> 32));
    bar_.w32(h + 0x20, 1U << 8 | 1U << 9 | 1U << 10);  // Lock-On-Commit, Commit, Committed
  }

  /// What the host did before the VMM opened the device: its BARs at host addresses, Memory
  /// Space Enable and Bus Master set.
  void host_configuration() {
    std::uint64_t at = cfg_.host_bar_base;
    for (std::uint64_t i = 0; i < 6; ++i) {
      const auto& b = Function::bar_registers[i];
      if (b.role != pci::detail::bar_reg::what::mem_low) continue;
      const std::uint64_t size = std::uint64_t{1} << b.log2;
      at = (at + size - 1) / size * size;
      config_.write(0x10 + 4 * i, 4, at & 0xFFFF'FFFFU);
      if (b.is64) config_.write(0x14 + 4 * i, 4, at >> 32);
      at += size;
    }
    config_.write(0x04, 2, 0x6);
  }

  /// v2's open: the shadow of the CXL.cache/mem range through the HDM block, committed and
  /// locked decoders shown unlocked with BASE zeroed (cxl.md §3.4).
  void open_shadow() {
    const std::uint64_t cm = cfg_.component_offset + 0x1000;
    shadow_.assign(comp_regs_size() / 4, 0);
    if (cfg_.revision != cxl_uapi::v2) return;
    for (std::size_t k = 0; k < shadow_.size(); ++k) shadow_[k] = bar_.r32(cm + 4 * k);
    for (unsigned n = 0; n < cfg_.decoders; ++n) {
      const std::size_t d = (cfg_.hdm_offset + 0x10 + 0x20 * n) / 4;
      if ((shadow_[d + 4] & (1U << 10)) && (shadow_[d + 4] & (1U << 8))) {
        shadow_[d + 4] &= ~(1U << 8);
        shadow_[d + 0] = 0;
        shadow_[d + 1] = 0;
      }
    }
  }

  /// v2's COMP_REGS write rules (cxl.md §3.4), at a shadow offset.
  void v2_write(std::uint64_t off, std::uint32_t v) {
    if (off < cfg_.hdm_offset) return;  // the capability array
    const std::uint64_t h = off - cfg_.hdm_offset;
    if (h == 0x04) {
      shadow_[off / 4] = v & 0x2U;  // bits 31:2 cleared; bit 0 too: not poison-capable
      return;
    }
    if (h < 0x10) return;
    const std::uint64_t n = (h - 0x10) / 0x20, reg = (h - 0x10) % 0x20;
    if (n >= cfg_.decoders) return;
    const std::size_t ctrl = (cfg_.hdm_offset + 0x10 + 0x20 * n + 0x10) / 4;
    const bool locked = (shadow_[ctrl] & (1U << 8)) != 0;
    switch (reg) {
      case 0x00:
      case 0x08:
        if (!locked) shadow_[off / 4] = v & 0xF000'0000U;
        return;
      case 0x04:
      case 0x0C:
        if (!locked) shadow_[off / 4] = v;
        return;
      case 0x10: {
        if (locked) {
          if ((v & (1U << 8)) == 0) shadow_[ctrl] &= ~(1U << 8);  // the non-spec Lock clearing
          return;
        }
        std::uint32_t now = v & ~(1U << 15) & ~0xF000'0000U & ~0x00FF'0000U;  // reserved
        now &= ~(1U << 14) & ~0x0F00'0000U & ~(1U << 13);    // no UIO, not cache-capable
        now = (now & ~0x1C00U) | (shadow_[ctrl] & 0x1C00U);  // bits 10-12 RO
        now = (now & (1U << 9)) ? now | (1U << 10) : now & ~(1U << 10);  // Committed := Commit
        shadow_[ctrl] = now;
        return;
      }
      default: return;  // target list / DPA skip, 0x2C: dropped
    }
  }

  /// The bytes the raw BAR path withholds: [lo, last] (v2: the component block; v4: the decoder
  /// block, a sub-page range of the trapped page).
  [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> withheld() const noexcept {
    if (cfg_.revision != cxl_uapi::v4) return trapped();
    return {hdm_bar_offset(), hdm_bar_offset() + hdm_size() - 1};
  }

  /// The BAR's raw path: withheld bytes read all-ones, writes there dropped.
  class bar_path final : public region_io {
   public:
    explicit bar_path(cxl_device& d) noexcept : d_(d), fd_(d.bar_.fd, 0, d.bar_.size) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return d_.bar_.size; }
    io_result read(std::uint64_t off, unsigned size) override {
      if (hits(off, size)) {
        if (!vfio::detail::register_size(size)) return {io_error::bad_size, 0, 0};
        return {io_error::none, 0, mmiotree::detail::width_mask(size)};
      }
      return fd_.read(off, size);
    }
    io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
      if (hits(off, size))
        return vfio::detail::register_size(size) ? io_result{} : io_result{io_error::bad_size};
      return fd_.write(off, size, v);
    }

   private:
    [[nodiscard]] bool hits(std::uint64_t off, unsigned size) const noexcept {
      const auto [lo, last] = d_.withheld();
      return off <= last && off + size > lo;  // off <= last < 2^64 - 8: no wrap
    }
    cxl_device& d_;
    fd_region fd_;
  };

  /// COMP_REGS: 4-byte aligned accesses only (EINVAL otherwise), by the revision's rules.
  class comp_path final : public region_io {
   public:
    explicit comp_path(cxl_device& d) noexcept : d_(d) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return d_.comp_regs_size(); }
    io_result read(std::uint64_t off, unsigned size) override {
      if (const io_result r = check(off, size); !r.ok()) return r;
      if (d_.cfg_.revision == cxl_uapi::v2) return {io_error::none, 0, d_.shadow_[off / 4]};
      // v3 and v4: live reads of the hardware.
      return {io_error::none, 0, d_.bar_.r32(d_.comp_regs_origin() + off)};
    }
    io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
      if (const io_result r = check(off, size); !r.ok()) return r;
      if (d_.cfg_.revision == cxl_uapi::v2) d_.v2_write(off, static_cast<std::uint32_t>(v));
      return {};  // v3/v4: absorbed
    }

   private:
    [[nodiscard]] io_result check(std::uint64_t off, unsigned size) const noexcept {
      if (size != 4 || off % 4 != 0 || off >= d_.comp_regs_size())
        return {io_error::os_error, EINVAL, 0};
      return {};
    }
    cxl_device& d_;
  };

  /// The device memory through the fd: v2 reads and writes it, v4 refuses (EIO).
  class memory_path final : public region_io {
   public:
    explicit memory_path(cxl_device& d) noexcept : d_(d), fd_(d.memory_.fd, 0, d.memory_.size) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return d_.memory_.size; }
    io_result read(std::uint64_t off, unsigned size) override {
      if (d_.cfg_.revision == cxl_uapi::v4) return {io_error::os_error, EIO, 0};
      return fd_.read(off, size);
    }
    io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
      if (d_.cfg_.revision == cxl_uapi::v4) return {io_error::os_error, EIO, 0};
      return fd_.write(off, size, v);
    }

   private:
    cxl_device& d_;
    fd_region fd_;
  };

  /// The configuration region.
  class config_path final : public region_io {
   public:
    explicit config_path(cxl_device& d) noexcept : d_(d) {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return 4096; }
    io_result read(std::uint64_t off, unsigned size) override {
      if (const io_result r = check(off, size); !r.ok()) return r;
      std::uint64_t v = 0;
      for (unsigned done = 0; done < size;) {
        const unsigned n = chunk(off + done, size - done);
        v |= d_.config_.read(off + done, n) << (8 * done);
        done += n;
      }
      return {io_error::none, 0, v};
    }
    io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
      if (const io_result r = check(off, size); !r.ok()) return r;
      for (unsigned done = 0; done < size;) {
        const unsigned n = chunk(off + done, size - done);
        d_.config_.write(off + done, n, (v >> (8 * done)) & mmiotree::detail::width_mask(n));
        done += n;
      }
      return {};
    }

   private:
    static io_result check(std::uint64_t off, unsigned size) noexcept {
      if (!vfio::detail::register_size(size)) return {io_error::bad_size};
      if (off >= 4096 || size > 4096 - off) return {io_error::os_error, EINVAL, 0};
      return {};
    }
    static unsigned chunk(std::uint64_t at, unsigned left) noexcept {
      if (left >= 4 && at % 4 == 0) return 4;
      if (left >= 2 && at % 2 == 0) return 2;
      return 1;
    }
    cxl_device& d_;
  };

  cxl_device_config cfg_;
  detail::memfd bar_;
  detail::memfd memory_;
  std::vector<std::uint32_t> shadow_;
  bar_path bar_io_{*this};
  comp_path comp_io_{*this};
  memory_path memory_io_{*this};
  register_file<typename Function::config> config_;
  config_path config_io_{*this};
};

}  // namespace vfio::sim

MMIOTREE_END_NAMESPACE
