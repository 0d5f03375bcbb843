/// @file events.hpp
/// Infrahub's typed events (`backend/infrahub/events/*`): one aggregate per event, with the
/// resource, related resources and payload Infrahub gives it, and `to_event` to turn any of them
/// into a Prefect `Event`.
///
/// Every event is a plain aggregate: `EventMeta meta` first, then Infrahub's fields in Infrahub's
/// order (the order of the payload's `data`). Each has `event_name()`, `get_resource()`,
/// `get_related()` (EventMeta's base list, then the event's own entries) and `get_payload()`
/// (the `data` dict: enums as their values, None as null).
///
/// @code
/// using namespace eventwire::infrahub;
/// NodeMutatedEvent created{.meta = eventwire::EventMeta::from_context(ctx),
///                          .kind = "NetworkDevice",
///                          .node_id = id,
///                          .action = MutationAction::created,
///                          .changelog = changelog};
/// eventwire::Event wire = to_event(created);  // wire.event == "infrahub.node.created"
/// @endcode
///
/// Sources. "Infrahub" = opsmill/infrahub `backend/infrahub/events/*.py` at the commits the
/// reference notes cite; "seed" = the event list of the document this library was started from,
/// for names today's Infrahub does not emit. Seed-only events copy the resource / related /
/// payload design of their closest Infrahub sibling; each says which.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eventwire/event.hpp"
#include "eventwire/infrahub/changelog.hpp"
#include "eventwire/json.hpp"
#include "eventwire/meta.hpp"
#include "eventwire/timestamp.hpp"

namespace eventwire::infrahub {

/// Every event type this header defines, Infrahub's and the seed's.
enum class EventType : std::uint8_t {
  node_created,
  node_updated,
  node_deleted,
  group_member_added,
  group_member_removed,
  branch_created,
  branch_deleted,
  branch_merged,
  branch_rebased,
  branch_migrated,
  schema_updated,
  schema_validated,  // seed
  repository_update_commit,
  repository_created,  // seed
  repository_updated,  // seed
  repository_deleted,  // seed
  artifact_created,
  artifact_updated,
  artifact_generated,   // seed
  generator_executed,   // seed
  generator_completed,  // seed
  validator_started,
  validator_passed,
  validator_failed,
  validator_created,        // seed
  validator_completed,      // seed
  proposed_change_created,  // seed
  proposed_change_updated,  // seed
  proposed_change_closed,   // seed
  proposed_change_merged,
  proposed_change_review_requested,
  proposed_change_approved,
  proposed_change_rejected,
  proposed_change_approval_revoked,
  proposed_change_rejection_revoked,
  proposed_change_approvals_revoked,
  proposed_change_thread_created,
  proposed_change_thread_updated,
  account_logged_in,
  account_logged_out,
};

/// The event name of `type`, e.g. `"infrahub.node.created"`.
std::string_view event_name(EventType type) noexcept;
/// The type whose event name is `name`, or nullopt.
std::optional<EventType> event_type_from_name(std::string_view name) noexcept;
/// Every event name, in EventType order.
std::span<const std::string_view> all_event_names() noexcept;
/// Infrahub's `infrahub_node_kind_event`: events whose resource carries an `infrahub.node.kind`
/// a webhook may filter on (node, group, artifact and validator events).
bool is_node_kind_event(EventType type) noexcept;

/// A node named by an event: a group member or ancestor (Infrahub's `EventNode`).
struct EventNode {
  std::string id{};
  std::string kind{};
  friend bool operator==(const EventNode&, const EventNode&) = default;
};

/// An id and a display name: an account's groups and roles, a map of reviewers.
struct IdName {
  std::string id{};
  std::string name{};
  friend bool operator==(const IdName&, const IdName&) = default;
};

/// Kinds whose node and group events carry only the base related list, upstream's "temporary
/// workaround to avoid too large payloads". This is the newest set (group_action.py, 2026); older
/// releases held only CoreGraphQLQueryGroup (node_action.py @83c6bc9).
bool has_limited_related(std::string_view kind) noexcept;

// --- node ------------------------------------------------------------------------------------

/// A node created, updated or deleted (Infrahub `NodeMutatedEvent` and its subclasses,
/// `infrahub.node.created` / `.updated` / `.deleted`).
///
/// The event name follows `action`; `action == undefined` has no event name and event_name()
/// throws ValidationError (as Infrahub's `get_node_event`). NodeCreatedEvent, NodeUpdatedEvent
/// and NodeDeletedEvent are the same event with `action` defaulted.
///
/// Resource: `infrahub.node.<node_id>`, `infrahub.node.kind`, `.id`, `.action`, `.root_id`
/// (changelog.root_node_id()), `infrahub.branch.name` (the context's branch). Related: base, then
/// per attribute `infrahub.node.attribute_update`, per peer change
/// `infrahub.node.relationship_update`, the parent as `infrahub.node.parent`, the node and each
/// changelog related node as `infrahub.related.node` (base only for has_limited_related kinds).
///
/// Infrahub always builds the changelog from the node; a changelog left without a `node_id` here
/// is taken as the node's own: its `node_id` and `node_kind` are the event's (in the payload, and
/// so `infrahub.node.root_id` is `node_id`).
template <MutationAction DefaultAction>
struct BasicNodeEvent {
  EventMeta meta{};
  std::string kind{};
  std::string node_id{};
  MutationAction action = DefaultAction;
  NodeChangelog changelog{};
  std::vector<std::string> fields{};  ///< the fields the mutation was given

  std::string_view event_name() const;
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using NodeMutatedEvent = BasicNodeEvent<MutationAction::undefined>;
using NodeCreatedEvent = BasicNodeEvent<MutationAction::created>;
using NodeUpdatedEvent = BasicNodeEvent<MutationAction::updated>;
using NodeDeletedEvent = BasicNodeEvent<MutationAction::deleted>;

// --- group -----------------------------------------------------------------------------------

/// Members added to or removed from a group (Infrahub `GroupMemberAddedEvent` /
/// `GroupMemberRemovedEvent`: `infrahub.group.member_added` / `.member_removed`; action
/// defaults to created / deleted).
///
/// Resource as a node event with `root_id = node_id`, `infrahub.branch.name` included (newer
/// Infrahub; older releases left it out). Related: base, then the group as
/// `infrahub.related.node` and `infrahub.group.update`, each member as `infrahub.group.member` and
/// `infrahub.related.node`, each ancestor as `infrahub.group.ancestor`, `infrahub.related.node` and
/// `infrahub.group.update` (base only for has_limited_related kinds).
template <EventType Type>
struct GroupMemberEvent {
  static_assert(Type == EventType::group_member_added || Type == EventType::group_member_removed,
                "GroupMemberEvent is not defined for this EventType");
  EventMeta meta{};
  std::string kind{};     ///< the group's kind
  std::string node_id{};  ///< the group's id
  MutationAction action =
      Type == EventType::group_member_added ? MutationAction::created : MutationAction::deleted;
  std::vector<EventNode> members{};
  std::vector<EventNode> ancestors{};  ///< groups that contain this group

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using GroupMemberAddedEvent = GroupMemberEvent<EventType::group_member_added>;
using GroupMemberRemovedEvent = GroupMemberEvent<EventType::group_member_removed>;

// --- branch ----------------------------------------------------------------------------------

/// A branch created or deleted (Infrahub `BranchCreatedEvent` / `BranchDeletedEvent`,
/// branch_action.py @7866ba2; the seed lists both with the same fields).
///
/// Resource: `infrahub.branch.<branch_name>`, `infrahub.branch.id`, `infrahub.branch.name`; no
/// extra related. Infrahub stamps these on the global branch (`-global-`): that is the caller's
/// context. Newer Infrahub adds `proposed_change_id` to the deleted event; not modelled.
template <EventType Type>
struct BranchLifecycleEvent {
  static_assert(Type == EventType::branch_created || Type == EventType::branch_deleted,
                "BranchLifecycleEvent is not defined for this EventType");
  EventMeta meta{};
  std::string branch_name{};
  std::string branch_id{};
  bool sync_with_git = false;

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};
using BranchCreatedEvent = BranchLifecycleEvent<EventType::branch_created>;
using BranchDeletedEvent = BranchLifecycleEvent<EventType::branch_deleted>;

/// A branch merged (Infrahub `BranchMergedEvent`, `infrahub.branch.merged`, @7866ba2).
///
/// Resource as BranchCreatedEvent. Related: base, then the proposed change, when set, as
/// `infrahub.related.node` of kind CoreProposedChange (newer Infrahub moves it to the resource;
/// not modelled).
struct BranchMergedEvent {
  EventMeta meta{};
  std::string branch_name{};
  std::string branch_id{};
  std::optional<std::string> proposed_change_id{};

  std::string_view event_name() const { return infrahub::event_name(EventType::branch_merged); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};

/// A branch rebased (Infrahub `BranchRebasedEvent`, `infrahub.branch.rebased`) or migrated
/// (Infrahub `BranchMigratedEvent`, `infrahub.branch.migrated`, known from the docs only: fields
/// `branch_id`, `branch_name`; resource and related taken from the rebased sibling). Note the
/// field order: id first.
template <EventType Type>
struct BranchRefreshEvent {
  static_assert(Type == EventType::branch_rebased || Type == EventType::branch_migrated,
                "BranchRefreshEvent is not defined for this EventType");
  EventMeta meta{};
  std::string branch_id{};
  std::string branch_name{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};
using BranchRebasedEvent = BranchRefreshEvent<EventType::branch_rebased>;
using BranchMigratedEvent = BranchRefreshEvent<EventType::branch_migrated>;

// --- schema ----------------------------------------------------------------------------------

/// A branch's schema updated (Infrahub `SchemaUpdatedEvent`, `infrahub.schema.updated`,
/// @2dd50be) or validated (seed `infrahub.schema.validated`, designed as the updated sibling).
///
/// Resource: `infrahub.schema_branch.<branch_name>`, `infrahub.branch.name`,
/// `infrahub.branch.schema_hash`. The newest Infrahub adds `changed_elements`; not modelled.
template <EventType Type>
struct SchemaEvent {
  static_assert(Type == EventType::schema_updated || Type == EventType::schema_validated,
                "SchemaEvent is not defined for this EventType");
  EventMeta meta{};
  std::string branch_name{};
  std::string schema_hash{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};
using SchemaUpdatedEvent = SchemaEvent<EventType::schema_updated>;
using SchemaValidatedEvent = SchemaEvent<EventType::schema_validated>;

// --- repository ------------------------------------------------------------------------------

/// A repository's commit updated (Infrahub `CommitUpdatedEvent`,
/// `infrahub.repository.update_commit`).
///
/// Resource: `infrahub.repository.<repository_id>`, `infrahub.repository.name`,
/// `infrahub.repository.id`, `infrahub.branch.name`; no extra related.
struct CommitUpdatedEvent {
  EventMeta meta{};
  std::string commit{};
  std::string repository_id{};
  std::string repository_name{};

  std::string_view event_name() const {
    return infrahub::event_name(EventType::repository_update_commit);
  }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};

/// A repository created, updated or deleted (seed `infrahub.repository.created` / `.updated` /
/// `.deleted`; Infrahub itself reports these as node events of kind CoreRepository). Designed as
/// CommitUpdatedEvent without the commit: same resource, no extra related.
template <EventType Type>
struct RepositoryEvent {
  static_assert(Type == EventType::repository_created || Type == EventType::repository_updated ||
                    Type == EventType::repository_deleted,
                "RepositoryEvent is not defined for this EventType");
  EventMeta meta{};
  std::string repository_id{};
  std::string repository_name{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};
using RepositoryCreatedEvent = RepositoryEvent<EventType::repository_created>;
using RepositoryUpdatedEvent = RepositoryEvent<EventType::repository_updated>;
using RepositoryDeletedEvent = RepositoryEvent<EventType::repository_deleted>;

// --- artifact and generator ------------------------------------------------------------------

/// An artifact created or updated (Infrahub `ArtifactCreatedEvent` / `ArtifactUpdatedEvent`,
/// artifact_action.py @e9b1dd8) or generated (seed `infrahub.artifact.generated`, same design).
///
/// Resource: the bare `node_id` as `prefect.resource.id`, `infrahub.node.kind` = CoreArtifact,
/// `infrahub.node.id`, `infrahub.branch.name`. Related: base, the target as
/// `infrahub.related.node`, then `{target_id, role infrahub.artifact, checksum,
/// checksum_previous ("" when unset), storage_id, storage_id_previous, artifact_definition_id}`.
/// Newer docs add `artifact_definition_name`; not modelled (its position is unknown).
template <EventType Type>
struct ArtifactEvent {
  static_assert(Type == EventType::artifact_created || Type == EventType::artifact_updated ||
                    Type == EventType::artifact_generated,
                "ArtifactEvent is not defined for this EventType");
  EventMeta meta{};
  std::string node_id{};  ///< the artifact's id
  std::string artifact_definition_id{};
  std::string target_id{};
  std::string target_kind{};
  std::string checksum{};
  std::optional<std::string> checksum_previous{};
  std::string storage_id{};
  std::optional<std::string> storage_id_previous{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using ArtifactCreatedEvent = ArtifactEvent<EventType::artifact_created>;
using ArtifactUpdatedEvent = ArtifactEvent<EventType::artifact_updated>;
using ArtifactGeneratedEvent = ArtifactEvent<EventType::artifact_generated>;

/// A generator run on a target (seed `infrahub.generator.executed` / `.completed`; Infrahub has
/// no generator events). Designed as the artifact sibling: a generator instance makes things
/// for a target from a definition, as an artifact does.
///
/// Resource: the bare `node_id` (the CoreGeneratorInstance), `infrahub.node.kind` =
/// CoreGeneratorInstance, `infrahub.node.id`, `infrahub.branch.name`. Related: base, the target as
/// `infrahub.related.node`, then `{target_id, role infrahub.generator,
/// infrahub.generator.generator_definition_id}`.
template <EventType Type>
struct GeneratorEvent {
  static_assert(Type == EventType::generator_executed || Type == EventType::generator_completed,
                "GeneratorEvent is not defined for this EventType");
  EventMeta meta{};
  std::string node_id{};  ///< the generator instance's id
  std::string generator_definition_id{};
  std::string target_id{};
  std::string target_kind{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using GeneratorExecutedEvent = GeneratorEvent<EventType::generator_executed>;
using GeneratorCompletedEvent = GeneratorEvent<EventType::generator_completed>;

// --- validator -------------------------------------------------------------------------------

/// A proposed-change validator started, passed or failed (Infrahub `ValidatorStartedEvent` /
/// `ValidatorPassedEvent` / `ValidatorFailedEvent`, validator_action.py @0eee19e), or created /
/// completed (seed `infrahub.validator.created` / `.completed`, same design).
///
/// Resource: the bare `node_id`, `infrahub.node.kind` = kind, `infrahub.node.id`,
/// `infrahub.branch.name`. Related: base, then the proposed change as `infrahub.related.node`.
template <EventType Type>
struct ValidatorEvent {
  static_assert(Type == EventType::validator_started || Type == EventType::validator_passed ||
                    Type == EventType::validator_failed || Type == EventType::validator_created ||
                    Type == EventType::validator_completed,
                "ValidatorEvent is not defined for this EventType");
  EventMeta meta{};
  std::string node_id{};  ///< the validator's id
  std::string kind{};     ///< the validator's kind
  std::string proposed_change_id{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using ValidatorStartedEvent = ValidatorEvent<EventType::validator_started>;
using ValidatorPassedEvent = ValidatorEvent<EventType::validator_passed>;
using ValidatorFailedEvent = ValidatorEvent<EventType::validator_failed>;
using ValidatorCreatedEvent = ValidatorEvent<EventType::validator_created>;
using ValidatorCompletedEvent = ValidatorEvent<EventType::validator_completed>;

// --- proposed change -------------------------------------------------------------------------
// proposed_change_action.py @e0cfa06. Every proposed-change resource is
// `infrahub.proposed_change.<id>`, `infrahub.node.kind` = CoreProposedChange, `infrahub.node.id`,
// `infrahub.proposed_change.name`, `infrahub.proposed_change.state`, `infrahub.branch.name`, then
// the event's own labels. Accounts are related as `infrahub.related.node` of kind
// CoreGenericAccount with `infrahub.node.id` and a name label.

/// A proposed change created, updated or closed (seed `infrahub.proposed_change.created` /
/// `.updated` / `.closed`): Infrahub's `ProposedChangeEvent` base, which Infrahub never emits
/// alone. Base resource, no extra related.
template <EventType Type>
struct ProposedChangeEvent {
  static_assert(Type == EventType::proposed_change_created ||
                    Type == EventType::proposed_change_updated ||
                    Type == EventType::proposed_change_closed,
                "ProposedChangeEvent is not defined for this EventType");
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};
using ProposedChangeCreatedEvent = ProposedChangeEvent<EventType::proposed_change_created>;
using ProposedChangeUpdatedEvent = ProposedChangeEvent<EventType::proposed_change_updated>;
using ProposedChangeClosedEvent = ProposedChangeEvent<EventType::proposed_change_closed>;

/// A proposed change merged (Infrahub `ProposedChangeMergedEvent`,
/// `infrahub.proposed_change.merged`; also in the seed). Resource adds
/// `infrahub.proposed_change.merged_by_account_id` / `_name`; the account is related with
/// `infrahub.merged_by.account.name`.
struct ProposedChangeMergedEvent {
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::string merged_by_account_id{};
  std::string merged_by_account_name{};

  std::string_view event_name() const {
    return infrahub::event_name(EventType::proposed_change_merged);
  }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};

/// A review requested (Infrahub `ProposedChangeReviewRequestedEvent`,
/// `infrahub.proposed_change.review_requested`). Base resource; the account is related with
/// `infrahub.requested_by.account.name`.
struct ProposedChangeReviewRequestedEvent {
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::string requested_by_account_id{};
  std::string requested_by_account_name{};

  std::string_view event_name() const {
    return infrahub::event_name(EventType::proposed_change_review_requested);
  }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};

/// A proposed change approved or rejected (Infrahub `ProposedChangeApprovedEvent` /
/// `ProposedChangeRejectedEvent`). Resource adds `infrahub.proposed_change.reviewer_decision`;
/// the reviewer is related with `infrahub.reviewer.account.name`.
template <EventType Type>
struct ProposedChangeReviewEvent {
  static_assert(Type == EventType::proposed_change_approved ||
                    Type == EventType::proposed_change_rejected,
                "ProposedChangeReviewEvent is not defined for this EventType");
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::string reviewer_account_id{};
  std::string reviewer_account_name{};
  std::string reviewer_decision{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using ProposedChangeApprovedEvent = ProposedChangeReviewEvent<EventType::proposed_change_approved>;
using ProposedChangeRejectedEvent = ProposedChangeReviewEvent<EventType::proposed_change_rejected>;

/// An approval or a rejection revoked (Infrahub `ProposedChangeApprovalRevokedEvent` /
/// `ProposedChangeRejectionRevokedEvent`). Resource adds
/// `infrahub.proposed_change.reviewer_former_decision`; the reviewer is related as for a review.
template <EventType Type>
struct ProposedChangeReviewRevokedEvent {
  static_assert(Type == EventType::proposed_change_approval_revoked ||
                    Type == EventType::proposed_change_rejection_revoked,
                "ProposedChangeReviewRevokedEvent is not defined for this EventType");
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::string reviewer_account_id{};
  std::string reviewer_account_name{};
  std::string reviewer_former_decision{};

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using ProposedChangeApprovalRevokedEvent =
    ProposedChangeReviewRevokedEvent<EventType::proposed_change_approval_revoked>;
using ProposedChangeRejectionRevokedEvent =
    ProposedChangeReviewRevokedEvent<EventType::proposed_change_rejection_revoked>;

/// Every approval revoked at once (Infrahub `ProposedChangeApprovalsRevokedEvent`,
/// `infrahub.proposed_change.approvals_revoked`). Base resource; each reviewer related as for a
/// review. `reviewer_accounts` is Infrahub's `{id: name}` dict, in order.
struct ProposedChangeApprovalsRevokedEvent {
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::vector<IdName> reviewer_accounts{};

  std::string_view event_name() const {
    return infrahub::event_name(EventType::proposed_change_approvals_revoked);
  }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};

/// A thread created or updated in a proposed change (Infrahub
/// `ProposedChangeThreadCreatedEvent` / `...UpdatedEvent`,
/// `infrahub.proposed_change_thread.created` / `.updated`; action defaults to created / updated).
/// Base resource; the thread is related as `infrahub.related.node` of kind `thread_kind` with
/// `infrahub.node.id`.
template <EventType Type>
struct ProposedChangeThreadEvent {
  static_assert(Type == EventType::proposed_change_thread_created ||
                    Type == EventType::proposed_change_thread_updated,
                "ProposedChangeThreadEvent is not defined for this EventType");
  EventMeta meta{};
  std::string proposed_change_id{};
  std::string proposed_change_name{};
  std::string proposed_change_state{};
  std::string thread_id{};
  std::string thread_kind{};
  MutationAction action = Type == EventType::proposed_change_thread_created
                              ? MutationAction::created
                              : MutationAction::updated;

  std::string_view event_name() const { return infrahub::event_name(Type); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};
using ProposedChangeThreadCreatedEvent =
    ProposedChangeThreadEvent<EventType::proposed_change_thread_created>;
using ProposedChangeThreadUpdatedEvent =
    ProposedChangeThreadEvent<EventType::proposed_change_thread_updated>;

// --- account ---------------------------------------------------------------------------------

/// An account logged in (Infrahub `AccountLoggedInEvent`, `infrahub.account.logged_in`,
/// account_action.py @5ea7bc5).
///
/// Resource: `infrahub.account.<account_id>`, `infrahub.account.kind`, `infrahub.node.id`,
/// `infrahub.node.kind`, `infrahub.account.account_id`, `.account_name`, `.account_type`,
/// `.auth_method`, `.session_id`, `.timestamp` (Python `isoformat()`), then `.sso_provider`,
/// `.client_ip`, `.user_agent` when set. Related: base, each group (CoreAccountGroup) and role
/// (CoreAccountRole) as `infrahub.related.node` with `infrahub.node.name`. In the payload each
/// group and role is a one-entry `{id: name}` dict, and `timestamp` is pydantic's JSON form.
struct AccountLoggedInEvent {
  EventMeta meta{};
  std::string kind{};  ///< the account's kind, e.g. CoreAccount
  std::string account_id{};
  std::string account_name{};
  std::string account_type{};  ///< Infrahub's AccountType value, e.g. "User"
  std::string auth_method{};   ///< "password", "oauth2" or "oidc"
  std::string session_id{};
  std::vector<IdName> groups{};
  std::vector<IdName> roles{};
  std::optional<std::string> sso_provider{};
  std::optional<std::string> client_ip{};
  std::optional<std::string> user_agent{};
  Timestamp timestamp = now();

  std::string_view event_name() const { return infrahub::event_name(EventType::account_logged_in); }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const;
  json get_payload() const;
};

/// An account logged out (Infrahub `AccountLoggedOutEvent`, `infrahub.account.logged_out`).
/// Resource as for logging in, with `infrahub.account.logout_type` in place of type, method and
/// groups; no extra related.
struct AccountLoggedOutEvent {
  EventMeta meta{};
  std::string kind{};
  std::string account_id{};
  std::string account_name{};
  std::string session_id{};
  std::string logout_type = "user_initiated";
  std::optional<std::string> client_ip{};
  std::optional<std::string> user_agent{};
  Timestamp timestamp = now();

  std::string_view event_name() const {
    return infrahub::event_name(EventType::account_logged_out);
  }
  Resource get_resource() const;
  std::vector<RelatedResource> get_related() const { return meta.get_related(); }
  json get_payload() const;
};

// --- any event -------------------------------------------------------------------------------

/// What every typed event above provides.
template <typename E>
concept InfrahubEvent = requires(const E& e) {
  { e.meta } -> std::convertible_to<const EventMeta&>;
  { e.event_name() } -> std::convertible_to<std::string_view>;
  { e.get_resource() } -> std::same_as<Resource>;
  { e.get_related() } -> std::same_as<std::vector<RelatedResource>>;
  { e.get_payload() } -> std::same_as<json>;
};

namespace detail {
json make_event_payload(const EventMeta& meta, std::string_view name, json data);
Event make_event(const EventMeta& meta, std::string_view name, Resource resource,
                 std::vector<RelatedResource> related, json data);
}  // namespace detail

/// What Infrahub emits as the payload: `{"data": get_payload(), "context": <context>}`, the
/// context recording this event when its meta was made by `EventMeta::from_context`.
template <InfrahubEvent E>
json get_event_payload(const E& event) {
  return detail::make_event_payload(event.meta, event.event_name(), event.get_payload());
}

/// The Prefect event Infrahub emits for `event`: id = meta.id, event = event_name(), its
/// resource, related and payload (get_event_payload). `occurred` is now.
template <InfrahubEvent E>
Event to_event(const E& event) {
  return detail::make_event(event.meta, event.event_name(), event.get_resource(),
                            event.get_related(), event.get_payload());
}

}  // namespace eventwire::infrahub
