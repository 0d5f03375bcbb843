// The events the service and store benchmarks send (and store_test measures): a small host event
// and a realistic Infrahub node event, built once.
#pragma once

#include "eventwire/infrahub/events.hpp"

namespace eventwire::bench {

/// A small host event (three labels, a one-key payload) of the kind the seed's custom trigger
/// matches.
inline const Event& small_event() {
  static const Event event{
      .event = "infrahub.node.created",
      .resource = {{"prefect.resource.id", "infrahub.node.0190c2a4-0000-7000-8000-0000000000d1"},
                   {"infrahub.node.kind", "NetworkDevice"},
                   {"infrahub.branch.name", "main"}},
      .payload = {{"data", {{"node_id", "0190c2a4-0000-7000-8000-0000000000d1"}}}}};
  return event;
}

/// A realistic Infrahub node event, as to_event builds it (context, changelog, six related
/// resources; ~2 KB of JSON).
inline const Event& infrahub_event() {
  static const Event event = [] {
    auto ctx = InfrahubContext::init({.name = "main", .id = "0190c2a4-0000-7000-8000-00000000b001"},
                                     {.account_id = "0190c2a4-0000-7000-8000-00000000a001"});
    infrahub::NodeChangelog changelog{.node_id = "0190c2a4-0000-7000-8000-0000000000d1",
                                      .node_kind = "NetworkDevice",
                                      .display_label = "edge-router-1"};
    changelog.add_attribute({.name = "ip_address",
                             .value = "10.0.0.2/24",
                             .value_previous = "10.0.0.1/24",
                             .kind = "IPHost"});
    return infrahub::to_event(infrahub::NodeCreatedEvent{.meta = EventMeta::from_context(ctx),
                                                         .kind = "NetworkDevice",
                                                         .node_id = changelog.node_id,
                                                         .changelog = changelog});
  }();
  return event;
}

}  // namespace eventwire::bench
