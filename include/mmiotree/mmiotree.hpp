// mmiotree.hpp: everything portable. Prefer the specific headers in code that cares about build
// time. The Linux-only headers are included by name: vfio/region_io.hpp (pread/pwrite, the VFIO
// ioctls), vfio/config_passthrough.hpp (a passed-through function's configuration space over a
// VFIO region) and vfio/sim_device.hpp (memfds).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/hash.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/decoder_slots.hpp>
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/format/regs.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/layout/lookup.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/layout/slots.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/ecam.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/regs/access_kind.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/check.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/regs/layout.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/host_access.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/runtime/slot_map.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>
