/// @file error.hpp
/// The exception hierarchy. Every error eventwire throws derives from eventwire::error, and its
/// message says what to fix: which field, which rule.
#pragma once

#include <stdexcept>
#include <string>

namespace eventwire {

/// Root of every exception eventwire throws. Catch this to handle any eventwire failure.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Text that is not well-formed: malformed JSON, a timestamp or UUID that does not parse on its own
/// (`Timestamp::parse`, `Uuid::parse`). Inside an event, such a value is a field of it: a
/// ValidationError naming the field (`occurred: timestamp 'yesterday': ...`).
///
/// `what()` reads "<what was parsed>: <why>", e.g.
/// `event JSON: syntax error at byte 17: unexpected end of input`.
class ParseError : public error {
 public:
  using error::error;
};

/// Well-formed input that breaks a rule of the model, e.g. a resource without
/// `prefect.resource.id`. Names the offending field and the rule it broke.
///
/// @code
/// try { event.validate(); } catch (const eventwire::ValidationError& e) {
///   e.field();  // "resource['prefect.resource.id']"
///   e.rule();   // "is required"
/// }
/// @endcode
class ValidationError : public error {
 public:
  ValidationError(std::string field, std::string rule)
      : error(field + ": " + rule), field_(std::move(field)), rule_(std::move(rule)) {}

  /// Path of the offending field, e.g. `related[2]['prefect.resource.role']`.
  const std::string& field() const noexcept { return field_; }
  /// The rule it broke, in words, e.g. `must be at most 1024 characters`.
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string field_;
  std::string rule_;
};

/// A configurable limit was crossed (labels per resource, related resources, name length,
/// serialized size, nesting depth). The rule names the limit and its current value.
class LimitError : public ValidationError {
 public:
  using ValidationError::ValidationError;
};

}  // namespace eventwire
