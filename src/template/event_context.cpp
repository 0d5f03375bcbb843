// The template context Prefect builds for an automation's event.
#include <algorithm>

#include "eventwire/event_context.hpp"
#include "eventwire/timestamp.hpp"

namespace eventwire {

json event_context(const Event& event) {
  json e = event.to_json();
  // Prefect's ReceivedEvent.occurred is a datetime; a template prints str(datetime).
  e["occurred"] = format_timestamp_python(event.occurred);
  json context = json::object();
  context["event"] = std::move(e);
  return context;
}

namespace {

using Paths = std::vector<ContextPaths::Path>;
using PathIt = Paths::const_iterator;

json all_labels(const Resource& resource) {
  json out = json::object();
  for (const auto [name, value] : resource)
    out.emplace(std::string(name), value);
  return out;
}

// The labels of `resource` read by [first, last), paths below event/<field>.
json labels(const Resource& resource, PathIt first, PathIt last) {
  if (std::any_of(first, last, [](const auto& p) { return p.size() == 2; }))
    return all_labels(resource);
  json out = json::object();
  for (PathIt p = first; p != last; ++p) {
    if (const auto value = resource.find((*p)[2]); value && !out.contains((*p)[2]))
      out.emplace((*p)[2], *value);
  }
  return out;
}

// The event's scalar fields as its context holds them (Prefect's ReceivedEvent.occurred is a
// datetime: a template prints str(datetime)). One table serves the projected context and the
// direct lookups of EventTemplateContext.
struct ScalarField {
  std::string_view name;
  json (*value)(const Event&);
};
constexpr ScalarField scalar_fields[] = {
    {"occurred", [](const Event& e) -> json { return format_timestamp_python(e.occurred); }},
    {"event", [](const Event& e) -> json { return e.event; }},
    {"id", [](const Event& e) -> json { return e.id.to_string(); }},
    {"follows",
     [](const Event& e) -> json { return e.follows ? json(e.follows->to_string()) : json(); }},
};

const ScalarField* scalar_field(std::string_view name) {
  for (const auto& field : scalar_fields)
    if (field.name == name) return &field;
  return nullptr;
}

bool is_event_field(std::string_view key) {
  return scalar_field(key) || key == "resource" || key == "related" || key == "payload";
}

// One key of the event's context value, as event_context(event) holds it, projected on
// [first, last): the paths below event/<key>. `key` is an event field.
json event_field(const Event& event, std::string_view key, const ContextPaths& reads, PathIt first,
                 PathIt last) {
  if (const ScalarField* field = scalar_field(key)) return field->value(event);
  if (key == "resource") return labels(event.resource, first, last);
  if (key == "related") {
    json related = json::array();
    for (const auto& r : event.related)
      related.push_back(all_labels(r));
    return related;
  }
  const std::string_view at[] = {"event", "payload"};  // "payload"
  return reads.project(event.payload, at);
}

}  // namespace

json event_context(const Event& event, const ContextPaths& reads) {
  constexpr std::string_view event_key[] = {"event"};
  if (reads.reads_whole(event_key)) return event_context(event);
  const Paths& paths = reads.paths();
  auto first = std::find_if(paths.begin(), paths.end(),
                            [](const auto& p) { return p.size() >= 2 && p[0] == "event"; });
  json context = json::object();
  if (first == paths.end()) return context;
  json e = json::object();
  // Sorted: the paths below "event" are one run, grouped by the field they read.
  while (first != paths.end() && first->size() >= 2 && (*first)[0] == "event") {
    const std::string& key = (*first)[1];
    auto last = std::find_if(first, paths.end(), [&](const auto& p) {
      return p.size() < 2 || p[0] != "event" || p[1] != key;
    });
    if (is_event_field(key)) e.emplace(key, event_field(event, key, reads, first, last));
    first = last;
  }
  context.emplace("event", std::move(e));
  return context;
}

const json& EventTemplateContext::get(const ContextPaths& reads) {
  if (context_ && built_.covers(reads)) return *context_;
  built_.merge(reads);
  context_ = event_context(*event_, built_);
  return *context_;
}

std::optional<json> EventTemplateContext::lookup(std::span<const std::string> path) const {
  if (path.size() < 2 || path[0] != "event") return std::nullopt;
  const Event& e = *event_;
  const std::string& field = path[1];
  if (field == "payload") {
    const json* at = &e.payload;
    for (const std::string& key : path.subspan(2)) {
      if (!at->is_object()) return std::nullopt;
      auto it = at->find(key);
      if (it == at->end()) return std::nullopt;
      at = &*it;
    }
    return *at;
  }
  if (field == "resource") {
    if (path.size() != 3) return std::nullopt;
    const std::optional<std::string_view> label = e.resource.find(path[2]);
    return label ? std::optional<json>(*label) : std::nullopt;
  }
  if (path.size() != 2) return std::nullopt;
  if (const ScalarField* scalar = scalar_field(field)) return scalar->value(e);
  return std::nullopt;
}

}  // namespace eventwire
