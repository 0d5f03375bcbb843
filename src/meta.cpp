#include "eventwire/meta.hpp"

#include <mutex>

#include <fmt/format.h>

#include "detail/json_text.hpp"
#include "eventwire/error.hpp"
#include "eventwire/version.hpp"

namespace eventwire {
namespace {

struct ProcessIdentity {
  std::mutex mutex;
  std::string worker = Uuid::v4().to_string();
  std::string version = version_string;
};

ProcessIdentity& identity() {
  static ProcessIdentity instance;
  return instance;
}

std::string_view auth_type_name(AuthType type) {
  switch (type) {
    case AuthType::none:
      return "none";
    case AuthType::jwt:
      return "jwt";
    case AuthType::api:
      return "api";
  }
  return "none";
}

json optional_string(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

// --- reading a context back from JSON --------------------------------------------------------

const json& require_object(const json& value, const std::string& field) {
  if (!value.is_object()) {
    throw ValidationError(field,
                          fmt::format("must be an object, got {}", detail::json_type_name(value)));
  }
  return value;
}

std::string read_string(const json& object, std::string_view key, const std::string& owner,
                        bool required = true) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) throw ValidationError(fmt::format("{}.{}", owner, key), "is required");
    return {};
  }
  if (!it->is_string()) {
    throw ValidationError(fmt::format("{}.{}", owner, key),
                          fmt::format("must be a string, got {}", detail::json_type_name(*it)));
  }
  return it->get<std::string>();
}

std::optional<std::string> read_optional_string(const json& object, std::string_view key,
                                                const std::string& owner) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return read_string(object, key, owner);
}

std::vector<ParentEvent> read_ancestors(const json& object, const std::string& owner) {
  std::vector<ParentEvent> out;
  auto it = object.find("ancestors");
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) throw ValidationError(owner + ".ancestors", "must be a list");
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::string item = fmt::format("{}.ancestors[{}]", owner, i);
    const json& ancestor = require_object((*it)[i], item);
    out.push_back({read_string(ancestor, "id", item), read_string(ancestor, "name", item)});
  }
  return out;
}

}  // namespace

std::string worker_identity() {
  std::lock_guard lock(identity().mutex);
  return identity().worker;
}

void set_worker_identity(std::string value) {
  std::lock_guard lock(identity().mutex);
  identity().worker = std::move(value);
}

std::string reported_version() {
  std::lock_guard lock(identity().mutex);
  return identity().version;
}

void set_reported_version(std::string value) {
  std::lock_guard lock(identity().mutex);
  identity().version = std::move(value);
}

// --- InfrahubContext -------------------------------------------------------------------------

InfrahubContext InfrahubContext::init(const Branch& branch, AccountSession account) {
  return InfrahubContext{.branch = {.name = branch.name, .id = branch.id},
                         .account = std::move(account),
                         .event = std::nullopt};
}

void InfrahubContext::set_event(std::string name, std::string id) {
  if (event) {
    event->name = std::move(name);
    event->id = std::move(id);
  } else {
    event = EventContext{.name = std::move(name), .id = std::move(id)};
  }
}

json InfrahubContext::to_event() const {
  json out = json::object();
  out["branch"] = {{"name", branch.name}, {"id", optional_string(branch.id)}};
  out["account"] = {{"authenticated", account.authenticated},
                    {"account_id", account.account_id},
                    {"session_id", optional_string(account.session_id)},
                    {"role", account.role},
                    {"auth_type", auth_type_name(account.auth_type)}};
  if (event) {
    json ancestors = json::array();
    for (const auto& a : event->ancestors)
      ancestors.push_back({{"id", a.id}, {"name", a.name}});
    out["event"] = {{"name", event->name},
                    {"id", event->id},
                    {"parent_id", optional_string(event->parent_id)},
                    {"ancestors", std::move(ancestors)}};
  } else {
    out["event"] = nullptr;
  }
  return out;
}

InfrahubContext InfrahubContext::from_json(const json& value) {
  const json& root = require_object(value, "context");
  InfrahubContext ctx;
  auto branch = root.find("branch");
  if (branch == root.end()) throw ValidationError("context.branch", "is required");
  require_object(*branch, "context.branch");
  ctx.branch.name = read_string(*branch, "name", "context.branch");
  ctx.branch.id = read_optional_string(*branch, "id", "context.branch");
  auto account = root.find("account");
  if (account != root.end() && !account->is_null()) {
    require_object(*account, "context.account");
    if (auto it = account->find("authenticated"); it != account->end() && it->is_boolean()) {
      ctx.account.authenticated = it->get<bool>();
    }
    ctx.account.account_id = read_string(*account, "account_id", "context.account", false);
    ctx.account.session_id = read_optional_string(*account, "session_id", "context.account");
    if (auto role = read_optional_string(*account, "role", "context.account")) {
      ctx.account.role = *role;
    }
    auto auth = read_string(*account, "auth_type", "context.account", false);
    ctx.account.auth_type = auth == "api"    ? AuthType::api
                            : auth == "none" ? AuthType::none
                                             : AuthType::jwt;
  } else if (auto id = root.find("account_id"); id != root.end() && id->is_string()) {
    ctx.account.account_id = id->get<std::string>();  // Infrahub >= 1.10 layout
  }
  if (auto event = root.find("event"); event != root.end() && !event->is_null()) {
    require_object(*event, "context.event");
    ctx.event =
        EventContext{.name = read_string(*event, "name", "context.event"),
                     .id = read_string(*event, "id", "context.event"),
                     .parent_id = read_optional_string(*event, "parent_id", "context.event"),
                     .ancestors = read_ancestors(*event, "context.event")};
  }
  return ctx;
}

// --- EventMeta -------------------------------------------------------------------------------

EventMeta EventMeta::from_context(const InfrahubContext& context,
                                  const std::optional<Branch>& branch) {
  EventMeta meta;
  meta.context = context;
  meta.created_with_context = true;
  if (branch) {
    meta.context.branch.name = branch->name;
    meta.context.branch.id = branch->id;
  }
  return meta;
}

EventMeta EventMeta::from_parent(EventMeta& parent_meta, std::string_view parent_event_name,
                                 const std::optional<Branch>& branch) {
  parent_meta.has_children = true;
  EventMeta meta;
  meta.context = parent_meta.context_for(parent_event_name);
  if (branch) {
    meta.context.branch.name = branch->name;
    meta.context.branch.id = branch->id;
  }
  meta.parent = parent_meta.id;
  meta.branch = parent_meta.branch;  // as Infrahub: the meta branch is the parent's, not `branch`
  meta.request_id = parent_meta.request_id;
  meta.initiator_id = parent_meta.initiator_id;
  meta.account_id = parent_meta.account_id;
  meta.level = parent_meta.level + 1;
  meta.ancestors.reserve(parent_meta.ancestors.size() + 1);
  meta.ancestors.push_back({parent_meta.get_id(), std::string(parent_event_name)});
  meta.ancestors.insert(meta.ancestors.end(), parent_meta.ancestors.begin(),
                        parent_meta.ancestors.end());
  return meta;
}

EventMeta EventMeta::from_parent(const Event& parent, const std::optional<Branch>& branch) {
  EventMeta meta;
  if (auto ctx = parent.payload.find("context"); ctx != parent.payload.end()) {
    meta.context = InfrahubContext::from_json(*ctx);
  }
  if (branch) {
    meta.context.branch.name = branch->name;
    meta.context.branch.id = branch->id;
  }
  meta.parent = parent.id;
  if (!meta.context.account.account_id.empty()) meta.account_id = meta.context.account.account_id;
  int parent_level = 0;
  std::vector<ParentEvent> parent_ancestors;
  for (const auto& related : parent.related) {
    if (related.role() == "infrahub.event") {
      try {
        parent_level = std::stoi(std::string(related.get("infrahub.event.level")));
      } catch (const std::exception&) {
        throw ValidationError("related['infrahub.event']['infrahub.event.level']",
                              "must be an integer to build a child event's level");
      }
    } else if (related.role() == "infrahub.ancestor_event") {
      parent_ancestors.push_back(
          {std::string(related.id()), std::string(related.get("infrahub.ancestor_event.name"))});
    }
  }
  meta.level = parent_level + 1;
  meta.ancestors.push_back({parent.id.to_string(), parent.event});
  meta.ancestors.insert(meta.ancestors.end(), parent_ancestors.begin(), parent_ancestors.end());
  return meta;
}

EventMeta EventMeta::with_dummy_context(const Branch& branch) {
  EventMeta meta;
  meta.branch = branch;
  meta.context = InfrahubContext::init(
      branch,
      AccountSession{.authenticated = false, .account_id = "", .auth_type = AuthType::none});
  return meta;
}

std::string EventMeta::get_branch_id() const {
  if (context.branch.id && !context.branch.id->empty()) return *context.branch.id;
  if (branch) return branch->id;
  return {};
}

InfrahubContext EventMeta::context_for(std::string_view event_name) const {
  InfrahubContext out = context;
  if (created_with_context) out.set_event(std::string(event_name), get_id());
  return out;
}

std::vector<RelatedResource> EventMeta::get_related() const {
  const std::string event_id = get_id();
  const std::string branch_id = get_branch_id();
  std::vector<RelatedResource> related;
  related.reserve(4 + (parent ? 1 : 0) + ancestors.size());
  related.push_back(
      {{"prefect.resource.id", reported_version()}, {"prefect.resource.role", "infrahub.version"}});
  related.push_back({{"prefect.resource.id", event_id},
                     {"prefect.resource.role", "infrahub.event"},
                     {"infrahub.event.has_children", has_children ? "true" : "false"},
                     {"infrahub.event.level", std::to_string(level)}});
  related.push_back({{"prefect.resource.id", "infrahub.account." + context.account.account_id},
                     {"prefect.resource.role", "infrahub.account"},
                     {"infrahub.resource.id", context.account.account_id}});
  related.push_back({{"prefect.resource.id", "infrahub.branch." + branch_id},
                     {"prefect.resource.role", "infrahub.branch"},
                     {"infrahub.resource.id", branch_id},
                     {"infrahub.resource.label", context.branch.name}});
  if (parent) {
    related.push_back({{"prefect.resource.id", event_id},
                       {"prefect.resource.role", "infrahub.child_event"},
                       {"infrahub.event_parent.id", parent->to_string()}});
  }
  for (const auto& ancestor : ancestors) {
    related.push_back({{"prefect.resource.id", ancestor.id},
                       {"prefect.resource.role", "infrahub.ancestor_event"},
                       {"infrahub.ancestor_event.name", ancestor.name}});
  }
  return related;
}

}  // namespace eventwire
