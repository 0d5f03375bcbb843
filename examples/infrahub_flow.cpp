// eventwire and Infrahub's flow, end to end: the host runs several of the seed's workflows, a
// branch filter and an exclude-branch trigger pick their events, one workflow emits a child
// event (an artifact), and `explain` says why a trigger did not fire.
#include <eventwire/eventwire.hpp>

#include <iostream>

namespace ew = eventwire;
using namespace ew::infrahub;

namespace {

ew::InfrahubContext on_branch(const std::string& name, const std::string& id) {
  return ew::InfrahubContext::init({.name = name, .id = id},
                                   {.account_id = "0190c2a4-0000-7000-8000-00000000a001"});
}

void print_run(const ew::WorkflowRun& run) {
  ew::json shown = run.parameters;
  if (shown.contains("context")) shown["context"] = "...";  // Infrahub's request context, long
  std::cout << "  run " << run.workflow << " <- " << run.trigger << " " << shown.dump() << "\n";
}

}  // namespace

int main() {
  auto runner = std::make_shared<ew::CallbackExecutor>();
  runner->otherwise(print_run);  // ipam-validation, my-workflow, schema_apply_migrations, ...

  // At start-up the service configures Infrahub's built-in triggers, plus the seed's example
  // triggers given here (Infrahub's trigger_configure_all); warnings (a failed run, a parameter
  // that does not render) are logged.
  ew::EventService service{{.executor = runner,
                            .triggers = example_triggers(),
                            .on_warning = [](const ew::ServiceWarning& w) {
                              std::cout << "  warning: " << w.message << "\n";
                            }}};

  // Branch filter (seed): devices created on main get their artifacts generated.
  service.register_trigger(
      {.name = "main-device-artifacts",
       .trigger = {.events = {"infrahub.node.created"},
                   .match = {{"infrahub.node.kind", "NetworkDevice"}},
                   .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                     {"infrahub.resource.label", "main"}}},
       .actions = {
           ew::ExecuteWorkflow{.workflow = {.name = "generate-artifacts"},
                               .parameters = {{"node_id", "{{ event.payload['data']['node_id'] }}"},
                                              {"kind", "{{ event.payload['data']['kind'] }}"}}}}});
  // Exclude branch (seed): IP addresses changed anywhere but main are reviewed.
  service.register_trigger(
      {.name = "ipam-outside-main",
       .trigger = {.events = {"infrahub.node.updated"},
                   .match = {{"infrahub.node.kind", "IPAddress"}},
                   .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                     {"infrahub.resource.label", "!main"}}},
       .actions = {ew::ExecuteWorkflow{
           .workflow = {.name = "ipam-branch-review"},
           .parameters = {{"branch", "{{ event.resource['infrahub.branch.name'] }}"}}}}});

  // A workflow that causes an event: the artifact is a child of the device's event.
  runner->on("generate-artifacts", [&](const ew::WorkflowRun& run) {
    print_run(run);
    auto child = service.emit(
        ArtifactGeneratedEvent{.meta = run.child_meta(),
                               .node_id = "0190c2a4-0000-7000-8000-0000000000f1",
                               .artifact_definition_id = "0190c2a4-0000-7000-8000-0000000000e1",
                               .target_id = run.parameters["node_id"],
                               .target_kind = run.parameters["kind"],
                               .checksum = "c0ffee"});
    std::cout << "  emitted " << child->event << " at level " << ew::event_level(*child) << "\n";
  });

  const auto main_branch = on_branch("main", "0190c2a4-0000-7000-8000-00000000b001");
  const auto feature = on_branch("feature-x", "0190c2a4-0000-7000-8000-00000000b002");

  std::cout << "== a device created on main\n";
  NodeCreatedEvent device{.meta = ew::EventMeta::from_context(main_branch),
                          .kind = "NetworkDevice",
                          .node_id = "0190c2a4-0000-7000-8000-0000000000d1"};
  service.emit(device);

  // IP addresses also fire the seed's audit-trail, whose account_id reads a resource label node
  // events do not carry: Prefect fails that parameter, and so does eventwire (a warning, and the
  // other triggers run).
  std::cout << "== an IP address updated on feature-x\n";
  service.emit(NodeUpdatedEvent{.meta = ew::EventMeta::from_context(feature),
                                .kind = "IPAddress",
                                .node_id = "0190c2a4-0000-7000-8000-0000000000c1"});

  std::cout << "== an IP address updated on main\n";
  NodeUpdatedEvent on_main{.meta = ew::EventMeta::from_context(main_branch),
                           .kind = "IPAddress",
                           .node_id = "0190c2a4-0000-7000-8000-0000000000c2"};
  service.emit(on_main);

  std::cout << "== the schema updated on main\n";
  service.emit(SchemaUpdatedEvent{.meta = ew::EventMeta::from_context(main_branch),
                                  .branch_name = "main",
                                  .schema_hash = "5f2c"});
  service.flush();

  std::cout << "== why did ipam-outside-main not fire on main?\n";
  for (const auto& verdict : service.explain(to_event(on_main))) {
    if (verdict.trigger == "builtin::ipam-outside-main") {
      std::cout << "  " << verdict.explanation.reason << "\n";
    }
  }

  std::cout << "== the device event's family\n";
  for (const auto& [event, depth] : service.store().family(device.meta.id)) {
    std::cout << "  " << std::string(2 * static_cast<std::size_t>(depth), ' ') << event->event
              << " (level " << ew::event_level(*event) << ")\n";
  }

  std::cout << "== trigger metrics\n";
  for (const auto& [name, m] : service.metrics()) {
    std::cout << "  " << name << ": matched " << m.matched << ", runs " << m.runs << ", failed "
              << m.failed << "\n";
  }
}
