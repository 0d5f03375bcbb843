// eventwire quickstart: the seed's custom trigger, an Infrahub node event, and the host's
// workflow called with the parameters Prefect would render. Run by ./scripts/demo.
#include <eventwire/eventwire.hpp>

#include <iostream>

namespace ew = eventwire;
using namespace ew::infrahub;

int main() {
  // The host's workflow runner: one callback per workflow name.
  auto runner = std::make_shared<ew::CallbackExecutor>();
  runner->on("device-validation", [](const ew::WorkflowRun& run) {
    std::cout << "device-validation <- " << run.trigger << " " << run.parameters.dump() << "\n";
  });
  ew::EventService service{{.executor = runner}};

  // The seed's custom trigger: NetworkDevice created or updated -> validate it.
  const ew::WorkflowDefinition device_validation{.name = "device-validation",
                                                 .required_parameters = {"device_id", "branch"}};
  service.register_trigger(ew::TriggerDefinition{
      .name = "custom-device-validation",
      .trigger = {.events = {"infrahub.node.created", "infrahub.node.updated"},
                  .match = {{"infrahub.node.kind", "NetworkDevice"}}},
      .actions = {ew::ExecuteWorkflow{
          .workflow = device_validation,
          .parameters = {{"device_id", "{{ event.payload['data']['node_id'] }}"},
                         {"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}});

  // Something happened on branch main: a device and a tag were created.
  auto ctx =
      ew::InfrahubContext::init({.name = "main", .id = "0190c2a4-0000-7000-8000-00000000b001"},
                                {.account_id = "0190c2a4-0000-7000-8000-00000000a001"});
  service.emit(NodeCreatedEvent{.meta = ew::EventMeta::from_context(ctx),
                                .kind = "NetworkDevice",
                                .node_id = "0190c2a4-0000-7000-8000-0000000000d1"});
  NodeCreatedEvent tag{.meta = ew::EventMeta::from_context(ctx),
                       .kind = "BuiltinTag",
                       .node_id = "0190c2a4-0000-7000-8000-0000000000d2"};
  service.emit(tag);
  service.flush();

  // Why did the tag not fire the trigger? (Infrahub's built-in triggers are registered too.)
  for (const auto& verdict : service.explain(to_event(tag))) {
    if (verdict.trigger == "builtin::custom-device-validation") {
      std::cout << verdict.trigger << " on the tag: " << verdict.explanation.reason << "\n";
    }
  }

  // The history: the two events, and the service's record of what it ran.
  for (const auto& event : service.read_events({.order = ew::EventOrder::ascending}).events) {
    std::cout << "history: " << event->event << " " << event->resource.id() << "\n";
  }
}
