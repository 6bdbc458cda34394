#pragma once
// Errors as values at module edges: Result<T> holds either a T or an Error.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "util/error.h"

namespace pbs {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return v_.index() == 0; }
  bool ok() const { return v_.index() == 0; }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  explicit operator bool() const { return !error_; }
  bool ok() const { return !error_; }
  const Error& error() const& { assert(error_); return *error_; }
  Error&& error() && { assert(error_); return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace pbs

// Propagate an error from an expression that yields a Result.
#define PBS_TRY(expr)                                 \
  do {                                                \
    auto pbs_try_result_ = (expr);                    \
    if (!pbs_try_result_) return std::move(pbs_try_result_).error(); \
  } while (0)

#define PBS_CONCAT_INNER(a, b) a##b
#define PBS_CONCAT(a, b) PBS_CONCAT_INNER(a, b)
// Declare `decl` from the value of a Result, or return its error.
#define PBS_ASSIGN(decl, expr) PBS_ASSIGN_IMPL(PBS_CONCAT(pbs_assign_, __LINE__), decl, expr)
#define PBS_ASSIGN_IMPL(tmp, decl, expr)          \
  auto tmp = (expr);                              \
  if (!tmp) return std::move(tmp).error();        \
  decl = std::move(tmp).value()
