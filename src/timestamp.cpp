#include "eventwire/timestamp.hpp"

#include <fmt/format.h>

#include "eventwire/error.hpp"

namespace eventwire {
namespace {

using namespace std::chrono;

// Splits a time point into civil fields; shared by both output forms.
struct Civil {
  int year;
  unsigned month, day;
  long long hour, minute, second, micros;
};

Civil to_civil(Timestamp t) {
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  auto rest = t - day_point;  // microseconds since midnight, non-negative
  long long us = rest.count();
  return Civil{static_cast<int>(ymd.year()),
               static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()),
               us / 3'600'000'000LL,
               us / 60'000'000LL % 60,
               us / 1'000'000 % 60,
               us % 1'000'000};
}

std::string format_with(Timestamp t, char separator, std::string_view zone) {
  Civil c = to_civil(t);
  if (c.year < 0 || c.year > 9999) {  // rare: leave the sign and the width to fmt
    std::string out = fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}", c.year, c.month, c.day,
                                  separator, c.hour, c.minute, c.second);
    if (c.micros != 0) out += fmt::format(".{:06}", c.micros);
    return out += zone;
  }
  // Written digit by digit: every stored, dumped and templated event formats its time.
  char text[32];
  std::size_t n = 0;
  auto put = [&](long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      text[n + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    n += static_cast<std::size_t>(width);
  };
  put(c.year, 4);
  text[n++] = '-';
  put(c.month, 2);
  text[n++] = '-';
  put(c.day, 2);
  text[n++] = separator;
  put(c.hour, 2);
  text[n++] = ':';
  put(c.minute, 2);
  text[n++] = ':';
  put(c.second, 2);
  if (c.micros != 0) {
    text[n++] = '.';
    put(c.micros, 6);
  }
  std::string out(text, n);
  out += zone;
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  [[noreturn]] void fail(std::string_view why) const {
    throw ParseError(fmt::format("timestamp '{}': {}", text_.substr(0, 64), why));
  }
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c, std::string_view what) {
    if (!accept(c)) fail(fmt::format("expected '{}' {}", c, what));
  }
  int digits(std::size_t count, std::string_view what) {
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = peek();
      if (c < '0' || c > '9') fail(fmt::format("expected {} digits for the {}", count, what));
      value = value * 10 + (c - '0');
      ++pos_;
    }
    return value;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Timestamp now() noexcept {
  return floor<microseconds>(system_clock::now());
}

std::string format_timestamp(Timestamp t) {
  return format_with(t, 'T', "Z");
}

std::string format_timestamp_python(Timestamp t) {
  return format_with(t, ' ', "+00:00");
}

Timestamp parse_timestamp(std::string_view text) {
  Reader in(text);
  int y = in.digits(4, "year");
  in.expect('-', "after the year");
  int mo = in.digits(2, "month");
  in.expect('-', "after the month");
  int d = in.digits(2, "day");
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) in.fail("is not a valid calendar date");
  long long h = 0, mi = 0, s = 0, us = 0, offset_minutes = 0;
  if (in.accept('T') || in.accept('t') || in.accept(' ')) {
    h = in.digits(2, "hour");
    in.expect(':', "after the hour");
    mi = in.digits(2, "minute");
    if (in.accept(':')) {
      s = in.digits(2, "second");
      if (in.accept('.') || in.accept(',')) {
        int n = 0;
        while (in.peek() >= '0' && in.peek() <= '9') {
          int digit = in.digits(1, "fraction");
          if (n < 6) us = us * 10 + digit;
          ++n;
        }
        if (n == 0) in.fail("expected digits after the decimal point");
        for (; n < 6; ++n)
          us *= 10;
      }
    }
    if (h > 23 || mi > 59 || s > 59) in.fail("hour, minute or second out of range");
    if (in.accept('Z') || in.accept('z')) {
    } else if (in.peek() == '+' || in.peek() == '-') {
      int sign = in.peek() == '-' ? -1 : 1;
      in.accept(in.peek());
      int oh = in.digits(2, "zone hours");
      int om = 0;
      if (in.accept(':') || !in.done()) om = in.digits(2, "zone minutes");  // +hh:mm, +hhmm
      if (oh > 23 || om > 59) in.fail("zone offset out of range");
      offset_minutes = sign * (oh * 60LL + om);
    }
  }
  if (!in.done()) in.fail("unexpected text after the timestamp");
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + microseconds{us} -
           minutes{offset_minutes};
  return time_point_cast<microseconds>(t);
}

}  // namespace eventwire
