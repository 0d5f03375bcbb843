// Internal: the resource and related-resource shapes Infrahub's events share, built in one place
// so each event states only which shape it uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventwire/event.hpp"
#include "eventwire/infrahub/changelog.hpp"
#include "eventwire/meta.hpp"

namespace eventwire::infrahub::detail {

// Infrahub's InfrahubKind values the events name.
inline constexpr std::string_view kind_proposed_change = "CoreProposedChange";
inline constexpr std::string_view kind_generic_account = "CoreGenericAccount";
inline constexpr std::string_view kind_account_group = "CoreAccountGroup";
inline constexpr std::string_view kind_account_role = "CoreAccountRole";
inline constexpr std::string_view kind_artifact = "CoreArtifact";
inline constexpr std::string_view kind_generator_instance = "CoreGeneratorInstance";

inline constexpr std::string_view role_related_node = "infrahub.related.node";

/// `{"prefect.resource.id": id, "prefect.resource.role": role, "infrahub.node.kind": kind}`,
/// the shape of most of Infrahub's extra related entries.
RelatedResource node_in_role(std::string id, std::string_view role, std::string kind);

/// `node_in_role(id, "infrahub.related.node", kind)`.
RelatedResource related_node(std::string id, std::string kind);

/// An account as a proposed change relates it: related node of kind CoreGenericAccount with
/// `infrahub.node.id` and `name_label: name`.
RelatedResource related_account(const std::string& id, std::string_view name_label,
                                std::string name);

/// Node and group events: `infrahub.node.<id>`, kind, id, action, root_id, branch name.
Resource node_action_resource(const std::string& node_id, const std::string& kind,
                              MutationAction action, const std::string& root_id,
                              const EventMeta& meta);

/// Artifact, generator and validator events: the bare id, kind, id, branch name.
Resource bare_node_resource(const std::string& node_id, std::string kind, const EventMeta& meta);

/// Branch events: `infrahub.branch.<name>`, branch id, branch name.
Resource branch_resource(const std::string& branch_name, const std::string& branch_id);

/// Repository events: `infrahub.repository.<id>`, name, id, branch name.
Resource repository_resource(const std::string& repository_id, const std::string& repository_name,
                             const EventMeta& meta);

/// Proposed-change events: `infrahub.proposed_change.<id>`, kind, id, name, state, branch name.
Resource proposed_change_resource(const std::string& id, const std::string& name,
                                  const std::string& state, const EventMeta& meta);

/// The three fields every proposed-change payload starts with.
template <typename E>
json proposed_change_payload(const E& e) {
  return {{"proposed_change_id", e.proposed_change_id},
          {"proposed_change_name", e.proposed_change_name},
          {"proposed_change_state", e.proposed_change_state}};
}

template <typename E>
Resource proposed_change_resource(const E& e) {
  return proposed_change_resource(e.proposed_change_id, e.proposed_change_name,
                                  e.proposed_change_state, e.meta);
}

/// `str | None` as JSON.
json optional_string(const std::optional<std::string>& value);

}  // namespace eventwire::infrahub::detail
