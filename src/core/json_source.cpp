// SPDX-License-Identifier: MIT OR Apache-2.0
// The one translation unit that compiles Boost.JSON (header-only form): every other file
// includes <boost/json.hpp>, and the library depends on no Boost shared object.
#include <boost/json/src.hpp>
