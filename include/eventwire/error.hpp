/// @file error.hpp
/// The exception hierarchy. Every error eventwire throws derives from eventwire::error, and its
/// message says what to fix: which field, which rule.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

/// Throws `e` again with its field inside `prefix`: `prefix.field`, or `prefix[0]` when the field
/// is an index. A LimitError stays a LimitError (its dynamic type is otherwise not kept: a
/// QueueFullError becomes a LimitError). Call it from a catch clause.
///
/// @code
/// catch (const eventwire::ValidationError& e) {
///   eventwire::rethrow_with_field_prefix(e, "events[3]");  // events[3].resource[...]: ...
/// }
/// @endcode
[[noreturn]] inline void rethrow_with_field_prefix(const ValidationError& e,
                                                   std::string_view prefix) {
  std::string field(prefix);
  if (!e.field().empty() && e.field().front() != '[') field += '.';
  field += e.field();
  if (dynamic_cast<const LimitError*>(&e) != nullptr) throw LimitError(std::move(field), e.rule());
  throw ValidationError(std::move(field), e.rule());
}

/// Runs `read()` and returns what it returns; a ValidationError it throws names its field within
/// `prefix` (rethrow_with_field_prefix). For input whose parts have fields of the same names (a
/// trigger's `events` and an event's, every event of a batch), so the message says whose.
/// Other exceptions pass through unchanged.
///
/// @code
/// auto event = eventwire::with_field_prefix("event", [&] { return Event::from_json(j); });
/// // ValidationError "event.resource['prefect.resource.id']: is required"
/// @endcode
template <class Read>
decltype(auto) with_field_prefix(std::string_view prefix, Read&& read) {
  try {
    return std::forward<Read>(read)();
  } catch (const ValidationError& e) {
    rethrow_with_field_prefix(e, prefix);
  }
}

}  // namespace eventwire
