// mmiotree.hpp: everything. Prefer the specific headers in code that cares about build time.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/format/regs.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/layout/lookup.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/regs/access_kind.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/check.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/regs/layout.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/host_access.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>
