#include "eventwire/infrahub/changelog.hpp"

#include <algorithm>
#include <array>

namespace eventwire::infrahub {
namespace {

// Infrahub's NULL_VALUE: attribute values spelled "NULL" are null.
json normalized(const json& value) {
  if (value.is_string() && value.get_ref<const std::string&>() == "NULL") return nullptr;
  return value;
}

json optional_string(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

// Python truthiness of an `str | None`.
bool truthy(const std::optional<std::string>& value) noexcept {
  return value && !value->empty();
}

json properties_to_json(const PropertyChangelogs& properties) {
  json out = json::object();
  for (const auto& property : properties)
    out[property.name] = property.to_json();
  return out;
}

// Python dict assignment on a vector kept in insertion order: replace in place or append.
template <typename T, typename Key>
void assign_by_name(std::vector<T>& items, T item, Key&& key_of) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& existing) { return key_of(existing) == key_of(item); });
  if (it != items.end()) {
    *it = std::move(item);
  } else {
    items.push_back(std::move(item));
  }
}

}  // namespace

std::string_view to_string(DiffAction action) noexcept {
  switch (action) {
    case DiffAction::added:
      return "added";
    case DiffAction::removed:
      return "removed";
    case DiffAction::updated:
      return "updated";
    case DiffAction::unchanged:
      return "unchanged";
  }
  return "unchanged";
}

std::string_view to_string(MutationAction action) noexcept {
  switch (action) {
    case MutationAction::created:
      return "created";
    case MutationAction::updated:
      return "updated";
    case MutationAction::deleted:
      return "deleted";
    case MutationAction::undefined:
      return "undefined";
  }
  return "undefined";
}

MutationAction mutation_action_from_diff(DiffAction action) noexcept {
  switch (action) {
    case DiffAction::added:
      return MutationAction::created;
    case DiffAction::removed:
      return MutationAction::deleted;
    case DiffAction::updated:
      return MutationAction::updated;
    case DiffAction::unchanged:
      return MutationAction::undefined;
  }
  return MutationAction::undefined;
}

// --- properties ------------------------------------------------------------------------------

std::string_view PropertyChangelog::value_type() const noexcept {
  return value.is_string() ? "Text" : "Boolean";
}

DiffAction PropertyChangelog::value_update_status() const {
  if (value == value_previous) return DiffAction::unchanged;
  if (!value_previous.is_null() && value.is_null()) return DiffAction::removed;
  if (value_previous.is_null() && !value.is_null()) return DiffAction::added;
  return DiffAction::updated;
}

json PropertyChangelog::to_json() const {
  return {{"name", name},
          {"value", value},
          {"value_previous", value_previous},
          {"value_type", value_type()},
          {"value_update_status", to_string(value_update_status())}};
}

void add_property(PropertyChangelogs& properties, std::string name, json value_current,
                  json value_previous) {
  assign_by_name(properties,
                 PropertyChangelog{.name = std::move(name),
                                   .value = std::move(value_current),
                                   .value_previous = std::move(value_previous)},
                 [](const PropertyChangelog& p) -> const std::string& { return p.name; });
}

// --- attributes ------------------------------------------------------------------------------

bool AttributeChangelog::is_sensitive() const noexcept {
  return kind == "Password" || kind == "HashedPassword";
}

json AttributeChangelog::shown_value() const {
  json out = normalized(value);
  return is_sensitive() && !out.is_null() ? json("***") : out;
}

json AttributeChangelog::shown_value_previous() const {
  json out = normalized(value_previous);
  return is_sensitive() && !out.is_null() ? json("***") : out;
}

// The newest upstream order of checks. It compares the real values, so a changed secret reads
// `updated` although both sides show "***" (upstream tracks that with _sensitive_value_changed).
DiffAction AttributeChangelog::value_update_status() const {
  json current = normalized(value);
  json previous = normalized(value_previous);
  if (!previous.is_null() && current.is_null()) return DiffAction::removed;
  if (previous.is_null() && !current.is_null()) return DiffAction::added;
  if (current == previous) return DiffAction::unchanged;
  return DiffAction::updated;
}

bool AttributeChangelog::has_updates() const {
  return value_update_status() != DiffAction::unchanged || !properties.empty();
}

void AttributeChangelog::add_property(std::string property, json current, json previous) {
  infrahub::add_property(properties, std::move(property), std::move(current), std::move(previous));
}

json AttributeChangelog::to_json() const {
  return {{"name", name},
          {"value", shown_value()},
          {"value_previous", shown_value_previous()},
          {"properties", properties_to_json(properties)},
          {"kind", kind},
          {"value_update_status", to_string(value_update_status())}};
}

// --- relationships ---------------------------------------------------------------------------

DiffAction RelationshipCardinalityOneChangelog::peer_status() const noexcept {
  if (peer_id_previous == peer_id) return DiffAction::unchanged;
  if (truthy(peer_id_previous) && !truthy(peer_id)) return DiffAction::removed;
  if (truthy(peer_id) && !truthy(peer_id_previous)) return DiffAction::added;
  return DiffAction::updated;
}

bool RelationshipCardinalityOneChangelog::is_empty() const noexcept {
  return peer_status() == DiffAction::unchanged && properties.empty();
}

json RelationshipCardinalityOneChangelog::to_json() const {
  return {{"name", name},
          {"peer_id_previous", optional_string(peer_id_previous)},
          {"peer_kind_previous", optional_string(peer_kind_previous)},
          {"peer_id", optional_string(peer_id)},
          {"peer_kind", optional_string(peer_kind)},
          {"properties", properties_to_json(properties)},
          {"cardinality", "one"},
          {"peer_status", to_string(peer_status())}};
}

json RelationshipPeerChangelog::to_json() const {
  return {{"peer_id", peer_id},
          {"peer_kind", peer_kind},
          {"peer_status", to_string(peer_status)},
          {"properties", properties_to_json(properties)}};
}

json RelationshipCardinalityManyChangelog::to_json() const {
  json out_peers = json::array();
  for (const auto& peer : peers)
    out_peers.push_back(peer.to_json());
  return {{"name", name}, {"peers", std::move(out_peers)}, {"cardinality", "many"}};
}

const std::string& relationship_name(const RelationshipChangelog& relationship) noexcept {
  // get_if, not std::visit: visit throws bad_variant_access on a valueless variant, and this is
  // noexcept.
  if (const auto* one = std::get_if<RelationshipCardinalityOneChangelog>(&relationship))
    return one->name;
  if (const auto* many = std::get_if<RelationshipCardinalityManyChangelog>(&relationship))
    return many->name;
  static const std::string valueless;  // only after a throwing assignment: no name
  return valueless;
}

// --- node ------------------------------------------------------------------------------------

void NodeChangelog::add_attribute(AttributeChangelog attribute) {
  if (!attribute.has_updates()) return;
  assign_by_name(attributes, std::move(attribute),
                 [](const AttributeChangelog& a) -> const std::string& { return a.name; });
}

void NodeChangelog::add_relationship(RelationshipChangelog relationship) {
  const auto* one = std::get_if<RelationshipCardinalityOneChangelog>(&relationship);
  if (one != nullptr && one->parent) parent = one->parent;
  bool empty = std::visit([](const auto& r) { return r.is_empty(); }, relationship);
  if (empty) return;
  assign_by_name(
      relationships, std::move(relationship),
      [](const RelationshipChangelog& r) -> const std::string& { return relationship_name(r); });
}

std::vector<std::string> NodeChangelog::updated_fields() const {
  std::vector<std::string> out;
  out.reserve(relationships.size() + attributes.size());
  for (const auto& relationship : relationships)
    out.push_back(relationship_name(relationship));
  for (const auto& attribute : attributes)
    out.push_back(attribute.name);
  return out;
}

const std::string& NodeChangelog::root_node_id() const noexcept {
  return parent ? parent->node_id : node_id;
}

std::vector<ChangelogRelatedNode> NodeChangelog::get_related_nodes() const {
  std::vector<ChangelogRelatedNode> out;
  auto add = [&out](const std::string& id, const std::string& kind) {
    assign_by_name(out, ChangelogRelatedNode{id, kind},
                   [](const ChangelogRelatedNode& n) -> const std::string& { return n.node_id; });
  };
  for (const auto& relationship : relationships) {
    if (const auto* one = std::get_if<RelationshipCardinalityOneChangelog>(&relationship)) {
      if (truthy(one->peer_id) && truthy(one->peer_kind)) add(*one->peer_id, *one->peer_kind);
      if (truthy(one->peer_id_previous) && truthy(one->peer_kind_previous)) {
        add(*one->peer_id_previous, *one->peer_kind_previous);
      }
    } else {
      for (const auto& peer : std::get<RelationshipCardinalityManyChangelog>(relationship).peers) {
        add(peer.peer_id, peer.peer_kind);
      }
    }
  }
  if (parent) add(parent->node_id, parent->node_kind);
  return out;
}

json NodeChangelog::to_json() const {
  json out_attributes = json::object();
  for (const auto& attribute : attributes)
    out_attributes[attribute.name] = attribute.to_json();
  json out_relationships = json::object();
  for (const auto& relationship : relationships) {
    out_relationships[relationship_name(relationship)] =
        std::visit([](const auto& r) { return r.to_json(); }, relationship);
  }
  return {{"node_id", node_id},
          {"node_kind", node_kind},
          {"display_label", display_label},
          {"attributes", std::move(out_attributes)},
          {"relationships", std::move(out_relationships)}};
}

}  // namespace eventwire::infrahub
