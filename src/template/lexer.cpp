#include "template/lexer.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "detail/utf8.hpp"
#include "eventwire/template.hpp"

namespace eventwire::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> run() {
    while (pos_ < src_.size())
      lex_data();
    push(Tok::eof, src_.size(), 0);
    return std::move(tokens_);
  }

 private:
  std::string_view src_;
  std::size_t pos_ = 0;
  std::vector<Token> tokens_;
  bool strip_next_data_ = false;  // the previous tag ended with `-`

  Token& push(Tok kind, std::size_t at, std::size_t length) {
    Token& t = tokens_.emplace_back();
    t.kind = kind;
    t.pos = static_cast<std::uint32_t>(at);
    t.text = src_.substr(at, length);
    return t;
  }

  [[noreturn]] void fail(std::size_t at, const std::string& message) {
    throw_syntax_error(src_, at, message);
  }

  void skip_space() {
    while (pos_ < src_.size() && is_space(src_[pos_]))
      ++pos_;
  }

  // Emits the text up to the next tag, stripping it on either side as whitespace control asks.
  void lex_data() {
    std::size_t start = pos_;
    if (strip_next_data_) {
      while (start < src_.size() && is_space(src_[start]))
        ++start;
      strip_next_data_ = false;
    }
    std::size_t open = start;
    while (true) {
      open = src_.find('{', open);
      if (open == std::string_view::npos || open + 1 >= src_.size()) {
        open = src_.size();
        break;
      }
      char next = src_[open + 1];
      if (next == '{' || next == '%' || next == '#') break;
      ++open;
    }
    std::size_t end = open;
    bool strip = open + 2 < src_.size() && src_[open + 2] == '-';
    if (strip) {
      while (end > start && is_space(src_[end - 1]))
        --end;
    }
    if (end > start)
      push(Tok::data, start, end - start).value = std::string(src_.substr(start, end - start));
    pos_ = open;
    if (open >= src_.size()) return;
    char kind = src_[open + 1];
    pos_ = open + 2;
    if (pos_ < src_.size() && (src_[pos_] == '-' || src_[pos_] == '+')) ++pos_;
    if (kind == '#') {
      lex_comment(open);
    } else if (kind == '%' && try_raw(open)) {
      // handled
    } else {
      lex_tag(open, kind == '{' ? Tok::var_begin : Tok::block_begin);
    }
  }

  void lex_comment(std::size_t open) {
    std::size_t close = src_.find("#}", pos_);
    if (close == std::string_view::npos) fail(open, "Missing end of comment tag");
    strip_next_data_ = close > pos_ && src_[close - 1] == '-';
    pos_ = close + 2;
  }

  // `{% raw %}...{% endraw %}`: the content is data, untouched.
  bool try_raw(std::size_t open) {
    std::size_t p = pos_;
    while (p < src_.size() && is_space(src_[p]))
      ++p;
    if (src_.substr(p, 3) != "raw" || (p + 3 < src_.size() && is_name_char(src_[p + 3]))) {
      return false;
    }
    p += 3;
    while (p < src_.size() && is_space(src_[p]))
      ++p;
    bool strip_after = false;
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) {
      strip_after = src_[p] == '-';
      ++p;
    }
    if (src_.substr(p, 2) != "%}") return false;
    std::size_t content = p + 2;
    if (strip_after) {
      while (content < src_.size() && is_space(src_[content]))
        ++content;
    }
    // Find `{%[-+]? endraw [-+]?%}`.
    std::size_t search = content;
    while (true) {
      std::size_t tag = src_.find("{%", search);
      if (tag == std::string_view::npos) fail(open, "Missing end of raw directive");
      std::size_t q = tag + 2;
      bool strip_before = false;
      if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) {
        strip_before = src_[q] == '-';
        ++q;
      }
      while (q < src_.size() && is_space(src_[q]))
        ++q;
      if (src_.substr(q, 6) == "endraw") {
        q += 6;
        while (q < src_.size() && is_space(src_[q]))
          ++q;
        bool strip_next = false;
        if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) {
          strip_next = src_[q] == '-';
          ++q;
        }
        if (src_.substr(q, 2) == "%}") {
          std::size_t end = tag;
          if (strip_before) {
            while (end > content && is_space(src_[end - 1]))
              --end;
          }
          if (end > content) {
            push(Tok::data, content, end - content).value =
                std::string(src_.substr(content, end - content));
          }
          strip_next_data_ = strip_next;
          pos_ = q + 2;
          return true;
        }
      }
      search = tag + 2;
    }
  }

  void lex_tag(std::size_t open, Tok begin) {
    push(begin, open, pos_ - open);
    const bool is_var = begin == Tok::var_begin;
    const char closer = is_var ? '}' : '%';
    int balance = 0;
    while (true) {
      skip_space();
      if (pos_ >= src_.size()) {
        fail(pos_, is_var ? "unexpected end of template, expected 'end of print statement'."
                          : "unexpected end of template, expected 'end of statement block'.");
      }
      char c = src_[pos_];
      if (balance == 0) {
        // `-}}` / `+%}` / `}}`: the end of the tag.
        std::size_t p = pos_;
        bool strip = false;
        if (c == '-' || c == '+') {
          strip = c == '-';
          ++p;
        }
        if (p + 1 < src_.size() + 0 && src_[p] == closer && p + 1 < src_.size() &&
            src_[p + 1] == '}' && (c != '+' || !is_var)) {
          push(is_var ? Tok::var_end : Tok::block_end, pos_, p + 2 - pos_);
          pos_ = p + 2;
          strip_next_data_ = strip;
          return;
        }
      }
      if (is_name_start(c)) {
        std::size_t start = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_]))
          ++pos_;
        push(Tok::name, start, pos_ - start);
      } else if (is_digit(c) && !(tokens_.back().kind == Tok::op && tokens_.back().text == ".")) {
        lex_number(false);
      } else if (is_digit(c)) {
        lex_number(true);
      } else if (c == '\'' || c == '"') {
        lex_string();
      } else {
        lex_operator(balance);
      }
    }
  }

  // Digits with `_` separators: `1_000`.
  std::size_t digits(std::size_t p) const {
    std::size_t start = p;
    while (p < src_.size() && is_digit(src_[p])) {
      ++p;
      if (p + 1 < src_.size() && src_[p] == '_' && is_digit(src_[p + 1])) ++p;
    }
    return p == start ? start : p;
  }

  void lex_number(bool integer_only) {
    std::size_t start = pos_;
    std::size_t p = digits(pos_);
    bool is_float = false;
    if (!integer_only) {
      if (p + 1 < src_.size() && src_[p] == '.' && is_digit(src_[p + 1])) {
        p = digits(p + 1);
        is_float = true;
      }
      if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
        std::size_t q = p + 1;
        if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
        if (q < src_.size() && is_digit(src_[q])) {
          p = digits(q);
          is_float = true;
        }
      }
    }
    std::string text;
    for (char ch : src_.substr(start, p - start)) {
      if (ch != '_') text.push_back(ch);
    }
    Token& t = push(is_float ? Tok::floating : Tok::integer, start, p - start);
    if (is_float) {
      t.number = std::strtod(text.c_str(), nullptr);
    } else {
      std::uint64_t u = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
      if (ec != std::errc{}) fail(start, "integer literal too large");
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
        t.number = static_cast<std::int64_t>(u);
      } else {
        t.number = u;
      }
    }
    pos_ = p;
  }

  // Python string escapes (Jinja decodes with "unicode-escape").
  void lex_string() {
    std::size_t start = pos_;
    char quote = src_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= src_.size())
        fail(start,
             fmt::format("unexpected char {} at {}", quote == '\'' ? "\"'\"" : "'\"'", start));
      char c = src_[pos_];
      if (c == quote) break;
      if (c != '\\') {
        value.push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= src_.size()) {
        ++pos_;
        continue;
      }
      char e = src_[pos_ + 1];
      pos_ += 2;
      auto hex_escape = [&](std::size_t count) {
        char32_t cp = 0;
        for (std::size_t k = 0; k < count; ++k) {
          int h = pos_ + k < src_.size() ? hex_value(src_[pos_ + k]) : -1;
          if (h < 0) fail(start, "truncated \\xXX escape in string literal");
          cp = cp * 16 + static_cast<char32_t>(h);
        }
        pos_ += count;
        if (cp > 0x10FFFF) fail(start, "illegal Unicode character in string literal");
        utf8_append(value, cp);
      };
      switch (e) {
        case '\n':
          break;
        case '\\':
          value.push_back('\\');
          break;
        case '\'':
          value.push_back('\'');
          break;
        case '"':
          value.push_back('"');
          break;
        case 'a':
          value.push_back('\a');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'v':
          value.push_back('\v');
          break;
        case 'x':
          hex_escape(2);
          break;
        case 'u':
          hex_escape(4);
          break;
        case 'U':
          hex_escape(8);
          break;
        default:
          if (e >= '0' && e <= '7') {
            unsigned v = static_cast<unsigned>(e - '0');
            for (int k = 0; k < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
                 ++k) {
              v = v * 8 + static_cast<unsigned>(src_[pos_++] - '0');
            }
            utf8_append(value, v);
          } else {
            value.push_back('\\');
            value.push_back(e);
          }
      }
    }
    ++pos_;
    push(Tok::string, start, pos_ - start).value = std::move(value);
  }

  void lex_operator(int& balance) {
    static constexpr std::string_view two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (auto op : two) {
      if (src_.substr(pos_, 2) == op) {
        push(Tok::op, pos_, 2);
        pos_ += 2;
        return;
      }
    }
    char c = src_[pos_];
    static constexpr std::string_view one = "+-/*%~[](){}><=.:|,;";
    if (one.find(c) == std::string_view::npos) {
      fail(pos_, fmt::format("unexpected char {} at {}", python_char_repr(c), pos_));
    }
    if (c == '(' || c == '[' || c == '{') ++balance;
    if (c == ')' || c == ']' || c == '}') {
      if (balance == 0) fail(pos_, fmt::format("unexpected '{}'", c));
      --balance;
    }
    push(Tok::op, pos_, 1);
    ++pos_;
  }

  static std::string python_char_repr(char c) {
    if (c == '\'') return "\"'\"";
    if (static_cast<unsigned char>(c) < 0x20)
      return fmt::format("'\\x{:02x}'", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return fmt::format("'{}'", c);
  }
};

}  // namespace

std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<Token> tokenize(std::string_view source) {
  return Lexer(source).run();
}

void throw_syntax_error(std::string_view source, std::size_t pos, const std::string& message) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < pos && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  throw TemplateSyntaxError(message, line, column);
}

}  // namespace eventwire::detail
