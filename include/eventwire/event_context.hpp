// The template context of an event, as a Prefect automation renders its templates with it.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "eventwire/context_paths.hpp"
#include "eventwire/event.hpp"
#include "eventwire/json.hpp"

namespace eventwire {

/// The template context of a Prefect automation for `event`: `{"event": <ReceivedEvent>}`.
///
/// The event's wire JSON, except the values a Prefect template sees as Python objects and prints
/// with `str()`: `occurred` is `str(datetime)` (`2025-03-14 09:26:53.589793+00:00`, see
/// format_timestamp_python), `id`/`follows` the UUID's canonical text. `event.resource` and
/// `event.related[i]` are label dicts (`event.resource['infrahub.branch.name']`).
json event_context(const Event& event);
/// As event_context, holding only what `reads` reads (ContextPaths::project of the full context,
/// without building the parts nobody reads).
json event_context(const Event& event, const ContextPaths& reads);

/// One event's template context, built on first use and only as far as its users read it: what
/// the service hands to every action that fires on the event.
///
/// Contract: get(reads) returns a context holding at least what `reads` reads; a later call that
/// reads more rebuilds it wider (references from earlier calls are then invalid). Not
/// thread-safe: one per dispatch. The event must outlive it.
///
/// @code
/// eventwire::EventTemplateContext context(event);
/// json params = compiled.hydrate(context);  // builds event.payload.data.node_id only, if at all
/// @endcode
class EventTemplateContext {
 public:
  explicit EventTemplateContext(const Event& event) noexcept : event_(&event) {}
  const Event& event() const noexcept { return *event_; }
  const json& get(const ContextPaths& reads);
  /// The value at `path` (`{"event", "payload", "data", "id"}`) when the event answers it
  /// without a context: a label, a scalar field, or a value inside the payload; nullopt for
  /// anything else (a missing key, a whole resource, `related`).
  std::optional<json> lookup(std::span<const std::string> path) const;

 private:
  const Event* event_;
  ContextPaths built_;
  std::optional<json> context_;
};

}  // namespace eventwire
