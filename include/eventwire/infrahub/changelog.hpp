/// @file changelog.hpp
/// Infrahub's node changelog (`core/changelog/models.py`): what a node mutation changed, carried
/// as `data.changelog` by node events, plus the two enums it speaks in (`DiffAction`,
/// `MutationAction`).
///
/// Serialization follows pydantic's `model_dump(mode="json")` of the upstream models:
/// `@computed_field` properties are written (`value_type`, `value_update_status`, `cardinality`,
/// `peer_status`; confirmed in the upstream source), plain `@property` ones are not (`parent`,
/// `updated_fields`, `root_node_id`, `has_updates`, `is_empty`; confirmed likewise). Newer
/// Infrahub adds `hfid` to the node and `peer_display_label` / `peer_hfid` to relationship
/// changelogs; those are not modelled here (not in the reference shape).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "eventwire/json.hpp"

namespace eventwire::infrahub {

/// How a value changed (Infrahub's `DiffAction`); written as its value, e.g. `"added"`.
enum class DiffAction { added, removed, updated, unchanged };

/// What a mutation did to a node (Infrahub's `MutationAction`), e.g. `"created"`.
enum class MutationAction { created, updated, deleted, undefined };

std::string_view to_string(DiffAction action) noexcept;
std::string_view to_string(MutationAction action) noexcept;

/// Infrahub's `MutationAction.from_diff_action`: added→created, removed→deleted,
/// updated→updated, unchanged→undefined.
MutationAction mutation_action_from_diff(DiffAction action) noexcept;

/// A changed property (`source`, `owner`, `is_protected`, ...) of an attribute or relationship.
/// `value` and `value_previous` are a string, a bool or null.
struct PropertyChangelog {
  std::string name{};
  json value{};
  json value_previous{};

  /// `"Text"` when value is a string, `"Boolean"` otherwise (null included), as upstream.
  std::string_view value_type() const noexcept;
  DiffAction value_update_status() const;
  /// `{name, value, value_previous, value_type, value_update_status}`.
  json to_json() const;
};

/// Properties keyed by name in insertion order; adding an existing name replaces it in place
/// (Python dict assignment).
using PropertyChangelogs = std::vector<PropertyChangelog>;

/// Sets `name` in `properties` (Infrahub's `add_property`).
void add_property(PropertyChangelogs& properties, std::string name, json value_current,
                  json value_previous);

/// A changed attribute (Infrahub's `AttributeChangelog`).
///
/// Contract, as upstream: the string `"NULL"` is the null value; for kinds `Password` and
/// `HashedPassword` every non-null value is shown as `"***"` in JSON and in event labels, while
/// value_update_status() still compares the real values (so a changed password reads `updated`).
/// The raw values stay in the struct; they never leave it through eventwire's output.
///
/// @code
/// AttributeChangelog a{.name = "ip_address", .value = "10.0.0.1/24", .kind = "IPHost"};
/// a.value_update_status();  // DiffAction::added
/// @endcode
struct AttributeChangelog {
  std::string name{};
  json value{};
  json value_previous{};
  PropertyChangelogs properties{};
  std::string kind{};

  /// True for `Password` / `HashedPassword` attributes.
  bool is_sensitive() const noexcept;
  /// value / value_previous as Infrahub holds them: `"NULL"` read as null, secrets masked.
  json shown_value() const;
  json shown_value_previous() const;
  DiffAction value_update_status() const;
  /// Changed value or any property change (what `NodeChangelog::add_attribute` keeps).
  bool has_updates() const;
  void add_property(std::string property, json current, json previous);
  /// `{name, value, value_previous, properties, kind, value_update_status}`.
  json to_json() const;
};

/// A node that a changelog points at: a peer or the parent (Infrahub's `ChangelogRelatedNode`).
struct ChangelogRelatedNode {
  std::string node_id{};
  std::string node_kind{};
  friend bool operator==(const ChangelogRelatedNode&, const ChangelogRelatedNode&) = default;
};

/// A cardinality-one relationship change: previous and current peer.
struct RelationshipCardinalityOneChangelog {
  std::string name{};
  std::optional<std::string> peer_id_previous{};
  std::optional<std::string> peer_kind_previous{};
  std::optional<std::string> peer_id{};
  std::optional<std::string> peer_kind{};
  PropertyChangelogs properties{};
  /// Set when this relationship is the node's parent; not serialized (a pydantic private attr).
  std::optional<ChangelogRelatedNode> parent{};

  /// unchanged when both peers are equal, removed / added when only one is set (an empty id
  /// counts as unset, as Python truthiness does), else updated.
  DiffAction peer_status() const noexcept;
  /// Unchanged peer and no property change.
  bool is_empty() const noexcept;
  /// `{name, peer_id_previous, peer_kind_previous, peer_id, peer_kind, properties,
  /// cardinality: "one", peer_status}`.
  json to_json() const;
};

/// One peer of a cardinality-many relationship change.
struct RelationshipPeerChangelog {
  std::string peer_id{};
  std::string peer_kind{};
  DiffAction peer_status = DiffAction::unchanged;
  PropertyChangelogs properties{};
  /// `{peer_id, peer_kind, peer_status, properties}`.
  json to_json() const;
};

/// A cardinality-many relationship change: the peers added or removed.
struct RelationshipCardinalityManyChangelog {
  std::string name{};
  std::vector<RelationshipPeerChangelog> peers{};

  bool is_empty() const noexcept { return peers.empty(); }
  /// `{name, peers, cardinality: "many"}`.
  json to_json() const;
};

using RelationshipChangelog =
    std::variant<RelationshipCardinalityOneChangelog, RelationshipCardinalityManyChangelog>;

/// The name of either kind of relationship changelog.
const std::string& relationship_name(const RelationshipChangelog& relationship) noexcept;

/// What one mutation changed on one node (Infrahub's `NodeChangelog`), attributes and
/// relationships each in insertion order.
///
/// @code
/// NodeChangelog log{.node_id = id, .node_kind = "NetworkDevice", .display_label = "edge-1"};
/// log.add_attribute({.name = "ip_address", .value = "10.0.0.1/24", .kind = "IPHost"});
/// log.add_relationship(RelationshipCardinalityOneChangelog{
///     .name = "site", .peer_id = site_id, .peer_kind = "LocationSite"});
/// log.to_json();  // {"node_id": ..., "attributes": {"ip_address": {...}}, ...}
/// @endcode
struct NodeChangelog {
  std::string node_id{};
  std::string node_kind{};
  std::string display_label{};
  std::vector<AttributeChangelog> attributes{};
  std::vector<RelationshipChangelog> relationships{};
  /// The node's parent, if it has one; not serialized (a pydantic private attr).
  std::optional<ChangelogRelatedNode> parent{};

  /// Keeps `attribute` only if it has_updates(); replaces an attribute of the same name in place.
  void add_attribute(AttributeChangelog attribute);
  /// Records a card-one relationship's parent on the node, then keeps the relationship unless
  /// it is empty; replaces one of the same name in place.
  void add_relationship(RelationshipChangelog relationship);
  /// Relationship names, then attribute names (upstream order).
  std::vector<std::string> updated_fields() const;
  bool has_changes() const noexcept { return !attributes.empty() || !relationships.empty(); }
  /// The parent's id if there is a parent, else node_id.
  const std::string& root_node_id() const noexcept;
  /// Peers (card-one current and previous, all card-many peers) and the parent, one per id in
  /// first-seen order; a later sighting of an id updates its kind.
  std::vector<ChangelogRelatedNode> get_related_nodes() const;
  /// `{node_id, node_kind, display_label, attributes: {name: ...}, relationships: {name: ...}}`.
  json to_json() const;
};

}  // namespace eventwire::infrahub
