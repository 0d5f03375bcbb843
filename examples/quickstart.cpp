// eventwire quickstart: Infrahub's typed events, their context propagation, and Prefect's wire
// form. Run by ./scripts/demo.
#include <eventwire/eventwire.hpp>

#include <iostream>

namespace ew = eventwire;
using namespace ew::infrahub;

int main() {
  // The request an event happens in: which branch, which account.
  auto ctx =
      ew::InfrahubContext::init({.name = "main", .id = "0190c2a4-0000-7000-8000-00000000b001"},
                                {.account_id = "0190c2a4-0000-7000-8000-00000000a001"});

  // A node was updated: its kind, id, and what changed (the seed's NodeMutatedEvent).
  NodeChangelog changelog{.node_id = "0190c2a4-0000-7000-8000-0000000000d1",
                          .node_kind = "NetworkDevice",
                          .display_label = "edge-router-1"};
  changelog.add_attribute({.name = "ip_address",
                           .value = "10.0.0.2/24",
                           .value_previous = "10.0.0.1/24",
                           .kind = "IPHost"});
  NodeMutatedEvent updated{.meta = ew::EventMeta::from_context(ctx),
                           .kind = "NetworkDevice",
                           .node_id = changelog.node_id,
                           .action = MutationAction::updated,
                           .changelog = changelog,
                           .fields = {"ip_address"}};

  // A workflow reacting to it generates an artifact: a child event. from_parent propagates the
  // context, sets parent / level / ancestors, and marks the parent as having children.
  ArtifactGeneratedEvent generated{.meta = ew::EventMeta::from_parent(updated),
                                   .node_id = "0190c2a4-0000-7000-8000-0000000000f1",
                                   .artifact_definition_id = "0190c2a4-0000-7000-8000-0000000000e1",
                                   .target_id = updated.node_id,
                                   .target_kind = updated.kind,
                                   .checksum = "c0ffee"};

  // Prefect's wire form: what Infrahub emits to Prefect, byte for byte.
  for (const ew::Event& event : {to_event(updated), to_event(generated)}) {
    event.validate();
    std::cout << "== " << event.event << " (level "
              << event.find_related("infrahub.event")->get("infrahub.event.level") << ")\n"
              << ew::Event::parse(event.dump()).to_json().dump(2) << "\n";
  }
  std::cout << "parent has_children: " << std::boolalpha << updated.meta.has_children << "\n";
}
