// vfio/region_io.hpp: reading and writing a VFIO device's regions, and the ioctls that describe
// them — Linux only.
//
//   vfio::fd_region bar2(device_fd, report.comp_regs_fd_offset, report.comp_regs_size);
//   vfio::forward comp_regs(bar2);            // an io handler: bind it where the span traps
//   space.bind<"bar2/bar_ops">(comp_regs);    // guest accesses become pread/pwrite
//
// `region_io` is the interface: a register-sized access (1, 2, 4 or 8 bytes) at an offset in a
// region. `fd_region` implements it with pread/pwrite on the device fd at the region's offset —
// one system call per access, retried on EINTR; a transfer of fewer bytes than asked is an error
// (`short_transfer`), never completed by a second call, because a device register accessed in
// two pieces is not the access the guest made. `forward` is the io handler that sends the
// accesses of a trapped span to a `region_io`; what fails reads as all-ones, as a PCI read that
// no device answers, and is counted. `query_device_info` and `query_region_info` wrap
// VFIO_DEVICE_GET_INFO and VFIO_DEVICE_GET_REGION_INFO with the two-call argsz protocol (a first
// call with the fixed header learns the size the capabilities need) and parse the result
// (vfio/info.hpp).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/vfio/info.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <linux/vfio.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

/// Why a region access failed.
enum class io_error : std::uint8_t {
  none,
  bad_size,        ///< not 1, 2, 4 or 8 bytes
  out_of_region,   ///< the access does not lie wholly inside the region
  short_transfer,  ///< the system call moved fewer bytes than asked (and no error)
  os_error,        ///< the system call failed: `err` holds errno
};

[[nodiscard]] constexpr std::string_view to_string(io_error e) noexcept {
  switch (e) {
    case io_error::none: return "none";
    case io_error::bad_size: return "access size not 1, 2, 4 or 8";
    case io_error::out_of_region: return "access outside the region";
    case io_error::short_transfer: return "short transfer";
    case io_error::os_error: return "system call failed";
  }
  return "?";
}

/// An access's outcome: the value read (reads), or why it failed.
struct io_result {
  io_error error = io_error::none;
  int err = 0;  ///< errno, for os_error
  std::uint64_t value = 0;
  [[nodiscard]] constexpr bool ok() const noexcept { return error == io_error::none; }
};

/// Register-sized accesses to one region of a device.
class region_io {
 public:
  [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
  virtual io_result read(std::uint64_t offset, unsigned size) = 0;
  virtual io_result write(std::uint64_t offset, unsigned size, std::uint64_t value) = 0;

 protected:
  region_io() = default;
  region_io(const region_io&) = default;
  region_io& operator=(const region_io&) = default;
  ~region_io() = default;
};

namespace detail {
[[nodiscard]] constexpr bool register_size(unsigned size) noexcept {
  return size == 1 || size == 2 || size == 4 || size == 8;
}
/// Whether [offset, offset + size) lies in a region of `region` bytes.
[[nodiscard]] constexpr bool inside(std::uint64_t offset, unsigned size,
                                    std::uint64_t region) noexcept {
  return offset <= region && region - offset >= size;
}
}  // namespace detail

/// A region of a device fd, read and written with pread/pwrite (little-endian values, as VFIO
/// regions are). The fd is borrowed.
class fd_region final : public region_io {
 public:
  fd_region(int fd, std::uint64_t fd_offset, std::uint64_t size) noexcept
      : fd_(fd), base_(fd_offset), size_(size) {}

  [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }

  io_result read(std::uint64_t offset, unsigned size) override {
    if (const io_result r = check(offset, size); !r.ok()) return r;
    unsigned char b[8] = {};
    const io_result r = transfer(offset, size, b, false);
    if (!r.ok()) return r;
    std::uint64_t v = 0;
    for (unsigned k = 0; k < size; ++k) v |= std::uint64_t{b[k]} << (8 * k);
    return {io_error::none, 0, v};
  }
  io_result write(std::uint64_t offset, unsigned size, std::uint64_t value) override {
    if (const io_result r = check(offset, size); !r.ok()) return r;
    unsigned char b[8] = {};
    for (unsigned k = 0; k < size; ++k) b[k] = static_cast<unsigned char>(value >> (8 * k));
    return transfer(offset, size, b, true);
  }

 private:
  [[nodiscard]] io_result check(std::uint64_t offset, unsigned size) const noexcept {
    if (!detail::register_size(size)) return {io_error::bad_size, 0, 0};
    if (!detail::inside(offset, size, size_) || base_ + offset < base_)
      return {io_error::out_of_region, 0, 0};
    return {};
  }
  io_result transfer(std::uint64_t offset, unsigned size, unsigned char* b, bool write) const {
    // Checked by the callers; said again so that g++ -O2 sees the bound of the 8-byte buffer.
    if (size > 8) return {io_error::bad_size, 0, 0};
    const auto at = static_cast<off_t>(base_ + offset);
    for (;;) {
      const ssize_t n = write ? ::pwrite(fd_, b, size, at) : ::pread(fd_, b, size, at);
      if (n == static_cast<ssize_t>(size)) return {};
      if (n >= 0) return {io_error::short_transfer, 0, static_cast<std::uint64_t>(n)};
      if (errno != EINTR) return {io_error::os_error, errno, 0};
    }
  }

  int fd_;
  std::uint64_t base_;
  std::uint64_t size_;
};

/// The io handler of a trapped span: its accesses go to `io` at `offset` + the access's offset
/// in the span. A failed read answers all-ones; failures are counted and the last one kept.
class forward {
 public:
  explicit forward(region_io& io, std::uint64_t offset = 0) noexcept : io_(&io), offset_(offset) {}

  std::uint64_t read(addr_t off, unsigned size) {
    const io_result r = io_->read(offset_ + off, size);
    if (r.ok()) return r.value;
    failed(r);
    return mmiotree::detail::width_mask(size);
  }
  void write(addr_t off, unsigned size, std::uint64_t value) {
    const io_result r = io_->write(offset_ + off, size, value);
    if (!r.ok()) failed(r);
  }

  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }
  [[nodiscard]] const io_result& last_failure() const noexcept { return last_; }

 private:
  void failed(const io_result& r) noexcept {
    ++failures_;
    last_ = r;
  }
  region_io* io_;
  std::uint64_t offset_;
  std::uint64_t failures_ = 0;
  io_result last_{};
};

// ---- the ioctls ----------------------------------------------------------------------------

/// Why a query failed: the ioctl's errno, or the parser's refusal of what it returned.
struct query_failure {
  int err = 0;             ///< errno of the failed ioctl (0: it succeeded)
  parse_failure parse{};   ///< the parser's refusal (none: the ioctl failed)
  std::string_view ioctl;  ///< which ioctl
};

[[nodiscard]] inline std::string describe(const query_failure& f) {
  if (f.err != 0) {
    std::string s = std::string(f.ioctl) + " failed: " + std::strerror(f.err);
    if (f.err == ENOTTY || f.err == EINVAL) s += " (is this a VFIO device fd?)";
    return s;
  }
  return std::string(f.ioctl) + " returned a malformed buffer: " + describe(f.parse);
}

/// A query's result: the parsed info, or why not.
template <class T>
struct query_result {
  std::optional<T> info;
  query_failure failure{};
  [[nodiscard]] bool ok() const noexcept { return info.has_value(); }
};

namespace detail {
/// The two-call protocol: ask with the fixed header, then again with the size the kernel says.
/// `prepare` writes the fixed header's request fields into the buffer.
template <class Prepare>
[[nodiscard]] inline int query(int fd, unsigned long request, std::size_t header, Prepare&& prepare,
                               std::vector<std::byte>& out) {
  out.assign(header, std::byte{0});
  for (int round = 0; round < 2; ++round) {
    const auto argsz = static_cast<std::uint32_t>(out.size());
    std::memcpy(out.data(), &argsz, 4);
    prepare(out);
    int rc;
    do rc = ::ioctl(fd, request, out.data());
    while (rc < 0 && errno == EINTR);
    if (rc < 0) return errno;
    std::uint32_t need = 0;
    std::memcpy(&need, out.data(), 4);
    if (need <= out.size()) return 0;
    out.assign(need, std::byte{0});
  }
  return 0;  // the second answer still asks for more: the parser refuses argsz past the buffer
}
}  // namespace detail

/// VFIO_DEVICE_GET_INFO on `fd`, parsed.
[[nodiscard]] inline query_result<device_info> query_device_info(int fd) {
  std::vector<std::byte> b;
  const int err = detail::query(
      fd, VFIO_DEVICE_GET_INFO, uapi::device_info_bytes, [](std::vector<std::byte>&) {}, b);
  if (err != 0) return {std::nullopt, {err, {}, "VFIO_DEVICE_GET_INFO"}};
  auto p = parse_device_info(b);
  if (!p) return {std::nullopt, {0, p.failure(), "VFIO_DEVICE_GET_INFO"}};
  return {std::move(p.value()), {}};
}

/// VFIO_DEVICE_GET_REGION_INFO for region `index` on `fd`, parsed.
[[nodiscard]] inline query_result<region_info> query_region_info(int fd, std::uint32_t index,
                                                                 std::uint64_t page = 4096) {
  std::vector<std::byte> b;
  const int err = detail::query(
      fd, VFIO_DEVICE_GET_REGION_INFO, uapi::region_info_bytes,
      [&](std::vector<std::byte>& o) { std::memcpy(o.data() + 8, &index, 4); }, b);
  if (err != 0) return {std::nullopt, {err, {}, "VFIO_DEVICE_GET_REGION_INFO"}};
  auto p = parse_region_info(b, index, page);
  if (!p) return {std::nullopt, {0, p.failure(), "VFIO_DEVICE_GET_REGION_INFO"}};
  return {std::move(p.value()), {}};
}

}  // namespace vfio

MMIOTREE_END_NAMESPACE
