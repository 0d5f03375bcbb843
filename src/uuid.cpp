#include "eventwire/uuid.hpp"

#include <chrono>
#include <random>

#include "eventwire/error.hpp"

namespace eventwire {
namespace {

std::mt19937_64& thread_rng() {
  // Seeded once per thread from the OS; ids need uniqueness, not cryptographic secrecy.
  thread_local std::mt19937_64 rng{[] {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64{seq};
  }()};
  return rng;
}

void fill_random(std::array<std::uint8_t, 16>& bytes, std::size_t from) {
  auto& rng = thread_rng();
  for (std::size_t i = from; i < bytes.size(); i += 8) {
    std::uint64_t r = rng();
    for (std::size_t j = i; j < bytes.size() && j < i + 8; ++j) {
      bytes[j] = static_cast<std::uint8_t>(r);
      r >>= 8;
    }
  }
}

void set_version_and_variant(std::array<std::uint8_t, 16>& bytes, std::uint8_t version) {
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | (version << 4));
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant 10xx
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::v7() {
  // RFC 9562 method 1: a 12-bit counter in rand_a keeps ids from one thread monotonic within the
  // same millisecond; the counter starts at a random value below 2^11 each new millisecond.
  thread_local std::uint64_t last_ms = 0;
  thread_local std::uint32_t counter = 0;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  if (ms > last_ms) {
    last_ms = ms;
    counter = static_cast<std::uint32_t>(thread_rng()() & 0x7FF);
  } else if (++counter > 0xFFF) {  // counter exhausted: borrow the next millisecond
    ++last_ms;
    counter = 0;
  }
  std::array<std::uint8_t, 16> bytes{};
  fill_random(bytes, 8);
  for (int i = 0; i < 6; ++i)
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(last_ms >> (40 - 8 * i));
  bytes[6] = static_cast<std::uint8_t>(counter >> 8);
  bytes[7] = static_cast<std::uint8_t>(counter);
  set_version_and_variant(bytes, 7);
  return Uuid{bytes};
}

Uuid Uuid::v4() {
  std::array<std::uint8_t, 16> bytes{};
  fill_random(bytes, 0);
  set_version_and_variant(bytes, 4);
  return Uuid{bytes};
}

bool Uuid::try_parse(std::string_view text, Uuid& out) noexcept {
  const bool hyphenated = text.size() == 36;
  if (!hyphenated && text.size() != 32) return false;
  std::array<std::uint8_t, 16> bytes{};
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (hyphenated && (pos == 8 || pos == 13 || pos == 18 || pos == 23)) {
      if (text[pos] != '-') return false;
      ++pos;
    }
    int hi = hex_value(text[pos]);
    int lo = hex_value(text[pos + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  out = Uuid{bytes};
  return true;
}

Uuid Uuid::parse(std::string_view text) {
  Uuid id;
  if (!try_parse(text, id)) {
    throw ParseError("UUID: '" + std::string(text.substr(0, 64)) +
                     "' is not a UUID (expected 32 hex digits, optionally as 8-4-4-4-12)");
  }
  return id;
}

namespace {

void write_canonical(const std::array<std::uint8_t, 16>& bytes, char* at) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *at++ = '-';
    *at++ = digits[bytes[i] >> 4];
    *at++ = digits[bytes[i] & 0x0F];
  }
}

}  // namespace

std::string Uuid::to_string() const {
  std::string out(36, '-');
  write_canonical(bytes_, out.data());
  return out;
}

void Uuid::append_to(std::string& out) const {
  const std::size_t at = out.size();
  out.resize(at + text_size);
  write_to(out.data() + at);
}

void Uuid::write_to(char* out) const noexcept {
  write_canonical(bytes_, out);
}

}  // namespace eventwire
