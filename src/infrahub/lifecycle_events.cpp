// Branch, schema, repository, artifact, generator and validator events.
#include "eventwire/infrahub/events.hpp"
#include "infrahub/resources.hpp"

namespace eventwire::infrahub {
namespace {

// Artifact and generator events relate their target twice: as a related node, and in a role
// carrying the event's own details.
std::vector<RelatedResource> with_target(const EventMeta& meta, const std::string& target_id,
                                         const std::string& target_kind, RelatedResource details) {
  std::vector<RelatedResource> related = meta.get_related();
  related.push_back(detail::related_node(target_id, target_kind));
  related.push_back(std::move(details));
  return related;
}

}  // namespace

// --- branch ----------------------------------------------------------------------------------

template <EventType Type>
Resource BranchLifecycleEvent<Type>::get_resource() const {
  return detail::branch_resource(branch_name, branch_id);
}

template <EventType Type>
json BranchLifecycleEvent<Type>::get_payload() const {
  return {{"branch_name", branch_name}, {"branch_id", branch_id}, {"sync_with_git", sync_with_git}};
}

template struct BranchLifecycleEvent<EventType::branch_created>;
template struct BranchLifecycleEvent<EventType::branch_deleted>;

Resource BranchMergedEvent::get_resource() const {
  return detail::branch_resource(branch_name, branch_id);
}

std::vector<RelatedResource> BranchMergedEvent::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  if (proposed_change_id && !proposed_change_id->empty()) {
    related.push_back(
        detail::related_node(*proposed_change_id, std::string(detail::kind_proposed_change)));
  }
  return related;
}

json BranchMergedEvent::get_payload() const {
  return {{"branch_name", branch_name},
          {"branch_id", branch_id},
          {"proposed_change_id", detail::optional_string(proposed_change_id)}};
}

template <EventType Type>
Resource BranchRefreshEvent<Type>::get_resource() const {
  return detail::branch_resource(branch_name, branch_id);
}

template <EventType Type>
json BranchRefreshEvent<Type>::get_payload() const {
  return {{"branch_id", branch_id}, {"branch_name", branch_name}};
}

template struct BranchRefreshEvent<EventType::branch_rebased>;
template struct BranchRefreshEvent<EventType::branch_migrated>;

// --- schema ----------------------------------------------------------------------------------

template <EventType Type>
Resource SchemaEvent<Type>::get_resource() const {
  return Resource{{"prefect.resource.id", "infrahub.schema_branch." + branch_name},
                  {"infrahub.branch.name", branch_name},
                  {"infrahub.branch.schema_hash", schema_hash}};
}

template <EventType Type>
json SchemaEvent<Type>::get_payload() const {
  return {{"branch_name", branch_name}, {"schema_hash", schema_hash}};
}

template struct SchemaEvent<EventType::schema_updated>;
template struct SchemaEvent<EventType::schema_validated>;

// --- repository ------------------------------------------------------------------------------

Resource CommitUpdatedEvent::get_resource() const {
  return detail::repository_resource(repository_id, repository_name, meta);
}

json CommitUpdatedEvent::get_payload() const {
  return {
      {"commit", commit}, {"repository_id", repository_id}, {"repository_name", repository_name}};
}

template <EventType Type>
Resource RepositoryEvent<Type>::get_resource() const {
  return detail::repository_resource(repository_id, repository_name, meta);
}

template <EventType Type>
json RepositoryEvent<Type>::get_payload() const {
  return {{"repository_id", repository_id}, {"repository_name", repository_name}};
}

template struct RepositoryEvent<EventType::repository_created>;
template struct RepositoryEvent<EventType::repository_updated>;
template struct RepositoryEvent<EventType::repository_deleted>;

// --- artifact --------------------------------------------------------------------------------

template <EventType Type>
Resource ArtifactEvent<Type>::get_resource() const {
  return detail::bare_node_resource(node_id, std::string(detail::kind_artifact), meta);
}

template <EventType Type>
std::vector<RelatedResource> ArtifactEvent<Type>::get_related() const {
  return with_target(
      meta, target_id, target_kind,
      RelatedResource{{"prefect.resource.id", target_id},
                      {"prefect.resource.role", "infrahub.artifact"},
                      {"infrahub.artifact.checksum", checksum},
                      {"infrahub.artifact.checksum_previous", checksum_previous.value_or("")},
                      {"infrahub.artifact.storage_id", storage_id},
                      {"infrahub.artifact.storage_id_previous", storage_id_previous.value_or("")},
                      {"infrahub.artifact.artifact_definition_id", artifact_definition_id}});
}

template <EventType Type>
json ArtifactEvent<Type>::get_payload() const {
  return {{"node_id", node_id},
          {"artifact_definition_id", artifact_definition_id},
          {"target_id", target_id},
          {"target_kind", target_kind},
          {"checksum", checksum},
          {"checksum_previous", detail::optional_string(checksum_previous)},
          {"storage_id", storage_id},
          {"storage_id_previous", detail::optional_string(storage_id_previous)}};
}

template struct ArtifactEvent<EventType::artifact_created>;
template struct ArtifactEvent<EventType::artifact_updated>;
template struct ArtifactEvent<EventType::artifact_generated>;

// --- generator -------------------------------------------------------------------------------

template <EventType Type>
Resource GeneratorEvent<Type>::get_resource() const {
  return detail::bare_node_resource(node_id, std::string(detail::kind_generator_instance), meta);
}

template <EventType Type>
std::vector<RelatedResource> GeneratorEvent<Type>::get_related() const {
  return with_target(
      meta, target_id, target_kind,
      RelatedResource{{"prefect.resource.id", target_id},
                      {"prefect.resource.role", "infrahub.generator"},
                      {"infrahub.generator.generator_definition_id", generator_definition_id}});
}

template <EventType Type>
json GeneratorEvent<Type>::get_payload() const {
  return {{"node_id", node_id},
          {"generator_definition_id", generator_definition_id},
          {"target_id", target_id},
          {"target_kind", target_kind}};
}

template struct GeneratorEvent<EventType::generator_executed>;
template struct GeneratorEvent<EventType::generator_completed>;

// --- validator -------------------------------------------------------------------------------

template <EventType Type>
Resource ValidatorEvent<Type>::get_resource() const {
  return detail::bare_node_resource(node_id, kind, meta);
}

template <EventType Type>
std::vector<RelatedResource> ValidatorEvent<Type>::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  related.push_back(
      detail::related_node(proposed_change_id, std::string(detail::kind_proposed_change)));
  return related;
}

template <EventType Type>
json ValidatorEvent<Type>::get_payload() const {
  return {{"node_id", node_id}, {"kind", kind}, {"proposed_change_id", proposed_change_id}};
}

template struct ValidatorEvent<EventType::validator_started>;
template struct ValidatorEvent<EventType::validator_passed>;
template struct ValidatorEvent<EventType::validator_failed>;
template struct ValidatorEvent<EventType::validator_created>;
template struct ValidatorEvent<EventType::validator_completed>;

}  // namespace eventwire::infrahub
