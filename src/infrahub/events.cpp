// The event catalogue, the shared resource shapes, and turning a typed event into a Prefect one.
#include "eventwire/infrahub/events.hpp"

#include <algorithm>
#include <array>

#include "infrahub/resources.hpp"

namespace eventwire::infrahub {
namespace {

// Indexed by EventType; the order of the enum.
constexpr std::array<std::string_view, 40> names = {
    "infrahub.node.created",
    "infrahub.node.updated",
    "infrahub.node.deleted",
    "infrahub.group.member_added",
    "infrahub.group.member_removed",
    "infrahub.branch.created",
    "infrahub.branch.deleted",
    "infrahub.branch.merged",
    "infrahub.branch.rebased",
    "infrahub.branch.migrated",
    "infrahub.schema.updated",
    "infrahub.schema.validated",
    "infrahub.repository.update_commit",
    "infrahub.repository.created",
    "infrahub.repository.updated",
    "infrahub.repository.deleted",
    "infrahub.artifact.created",
    "infrahub.artifact.updated",
    "infrahub.artifact.generated",
    "infrahub.generator.executed",
    "infrahub.generator.completed",
    "infrahub.validator.started",
    "infrahub.validator.passed",
    "infrahub.validator.failed",
    "infrahub.validator.created",
    "infrahub.validator.completed",
    "infrahub.proposed_change.created",
    "infrahub.proposed_change.updated",
    "infrahub.proposed_change.closed",
    "infrahub.proposed_change.merged",
    "infrahub.proposed_change.review_requested",
    "infrahub.proposed_change.approved",
    "infrahub.proposed_change.rejected",
    "infrahub.proposed_change.approval_revoked",
    "infrahub.proposed_change.rejection_revoked",
    "infrahub.proposed_change.approvals_revoked",
    "infrahub.proposed_change_thread.created",
    "infrahub.proposed_change_thread.updated",
    "infrahub.account.logged_in",
    "infrahub.account.logged_out",
};
static_assert(names.size() == static_cast<std::size_t>(EventType::account_logged_out) + 1,
              "one name per EventType");

}  // namespace

std::string_view event_name(EventType type) noexcept {
  return names[static_cast<std::size_t>(type)];
}

std::optional<EventType> event_type_from_name(std::string_view name) noexcept {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<EventType>(it - names.begin());
}

std::span<const std::string_view> all_event_names() noexcept {
  return names;
}

bool is_node_kind_event(EventType type) noexcept {
  switch (type) {
    case EventType::node_created:
    case EventType::node_updated:
    case EventType::node_deleted:
    case EventType::group_member_added:
    case EventType::group_member_removed:
    case EventType::artifact_created:
    case EventType::artifact_updated:
    case EventType::artifact_generated:
    case EventType::validator_started:
    case EventType::validator_passed:
    case EventType::validator_failed:
    case EventType::validator_created:
    case EventType::validator_completed:
      return true;
    default:
      return false;
  }
}

bool has_limited_related(std::string_view kind) noexcept {
  return kind == "CoreGraphQLQueryGroup" || kind == "CoreGeneratorGroup" ||
         kind == "CoreGeneratorAwareGroup";
}

namespace detail {

RelatedResource node_in_role(std::string id, std::string_view role, std::string kind) {
  RelatedResource out;
  out.set("prefect.resource.id", std::move(id));
  out.set("prefect.resource.role", std::string(role));
  out.set("infrahub.node.kind", std::move(kind));
  return out;
}

RelatedResource related_node(std::string id, std::string kind) {
  return node_in_role(std::move(id), role_related_node, std::move(kind));
}

RelatedResource related_account(const std::string& id, std::string_view name_label,
                                std::string name) {
  RelatedResource out = related_node(id, std::string(kind_generic_account));
  out.set("infrahub.node.id", id);
  out.set(std::string(name_label), std::move(name));
  return out;
}

Resource node_action_resource(const std::string& node_id, const std::string& kind,
                              MutationAction action, const std::string& root_id,
                              const EventMeta& meta) {
  return Resource{{"prefect.resource.id", "infrahub.node." + node_id},
                  {"infrahub.node.kind", kind},
                  {"infrahub.node.id", node_id},
                  {"infrahub.node.action", std::string(to_string(action))},
                  {"infrahub.node.root_id", root_id},
                  {"infrahub.branch.name", meta.context.branch.name}};
}

Resource bare_node_resource(const std::string& node_id, std::string kind, const EventMeta& meta) {
  return Resource{{"prefect.resource.id", node_id},
                  {"infrahub.node.kind", std::move(kind)},
                  {"infrahub.node.id", node_id},
                  {"infrahub.branch.name", meta.context.branch.name}};
}

Resource branch_resource(const std::string& branch_name, const std::string& branch_id) {
  return Resource{{"prefect.resource.id", "infrahub.branch." + branch_name},
                  {"infrahub.branch.id", branch_id},
                  {"infrahub.branch.name", branch_name}};
}

Resource repository_resource(const std::string& repository_id, const std::string& repository_name,
                             const EventMeta& meta) {
  return Resource{{"prefect.resource.id", "infrahub.repository." + repository_id},
                  {"infrahub.repository.name", repository_name},
                  {"infrahub.repository.id", repository_id},
                  {"infrahub.branch.name", meta.context.branch.name}};
}

Resource proposed_change_resource(const std::string& id, const std::string& name,
                                  const std::string& state, const EventMeta& meta) {
  return Resource{{"prefect.resource.id", "infrahub.proposed_change." + id},
                  {"infrahub.node.kind", std::string(kind_proposed_change)},
                  {"infrahub.node.id", id},
                  {"infrahub.proposed_change.name", name},
                  {"infrahub.proposed_change.state", state},
                  {"infrahub.branch.name", meta.context.branch.name}};
}

json optional_string(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json make_event_payload(const EventMeta& meta, std::string_view name, json data) {
  json out = json::object();
  out["data"] = std::move(data);
  out["context"] = meta.context_for(name).to_event();
  return out;
}

Event make_event(const EventMeta& meta, std::string_view name, Resource resource,
                 std::vector<RelatedResource> related, json data) {
  return Event{.event = std::string(name),
               .resource = std::move(resource),
               .related = std::move(related),
               .payload = make_event_payload(meta, name, std::move(data)),
               .id = meta.id};
}

}  // namespace detail
}  // namespace eventwire::infrahub
