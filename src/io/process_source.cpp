// SPDX-License-Identifier: MIT OR Apache-2.0
// Boost.Process v2, compiled into podpull. Its header-only mode in Boost 1.83 leaves
// process_environment::on_setup undefined, so podpull builds it as a separately compiled
// library, in this one translation unit, with std::filesystem instead of Boost.Filesystem.
#include <boost/process/v2/src.hpp>
