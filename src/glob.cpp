#include "eventwire/detail/glob.hpp"

#include <algorithm>
#include <stdexcept>

#include "detail/utf8.hpp"

namespace eventwire::detail {
namespace {

constexpr std::size_t no_match = std::string_view::npos;

// What fnmatch.translate produces for one pattern character or class, before grouping.
struct Item {
  enum class Kind : std::uint8_t { star, literal, any, char_class } kind = Kind::literal;
  char32_t literal = 0;
  std::uint32_t class_index = 0;
};

struct ClassToken {
  char32_t c = 0;
  bool range_dash = false;  // an unescaped '-' that `translate` put between two chunks
};

}  // namespace

bool Glob::CharClass::contains(char32_t c) const noexcept {
  bool in = false;
  if (c < 128) {
    in = (ascii[c >> 6] >> (c & 63)) & 1u;
  } else {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                               [](char32_t v, const auto& r) { return v < r.first; });
    in = it != ranges.begin() && c <= std::prev(it)->second;
  }
  return in != negated;
}

namespace {

// The members of a `[...]` class after fnmatch.translate's rewriting, as the tokens of the regex
// set it writes: `pattern[begin, end)` is the text between the brackets.
std::vector<ClassToken> class_tokens(const std::u32string& pattern, std::size_t begin,
                                     std::size_t end) {
  std::u32string_view stuff(pattern.data() + begin, end - begin);
  std::vector<ClassToken> tokens;
  if (stuff.find(U'-') == std::u32string_view::npos) {
    for (char32_t c : stuff)
      tokens.push_back({c, false});
    return tokens;
  }
  // Split at the hyphens that make ranges. Like `translate`, a hyphen right after `[` or `[!`
  // and a hyphen right after a range's end are not range hyphens.
  std::vector<std::u32string> chunks;
  std::size_t i = begin;
  std::size_t k = pattern[begin] == U'!' ? begin + 2 : begin + 1;
  while (true) {
    std::size_t dash = k < end ? pattern.find(U'-', k) : std::u32string::npos;
    if (dash == std::u32string::npos || dash >= end) break;
    chunks.push_back(pattern.substr(i, dash - i));
    i = dash + 1;
    k = dash + 3;
  }
  if (i < end) {
    chunks.push_back(pattern.substr(i, end - i));
  } else {
    chunks.back() += U'-';
  }
  // Drop reversed ranges (`z-a`) with both their ends, from the right, as `translate` does.
  for (std::size_t c = chunks.size() - 1; c > 0; --c) {
    if (chunks[c - 1].back() > chunks[c].front()) {
      chunks[c - 1] = chunks[c - 1].substr(0, chunks[c - 1].size() - 1) + chunks[c].substr(1);
      chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(c));
    }
  }
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    if (c > 0) tokens.push_back({U'-', true});
    for (char32_t ch : chunks[c])
      tokens.push_back({ch, false});
  }
  return tokens;
}

}  // namespace

Glob::Glob(std::string_view pattern) {
  std::u32string cps;
  cps.reserve(pattern.size());
  for (std::size_t at = 0; at < pattern.size();) {
    char32_t c = 0;
    std::size_t width = utf8_decode(pattern, at, c);
    if (is_escaped_byte(c)) {
      throw std::invalid_argument(
          "must be valid UTF-8 (Prefect's patterns are Python strings); byte " +
          std::to_string(at) + " is not");
    }
    cps.push_back(c);
    at += width;
  }

  // fnmatch.translate, item by item.
  std::vector<Item> items;
  const std::size_t n = cps.size();
  for (std::size_t i = 0; i < n;) {
    char32_t c = cps[i++];
    if (c == U'*') {
      if (items.empty() || items.back().kind != Item::Kind::star)
        items.push_back({Item::Kind::star});
    } else if (c == U'?') {
      items.push_back({Item::Kind::any});
    } else if (c == U'[') {
      std::size_t j = i;
      if (j < n && cps[j] == U'!') ++j;
      if (j < n && cps[j] == U']') ++j;
      while (j < n && cps[j] != U']')
        ++j;
      if (j >= n) {  // no closing bracket: a literal '['
        items.push_back({Item::Kind::literal, U'['});
        continue;
      }
      std::vector<ClassToken> tokens = class_tokens(cps, i, j);
      i = j + 1;
      if (tokens.empty()) {  // every range was reversed: `(?!)`, matches nothing
        items.push_back({Item::Kind::char_class, 0, static_cast<std::uint32_t>(classes_.size())});
        classes_.push_back({});
        continue;
      }
      if (tokens.size() == 1 && tokens[0].c == U'!' && !tokens[0].range_dash) {
        items.push_back({Item::Kind::any});  // `[!]`-like leftovers: any character
        continue;
      }
      CharClass cls;
      std::size_t t = 0;
      if (tokens[0].c == U'!' && !tokens[0].range_dash) {
        cls.negated = true;
        t = 1;
      }
      // Python's regex parser reading the set: `a-b` is a range, a trailing '-' is literal.
      std::vector<std::pair<char32_t, char32_t>> members;
      while (t < tokens.size()) {
        char32_t lo = tokens[t++].c;
        if (t < tokens.size() && tokens[t].range_dash) {
          ++t;
          if (t >= tokens.size()) {
            members.emplace_back(lo, lo);
            members.emplace_back(U'-', U'-');
            break;
          }
          char32_t hi = tokens[t++].c;
          // translate() removes reversed ranges first, so CPython never gets here; refuse, as
          // its regex compiler would, rather than guess.
          if (hi < lo) throw std::invalid_argument("has a reversed character range");
          members.emplace_back(lo, hi);
        } else {
          members.emplace_back(lo, lo);
        }
      }
      std::sort(members.begin(), members.end());
      for (auto [lo, hi] : members) {
        for (char32_t a = lo; a <= hi && a < 128; ++a)
          cls.ascii[a >> 6] |= std::uint64_t{1} << (a & 63);
        if (hi < 128) continue;
        lo = std::max<char32_t>(lo, 128);
        if (!cls.ranges.empty() && lo <= cls.ranges.back().second + 1) {
          cls.ranges.back().second = std::max(cls.ranges.back().second, hi);
        } else {
          cls.ranges.emplace_back(lo, hi);
        }
      }
      items.push_back({Item::Kind::char_class, 0, static_cast<std::uint32_t>(classes_.size())});
      classes_.push_back(std::move(cls));
    } else {
      items.push_back({Item::Kind::literal, c});
    }
  }

  // Group into atoms (adjacent literals become one UTF-8 text) and pieces between stars.
  leading_star_ = !items.empty() && items.front().kind == Item::Kind::star;
  trailing_star_ = !items.empty() && items.back().kind == Item::Kind::star;
  bool has_wildcard_atom = false;
  std::size_t stars = 0;
  Piece* piece = nullptr;
  for (const Item& item : items) {
    if (item.kind == Item::Kind::star) {
      ++stars;
      piece = nullptr;
      continue;
    }
    if (piece == nullptr) {
      pieces_.push_back({static_cast<std::uint32_t>(atoms_.size()), 0, 0, false});
      piece = &pieces_.back();
    }
    ++piece->chars;
    if (item.kind == Item::Kind::literal) {
      if (piece->count > 0 && atoms_.back().kind == Atom::Kind::text) {
        utf8_append(texts_[atoms_.back().index], item.literal);
        continue;
      }
      atoms_.push_back({Atom::Kind::text, static_cast<std::uint32_t>(texts_.size())});
      texts_.emplace_back();
      utf8_append(texts_.back(), item.literal);
    } else {
      has_wildcard_atom = true;
      atoms_.push_back(item.kind == Item::Kind::any
                           ? Atom{Atom::Kind::any, 0}
                           : Atom{Atom::Kind::char_class, item.class_index});
    }
    ++piece->count;
  }
  for (Piece& p : pieces_)
    p.all_text = p.count == 1 && atoms_[p.first].kind == Atom::Kind::text;

  // Fast shapes: only literal text around at most two stars.
  if (has_wildcard_atom) return;
  auto text_of = [&](std::size_t p) { return texts_[atoms_[pieces_[p].first].index]; };
  if (pieces_.empty()) {
    shape_ = stars == 0 ? Shape::literal : Shape::everything;  // "" or "*"
  } else if (stars == 0) {
    shape_ = Shape::literal;
    head_ = text_of(0);
  } else if (pieces_.size() == 1 && stars == 1) {
    shape_ = leading_star_ ? Shape::suffix : Shape::prefix;
    (leading_star_ ? tail_ : head_) = text_of(0);
  } else if (pieces_.size() == 1 && stars == 2) {
    shape_ = Shape::contains;
    head_ = text_of(0);
  } else if (pieces_.size() == 2 && stars == 1) {
    shape_ = Shape::prefix_suffix;
    head_ = text_of(0);
    tail_ = text_of(1);
  }
}

// Matches `piece` at byte `at`; returns the byte after it, or no_match.
std::size_t Glob::match_piece(const Piece& piece, std::string_view value,
                              std::size_t at) const noexcept {
  for (std::uint32_t a = piece.first; a < piece.first + piece.count; ++a) {
    const Atom& atom = atoms_[a];
    if (atom.kind == Atom::Kind::text) {
      const std::string& text = texts_[atom.index];
      if (value.size() - at < text.size() || value.compare(at, text.size(), text) != 0) {
        return no_match;
      }
      at += text.size();
      continue;
    }
    if (at >= value.size()) return no_match;
    char32_t c = 0;
    std::size_t width = utf8_decode(value, at, c);
    if (atom.kind == Atom::Kind::char_class && !classes_[atom.index].contains(c)) return no_match;
    at += width;
  }
  return at;
}

// The leftmost placement of `piece` starting at or after `from` and ending by `end`; returns the
// byte after it, or no_match. Leftmost is always right for a piece between two stars.
std::size_t Glob::find_piece(const Piece& piece, std::string_view value, std::size_t from,
                             std::size_t end) const noexcept {
  std::string_view window = value.substr(0, end);
  const Atom& first = atoms_[piece.first];
  if (first.kind == Atom::Kind::text) {
    // Candidates are where the leading text occurs. A valid UTF-8 text never starts with a
    // continuation byte, so every hit is a character boundary.
    const std::string& text = texts_[first.index];
    for (std::size_t at = window.find(text, from); at != no_match; at = window.find(text, at + 1)) {
      if (piece.all_text) return at + text.size();
      if (std::size_t after = match_piece(piece, window, at); after != no_match) return after;
    }
    return no_match;
  }
  for (std::size_t at = from; at < window.size();) {
    if (std::size_t after = match_piece(piece, window, at); after != no_match) return after;
    char32_t c = 0;
    at += utf8_decode(window, at, c);
  }
  return no_match;
}

bool Glob::matches(std::string_view value) const noexcept {
  switch (shape_) {
    case Shape::literal:
      return value == head_;
    case Shape::prefix:
      return value.substr(0, head_.size()) == head_;
    case Shape::suffix:
      return value.size() >= tail_.size() && value.substr(value.size() - tail_.size()) == tail_;
    case Shape::contains:
      return value.find(head_) != no_match;
    case Shape::prefix_suffix:
      return value.size() >= head_.size() + tail_.size() &&
             value.substr(0, head_.size()) == head_ &&
             value.substr(value.size() - tail_.size()) == tail_;
    case Shape::everything:
      return true;
    case Shape::general:
      break;
  }
  std::size_t pos = 0;
  std::size_t end = value.size();
  std::size_t first = 0;
  std::size_t last = pieces_.size();
  if (!leading_star_) {  // the first piece is anchored at the start
    pos = match_piece(pieces_[0], value, 0);
    if (pos == no_match) return false;
    if (pieces_.size() == 1 && !trailing_star_) return pos == end;
    first = 1;
  }
  if (!trailing_star_) {  // the last piece is anchored at the end: it starts `chars` characters
                          // before
    const Piece& tail = pieces_.back();
    std::size_t count = utf8_count(value.substr(pos));
    if (count < tail.chars) return false;
    std::size_t start = utf8_advance(value, pos, count - tail.chars);
    if (match_piece(tail, value, start) != end) return false;
    end = start;
    last -= 1;
  }
  for (std::size_t p = first; p < last; ++p) {
    pos = find_piece(pieces_[p], value, pos, end);
    if (pos == no_match) return false;
  }
  return true;
}

}  // namespace eventwire::detail
