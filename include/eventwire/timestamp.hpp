/// @file timestamp.hpp
/// Event times: microsecond UTC time points, written and read as Prefect writes them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace eventwire {

/// A UTC time point with microsecond precision, the precision of Python's `datetime`.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// The current time, truncated to microseconds.
Timestamp now() noexcept;

/// Prefect's wire form (pydantic's): `2021-02-03T04:05:06.000007Z`; the fraction is left out
/// when it is zero (`2021-02-03T04:05:06Z`), exactly as pydantic serializes a UTC datetime.
std::string format_timestamp(Timestamp t);

/// Python's `str(datetime)` of the same instant: `2021-02-03 04:05:06.000007+00:00`, fraction
/// left out when zero. This is what `{{ event.occurred }}` renders to in a Prefect template.
std::string format_timestamp_python(Timestamp t);

/// Reads ISO 8601 as pydantic accepts it: `YYYY-MM-DD`, then optionally `T` (or a space)
/// `HH:MM[:SS[.fraction]]` and a zone `Z` or `±HH:MM` / `±HHMM` / `±HH`. Digits past the
/// sixth fraction digit are truncated; a time without a zone is taken as UTC.
/// Throws ParseError naming the text and what was wrong.
Timestamp parse_timestamp(std::string_view text);

}  // namespace eventwire
