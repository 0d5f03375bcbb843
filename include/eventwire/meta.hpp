/// @file meta.hpp
/// Infrahub's event metadata: the request context (`InfrahubContext`) and `EventMeta`, which
/// carries ids, correlation, nesting level and ancestry from an event to the events it causes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/event.hpp"

namespace eventwire {

/// An Infrahub branch as events see it: its name and its UUID (as text).
struct Branch {
  std::string name{};
  std::string id{};
  friend bool operator==(const Branch&, const Branch&) = default;
};

/// Infrahub's name for the branch-agnostic pseudo-branch.
inline constexpr std::string_view global_branch_name = "-global-";

/// One ancestor of an event: its id and event name (Infrahub's `ParentEvent`).
struct ParentEvent {
  std::string id{};
  std::string name{};
  friend bool operator==(const ParentEvent&, const ParentEvent&) = default;
};

/// The event part of a context (Infrahub's `EventContext`, pre-1.10 layout).
struct EventContext {
  std::string name{};
  std::string id{};
  std::optional<std::string> parent_id{};
  std::vector<ParentEvent> ancestors{};
  friend bool operator==(const EventContext&, const EventContext&) = default;
};

/// The branch part of a context (Infrahub's `BranchContext`).
struct BranchContext {
  std::string name{};
  std::optional<std::string> id{};
  bool is_global() const noexcept { return name == global_branch_name; }
  friend bool operator==(const BranchContext&, const BranchContext&) = default;
};

/// How the account authenticated (Infrahub's `AuthType`).
enum class AuthType { none, jwt, api };

/// The account behind a request (Infrahub's `AccountSession`).
struct AccountSession {
  bool authenticated = true;
  std::string account_id{};
  std::optional<std::string> session_id{};
  std::string role = "read-only";
  AuthType auth_type = AuthType::jwt;
  friend bool operator==(const AccountSession&, const AccountSession&) = default;
};

/// The request context an event is emitted in (Infrahub's `InfrahubContext`): branch, account and,
/// once an event is made from it, that event. Its JSON (`to_event()`) is the `context` block of
/// every Infrahub event payload.
///
/// @code
/// auto ctx = eventwire::InfrahubContext::init({.name = "main", .id = branch_uuid},
///                                             {.account_id = "a1b2..."});
/// @endcode
struct InfrahubContext {
  BranchContext branch{};
  AccountSession account{};
  std::optional<EventContext> event{};

  /// Infrahub's `InfrahubContext.init(branch, account)`.
  static InfrahubContext init(const Branch& branch, AccountSession account);
  /// Sets the event's name and id, keeping an existing event's parent and ancestors.
  void set_event(std::string name, std::string id);
  /// `model_dump(mode="json")`: `{"branch": {...}, "account": {...}, "event": {...}|null}`.
  json to_event() const;
  /// Reads the JSON that to_event() writes (for example an event payload's `context`).
  /// Throws ValidationError naming the field on a wrong shape.
  static InfrahubContext from_json(const json& value);

  friend bool operator==(const InfrahubContext&, const InfrahubContext&) = default;
};

/// The identity of this process as Infrahub's `WORKER_IDENTITY` (the default `initiator_id`).
/// A random UUID made once per process unless the host sets one.
std::string worker_identity();
void set_worker_identity(std::string identity);

/// The id of the `infrahub.version` related resource. Defaults to eventwire's version; a host that
/// stands in for a given Infrahub release may set that release's version.
std::string reported_version();
void set_reported_version(std::string version);

/// Metadata of an Infrahub event (Infrahub's `EventMeta`): the event's id, correlation ids, and
/// its place in a tree of events (level, parent, ancestors).
///
/// Build it with `from_context` for an event caused by a request, `from_parent` for an event
/// caused by another event, `with_dummy_context` in tests.
///
/// @code
/// auto parent = eventwire::infrahub::NodeMutatedEvent{.meta = EventMeta::from_context(ctx), ...};
/// auto child = eventwire::infrahub::ArtifactGeneratedEvent{.meta = EventMeta::from_parent(parent),
/// ...};
/// // parent.meta.has_children == true; child.meta.level == 1; child.meta.parent == parent.meta.id
/// @endcode
struct EventMeta {
  std::optional<Branch> branch{};  ///< the branch the event originates on
  std::string request_id{};        ///< correlation id of the originating request
  std::optional<std::string> account_id{};
  std::string initiator_id = worker_identity();
  InfrahubContext context{};
  int level = 0;  ///< 0 for an event caused by a request, parent's level + 1 otherwise
  bool has_children = false;
  Uuid id = Uuid::v7();  ///< the event's id (`Event::id` of the emitted event)
  std::optional<Uuid> parent{};
  std::vector<ParentEvent> ancestors{};  ///< nearest first
  /// True when made by from_context: the event then records itself in its context's `event`
  /// (Infrahub's `_created_with_context`).
  bool created_with_context = false;

  /// Meta for an event caused by a request. `branch`, when given, overrides the context's branch.
  static EventMeta from_context(const InfrahubContext& context,
                                const std::optional<Branch>& branch = std::nullopt);

  /// Meta for an event caused by `parent`, an Infrahub typed event. Marks the parent
  /// `has_children`; the child gets `parent = parent.meta.id`, `level + 1`,
  /// `ancestors = [parent] + parent's ancestors`, and a copy of the parent's context (with
  /// `branch` overriding the branch when given).
  template <typename ParentEventType>
  requires requires(ParentEventType& p) {
    p.meta;
    p.event_name();
  }
  static EventMeta from_parent(ParentEventType& parent,
                               const std::optional<Branch>& branch = std::nullopt) {
    return from_parent(parent.meta, parent.event_name(), branch);
  }
  /// As above, given the parent's meta and event name.
  static EventMeta from_parent(EventMeta& parent_meta, std::string_view parent_event_name,
                               const std::optional<Branch>& branch = std::nullopt);
  /// As above, for a parent known only in wire form (an `Event` a workflow received): its level,
  /// ancestors and context are read back from its related resources and payload. The parent is
  /// already emitted, so it cannot be marked.
  static EventMeta from_parent(const Event& parent,
                               const std::optional<Branch>& branch = std::nullopt);

  /// Meta for tests: `branch` and an unauthenticated account with an empty id.
  static EventMeta with_dummy_context(const Branch& branch);

  std::string get_id() const { return id.to_string(); }
  /// The context's branch id if set, else the meta's branch id, else empty.
  std::string get_branch_id() const;
  /// The context as the event named `event_name` reports it: with `event` set to this event when
  /// created_with_context (what Infrahub's model validator does at construction).
  InfrahubContext context_for(std::string_view event_name) const;
  /// Infrahub's base related list: `infrahub.version`, `infrahub.event`, `infrahub.account`,
  /// `infrahub.branch`, then `infrahub.child_event` when there is a parent and one
  /// `infrahub.ancestor_event` per ancestor.
  std::vector<RelatedResource> get_related() const;
};

}  // namespace eventwire
