// mmiotree — typed MMIO region trees.
// core/config.hpp: version and the ABI namespace.
#pragma once

#define MMIOTREE_VERSION_MAJOR 0
#define MMIOTREE_VERSION_MINOR 1
#define MMIOTREE_VERSION_PATCH 0

/// Everything public lives in `mmiotree::v0` through an inline namespace, so that a later
/// incompatible layout of the runtime state can coexist in one program under `v1`.
#define MMIOTREE_BEGIN_NAMESPACE \
  namespace mmiotree {           \
  inline namespace v0 {
#define MMIOTREE_END_NAMESPACE \
  }                            \
  }
