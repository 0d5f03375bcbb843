#include "eventwire/event.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "detail/event_wire.hpp"
#include "detail/json_text.hpp"
#include "detail/json_writer.hpp"
#include "detail/utf8.hpp"
#include "eventwire/error.hpp"

namespace eventwire {
namespace {

std::string label_path(std::string_view owner, std::string_view label) {
  return fmt::format("{}['{}']", owner, label);
}

// Limits shared by validate() and the reader (which checks counts before building anything).
void check_label_count(std::size_t count, std::string_view owner, const EventLimits& limits) {
  if (count > limits.max_labels_per_resource) {
    throw LimitError(std::string(owner),
                     fmt::format("has {} labels; at most {} are allowed (max_labels_per_resource)",
                                 count, limits.max_labels_per_resource));
  }
}

void check_related_count(std::size_t count, const EventLimits& limits) {
  if (count > limits.max_related_resources) {
    throw LimitError("related", fmt::format("has {} resources; at most {} are allowed "
                                            "(max_related_resources)",
                                            count, limits.max_related_resources));
  }
}

void validate_labels(const Resource& resource, std::string_view owner, bool needs_role,
                     const EventLimits& limits) {
  check_label_count(resource.size(), owner, limits);
  auto require = [&](std::string_view label, std::string_view rule_missing) {
    const std::optional<std::string_view> value = resource.find(label);
    if (!value) throw ValidationError(label_path(owner, label), std::string(rule_missing));
    if (value->empty()) throw ValidationError(label_path(owner, label), "must be non-empty");
  };
  require(labels::resource_id, "is required (every resource needs a prefect.resource.id label)");
  if (needs_role) {
    require(labels::resource_role,
            "is required (every related resource needs a prefect.resource.role label)");
  }
}

// --- reading the wire form -------------------------------------------------------------------

template <typename R>
R read_resource(const json& value, const std::string& owner, const EventLimits& limits) {
  if (!value.is_object()) detail::wrong_json_type(owner, "an object of string labels", value);
  check_label_count(value.size(), owner, limits);
  R resource;
  std::size_t bytes = 0;
  for (const auto& [name, label] : value.get_ref<const json::object_t&>())
    bytes +=
        name.size() + (label.is_string() ? label.template get_ref<const std::string&>().size() : 0);
  resource.reserve(value.size(), bytes);
  for (const auto& [name, label] : value.get_ref<const json::object_t&>()) {
    if (!label.is_string())
      detail::wrong_json_type(label_path(owner, name), "a string (label values are strings)",
                              label);
    resource.set(name, label.template get_ref<const std::string&>());
  }
  return resource;
}

Timestamp read_time(const json& value, std::string field) {
  if (!value.is_string())
    detail::wrong_json_type(std::move(field), "an ISO 8601 timestamp string", value);
  try {
    return parse_timestamp(value.get_ref<const std::string&>());
  } catch (const ParseError& e) {
    throw ValidationError(std::move(field), e.what());
  }
}

Uuid read_uuid(const json& value, std::string field) {
  Uuid id;
  if (!value.is_string()) detail::wrong_json_type(std::move(field), "a UUID string", value);
  if (!Uuid::try_parse(value.get_ref<const std::string&>(), id)) {
    throw ValidationError(std::move(field), fmt::format("'{}' is not a valid UUID",
                                                        value.get_ref<const std::string&>()));
  }
  return id;
}

json resource_to_json(const Resource& resource) {
  json out = json::object();
  for (const auto [name, value] : resource)
    out.emplace(std::string(name), value);
  return out;
}

}  // namespace

// --- Resource --------------------------------------------------------------------------------

Resource::Resource(std::initializer_list<Label> labels) {
  std::size_t bytes = 0;
  for (const auto& [name, value] : labels)
    bytes += name.size() + value.size();
  reserve(labels.size(), bytes);
  for (const auto& [name, value] : labels)
    set(name, value);
}

Resource& Resource::set(std::string_view name, std::string_view value) {
  constexpr std::size_t most = std::numeric_limits<std::uint32_t>::max();
  if (name.size() > most || value.size() > most) {
    throw LimitError(fmt::format("['{}']", name.substr(0, 64)),
                     "label names and values must be shorter than 4 GiB");
  }
  for (auto at = text_.begin(); at != text_.end();) {
    const Header h = header(&*at);
    const std::size_t label = static_cast<std::size_t>(at - text_.begin()) + sizeof(Header);
    if (std::string_view(text_).substr(label, h.name) == name) {
      const Header updated{h.name, static_cast<std::uint32_t>(value.size())};
      text_.replace(label + h.name, h.value, value);
      std::memcpy(text_.data() + (label - sizeof(Header)), &updated, sizeof updated);
      return *this;
    }
    at += static_cast<std::ptrdiff_t>(sizeof(Header) + h.name + h.value);
  }
  const std::less<const char*> before;
  auto inside = [&](std::string_view text) {
    return !text.empty() && !before(text.data(), text_.data()) &&
           before(text.data(), text_.data() + text_.size());
  };
  if (inside(name) || inside(value)) {
    // Views of this resource's own labels: the appends below may move the buffer under them.
    return set(std::string(name), std::string(value));
  }
  const Header added{static_cast<std::uint32_t>(name.size()),
                     static_cast<std::uint32_t>(value.size())};
  text_.append(reinterpret_cast<const char*>(&added), sizeof added).append(name).append(value);
  ++count_;
  return *this;
}

bool Resource::erase(std::string_view name) {
  for (std::size_t at = 0; at != text_.size();) {
    const Header h = header(text_.data() + at);
    const std::size_t length = sizeof(Header) + h.name + h.value;
    if (std::string_view(text_).substr(at + sizeof(Header), h.name) == name) {
      text_.erase(at, length);
      --count_;
      return true;
    }
    at += length;
  }
  return false;
}

namespace {

// An upper bound of the wire form's size: every string as if each byte needed a \uXXXX escape,
// every number at its longest. Walks the event without writing anything. Invalid UTF-8 anywhere
// makes it "unbounded", so that writing the wire form reports the error.
constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max() / 4;

std::size_t string_bound(std::string_view text) {
  return detail::is_valid_utf8(text) ? 6 * text.size() + 2 : unbounded;
}

// Returned by wire_size_bound(json, levels) for a value that nests deeper than allowed.
constexpr std::size_t too_deep = std::numeric_limits<std::size_t>::max();

// The wire-size bound of a JSON value, or too_deep when a container sits deeper than `levels`
// (each container is one level: `[]` is 1). One walk serves both of validate()'s payload checks.
// The walk goes on past invalid UTF-8, so that the depth is known before anything is written.
std::size_t wire_size_bound(const json& value, std::size_t levels) {
  constexpr std::size_t longest_number = 32;
  if (value.is_string()) return string_bound(value.get_ref<const std::string&>());
  if (!value.is_structured()) return longest_number;
  if (levels == 0) return too_deep;
  std::size_t n = 2;
  auto add = [&n](std::size_t bound) {
    if (bound == too_deep) return false;
    n = std::min(n + bound, unbounded);
    return true;
  };
  if (value.is_object()) {
    // The object itself, not items(): its proxies build strings for every element.
    for (const auto& [key, item] : value.get_ref<const json::object_t&>()) {
      if (!add(string_bound(key) + 2) || !add(wire_size_bound(item, levels - 1))) return too_deep;
    }
  } else {
    for (const auto& item : value) {
      if (!add(1) || !add(wire_size_bound(item, levels - 1))) return too_deep;
    }
  }
  return n;
}

std::size_t wire_size_bound(const Resource& resource) {
  std::size_t n = 2;
  for (const auto [name, text] : resource) {
    n += string_bound(name) + string_bound(text) + 2;
    if (n >= unbounded) return unbounded;
  }
  return n;
}

// `payload_bound` is wire_size_bound(e.payload, ...), computed with the depth check.
std::size_t wire_size_bound(const Event& e, std::size_t payload_bound) {
  constexpr std::size_t fixed = 256;  // keys, punctuation, the time and the two ids
  std::size_t n = fixed + string_bound(e.event) + wire_size_bound(e.resource);
  for (const auto& r : e.related) {
    n += 1 + wire_size_bound(r);
    if (n >= unbounded) return unbounded;
  }
  return n + payload_bound;
}

// The same bound as wire_size_bound(const Event&, ...), for events whose strings are all ASCII
// (the common case), without decoding any string: it sums `6 * size + 2` per string, as
// string_bound does for valid UTF-8, and ORs every byte into `high_bits_seen`. When that has a
// high bit set at the end, some string is not ASCII and the caller redoes the exact walk (which
// also settles whether it is valid UTF-8). Strings are read a word at a time with no early exit.
class AsciiBound {
 public:
  /// The bound of `e` with its payload `levels` deep at most; too_deep when it nests deeper.
  std::size_t event(const Event& e, std::size_t levels) {
    const std::size_t payload_bound = value(e.payload, levels);
    if (payload_bound == too_deep) return too_deep;
    constexpr std::size_t fixed = 256;  // as wire_size_bound(const Event&, ...)
    std::size_t n = fixed + string(e.event) + resource(e.resource);
    for (const auto& r : e.related)
      n += 1 + resource(r);
    return n + payload_bound;
  }

  /// Whether every string seen so far was ASCII.
  bool all_ascii() const noexcept { return (high_bits_seen_ & 0x8080808080808080u) == 0; }

 private:
  [[gnu::always_inline]] std::size_t string(std::string_view text) noexcept {
    const char* p = text.data();
    const std::size_t n = text.size();
    if (n >= 8) {
      std::uint64_t any = 0;
      for (std::size_t i = 0; i + 8 < n; i += 8)
        any |= word64(p + i);
      high_bits_seen_ |= any | word64(p + n - 8);  // the last word may overlap the loop's
    } else if (n >= 4) {
      high_bits_seen_ |= word32(p) | word32(p + n - 4);
    } else if (n > 0) {
      high_bits_seen_ |= static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) |
                         static_cast<unsigned char>(p[n - 1]);
    }
    return 6 * n + 2;
  }

  std::size_t resource(const Resource& resource) noexcept {
    std::size_t n = 2;
    for (const auto [name, text] : resource)
      n += string(name) + string(text) + 2;
    return n;
  }

  std::size_t value(const json& value, std::size_t levels) noexcept {
    constexpr std::size_t longest_number = 32;
    if (value.is_string()) return string(value.get_ref<const std::string&>());
    if (!value.is_structured()) return longest_number;
    if (levels == 0) return too_deep;
    std::size_t n = 2;
    if (value.is_object()) {
      for (const auto& [key, item] : value.get_ref<const json::object_t&>()) {
        const std::size_t bound = this->value(item, levels - 1);
        if (bound == too_deep) return too_deep;
        n += string(key) + 2 + bound;
      }
    } else {
      for (const auto& item : value.get_ref<const json::array_t&>()) {
        const std::size_t bound = this->value(item, levels - 1);
        if (bound == too_deep) return too_deep;
        n += 1 + bound;
      }
    }
    return n;
  }

  static std::uint64_t word64(const char* at) noexcept {
    std::uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  }
  static std::uint32_t word32(const char* at) noexcept {
    std::uint32_t w;
    std::memcpy(&w, at, 4);
    return w;
  }

  std::uint64_t high_bits_seen_ = 0;
};

void write_wire(const Event& e, std::string& out) {
  // Written directly (not through to_json) in pydantic's dialect: the wire form is produced for
  // every stored and validated event, and pydantic's float format is not nlohmann's.
  const auto& style = detail::pydantic_style;
  out.reserve(out.size() + 512);  // a small event's whole text: no growing step by step
  auto write_resource = [&out](const Resource& r) {
    out += '{';
    bool first = true;
    for (const auto [name, value] : r) {
      if (!first) out += ',';
      first = false;
      detail::write_json_string(out, name, detail::pydantic_style);
      out += ':';
      detail::write_json_string(out, value, detail::pydantic_style);
    }
    out += '}';
  };
  out += R"({"occurred":")";
  out += format_timestamp(e.occurred);
  out += R"(","event":)";
  detail::write_json_string(out, e.event, style);
  out += R"(,"resource":)";
  write_resource(e.resource);
  out += R"(,"related":[)";
  for (std::size_t i = 0; i < e.related.size(); ++i) {
    if (i) out += ',';
    write_resource(e.related[i]);
  }
  out += R"(],"payload":)";
  detail::write_json(out, e.payload, style);
  out += R"(,"id":")";
  e.id.append_to(out);
  if (e.follows) {
    out += R"(","follows":")";
    e.follows->append_to(out);
    out += R"("})";
  } else {
    out += R"(","follows":null})";
  }
}

}  // namespace

// --- Event -----------------------------------------------------------------------------------

const RelatedResource* Event::find_related(std::string_view role) const noexcept {
  for (const auto& candidate : related) {
    if (candidate.role() == role) return &candidate;
  }
  return nullptr;
}

void Event::validate(const EventLimits& limits) const {
  // A name has at most as many characters as bytes: most need no counting.
  if (auto length = event.size() <= limits.max_event_name_length ? 0 : detail::utf8_length(event);
      length > limits.max_event_name_length) {
    throw LimitError("event", fmt::format("is {} characters; event names must be at most {} "
                                          "characters (max_event_name_length)",
                                          length, limits.max_event_name_length));
  }
  validate_labels(resource, "resource", false, limits);
  check_related_count(related.size(), limits);
  for (std::size_t i = 0; i < related.size(); ++i) {
    // Name the owner only to report an error: valid events (the common case) allocate nothing.
    const RelatedResource& r = related[i];
    const std::optional<std::string_view> id_label = r.find(labels::resource_id);
    const std::optional<std::string_view> role_label = r.find(labels::resource_role);
    if (r.size() > limits.max_labels_per_resource || !id_label || id_label->empty() ||
        !role_label || role_label->empty()) {
      validate_labels(r, fmt::format("related[{}]", i), true, limits);
    }
  }
  if (!payload.is_object()) detail::wrong_json_type("payload", "an object", payload);
  auto too_deep_error = [&] {
    return LimitError("payload", fmt::format("nests deeper than {} levels (max_json_depth)",
                                             limits.max_json_depth));
  };
  // The size of the wire form. Writing it costs more than the rest of validation, so a cheap
  // upper bound settles the common case; only events near the limit are written out. All-ASCII
  // events get that bound without decoding a string; others take the exact walk.
  AsciiBound ascii;
  const std::size_t ascii_bound = ascii.event(*this, limits.max_json_depth);
  if (ascii_bound == too_deep) throw too_deep_error();
  if (ascii.all_ascii()) {
    if (ascii_bound <= limits.max_event_size_bytes) return;
  } else {
    const std::size_t payload_bound = wire_size_bound(payload, limits.max_json_depth);
    if (payload_bound == too_deep) throw too_deep_error();
    if (wire_size_bound(*this, payload_bound) <= limits.max_event_size_bytes) return;
  }
  if (auto size = dump().size(); size > limits.max_event_size_bytes) {
    throw LimitError("event", fmt::format("is {} bytes as JSON; at most {} bytes are allowed "
                                          "(max_event_size_bytes)",
                                          size, limits.max_event_size_bytes));
  }
}

json Event::to_json() const {
  json out = json::object();
  out.emplace("occurred", format_timestamp(occurred));
  out.emplace("event", event);
  out.emplace("resource", resource_to_json(resource));
  json related_json = json::array();
  for (const auto& r : related)
    related_json.push_back(resource_to_json(r));
  out.emplace("related", std::move(related_json));
  out["payload"] = payload;
  out.emplace("id", id.to_string());
  out.emplace("follows", follows ? json(follows->to_string()) : json(nullptr));
  return out;
}

std::string Event::dump() const {
  std::string out;
  write_wire(*this, out);
  return out;
}

namespace detail {

Event read_wire_event(const json& value, const EventLimits& limits) {
  if (!value.is_object()) detail::wrong_json_type("event JSON", "an object", value);
  Event e;
  if (const json* occurred = detail::json_member(value, "occurred"))
    e.occurred = read_time(*occurred, "occurred");
  const json* name = detail::json_member(value, "event");
  if (name == nullptr) throw ValidationError("event", "is required");
  if (!name->is_string()) detail::wrong_json_type("event", "a string", *name);
  e.event = name->get<std::string>();
  const json* resource = detail::json_member(value, "resource");
  if (resource == nullptr) throw ValidationError("resource", "is required");
  e.resource = read_resource<Resource>(*resource, "resource", limits);
  if (const json* related = detail::json_member(value, "related")) {
    if (!related->is_array()) detail::wrong_json_type("related", "a list of resources", *related);
    check_related_count(related->size(), limits);
    e.related.reserve(related->size());
    for (std::size_t i = 0; i < related->size(); ++i) {
      e.related.push_back(
          read_resource<RelatedResource>((*related)[i], fmt::format("related[{}]", i), limits));
    }
  }
  if (const json* payload = detail::json_member(value, "payload")) {
    if (!payload->is_object()) detail::wrong_json_type("payload", "an object", *payload);
    e.payload = *payload;
  }
  if (const json* id = detail::json_member(value, "id")) e.id = read_uuid(*id, "id");
  if (const json* follows = detail::json_member(value, "follows"); follows && !follows->is_null()) {
    e.follows = read_uuid(*follows, "follows");
  }
  return e;
}

}  // namespace detail

Event Event::from_json(const json& value, const EventLimits& limits) {
  Event e = detail::read_wire_event(value, limits);
  e.validate(limits);
  return e;
}

Event Event::parse(std::string_view text, const EventLimits& limits) {
  return from_json(detail::parse_json_text(text, "event JSON", limits.max_input_bytes,
                                           limits.max_json_depth, /*enclosing_levels=*/1),
                   limits);
}

}  // namespace eventwire
