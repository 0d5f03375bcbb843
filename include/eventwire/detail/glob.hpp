/// @file detail/glob.hpp
/// Internal: a glob compiled once, matching exactly as Python's `fnmatch.fnmatchcase` (the rule
/// Prefect's server uses for labels since 3.6.23). Public only because `Pattern` stores one by
/// value, so matching costs no pointer chase; use `eventwire::Pattern`, not this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventwire::detail {

/// A compiled `fnmatchcase` pattern.
///
/// The pattern is translated with the rules of CPython's `fnmatch.translate` (3.11): `*` matches
/// any run of characters, dots and newlines included; `?` one character; `[seq]`, `[!seq]` a
/// class, with `]` literal as its first member, `-` ranges, reversed ranges dropped exactly as
/// `translate` drops them; a `[` without a closing `]` is a literal `[`. There is no escape.
/// Characters are Unicode code points: the pattern must be UTF-8 (Python strings always are); a
/// value that is not valid UTF-8 is matched as Python would match its `surrogateescape` decoding.
///
/// Matching never backtracks across `*`: fixed pieces between stars are placed leftmost (what
/// Python's atomic groups do), so a match costs at most O(len(value) × len(pattern)). Common
/// shapes (exact text, `abc*`, `*abc`, `*abc*`, `ab*yz`, `*`) take a byte-compare fast path.
class Glob {
 public:
  /// Compiles `pattern`; throws std::invalid_argument (with the rule in words) when it is not
  /// UTF-8. Every UTF-8 pattern is accepted, as Python accepts every string.
  explicit Glob(std::string_view pattern);

  bool matches(std::string_view value) const noexcept;

  /// The shape the compiler recognised; `general` is the only one that walks atoms.
  enum class Shape : std::uint8_t {
    literal,
    prefix,
    suffix,
    contains,
    prefix_suffix,
    everything,
    general
  };
  Shape shape() const noexcept { return shape_; }

 private:
  /// A character class: code points in `ranges` (sorted, merged), ASCII also in a bitmap.
  struct CharClass {
    std::uint64_t ascii[2] = {0, 0};
    std::vector<std::pair<char32_t, char32_t>> ranges{};
    bool negated = false;
    bool contains(char32_t c) const noexcept;
  };
  /// One step of a fixed piece: literal UTF-8 bytes, any one character, or a class.
  struct Atom {
    enum class Kind : std::uint8_t { text, any, char_class } kind = Kind::text;
    std::uint32_t index = 0;  ///< into texts_ or classes_
  };
  /// A run of atoms between stars.
  struct Piece {
    std::uint32_t first = 0, count = 0;  ///< atoms_[first, first + count)
    std::uint32_t chars = 0;             ///< characters it consumes (every atom has a fixed width)
    bool all_text = false;               ///< a single text atom: placeable with find()
  };

  std::size_t match_piece(const Piece& piece, std::string_view value,
                          std::size_t at) const noexcept;
  std::size_t find_piece(const Piece& piece, std::string_view value, std::size_t from,
                         std::size_t end) const noexcept;

  Shape shape_ = Shape::general;
  std::string head_{}, tail_{};  ///< literal text for the fast shapes
  bool leading_star_ = false, trailing_star_ = false;
  std::vector<Piece> pieces_{};  ///< fixed pieces in order (general shape)
  std::vector<Atom> atoms_{};
  std::vector<std::string> texts_{};
  std::vector<CharClass> classes_{};
};

}  // namespace eventwire::detail
