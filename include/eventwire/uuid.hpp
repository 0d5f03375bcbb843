/// @file uuid.hpp
/// A 128-bit UUID value: event ids, `follows`, Infrahub parent ids.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace eventwire {

/// A UUID held as 16 bytes; the nil UUID when default-constructed.
///
/// Event ids are version 7 (time-ordered, as Prefect's `uuid7()`), so ids sort by creation time.
/// Text form is the canonical lowercase `8-4-4-4-12`; `parse` also accepts uppercase and the
/// 32-digit form without hyphens, as Python's `uuid.UUID` does.
///
/// @code
/// auto id = eventwire::Uuid::v7();
/// auto same = eventwire::Uuid::parse(id.to_string());  // == id
/// @endcode
class Uuid {
 public:
  constexpr Uuid() noexcept = default;
  constexpr explicit Uuid(const std::array<std::uint8_t, 16>& bytes) noexcept : bytes_(bytes) {}

  /// A new time-ordered UUID (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits.
  /// Ids made by one thread are strictly increasing.
  static Uuid v7();
  /// A new random UUID (version 4), as Python's `uuid4()`.
  static Uuid v4();
  /// Parses canonical or hyphen-less text. Throws ParseError naming the text on bad input.
  static Uuid parse(std::string_view text);
  /// Like parse, but returns false instead of throwing.
  static bool try_parse(std::string_view text, Uuid& out) noexcept;

  /// Canonical lowercase text, e.g. `0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f`.
  std::string to_string() const;
  /// Appends the canonical text to `out` (no temporary string).
  void append_to(std::string& out) const;
  /// Characters of the canonical text.
  static constexpr std::size_t text_size = 36;
  /// Writes the canonical text (text_size characters, no terminator) at `out`.
  void write_to(char* out) const noexcept;
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  /// The version nibble (7 for v7 ids, 4 for v4).
  int version() const noexcept { return bytes_[6] >> 4; }
  bool is_nil() const noexcept { return *this == Uuid{}; }

  friend constexpr auto operator<=>(const Uuid&, const Uuid&) noexcept = default;
  friend constexpr bool operator==(const Uuid&, const Uuid&) noexcept = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace eventwire

template <>
struct std::hash<eventwire::Uuid> {
  std::size_t operator()(const eventwire::Uuid& id) const noexcept {
    std::uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; ++i)
      hi = (hi << 8) | id.bytes()[static_cast<std::size_t>(i)];
    for (int i = 8; i < 16; ++i)
      lo = (lo << 8) | id.bytes()[static_cast<std::size_t>(i)];
    return static_cast<std::size_t>(hi ^ (lo * 0x9E3779B97F4A7C15ull));
  }
};
