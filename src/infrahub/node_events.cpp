// Node and group events: node_action.py @83c6bc9 and group_action.py (2026).
#include <fmt/format.h>

#include "detail/python_format.hpp"
#include "eventwire/error.hpp"
#include "eventwire/infrahub/events.hpp"
#include "infrahub/resources.hpp"

namespace eventwire::infrahub {
namespace {

// Python's `"NULL" if value is None else str(value)`.
std::string attribute_label(const json& value) {
  return value.is_null() ? std::string("NULL") : eventwire::detail::python_str(value);
}

RelatedResource attribute_update(const std::string& node_id, const AttributeChangelog& attribute) {
  return RelatedResource{
      {"prefect.resource.id", "infrahub.node." + node_id},
      {"prefect.resource.role", "infrahub.node.attribute_update"},
      {"infrahub.field.name", attribute.name},
      {"infrahub.attribute.name", attribute.name},
      {"infrahub.attribute.value", attribute_label(attribute.shown_value())},
      {"infrahub.attribute.kind", attribute.kind},
      {"infrahub.attribute.value_previous", attribute_label(attribute.shown_value_previous())},
      {"infrahub.attribute.action", std::string(to_string(attribute.value_update_status()))}};
}

RelatedResource relationship_update(const std::string& node_id, const std::string& name,
                                    const std::string& peer_id, const std::string& peer_kind,
                                    DiffAction status) {
  return RelatedResource{{"prefect.resource.id", "infrahub.node." + node_id},
                         {"prefect.resource.role", "infrahub.node.relationship_update"},
                         {"infrahub.field.name", name},
                         {"infrahub.relationship.name", name},
                         {"infrahub.relationship.peer_status", std::string(to_string(status))},
                         {"infrahub.relationship.peer_id", peer_id},
                         {"infrahub.relationship.peer_kind", peer_kind}};
}

bool set(const std::optional<std::string>& value) {
  return value && !value->empty();
}

// One entry per peer change: a card-one change yields `added` for the current peer and
// `removed` for the previous one (both, when the peer was replaced); card-many peers only when
// added or removed.
void append_relationship_updates(std::vector<RelatedResource>& related, const std::string& node_id,
                                 const RelationshipChangelog& relationship) {
  if (const auto* one = std::get_if<RelationshipCardinalityOneChangelog>(&relationship)) {
    if (one->is_empty()) return;
    if (set(one->peer_id) && set(one->peer_kind)) {
      related.push_back(relationship_update(node_id, one->name, *one->peer_id, *one->peer_kind,
                                            DiffAction::added));
    }
    if (set(one->peer_id_previous) && set(one->peer_kind_previous)) {
      related.push_back(relationship_update(node_id, one->name, *one->peer_id_previous,
                                            *one->peer_kind_previous, DiffAction::removed));
    }
    return;
  }
  const auto& many = std::get<RelationshipCardinalityManyChangelog>(relationship);
  for (const auto& peer : many.peers) {
    if (peer.peer_status == DiffAction::added || peer.peer_status == DiffAction::removed) {
      related.push_back(
          relationship_update(node_id, many.name, peer.peer_id, peer.peer_kind, peer.peer_status));
    }
  }
}

json event_nodes(const std::vector<EventNode>& nodes) {
  json out = json::array();
  for (const auto& node : nodes)
    out.push_back({{"id", node.id}, {"kind", node.kind}});
  return out;
}

}  // namespace

// --- node ------------------------------------------------------------------------------------

template <MutationAction DefaultAction>
std::string_view BasicNodeEvent<DefaultAction>::event_name() const {
  switch (action) {
    case MutationAction::created:
      return infrahub::event_name(EventType::node_created);
    case MutationAction::updated:
      return infrahub::event_name(EventType::node_updated);
    case MutationAction::deleted:
      return infrahub::event_name(EventType::node_deleted);
    case MutationAction::undefined:
      break;
  }
  throw ValidationError("action", fmt::format("must be created, updated or deleted to name a node "
                                              "event, got '{}'",
                                              to_string(action)));
}

template <MutationAction DefaultAction>
Resource BasicNodeEvent<DefaultAction>::get_resource() const {
  const std::string& root = changelog.parent || !changelog.node_id.empty()
                                ? changelog.root_node_id()
                                : node_id;  // a changelog left empty is the node's own
  return detail::node_action_resource(node_id, kind, action, root, meta);
}

template <MutationAction DefaultAction>
std::vector<RelatedResource> BasicNodeEvent<DefaultAction>::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  if (has_limited_related(kind)) return related;
  for (const auto& attribute : changelog.attributes) {
    related.push_back(attribute_update(node_id, attribute));
  }
  for (const auto& relationship : changelog.relationships) {
    append_relationship_updates(related, node_id, relationship);
  }
  if (const auto& parent = changelog.parent) {
    related.push_back(RelatedResource{{"prefect.resource.id", parent->node_id},
                                      {"prefect.resource.role", "infrahub.node.parent"},
                                      {"infrahub.parent.kind", parent->node_kind},
                                      {"infrahub.parent.id", parent->node_id}});
  }
  related.push_back(detail::related_node(node_id, kind));
  for (auto& node : changelog.get_related_nodes()) {
    related.push_back(detail::related_node(std::move(node.node_id), std::move(node.node_kind)));
  }
  return related;
}

template <MutationAction DefaultAction>
json BasicNodeEvent<DefaultAction>::get_payload() const {
  json changes = changelog.to_json();
  if (changelog.node_id.empty()) {  // left empty: the node's own (members keep their places)
    changes["node_id"] = node_id;
    changes["node_kind"] = kind;
  }
  return {{"kind", kind},
          {"node_id", node_id},
          {"action", to_string(action)},
          {"changelog", std::move(changes)},
          {"fields", fields}};
}

// The member functions are defined here only; these are all the node event types there are.
template struct BasicNodeEvent<MutationAction::undefined>;
template struct BasicNodeEvent<MutationAction::created>;
template struct BasicNodeEvent<MutationAction::updated>;
template struct BasicNodeEvent<MutationAction::deleted>;

// --- group -----------------------------------------------------------------------------------

template <EventType Type>
Resource GroupMemberEvent<Type>::get_resource() const {
  return detail::node_action_resource(node_id, kind, action, node_id, meta);
}

template <EventType Type>
std::vector<RelatedResource> GroupMemberEvent<Type>::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  if (has_limited_related(kind)) return related;
  related.push_back(detail::related_node(node_id, kind));
  related.push_back(detail::node_in_role(node_id, "infrahub.group.update", kind));
  for (const auto& member : members) {
    related.push_back(detail::node_in_role(member.id, "infrahub.group.member", member.kind));
    related.push_back(detail::related_node(member.id, member.kind));
  }
  for (const auto& ancestor : ancestors) {
    related.push_back(detail::node_in_role(ancestor.id, "infrahub.group.ancestor", ancestor.kind));
    related.push_back(detail::related_node(ancestor.id, ancestor.kind));
    related.push_back(detail::node_in_role(ancestor.id, "infrahub.group.update", ancestor.kind));
  }
  return related;
}

template <EventType Type>
json GroupMemberEvent<Type>::get_payload() const {
  return {{"kind", kind},
          {"node_id", node_id},
          {"action", to_string(action)},
          {"members", event_nodes(members)},
          {"ancestors", event_nodes(ancestors)}};
}

template struct GroupMemberEvent<EventType::group_member_added>;
template struct GroupMemberEvent<EventType::group_member_removed>;

}  // namespace eventwire::infrahub
