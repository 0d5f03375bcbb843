// Account events: account_action.py @5ea7bc5.
#include "eventwire/infrahub/events.hpp"
#include "infrahub/resources.hpp"

namespace eventwire::infrahub {
namespace {

// Python's `datetime.isoformat()` of an aware UTC datetime: `2025-01-02T03:04:05.000006+00:00`.
std::string isoformat(Timestamp t) {
  std::string out = format_timestamp_python(t);
  out[out.find(' ')] = 'T';
  return out;
}

// The labels both account events start with; `detail_labels` go between the account name and
// the timestamp, as upstream orders them.
Resource account_resource(
    const std::string& account_id, const std::string& kind, const std::string& account_name,
    std::initializer_list<Resource::Label> detail_labels, Timestamp timestamp,
    std::initializer_list<std::pair<const char*, const std::optional<std::string>*>> optional) {
  Resource resource{{"prefect.resource.id", "infrahub.account." + account_id},
                    {"infrahub.account.kind", kind},
                    {"infrahub.node.id", account_id},
                    {"infrahub.node.kind", kind},
                    {"infrahub.account.account_id", account_id},
                    {"infrahub.account.account_name", account_name}};
  for (const auto& [name, value] : detail_labels)
    resource.set(name, value);
  resource.set("infrahub.account.timestamp", isoformat(timestamp));
  for (const auto& [name, value] : optional) {
    if (*value && !(*value)->empty()) resource.set(name, **value);
  }
  return resource;
}

json id_name_dicts(const std::vector<IdName>& items) {
  json out = json::array();
  for (const auto& item : items)
    out.push_back(json{{item.id, item.name}});
  return out;
}

}  // namespace

Resource AccountLoggedInEvent::get_resource() const {
  return account_resource(account_id, kind, account_name,
                          {{"infrahub.account.account_type", account_type},
                           {"infrahub.account.auth_method", auth_method},
                           {"infrahub.account.session_id", session_id}},
                          timestamp,
                          {{"infrahub.account.sso_provider", &sso_provider},
                           {"infrahub.account.client_ip", &client_ip},
                           {"infrahub.account.user_agent", &user_agent}});
}

std::vector<RelatedResource> AccountLoggedInEvent::get_related() const {
  std::vector<RelatedResource> related = meta.get_related();
  auto add = [&related](const std::vector<IdName>& items, std::string_view node_kind) {
    for (const auto& item : items) {
      RelatedResource node = detail::related_node(item.id, std::string(node_kind));
      node.set("infrahub.node.name", item.name);
      related.push_back(std::move(node));
    }
  };
  add(groups, detail::kind_account_group);
  add(roles, detail::kind_account_role);
  return related;
}

json AccountLoggedInEvent::get_payload() const {
  return {{"kind", kind},
          {"account_id", account_id},
          {"account_name", account_name},
          {"account_type", account_type},
          {"auth_method", auth_method},
          {"session_id", session_id},
          {"groups", id_name_dicts(groups)},
          {"roles", id_name_dicts(roles)},
          {"sso_provider", detail::optional_string(sso_provider)},
          {"client_ip", detail::optional_string(client_ip)},
          {"user_agent", detail::optional_string(user_agent)},
          {"timestamp", format_timestamp(timestamp)}};
}

Resource AccountLoggedOutEvent::get_resource() const {
  // Upstream's logged-out resource puts the node labels before `infrahub.account.kind`.
  Resource resource{{"prefect.resource.id", "infrahub.account." + account_id},
                    {"infrahub.node.id", account_id},
                    {"infrahub.node.kind", kind}};
  for (const auto& label : account_resource(account_id, kind, account_name,
                                            {{"infrahub.account.session_id", session_id},
                                             {"infrahub.account.logout_type", logout_type}},
                                            timestamp,
                                            {{"infrahub.account.client_ip", &client_ip},
                                             {"infrahub.account.user_agent", &user_agent}})) {
    resource.set(label.first, label.second);
  }
  return resource;
}

json AccountLoggedOutEvent::get_payload() const {
  return {{"kind", kind},
          {"account_id", account_id},
          {"account_name", account_name},
          {"session_id", session_id},
          {"logout_type", logout_type},
          {"client_ip", detail::optional_string(client_ip)},
          {"user_agent", detail::optional_string(user_agent)},
          {"timestamp", format_timestamp(timestamp)}};
}

}  // namespace eventwire::infrahub
