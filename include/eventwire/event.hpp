/// @file event.hpp
/// The event model: Prefect's wire-format `Event`, its `Resource` and `RelatedResource`, limits
/// and validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventwire/json.hpp"
#include "eventwire/timestamp.hpp"
#include "eventwire/uuid.hpp"

namespace eventwire {

namespace detail {

/// Byte equality of short strings, inlined: label names and values are a few dozen bytes, where
/// a memcmp call costs more than the compare. Same result as `a == b`.
[[gnu::always_inline]] inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  auto word = [](const char* at) {
    std::uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  };
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 16 < n; i += 8)
      if (word(p + i) != word(q + i)) return false;
    // 9 to 16 bytes left (8 to 16 in all): two words, the second overlapping, without a branch
    return ((word(p + i) ^ word(q + i)) | (word(p + n - 8) ^ word(q + n - 8))) == 0;
  }
  if (n >= 4) {
    std::uint32_t x0, y0, x1, y1;
    std::memcpy(&x0, p, 4);
    std::memcpy(&y0, q, 4);
    std::memcpy(&x1, p + n - 4, 4);
    std::memcpy(&y1, q + n - 4, 4);
    return x0 == y0 && x1 == y1;
  }
  return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
}

}  // namespace detail

class Resource;

namespace detail {
/// The start of a resource's label buffer, for a caller that prefetches it.
const char* label_text(const Resource& resource) noexcept;
}  // namespace detail

/// Well-known label names.
namespace labels {
inline constexpr std::string_view resource_id = "prefect.resource.id";
inline constexpr std::string_view resource_role = "prefect.resource.role";
inline constexpr std::string_view resource_name = "prefect.resource.name";
}  // namespace labels

/// A resource: an ordered map of string labels, `prefect.resource.id` among them.
///
/// Labels keep the order they were set in (Prefect's resources are Python dicts), and setting an
/// existing label replaces its value in place. Lookups are linear: resources hold a handful of
/// labels, where a flat scan beats any map.
///
/// All labels live in one buffer (each name and value after their two lengths), so a resource
/// costs one allocation however many labels it has: events are copied, stored and freed on every
/// emit, and per-string allocations were most of that cost. Iteration and `find` hand out views
/// into that buffer, valid until the resource is changed, moved from or destroyed (a resource
/// of a few bytes keeps its labels inside the object, so unlike the strings of a vector of
/// labels they do not survive a move).
///
/// @code
/// eventwire::Resource node{{"prefect.resource.id", "infrahub.node.42"},
///                          {"infrahub.node.kind", "NetworkDevice"}};
/// node.id();                          // "infrahub.node.42"
/// node.find("infrahub.node.kind");    // optional view of "NetworkDevice"; nullopt when absent
/// for (auto [name, value] : node) {}  // in the order set
/// @endcode
class Resource {
 public:
  /// A label as iteration yields it: views into the resource.
  using Label = std::pair<std::string_view, std::string_view>;

  /// Forward iterator over the labels, in order; yields Label values.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using reference = Label;
    struct pointer {
      Label label;
      const Label* operator->() const noexcept { return &label; }
    };

    const_iterator() = default;
    Label operator*() const noexcept {
      const Header h = header(at_);
      return {{at_ + sizeof(Header), h.name}, {at_ + sizeof(Header) + h.name, h.value}};
    }
    pointer operator->() const noexcept { return {**this}; }
    const_iterator& operator++() noexcept {
      const Header h = header(at_);
      at_ += sizeof(Header) + h.name + h.value;
      return *this;
    }
    const_iterator operator++(int) noexcept {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const const_iterator&, const const_iterator&) = default;

   private:
    friend class Resource;
    explicit const_iterator(const char* at) noexcept : at_(at) {}
    const char* at_ = nullptr;
  };
  using iterator = const_iterator;

  Resource() = default;
  Resource(const Resource&) = default;
  Resource& operator=(const Resource&) = default;
  /// A moved-from resource is empty: the label count moves with the buffer (the defaults would
  /// leave the count behind, so size() and == would describe labels it no longer holds).
  Resource(Resource&& other) noexcept
      : text_(std::move(other.text_)), count_(std::exchange(other.count_, 0)) {
    other.text_.clear();
  }
  Resource& operator=(Resource&& other) noexcept {
    if (this != &other) {
      text_ = std::move(other.text_);
      count_ = std::exchange(other.count_, 0);
      other.text_.clear();
    }
    return *this;
  }
  ~Resource() = default;
  /// Labels in order; a repeated name keeps its first position and its last value (as a dict
  /// literal does in Python).
  Resource(std::initializer_list<Label> labels);

  /// The value of `name`, or nullopt when the label is absent. An absent label is not the same
  /// as an empty one: triggers never match an absent label.
  /// Inline: the trigger index calls it per candidate check.
  std::optional<std::string_view> find(std::string_view name) const noexcept {
    const char* at = text_.data();
    const char* const end = at + text_.size();
    while (at != end) {
      const Header h = header(at);
      const char* label = at + sizeof(Header);
      if (detail::same_text({label, h.name}, name))
        return std::string_view(label + h.name, h.value);
      at = label + h.name + h.value;
    }
    return std::nullopt;
  }
  bool contains(std::string_view name) const noexcept { return find(name).has_value(); }
  /// The value of `name`, or an empty view when absent.
  std::string_view get(std::string_view name) const noexcept { return find(name).value_or(""); }
  /// Sets `name` to `value`, replacing an existing value in place or appending a new label.
  Resource& set(std::string_view name, std::string_view value);
  /// Makes room for `labels` more labels whose names and values take `text_bytes` in all (a
  /// builder's hint: the resource then grows in one step).
  void reserve(std::size_t labels, std::size_t text_bytes = 0) {
    text_.reserve(text_.size() + labels * sizeof(Header) + text_bytes);
  }
  /// Removes `name`; returns whether it was present.
  bool erase(std::string_view name);

  /// `prefect.resource.id` (empty when absent).
  std::string_view id() const noexcept { return get(labels::resource_id); }
  /// `prefect.resource.name` (empty when absent).
  std::string_view name() const noexcept { return get(labels::resource_name); }

  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  const_iterator begin() const noexcept { return const_iterator(text_.data()); }
  const_iterator end() const noexcept { return const_iterator(text_.data() + text_.size()); }
  /// Bytes reserved for the labels (memory accounting: the resource's only allocation when
  /// larger than a std::string's inline buffer).
  std::size_t capacity_bytes() const noexcept { return text_.capacity(); }

  friend bool operator==(const Resource&, const Resource&) = default;

 private:
  friend const char* detail::label_text(const Resource&) noexcept;

  struct Header {
    std::uint32_t name;
    std::uint32_t value;
  };
  static Header header(const char* at) noexcept {
    Header h;
    std::memcpy(&h, at, sizeof h);
    return h;
  }

  std::string text_{};  // per label: Header, then the name's bytes, then the value's
  std::uint32_t count_ = 0;
};

inline const char* detail::label_text(const Resource& resource) noexcept {
  return resource.text_.data();
}

/// A resource related to an event, in a role (`prefect.resource.role`, required).
///
/// @code
/// eventwire::RelatedResource branch{{"prefect.resource.id", "infrahub.branch.7f3c..."},
///                                   {"prefect.resource.role", "infrahub.branch"},
///                                   {"infrahub.resource.label", "main"}};
/// branch.role();  // "infrahub.branch"
/// @endcode
class RelatedResource : public Resource {
 public:
  using Resource::Resource;
  /// `prefect.resource.role` (empty when absent).
  std::string_view role() const noexcept { return get(labels::resource_role); }
};

/// Limits applied by validation. The defaults are Prefect's server defaults
/// (`PREFECT_SERVER_EVENTS_MAXIMUM_*`); each may be raised or lowered by the host.
struct EventLimits {
  /// Labels per resource or related resource, `prefect.resource.id` included.
  std::size_t max_labels_per_resource = 500;
  /// Entries in `related`.
  std::size_t max_related_resources = 100;
  /// Characters (Unicode code points, as Python's `len`) in the event name.
  std::size_t max_event_name_length = 1024;
  /// Bytes of the event's compact JSON form.
  std::size_t max_event_size_bytes = 1'500'000;
  /// Bytes of raw JSON text `Event::parse` reads at all; checked before parsing so oversize input
  /// costs nothing. Larger than max_event_size_bytes to allow for whitespace.
  std::size_t max_input_bytes = 4'000'000;
  /// Nesting depth of the payload (and of any JSON text parsed). Deeper payloads are refused
  /// rather than risking the stack; 200 is the limit of pydantic's JSON parser.
  std::size_t max_json_depth = 200;
};

/// An event in Prefect's wire format.
///
/// An aggregate, so it reads like Prefect's `Event(...)` with designated initializers. `occurred`
/// defaults to now and `id` to a fresh UUID v7, as Prefect's client does.
///
/// JSON is Prefect's wire form: keys `occurred, event, resource, related, payload, id, follows` in
/// that order, `follows` written even when null, times as `format_timestamp` writes them. Unknown
/// keys (such as `received`) are ignored when reading.
///
/// @code
/// eventwire::Event e{.event = "infrahub.node.created",
///                    .resource = {{"prefect.resource.id", "infrahub.node.42"}},
///                    .payload = {{"data", {{"kind", "NetworkDevice"}}}}};
/// e.validate();                 // throws ValidationError / LimitError naming the field
/// std::string wire = e.dump();  // {"occurred":"...Z","event":"infrahub.node.created",...}
/// auto back = eventwire::Event::parse(wire);
/// @endcode
struct Event {
  Timestamp occurred = now();
  std::string event{};
  Resource resource{};
  std::vector<RelatedResource> related{};
  json payload = json::object();
  Uuid id = Uuid::v7();
  std::optional<Uuid> follows{};

  /// The first related resource in `role`, or nullptr (Prefect's `resource_in_role`).
  const RelatedResource* find_related(std::string_view role) const noexcept;

  /// Checks every rule and limit; throws ValidationError (or LimitError) naming the field.
  void validate(const EventLimits& limits = {}) const;

  /// Prefect's wire JSON as a value.
  json to_json() const;
  /// Prefect's wire JSON as compact text. Throws ValidationError if a string is not UTF-8.
  std::string dump() const;

  /// Reads the wire form from a JSON value, then validates. Throws ValidationError (or
  /// LimitError) naming the field: wrong types, missing required fields, broken rules.
  static Event from_json(const json& value, const EventLimits& limits = {});
  /// Parses JSON text, then as from_json. Throws ParseError for malformed text, LimitError for
  /// oversize or too deeply nested text.
  static Event parse(std::string_view text, const EventLimits& limits = {});

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace eventwire
