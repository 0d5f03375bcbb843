// The parts of a template context that templates read.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/json.hpp"

namespace eventwire {

/// The parts of a template context a set of templates can read, found by reading the compiled
/// templates: every chain of constant lookups from a variable (`event.payload['data']['id']`
/// reads the path event/payload/data/id). A variable used any other way (`{{ event }}`,
/// `{% for k in event %}`, `event.payload.items()`) is read whole from that point.
///
/// Contract: a template renders the same with `project(context)` as with `context` (a key that
/// is absent stays absent). The service uses it to build only the parts of an event's context
/// that the fired triggers read. A value type; copies share their paths.
///
/// @code
/// auto t = eventwire::Template::compile("{{ event.payload['data']['node_id'] }}");
/// t.reads().project(eventwire::event_context(event));  // {"event": {"payload": {"data": {...}}}}
/// @endcode
class ContextPaths {
 public:
  using Path = std::vector<std::string>;

  /// Reads nothing.
  ContextPaths() = default;
  /// Reads the whole context (what an unknown template may do).
  static ContextPaths everything();

  /// Adds a path whose value is read whole (an empty path: the whole context).
  void add(std::span<const std::string_view> path);
  /// Adds everything `other` reads.
  void merge(const ContextPaths& other);

  bool reads_everything() const noexcept;
  bool empty() const noexcept { return paths().empty(); }
  /// The paths read, sorted, none a prefix of another (a read of `a` covers `a/b`).
  const std::vector<Path>& paths() const noexcept;
  /// Whether everything `other` reads is read here too.
  bool covers(const ContextPaths& other) const noexcept;

  /// A copy of `context` holding only what is read: objects along a path keep only the keys
  /// read; the value at the end of a path (or any non-object on the way) is copied whole.
  json project(const json& context) const;
  /// As project, for `value` found at path `at` of the context (projects what is read below it).
  json project(const json& value, std::span<const std::string_view> at) const;
  /// Whether the value at `at` is read whole (a read path is a prefix of `at`).
  bool reads_whole(std::span<const std::string_view> at) const noexcept;

  friend bool operator==(const ContextPaths& a, const ContextPaths& b) noexcept {
    return a.paths() == b.paths();
  }

 private:
  // Sorted and minimal; shared, so a copy is cheap (add and merge make a new vector).
  std::shared_ptr<const std::vector<Path>> paths_;
};

}  // namespace eventwire
