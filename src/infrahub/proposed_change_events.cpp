// Proposed-change events: proposed_change_action.py @e0cfa06.
#include "eventwire/infrahub/events.hpp"
#include "infrahub/resources.hpp"

namespace eventwire::infrahub {
namespace {

// Base related list, then one account as a related node (every review-type event).
std::vector<RelatedResource> with_account(const EventMeta& meta, const std::string& account_id,
                                          std::string_view name_label, std::string name) {
  std::vector<RelatedResource> related = meta.get_related();
  related.push_back(detail::related_account(account_id, name_label, std::move(name)));
  return related;
}

// The proposed-change resource with the event's own labels appended.
template <typename E>
Resource resource_with(const E& e, std::initializer_list<Resource::Label> extra) {
  Resource resource = detail::proposed_change_resource(e);
  for (const auto& [name, value] : extra)
    resource.set(name, value);
  return resource;
}

// The proposed-change payload with the event's own fields appended.
template <typename E>
json payload_with(const E& e, std::initializer_list<std::pair<const char*, json>> extra) {
  json payload = detail::proposed_change_payload(e);
  for (const auto& [name, value] : extra)
    payload[name] = value;
  return payload;
}

}  // namespace

// --- seed: created / updated / closed ---------------------------------------------------------

template <EventType Type>
Resource ProposedChangeEvent<Type>::get_resource() const {
  return detail::proposed_change_resource(*this);
}

template <EventType Type>
json ProposedChangeEvent<Type>::get_payload() const {
  return detail::proposed_change_payload(*this);
}

template struct ProposedChangeEvent<EventType::proposed_change_created>;
template struct ProposedChangeEvent<EventType::proposed_change_updated>;
template struct ProposedChangeEvent<EventType::proposed_change_closed>;

// --- merged ----------------------------------------------------------------------------------

Resource ProposedChangeMergedEvent::get_resource() const {
  return resource_with(
      *this, {{"infrahub.proposed_change.merged_by_account_id", merged_by_account_id},
              {"infrahub.proposed_change.merged_by_account_name", merged_by_account_name}});
}

std::vector<RelatedResource> ProposedChangeMergedEvent::get_related() const {
  return with_account(meta, merged_by_account_id, "infrahub.merged_by.account.name",
                      merged_by_account_name);
}

json ProposedChangeMergedEvent::get_payload() const {
  return payload_with(*this, {{"merged_by_account_id", merged_by_account_id},
                              {"merged_by_account_name", merged_by_account_name}});
}

// --- review requested ------------------------------------------------------------------------

Resource ProposedChangeReviewRequestedEvent::get_resource() const {
  return detail::proposed_change_resource(*this);
}

std::vector<RelatedResource> ProposedChangeReviewRequestedEvent::get_related() const {
  return with_account(meta, requested_by_account_id, "infrahub.requested_by.account.name",
                      requested_by_account_name);
}

json ProposedChangeReviewRequestedEvent::get_payload() const {
  return payload_with(*this, {{"requested_by_account_id", requested_by_account_id},
                              {"requested_by_account_name", requested_by_account_name}});
}

// --- approved / rejected ---------------------------------------------------------------------

template <EventType Type>
Resource ProposedChangeReviewEvent<Type>::get_resource() const {
  return resource_with(*this, {{"infrahub.proposed_change.reviewer_decision", reviewer_decision}});
}

template <EventType Type>
std::vector<RelatedResource> ProposedChangeReviewEvent<Type>::get_related() const {
  return with_account(meta, reviewer_account_id, "infrahub.reviewer.account.name",
                      reviewer_account_name);
}

template <EventType Type>
json ProposedChangeReviewEvent<Type>::get_payload() const {
  return payload_with(*this, {{"reviewer_account_id", reviewer_account_id},
                              {"reviewer_account_name", reviewer_account_name},
                              {"reviewer_decision", reviewer_decision}});
}

template struct ProposedChangeReviewEvent<EventType::proposed_change_approved>;
template struct ProposedChangeReviewEvent<EventType::proposed_change_rejected>;

// --- approval / rejection revoked ------------------------------------------------------------

template <EventType Type>
Resource ProposedChangeReviewRevokedEvent<Type>::get_resource() const {
  return resource_with(
      *this, {{"infrahub.proposed_change.reviewer_former_decision", reviewer_former_decision}});
}

template <EventType Type>
std::vector<RelatedResource> ProposedChangeReviewRevokedEvent<Type>::get_related() const {
  return with_account(meta, reviewer_account_id, "infrahub.reviewer.account.name",
                      reviewer_account_name);
}

template <EventType Type>
json ProposedChangeReviewRevokedEvent<Type>::get_payload() const {
  return payload_with(*this, {{"reviewer_account_id", reviewer_account_id},
                              {"reviewer_account_name", reviewer_account_name},
                              {"reviewer_former_decision", reviewer_former_decision}});
}

template struct ProposedChangeReviewRevokedEvent<EventType::proposed_change_approval_revoked>;
template struct ProposedChangeReviewRevokedEvent<EventType::proposed_change_rejection_revoked>;

// --- approvals revoked -----------------------------------------------------------------------

Resource ProposedChangeApprovalsRevokedEvent::get_resource() const {
  return detail::proposed_change_resource(*this);
}

std::vector<RelatedResource> ProposedChangeApprovalsRevokedEvent::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  for (const auto& account : reviewer_accounts) {
    related.push_back(
        detail::related_account(account.id, "infrahub.reviewer.account.name", account.name));
  }
  return related;
}

json ProposedChangeApprovalsRevokedEvent::get_payload() const {
  json accounts = json::object();
  for (const auto& account : reviewer_accounts)
    accounts[account.id] = account.name;
  return payload_with(*this, {{"reviewer_accounts", std::move(accounts)}});
}

// --- threads ---------------------------------------------------------------------------------

template <EventType Type>
Resource ProposedChangeThreadEvent<Type>::get_resource() const {
  return detail::proposed_change_resource(*this);
}

template <EventType Type>
std::vector<RelatedResource> ProposedChangeThreadEvent<Type>::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  RelatedResource thread = detail::related_node(thread_id, thread_kind);
  thread.set("infrahub.node.id", thread_id);
  related.push_back(std::move(thread));
  return related;
}

template <EventType Type>
json ProposedChangeThreadEvent<Type>::get_payload() const {
  return payload_with(
      *this,
      {{"thread_id", thread_id}, {"thread_kind", thread_kind}, {"action", to_string(action)}});
}

template struct ProposedChangeThreadEvent<EventType::proposed_change_thread_created>;
template struct ProposedChangeThreadEvent<EventType::proposed_change_thread_updated>;

}  // namespace eventwire::infrahub
