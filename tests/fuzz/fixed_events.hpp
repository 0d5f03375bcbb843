// Internal to the fuzz targets: a few fixed events for fuzzed triggers and parameters to meet.
#pragma once

#include <array>

#include "eventwire/event.hpp"

namespace eventwire::fuzz {

/// A node event with the related resources Infrahub sends, a branch event with few labels, and
/// an event with an odd resource name, a glob-like role and nested payload: enough shapes for
/// matching and templates to take every branch.
inline const std::array<Event, 3>& fixed_events() {
  static const std::array<Event, 3> events{
      Event::parse(R"({"occurred": "2025-03-14T09:26:53.589793Z", "event": "infrahub.node.created",
        "resource": {"prefect.resource.id": "infrahub.node.18255b5a", "infrahub.node.kind":
          "NetworkDevice", "infrahub.node.id": "18255b5a", "infrahub.branch.name": "main"},
        "related": [{"prefect.resource.id": "infrahub.branch.7f3c", "prefect.resource.role":
          "infrahub.branch", "infrahub.resource.label": "main"}, {"prefect.resource.id":
          "infrahub.account.1", "prefect.resource.role": "infrahub.account",
          "infrahub.resource.label": "admin"}, {"prefect.resource.id": "infrahub.node.9",
          "prefect.resource.role": "infrahub.related.node", "infrahub.node.kind": "Tag"}],
        "payload": {"data": {"node_id": "18255b5a", "kind": "NetworkDevice", "changelog":
          {"attributes": {"name": {"value": "spine1", "value_previous": null}}},
          "fields": ["name", "role"]}, "context": {"branch": {"name": "main", "id": "7f3c"}}},
        "id": "0195940e-7e15-7c1e-9b86-5c3d2b1a0f4e", "follows": null})"),
      Event::parse(R"({"occurred": "2024-01-01T00:00:00Z", "event": "infrahub.branch.created",
        "resource": {"prefect.resource.id": "infrahub.branch.b1", "infrahub.branch.name":
          "release-1.0"}, "related": [], "payload": {"n": 3, "x": [1, 2.5, "s", null, true]},
        "id": "0195940e-7e15-7c1e-9b86-5c3d2b1a0f4f"})"),
      Event::parse(R"({"occurred": "2024-02-29T23:59:59.999999Z", "event": "a",
        "resource": {"prefect.resource.id": "x.1", "prefect.resource.name": "é\n*"},
        "related": [{"prefect.resource.id": "r", "prefect.resource.role": "r*"}],
        "payload": {"d": {"a": {"b": [1, {"c": "é"}]}, "k": "v"}},
        "id": "0195940e-7e15-7c1e-9b86-5c3d2b1a0f50",
        "follows": "0195940e-7e15-7c1e-9b86-5c3d2b1a0f4e"})"),
  };
  return events;
}

}  // namespace eventwire::fuzz
