#include "eventwire/trigger.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detail/json_text.hpp"
#include "eventwire/error.hpp"

namespace eventwire {
namespace {

// Heterogeneous lookup: find a std::string key by std::string_view without allocating.
// The keys are event names, label values and trigger names: short strings hashed on every
// event, so an inlined multiply-mix over 8-byte words (as FxHash) rather than an out-of-line
// Murmur call. The last 9 to 16 bytes are read as two words, the second overlapping (no loop
// for strings up to 16 bytes, one turn per 8 bytes beyond), and the result is finalized
// (fmix64) so that its low bits, which pick the slot in the tables, depend on every byte:
// without it, names differing only in their last bytes ("Custom10", "Custom11", ...) shared
// their low 16 bits and collided in the open-addressing lists.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
    const char* p = text.data();
    const std::size_t n = text.size();
    std::uint64_t h = n * k;
    auto mix = [&h](std::uint64_t word) { h = (std::rotl(h, 5) ^ word) * k; };
    auto word_at = [p](std::size_t at) {
      std::uint64_t word;
      std::memcpy(&word, p + at, 8);
      return word;
    };
    if (n > 8) {
      std::size_t i = 0;
      for (; i + 16 < n; i += 8)
        mix(word_at(i));
      mix(word_at(i));
      mix(word_at(n - 8));
    } else if (n >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      mix((std::uint64_t{hi} << 32) | lo);
    } else {
      mix(n == 0 ? 0
                 : (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
                       (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
                       static_cast<unsigned char>(p[n - 1]));
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
  }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// How many distinct event names a snapshot remembers the candidates of. Names are few in
// practice (one per event type); past this, lookups are computed without being remembered.
constexpr std::size_t candidate_cache_limit = 10'000;

// A name or pattern without glob characters or negation: it matches exactly itself.
bool is_plain_name(std::string_view name) {
  return name.find_first_of("*?[") == std::string_view::npos && !name.starts_with('!');
}

// The label a trigger is indexed by within its event names: the first `match` label whose
// patterns are all plain (so the resource must carry one of exactly those values), or null.
const ResourceSpecification::Entry* index_label(const RegisteredTrigger& t) {
  for (const auto& entry : t.definition().trigger.match) {
    const auto& patterns = entry.second.patterns();
    if (std::all_of(patterns.begin(), patterns.end(), is_plain_name)) return &entry;
  }
  return nullptr;
}

bool by_sequence(const TriggerHandle& a, const TriggerHandle& b) {
  return a->sequence() < b->sequence();
}

// Dispatches this thread is inside, so that remove() called from a workflow of the trigger
// being removed does not wait for itself.
thread_local std::vector<const RegisteredTrigger*> entered_on_this_thread;

std::uint32_t entered_here(const RegisteredTrigger* trigger) {
  return static_cast<std::uint32_t>(
      std::count(entered_on_this_thread.begin(), entered_on_this_thread.end(), trigger));
}

constexpr std::array all_trigger_types{TriggerType::builtin,
                                       TriggerType::webhook,
                                       TriggerType::action,
                                       TriggerType::action_trigger_rule,
                                       TriggerType::computed_attr_jinja2,
                                       TriggerType::computed_attr_python,
                                       TriggerType::computed_attr_python_query,
                                       TriggerType::display_label_jinja2,
                                       TriggerType::human_friendly_id};

}  // namespace

std::string_view to_string(TriggerType type) noexcept {
  switch (type) {
    case TriggerType::builtin:
      return "builtin";
    case TriggerType::webhook:
      return "webhook";
    case TriggerType::action:
      return "action";
    case TriggerType::action_trigger_rule:
      return "action_trigger_rule";
    case TriggerType::computed_attr_jinja2:
      return "computed_attr_jinja2";
    case TriggerType::computed_attr_python:
      return "computed_attr_python";
    case TriggerType::computed_attr_python_query:
      return "computed_attr_python_query";
    case TriggerType::display_label_jinja2:
      return "display_label_jinja2";
    case TriggerType::human_friendly_id:
      return "human_friendly_id";
  }
  return "builtin";
}

std::optional<TriggerType> trigger_type_from_string(std::string_view text) noexcept {
  for (auto type : all_trigger_types)
    if (to_string(type) == text) return type;
  return std::nullopt;
}

std::string TriggerDefinition::generated_name() const {
  return branch ? fmt::format("{}::{}::{}", to_string(type), *branch, name)
                : fmt::format("{}::{}", to_string(type), name);
}

void TriggerDefinition::validate() const {
  if (name.empty()) throw ValidationError("name", "must be non-empty");
  if (branch && branch->empty()) {
    throw ValidationError("branch", "must be non-empty when set (it is part of the name)");
  }
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const auto& action = actions[i];
    if (action.workflow.name.empty()) {  // executors find workflows by name: it would never run
      throw ValidationError(fmt::format("actions[{}].workflow.name", i), "must be non-empty");
    }
    with_field_prefix(fmt::format("actions[{}]", i), [&] { action.validate_parameters(); });
  }
}

// --- JSON ------------------------------------------------------------------------------------

namespace {

using detail::json_member;
using detail::wrong_json_type;

std::string member_field(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

// Config files are written by hand: a misspelt field is an error, not a silent default.
template <std::size_t N>
void only_fields(const json& object, std::string_view prefix,
                 const std::array<std::string_view, N>& known, std::string_view what) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    throw ValidationError(member_field(prefix, key),
                          fmt::format("is not a field of {} ({})", what, fmt::join(known, ", ")));
  }
}

const json& required_member(const json& object, std::string_view prefix, std::string_view key) {
  const json* value = json_member(object, key);
  if (value == nullptr) throw ValidationError(member_field(prefix, key), "is required");
  return *value;
}

std::string string_value(const json& value, const std::string& field) {
  if (!value.is_string()) wrong_json_type(field, "a string", value);
  return value.get<std::string>();
}

std::vector<std::string> string_list(const json& value, const std::string& field) {
  if (!value.is_array()) wrong_json_type(field, "a list of strings", value);
  std::vector<std::string> out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(string_value(value[i], fmt::format("{}[{}]", field, i)));
  return out;
}

// A field eventwire does not model: absent, null (pydantic's dump of an unset Optional), or
// holding `expected` (the upstream default).
void require_empty(const json& object, std::string_view prefix, std::string_view key,
                   const json& expected, std::string_view why) {
  const json* value = json_member(object, key);
  if (value != nullptr && value->is_null()) return;
  detail::require_default(value, member_field(prefix, key), expected, why);
}

bool is_prefect_trigger(const json& trigger) {
  return trigger.contains("expect") || trigger.contains("type");
}

constexpr std::array<std::string_view, 3> infrahub_trigger_fields{"events", "match",
                                                                  "match_related"};
// Prefect's EventTrigger (server schema), `id` included: what an automation read back holds.
constexpr std::array<std::string_view, 10> prefect_trigger_fields{
    "type",   "id",       "match",   "match_related", "after",
    "expect", "for_each", "posture", "threshold",     "within"};

EventTrigger read_trigger(const json& value, bool prefect_only) {
  if (!value.is_object()) wrong_json_type("trigger", "an object", value);
  if (prefect_only || is_prefect_trigger(value)) {
    only_fields(value, "trigger", prefect_trigger_fields, "Prefect's event trigger");
  } else {
    only_fields(value, "trigger", infrahub_trigger_fields, "a trigger");
  }
  return with_field_prefix("trigger", [&] {
    return prefect_only ? EventTrigger::from_prefect_json(value) : EventTrigger::from_json(value);
  });
}

WorkflowDefinition read_workflow(const json& value, const std::string& field) {
  if (!value.is_object()) wrong_json_type(field, "an object", value);
  // Infrahub's WorkflowDefinition also says how it deploys the flow into Prefect (module,
  // function, cron, priority, tags, concurrency): read and ignored, as the host's runner decides
  // that, so that Infrahub's own dumps load. Anything else is a misspelling.
  static constexpr std::array<std::string_view, 11> fields{"name",
                                                           "required_parameters",
                                                           "optional_parameters",
                                                           "type",
                                                           "module",
                                                           "function",
                                                           "cron",
                                                           "default_priority",
                                                           "tags",
                                                           "concurrency_limit",
                                                           "concurrency_limit_strategy"};
  only_fields(value, field, fields, "a workflow");
  WorkflowDefinition workflow;
  workflow.name = string_value(required_member(value, field, "name"), field + ".name");
  if (const json* list = json_member(value, "required_parameters"))
    workflow.required_parameters = string_list(*list, field + ".required_parameters");
  if (const json* list = json_member(value, "optional_parameters"))
    workflow.optional_parameters = string_list(*list, field + ".optional_parameters");
  return workflow;
}

json parameters_value(const json& value, const std::string& field) {
  if (!value.is_object()) wrong_json_type(field, "an object of named parameters", value);
  return value;
}

ExecuteWorkflow read_action(const json& value, const std::string& field) {
  if (!value.is_object()) wrong_json_type(field, "an object", value);
  static constexpr std::array<std::string_view, 2> fields{"workflow", "parameters"};
  only_fields(value, field, fields, "an action");
  ExecuteWorkflow action;
  action.workflow = read_workflow(required_member(value, field, "workflow"), field + ".workflow");
  if (const json* parameters = json_member(value, "parameters"))
    action.parameters = parameters_value(*parameters, field + ".parameters");
  return action;
}

// Prefect's RunDeployment as Infrahub's ExecuteWorkflow.get() writes it.
ExecuteWorkflow read_run_deployment(const json& value, const std::string& field,
                                    const TriggerDefinition::DeploymentWorkflows& workflows) {
  if (!value.is_object()) wrong_json_type(field, "an object", value);
  static constexpr std::array<std::string_view, 6> fields{
      "type", "source", "deployment_id", "parameters", "job_variables", "schedule_after"};
  // The type first: another action's fields would otherwise be reported as unknown.
  std::string type = string_value(required_member(value, field, "type"), field + ".type");
  if (type != "run-deployment") {
    throw ValidationError(field + ".type",
                          fmt::format("must be \"run-deployment\" (eventwire runs workflows only), "
                                      "got \"{}\"",
                                      type));
  }
  only_fields(value, field, fields, "a run-deployment action");
  if (const json* source = json_member(value, "source")) {
    if (string_value(*source, field + ".source") != "selected") {
      throw ValidationError(field + ".source",
                            "must be \"selected\" (a deployment inferred from the event has no "
                            "workflow to run)");
    }
  }
  require_empty(value, field, "job_variables", json::object(), "eventwire has no job variables");
  if (const json* after = json_member(value, "schedule_after");
      after != nullptr && *after != 0 && *after != "PT0S") {
    throw ValidationError(field + ".schedule_after",
                          fmt::format("must be 0 (eventwire runs workflows when the trigger "
                                      "fires), got {}",
                                      after->dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  std::string id =
      string_value(required_member(value, field, "deployment_id"), field + ".deployment_id");
  if (!workflows) {
    throw ValidationError(field + ".deployment_id",
                          "names a Prefect deployment, not a workflow: read it with a "
                          "DeploymentWorkflows that finds the workflow, or write the action as "
                          "{\"workflow\": {...}, \"parameters\": {...}}");
  }
  std::optional<WorkflowDefinition> workflow = workflows(id);
  if (!workflow) {
    throw ValidationError(field + ".deployment_id",
                          fmt::format("no workflow is known for deployment '{}'", id));
  }
  ExecuteWorkflow action{.workflow = std::move(*workflow)};
  if (const json* parameters = json_member(value, "parameters");
      parameters && !parameters->is_null())
    action.parameters = parameters_value(*parameters, field + ".parameters");
  return action;
}

const json& list_member(const json& object, std::string_view key, const json& none) {
  const json* list = json_member(object, key);
  if (list == nullptr) return none;
  if (!list->is_array()) wrong_json_type(std::string(key), "a list", *list);
  return *list;
}

// Infrahub's TriggerBranchDefinition types: their generated names carry a branch.
bool is_branch_specific(TriggerType type) {
  switch (type) {
    case TriggerType::computed_attr_jinja2:
    case TriggerType::computed_attr_python:
    case TriggerType::computed_attr_python_query:
    case TriggerType::display_label_jinja2:
    case TriggerType::human_friendly_id:
      return true;
    default:
      return false;
  }
}

// An automation's name back into type, branch and name, when Infrahub generated it.
void read_generated_name(TriggerDefinition& definition, std::string automation_name) {
  auto separator = automation_name.find("::");
  std::optional<TriggerType> type;
  if (separator != std::string::npos)
    type = trigger_type_from_string(std::string_view(automation_name).substr(0, separator));
  if (!type) {
    definition.name = std::move(automation_name);
    return;
  }
  definition.type = *type;
  std::string rest = automation_name.substr(separator + 2);
  if (auto branch_end = rest.find("::");
      is_branch_specific(*type) && branch_end != std::string::npos) {
    definition.branch = rest.substr(0, branch_end);
    rest.erase(0, branch_end + 2);
  }
  definition.name = std::move(rest);
}

bool is_prefect_automation(const json& value) {
  if (!value.is_object()) return false;
  if (value.contains("enabled") || value.contains("actions_on_trigger") ||
      value.contains("actions_on_resolve"))
    return true;
  const json* actions = json_member(value, "actions");
  return actions != nullptr && actions->is_array() &&
         std::any_of(actions->begin(), actions->end(), [](const json& action) {
           return action.is_object() && action.contains("type") && !action.contains("workflow");
         });
}

}  // namespace

json TriggerDefinition::to_json() const {
  json out = json::object();
  out["name"] = name;
  out["type"] = to_string(type);
  out["description"] = description;
  out["trigger"] = trigger.to_infrahub_json();
  json actions_out = json::array();
  for (const auto& action : actions) {
    actions_out.push_back({{"workflow",
                            {{"name", action.workflow.name},
                             {"required_parameters", action.workflow.required_parameters},
                             {"optional_parameters", action.workflow.optional_parameters}}},
                           {"parameters", action.parameters}});
  }
  out["actions"] = std::move(actions_out);
  if (branch) out["branch"] = *branch;  // TriggerBranchDefinition's own field, last as there
  return out;
}

TriggerDefinition TriggerDefinition::from_json(const json& value,
                                               const DeploymentWorkflows& workflows) {
  if (is_prefect_automation(value)) return from_prefect_json(value, workflows);
  if (!value.is_object()) wrong_json_type("definition", "an object", value);
  static constexpr std::array<std::string_view, 7> fields{
      "name", "type", "description", "trigger", "actions", "branch", "previous_names"};
  only_fields(value, "", fields, "a trigger definition");
  TriggerDefinition definition;
  definition.name = string_value(required_member(value, "", "name"), "name");
  if (const json* type = json_member(value, "type")) {
    std::string text = string_value(*type, "type");
    auto parsed = trigger_type_from_string(text);
    if (!parsed) {
      std::vector<std::string_view> names;
      for (auto t : all_trigger_types)
        names.push_back(to_string(t));
      throw ValidationError(
          "type", fmt::format("must be one of {}, got \"{}\"", fmt::join(names, ", "), text));
    }
    definition.type = *parsed;
  }
  if (const json* description = json_member(value, "description"))
    definition.description = string_value(*description, "description");
  if (const json* branch = json_member(value, "branch"); branch && !branch->is_null())
    definition.branch = string_value(*branch, "branch");
  require_empty(value, "", "previous_names", json::array(), "eventwire does not rename triggers");
  definition.trigger = read_trigger(required_member(value, "", "trigger"), false);
  const json none = json::array();
  const json& actions = list_member(value, "actions", none);
  for (std::size_t i = 0; i < actions.size(); ++i)
    definition.actions.push_back(read_action(actions[i], fmt::format("actions[{}]", i)));
  definition.validate();
  return definition;
}

TriggerDefinition TriggerDefinition::from_prefect_json(const json& value,
                                                       const DeploymentWorkflows& workflows) {
  if (!value.is_object()) wrong_json_type("automation", "an object", value);
  // AutomationCore's fields (Prefect's client, which Infrahub builds them with), then the
  // server's. `owner_resource` (the resource owning the automation, e.g. a deployment) does not
  // change what it does: ignored, as the server's fields are.
  static constexpr std::array<std::string_view, 12> fields{"name",
                                                           "description",
                                                           "enabled",
                                                           "tags",
                                                           "trigger",
                                                           "actions",
                                                           "actions_on_trigger",
                                                           "actions_on_resolve",
                                                           "owner_resource",
                                                           "id",
                                                           "created",
                                                           "updated"};
  only_fields(value, "", fields, "Prefect's automation");
  TriggerDefinition definition;
  read_generated_name(definition, string_value(required_member(value, "", "name"), "name"));
  if (const json* description = json_member(value, "description"))
    definition.description = string_value(*description, "description");
  if (const json* enabled = json_member(value, "enabled")) {
    if (!enabled->is_boolean()) wrong_json_type("enabled", "a bool", *enabled);
    if (!enabled->get<bool>()) {
      throw ValidationError("enabled",
                            "must be true (a disabled automation never fires; leave it out)");
    }
  }
  const json none = json::array();
  require_empty(value, "", "tags", none, "eventwire keeps no tags");
  require_empty(value, "", "actions_on_trigger", none, "Reactive triggers fire actions only");
  require_empty(value, "", "actions_on_resolve", none, "Reactive triggers never resolve");
  definition.trigger = read_trigger(required_member(value, "", "trigger"), true);
  const json& actions = list_member(value, "actions", none);
  for (std::size_t i = 0; i < actions.size(); ++i) {
    definition.actions.push_back(
        read_run_deployment(actions[i], fmt::format("actions[{}]", i), workflows));
  }
  definition.validate();
  return definition;
}

TriggerDefinition TriggerDefinition::parse(std::string_view text) {
  const EventLimits limits;
  return from_json(detail::parse_json_text(text, "trigger definition JSON", limits.max_input_bytes,
                                           limits.max_json_depth));
}

// --- RegisteredTrigger -----------------------------------------------------------------------

RegisteredTrigger::RegisteredTrigger(TriggerDefinition definition, std::uint64_t sequence)
    : name_(definition.generated_name()),
      definition_(std::move(definition)),
      compiled_(definition_.trigger),
      sequence_(sequence) {
  try {
    definition_.validate();
  } catch (const ValidationError& e) {
    if (e.field() == "name") throw;  // no name to put first
    throw ValidationError(fmt::format("{}: {}", name_, e.field()), e.rule());
  }
  for (std::size_t i = 0; i < definition_.actions.size(); ++i) {
    const auto& action = definition_.actions[i];
    try {
      parameters_.push_back(CompiledParameters::compile(action.parameters));
    } catch (const HydrationError& e) {  // e.g. "bad_template: Invalid jinja: ..."
      throw ValidationError(fmt::format("{}: actions[{}].parameters", name_, i), e.what());
    }
  }
}

bool RegisteredTrigger::enter() const noexcept {
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  if (!active_.load(std::memory_order_acquire)) {
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    in_flight_.notify_all();
    return false;
  }
  entered_on_this_thread.push_back(this);
  return true;
}

void RegisteredTrigger::leave() const noexcept {
  auto it = std::find(entered_on_this_thread.rbegin(), entered_on_this_thread.rend(), this);
  if (it != entered_on_this_thread.rend()) entered_on_this_thread.erase(std::next(it).base());
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  in_flight_.notify_all();
}

void RegisteredTrigger::deactivate_and_wait() const noexcept {
  active_.store(false, std::memory_order_release);
  const std::uint32_t mine = entered_here(this);
  for (auto n = in_flight_.load(std::memory_order_acquire); n > mine;
       n = in_flight_.load(std::memory_order_acquire)) {
    in_flight_.wait(n, std::memory_order_acquire);
  }
}

// --- the index -------------------------------------------------------------------------------

namespace {

using detail::same_text;

// What is left to check of a candidate once the index has found it: the index guarantees the
// event name (entries are per name) and the index label (lists are per value), so a candidate
// needs only its other `match` labels and its `match_related` specifications. Those are interned
// per event name as tests: triggers share them (a branch filter, a kind list), and each is
// evaluated at most once per event. A test is a run of checks, one per label; a check is a run
// of literals (plain text after an optional `!`, compared inline) or of compiled patterns. All
// of an entry's tests, checks and literals sit in flat arrays; text is viewed, not copied (it
// lives in the registered definitions, which the entry holds).
struct Check {
  std::string_view label{};            ///< the label's name
  std::uint32_t slot = 0;              ///< the label's number in the entry (value memo)
  std::uint32_t first = 0, count = 0;  ///< into NameEntry::literals, or ::patterns
  bool literal = false;                ///< every pattern is plain text after an optional `!`
};
struct Literal {
  std::string_view text{};
  bool negated = false;
};
/// One `match` label of the event's resource (one check), or one `match_related`
/// specification (some related resource passes every check).
struct Test {
  bool related = false;
  std::uint32_t first = 0, count = 0;  ///< into NameEntry::checks
};

// Test results and label values of the event being matched on this thread, for entries with
// more tests than fit in a word: per test id, the event's generation (31 bits) and the result
// (low bit); and per (resource, label slot) the label's value once looked up (resource 0 is the
// event's resource, 1 + i its related[i]). Nested matching (a workflow run inline that emits)
// takes a new generation, which only makes the outer event re-evaluate.
struct TestMemo {
  std::vector<std::uint32_t> known;
  std::vector<std::uint32_t> value_generation;
  std::vector<std::optional<std::string_view>> value;
  std::uint32_t generation = 0;

  std::uint32_t begin(std::size_t tests, std::size_t values) {
    if (known.size() < tests) known.resize(tests, 0);
    if (value.size() < values) {
      value.resize(values);
      value_generation.resize(values, 0);
    }
    if (++generation >= (1u << 31)) {  // wrapped: forget everything
      std::fill(known.begin(), known.end(), 0);
      std::fill(value_generation.begin(), value_generation.end(), 0);
      generation = 1;
    }
    return generation;
  }
};

// Entries with at most this many tests keep an event's results in two words on the stack, and
// the first label values read (up to small_value_count (resource, label) pairs) in an array
// there: the thread's memo costs a generation and vector reads per event, more than it saves
// when an event reads a few tests.
constexpr std::size_t small_test_count = 64;
constexpr std::size_t small_value_count = 64;

// Above this many (resource, label) pairs per event, labels are looked up per check instead
// of remembered (an event with hundreds of related resources and triggers reading many labels).
constexpr std::size_t label_memo_limit = 1 << 14;

thread_local TestMemo test_memo;

void append_length_prefixed(std::string& key, std::string_view text) {
  const std::string length = std::to_string(text.size());
  key.append(length).push_back(':');
  key.append(text.data(), text.size());
}

// Which entry this thread used last for a name, and in which snapshot (by id, never reused, so a
// stale pointer is never followed: it is only read while that snapshot is the current one and
// held by the caller). A service sees dozens of event names: with a few slots only, names
// evicted each other and a dispatch went through the name table about one time in six.
struct RecentEntry {
  std::uint64_t snapshot = 0;
  std::uint64_t hash = 0;
  const void* entry = nullptr;
};
thread_local std::array<RecentEntry, 64> recent_entries;
std::atomic<std::uint64_t> next_snapshot_id{1};

// The snapshots this thread dispatched through last, one per registry (a few registries):
// a dispatch whose registry has not changed since reads its cached snapshot with one atomic
// load, instead of a mutex and two reference counts. A slot is matched by snapshot id, which
// is never reused, so a slot never stands for another snapshot; `owner` only picks the slot a
// newer snapshot of the same registry replaces. While a dispatch runs on this thread (depth >
// 0), slots are not replaced: the dispatch reads through one, and a visitor may dispatch again.
struct SnapshotCache {
  struct Slot {
    std::uint64_t id = 0;
    const void* owner = nullptr;
    std::shared_ptr<const void> held{};
  };
  std::array<Slot, 4> slots{};
  std::size_t next_victim = 0;
  std::uint32_t depth = 0;

  const void* find(std::uint64_t id) const noexcept {
    for (const auto& slot : slots)
      if (slot.id == id) return slot.held.get();
    return nullptr;
  }
  void remember(std::uint64_t id, const void* owner, std::shared_ptr<const void> held) {
    if (depth > 0) return;
    Slot* victim = nullptr;
    for (auto& slot : slots)
      if (slot.owner == owner) victim = &slot;
    if (victim == nullptr) {
      victim = &slots[next_victim];
      next_victim = (next_victim + 1) % slots.size();
    }
    *victim = {id, owner, std::move(held)};
  }
  void forget(const void* owner) noexcept {
    if (depth > 0) return;
    for (auto& slot : slots)
      if (slot.owner == owner) slot = {};
  }
};
thread_local SnapshotCache snapshot_cache;

struct DispatchDepth {
  explicit DispatchDepth(SnapshotCache& cache) noexcept : cache_(cache) { ++cache_.depth; }
  ~DispatchDepth() { --cache_.depth; }
  DispatchDepth(const DispatchDepth&) = delete;
  DispatchDepth& operator=(const DispatchDepth&) = delete;

 private:
  SnapshotCache& cache_;
};

}  // namespace

struct TriggerRegistry::Snapshot {
  struct NameEntry;
  const std::uint64_t id = next_snapshot_id.fetch_add(1, std::memory_order_relaxed);
  /// Triggers naming one event exactly, and the entry for that name once computed.
  struct ExactName {
    std::vector<TriggerHandle> triggers;
    mutable std::atomic<const NameEntry*> entry{nullptr};  ///< owned; set once
  };

  StringMap<TriggerHandle> by_name;
  StringMap<ExactName> by_event_name;      ///< triggers naming an event exactly
  std::vector<TriggerHandle> patterned;    ///< triggers with `*`/`?`/`[`/`!` names
  std::vector<TriggerHandle> every_event;  ///< triggers with no `events`

  mutable std::shared_mutex cache_mutex;
  mutable StringMap<std::shared_ptr<const NameEntry>> cache;  ///< names no trigger names exactly

  explicit Snapshot(const std::vector<TriggerHandle>& triggers) {
    for (const auto& t : triggers) {
      by_name.emplace(t->name(), t);
      const auto& events = t->definition().trigger.events;
      if (events.empty()) {
        every_event.push_back(t);
        continue;
      }
      bool has_pattern = false;
      for (const auto& name : events) {
        if (is_plain_name(name)) {
          by_event_name[name].triggers.push_back(t);
        } else {
          has_pattern = true;
        }
      }
      if (has_pattern) patterned.push_back(t);
    }
  }
  ~Snapshot() {
    for (auto& [name, exact] : by_event_name)
      delete exact.entry.load(std::memory_order_acquire);
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  using Handles = std::shared_ptr<const std::vector<TriggerHandle>>;

  // The triggers for one event name, split by their index label: an event then reads only the
  // lists for its own label values, plus the triggers that have no index label.
  //
  // Laid out for the dispatch path: every list's candidates are one run of 8-byte items in one
  // array (a list of a dozen triggers is two cache lines), a label value's slot holds its run
  // directly, and a candidate's first test is inline in its item.
  struct NameEntry {
    /// A candidate: its place in `all` (registration order, what merging compares) and what is
    /// left to check: 0 for nothing, 1 + id for one test, plan_bit | offset for several
    /// (plan[offset] is their number, their ids follow).
    struct Item {
      std::uint32_t order = 0;
      std::uint32_t tests = 0;
    };
    static constexpr std::uint32_t plan_bit = 1u << 31;
    /// A list: a run of items, and the same triggers as handles (what candidates() returns and
    /// what a visit is given). No member initializers: an array of them is filled per event.
    struct List {
      std::uint32_t first, count;  ///< into items
      const Handles* handles;
    };
    /// Label value -> list, open addressing over slots: one probe usually lands on the list.
    struct Lists {
      struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t key = 0, key_size = 0;  ///< the value, in keys
        std::uint32_t first = 0, count = 0;   ///< into items; count 0 is an empty slot
        std::uint32_t list = 0;               ///< into handles
      };
      std::string label;
      std::string keys;  ///< every value, back to back
      std::vector<Slot> slots;
      std::vector<Handles> handles;
      std::size_t mask = 0;

      void insert(std::string_view value, std::uint32_t first, std::uint32_t count, Handles list) {
        Slot slot{StringHash{}(value),
                  static_cast<std::uint32_t>(keys.size()),
                  static_cast<std::uint32_t>(value.size()),
                  first,
                  count,
                  static_cast<std::uint32_t>(handles.size())};
        keys.append(value);
        handles.push_back(std::move(list));
        slots.push_back(slot);
      }
      void build() {  // turns the inserted slots into the table
        std::vector<Slot> inserted = std::move(slots);
        std::size_t size = 4;
        while (size < inserted.size() * 2)
          size *= 2;
        slots.assign(size, {});
        mask = size - 1;
        for (const auto& slot : inserted) {
          std::size_t at = slot.hash & mask;
          while (slots[at].count != 0)
            at = (at + 1) & mask;
          slots[at] = slot;
        }
      }
      const Slot* find(std::string_view value) const noexcept {
        if (slots.empty()) return nullptr;
        std::uint64_t h = StringHash{}(value);
        for (std::size_t at = h & mask; slots[at].count != 0; at = (at + 1) & mask) {
          const Slot& slot = slots[at];
          if (slot.hash == h && same_text({keys.data() + slot.key, slot.key_size}, value)) {
            return &slot;
          }
        }
        return nullptr;
      }
    };

    std::string name;  ///< the event name
    Handles all;       ///< every trigger for the name; holds the text the checks view
    std::vector<Item> items;
    std::uint32_t unindexed_count = 0;  ///< items[0, unindexed_count): no index label
    Handles unindexed;
    std::vector<Lists> by_label;  ///< label -> value -> list
    std::vector<std::uint32_t> plan;
    std::vector<Test> tests;  ///< interned for this name
    std::vector<Check> checks;
    std::vector<Literal> literals;
    std::vector<Pattern> patterns;
    std::size_t label_count = 0;  ///< label slots read by checks

    /// Whether the label's value (null when the resource lacks it) passes one of the patterns.
    bool passes(const Check& c, std::optional<std::string_view> value) const noexcept {
      if (!value) return false;  // an absent label never matches, negated or not
      if (c.literal) {
        const Literal* l = literals.data() + c.first;
        for (const Literal* end = l + c.count; l != end; ++l)
          if (same_text(*value, l->text) != l->negated) return true;
        return false;
      }
      const Pattern* p = patterns.data() + c.first;
      for (const Pattern* end = p + c.count; p != end; ++p)
        if (p->matches(value)) return true;
      return false;
    }
    /// `value(resource, check)`: the value of the check's label in resource 0 (the event's) or
    /// 1 + i (related[i]).
    template <typename Value>
    bool passes(const Test& test, const Event& event, Value&& value) const noexcept {
      const Check* first = checks.data() + test.first;
      if (!test.related) return passes(*first, value(0, *first));
      const Check* end = first + test.count;
      for (std::size_t r = 0; r < event.related.size(); ++r) {
        const Check* c = first;
        while (c != end && passes(*c, value(r + 1, *c)))
          ++c;
        if (c == end) return true;
      }
      return false;
    }
  };

  // Builds the entry of `event_name`: every trigger whose `events` accept it, split by index
  // label, with each trigger's remaining checks interned.
  std::unique_ptr<NameEntry> compute(std::string_view event_name) const {
    std::vector<TriggerHandle> all;
    if (auto it = by_event_name.find(event_name); it != by_event_name.end()) {
      all = it->second.triggers;
    }
    for (const auto& t : patterned) {
      if (t->compiled().matches_event_name(event_name)) all.push_back(t);
    }
    // "Every event" is Prefect's `.+`: not the empty name, nor one starting with a newline.
    if (!event_name.empty() && event_name[0] != '\n') {
      all.insert(all.end(), every_event.begin(), every_event.end());
    }
    std::sort(all.begin(), all.end(), by_sequence);
    all.erase(std::unique(all.begin(), all.end()), all.end());  // exact and pattern names at once

    auto entry = std::make_unique<NameEntry>();
    NameEntry& e = *entry;
    e.name = std::string(event_name);
    StringMap<std::uint32_t> test_ids;
    StringMap<std::uint32_t> label_slots;
    auto add_check = [&](const std::string& label, const LabelPatterns& label_patterns) {
      auto [slot, fresh] = label_slots.emplace(label, static_cast<std::uint32_t>(e.label_count));
      if (fresh) ++e.label_count;
      Check check{.label = label, .slot = slot->second, .first = 0, .count = 0, .literal = true};
      for (const auto& p : label_patterns.patterns()) {
        std::string_view text = std::string_view(p).substr(p.starts_with('!') ? 1 : 0);
        if (text.find_first_of("*?[") != std::string_view::npos) check.literal = false;
      }
      const auto& source = label_patterns.patterns();
      check.count = static_cast<std::uint32_t>(source.size());
      if (check.literal) {
        check.first = static_cast<std::uint32_t>(e.literals.size());
        for (const auto& p : source) {
          const bool negated = p.starts_with('!');
          e.literals.push_back({std::string_view(p).substr(negated ? 1 : 0), negated});
        }
      } else {
        check.first = static_cast<std::uint32_t>(e.patterns.size());
        for (const auto& p : source)
          e.patterns.emplace_back(p);  // compiled at registration already: cannot throw
      }
      e.checks.push_back(check);
    };
    auto append_key = [](std::string& key, const std::string& label,
                         const LabelPatterns& label_patterns) {
      append_length_prefixed(key, label);
      for (const auto& p : label_patterns.patterns())
        append_length_prefixed(key, p);
      key += ';';
    };
    // The test of `key`, built by `add` (which appends its checks) the first time.
    auto intern = [&](std::string key, bool related, auto add) {
      auto [it, fresh] =
          test_ids.emplace(std::move(key), static_cast<std::uint32_t>(e.tests.size()));
      if (fresh) {
        Test test{.related = related, .first = static_cast<std::uint32_t>(e.checks.size())};
        add();
        test.count = static_cast<std::uint32_t>(e.checks.size()) - test.first;
        e.tests.push_back(test);
      }
      return it->second;
    };
    // What remains to check of `t` once the index has found it.
    std::vector<std::uint32_t> ids;
    auto item_of = [&](std::uint32_t order, const ResourceSpecification::Entry* indexed) {
      const auto& trigger = all[order]->definition().trigger;
      ids.clear();
      for (const auto& label : trigger.match) {
        if (&label == indexed) continue;
        std::string key = "r";
        append_key(key, label.first, label.second);
        ids.push_back(intern(std::move(key), false, [&] { add_check(label.first, label.second); }));
      }
      for (const auto& spec : trigger.match_related.specifications()) {
        if (spec.empty()) continue;  // includes() of an empty specification is always true
        std::string key = "s";
        for (const auto& label : spec)
          append_key(key, label.first, label.second);
        ids.push_back(intern(std::move(key), true, [&] {
          for (const auto& label : spec)
            add_check(label.first, label.second);
        }));
      }
      NameEntry::Item item{order, 0};
      if (ids.size() == 1) {
        item.tests = ids[0] + 1;
      } else if (ids.size() > 1) {
        item.tests = NameEntry::plan_bit | static_cast<std::uint32_t>(e.plan.size());
        e.plan.push_back(static_cast<std::uint32_t>(ids.size()));
        e.plan.insert(e.plan.end(), ids.begin(), ids.end());
      }
      return item;
    };

    std::vector<TriggerHandle> unindexed;
    std::vector<std::pair<std::string, StringMap<std::vector<std::uint32_t>>>> by_label;
    for (std::uint32_t order = 0; order < all.size(); ++order) {
      const auto& t = all[order];
      const auto* label = index_label(*t);
      if (!label) {
        unindexed.push_back(t);
        e.items.push_back(item_of(order, nullptr));
        continue;
      }
      auto slot = std::find_if(by_label.begin(), by_label.end(),
                               [&](const auto& l) { return l.first == label->first; });
      if (slot == by_label.end()) slot = by_label.insert(by_label.end(), {label->first, {}});
      for (const auto& value : label->second.patterns()) {
        auto& list = slot->second[value];
        if (list.empty() || list.back() != order) list.push_back(order);  // a value listed twice
      }
    }
    e.unindexed_count = static_cast<std::uint32_t>(e.items.size());
    e.unindexed = std::make_shared<const std::vector<TriggerHandle>>(std::move(unindexed));
    for (auto& [label, values] : by_label) {
      NameEntry::Lists lists;
      lists.label = label;
      for (auto& [value, orders] : values) {
        const auto first = static_cast<std::uint32_t>(e.items.size());
        std::vector<TriggerHandle> handles;
        for (std::uint32_t order : orders) {
          e.items.push_back(item_of(order, index_label(*all[order])));
          handles.push_back(all[order]);
        }
        lists.insert(value, first, static_cast<std::uint32_t>(orders.size()),
                     std::make_shared<const std::vector<TriggerHandle>>(std::move(handles)));
      }
      lists.build();
      e.by_label.push_back(std::move(lists));
    }
    e.all = std::make_shared<const std::vector<TriggerHandle>>(std::move(all));
    return entry;
  }

  /// The entry of `event_name`, and what keeps it alive beyond the snapshot when it is not
  /// remembered (null otherwise: the snapshot owns it).
  struct EntryRef {
    const NameEntry* entry = nullptr;
    std::shared_ptr<const NameEntry> keep{};
  };

  EntryRef entry(std::string_view event_name) const {
    // The entries this thread used last, per snapshot: events come in runs of a few names.
    const std::uint64_t hash = StringHash{}(event_name);
    RecentEntry& recent = recent_entries[hash % recent_entries.size()];
    if (recent.snapshot == id && recent.hash == hash &&
        same_text(static_cast<const NameEntry*>(recent.entry)->name, event_name)) {
      return {static_cast<const NameEntry*>(recent.entry)};
    }
    EntryRef found = find_entry(event_name);
    if (!found.keep) recent = {id, hash, found.entry};  // owned by this snapshot
    return found;
  }

  EntryRef find_entry(std::string_view event_name) const {
    // A name some trigger names exactly: a lock-free slot, filled once.
    if (auto it = by_event_name.find(event_name); it != by_event_name.end()) {
      auto& slot = it->second.entry;
      if (const NameEntry* known = slot.load(std::memory_order_acquire)) return {known};
      auto computed = compute(event_name);
      const NameEntry* expected = nullptr;
      if (slot.compare_exchange_strong(expected, computed.get(), std::memory_order_acq_rel)) {
        return {computed.release()};
      }
      return {expected};  // another thread filled it first
    }
    {
      std::shared_lock lock(cache_mutex);
      if (auto it = cache.find(event_name); it != cache.end()) return {it->second.get()};
    }
    std::shared_ptr<const NameEntry> computed = compute(event_name);
    std::unique_lock lock(cache_mutex);
    if (cache.size() < candidate_cache_limit) {
      auto [it, fresh] = cache.emplace(std::string(event_name), computed);
      return {it->second.get()};  // remembered (ours or another thread's): the snapshot owns it
    }
    return {computed.get(), computed};
  }

  using List = NameEntry::List;

  // The lists that can hold triggers firing on `event`: the name's unindexed triggers, plus
  // those indexed under the event's own label values. Returns how many were stored in `parts`
  // (at most `capacity`), or more than `capacity` when they do not fit.
  [[gnu::always_inline]] static std::size_t lists_for(const NameEntry& e, const Event& event,
                                                      List* parts, std::size_t capacity) {
    std::size_t n = 0;
    if (e.unindexed_count != 0) parts[n++] = {0, e.unindexed_count, &e.unindexed};
    for (const auto& lists : e.by_label) {
      const std::optional<std::string_view> value = event.resource.find(lists.label);
      if (!value) continue;  // an absent label never matches
      if (const auto* slot = lists.find(*value)) {
        if (n < capacity) parts[n] = {slot->first, slot->count, &lists.handles[slot->list]};
        ++n;
      }
    }
    return n;
  }

  TriggerList candidates(const Event& event) const {
    auto ref = entry(event.event);
    constexpr std::size_t capacity = 8;
    List parts[capacity];
    std::size_t n = lists_for(*ref.entry, event, parts, capacity);
    if (n == 0) return {};
    if (n == 1) return TriggerList(*parts[0].handles);
    std::vector<TriggerHandle> merged;
    auto collect = [&](const List* lists, std::size_t count) {
      for (std::size_t i = 0; i < count; ++i)
        merged.insert(merged.end(), lists[i].handles->get()->begin(),
                      lists[i].handles->get()->end());
    };
    if (n <= capacity) {
      collect(parts, n);
    } else {  // more index labels than fit: collect them again, without the cap
      std::vector<List> all_parts(n);
      lists_for(*ref.entry, event, all_parts.data(), n);
      collect(all_parts.data(), n);
    }
    std::sort(merged.begin(), merged.end(), by_sequence);
    return TriggerList(std::make_shared<const std::vector<TriggerHandle>>(std::move(merged)));
  }

  // The remaining tests of candidates for one event, each evaluated once: an inlined read of the
  // result, and an out-of-line evaluation on the first read. `Small` entries (at most
  // small_test_count tests) keep the results and label values here; larger ones use this
  // thread's TestMemo. Either way a label is looked up once per resource per event.
  template <bool Small>
  class EventTests {
   public:
    EventTests(const NameEntry& e, const Event& event) noexcept : e_(e), event_(event) {
      if constexpr (!Small) {
        const std::size_t values = (event.related.size() + 1) * e.label_count;
        remember_values_ = values <= label_memo_limit;
        generation_ = test_memo.begin(e.tests.size(), remember_values_ ? values : 0);
      }
    }
    bool passes(NameEntry::Item item) noexcept {
      if (item.tests == 0) return true;
      if ((item.tests & NameEntry::plan_bit) == 0) return test(item.tests - 1);
      const std::uint32_t* ids = e_.plan.data() + (item.tests & ~NameEntry::plan_bit);
      for (std::uint32_t k = 1; k <= ids[0]; ++k)
        if (!test(ids[k])) return false;
      return true;
    }

   private:
    bool test(std::uint32_t test_id) noexcept {
      if constexpr (Small) {
        const std::uint64_t bit = std::uint64_t{1} << test_id;
        if ((known_ & bit) != 0) return (results_ & bit) != 0;
        const bool result = evaluate(test_id);
        known_ |= bit;
        if (result) results_ |= bit;
        return result;
      } else {
        // Read through the memo each time: a visit may match another event on this thread,
        // which can grow its vectors.
        const std::uint32_t known = test_memo.known[test_id];
        if ((known >> 1) == generation_) return (known & 1) != 0;
        const bool result = evaluate(test_id);
        test_memo.known[test_id] = (generation_ << 1) | (result ? 1 : 0);
        return result;
      }
    }
    [[gnu::noinline]] bool evaluate(std::uint32_t test_id) noexcept {
      return e_.passes(e_.tests[test_id], event_,
                       [this](std::size_t r, const Check& c) { return value(r, c); });
    }
    std::optional<std::string_view> value(std::size_t r, const Check& c) noexcept {
      const Resource& resource = r == 0 ? event_.resource : event_.related[r - 1];
      if constexpr (Small) {
        const std::size_t at = r * e_.label_count + c.slot;
        if (at < small_value_count) {
          const std::uint64_t bit = std::uint64_t{1} << at;
          if ((values_known_ & bit) != 0) return values_[at];
          values_known_ |= bit;
          return values_[at] = resource.find(c.label);
        }
      } else {
        if (remember_values_) {
          auto& memo = test_memo;
          const std::size_t at = r * e_.label_count + c.slot;
          if (memo.value_generation[at] == generation_) return memo.value[at];
          const std::optional<std::string_view> found = resource.find(c.label);
          memo.value_generation[at] = generation_;
          memo.value[at] = found;
          return found;
        }
      }
      return resource.find(c.label);
    }

    const NameEntry& e_;
    const Event& event_;
    std::uint64_t known_ = 0, results_ = 0;  ///< Small: per test id, evaluated and passed
    std::uint64_t values_known_ = 0;         ///< Small: per value, looked up
    union {  // written before read (values_known_): left uninitialized, as a plain array
      std::optional<std::string_view> values_[Small ? small_value_count : 1];  ///< once known
    };
    bool remember_values_ = false;  ///< !Small
    std::uint32_t generation_ = 0;  ///< !Small
  };

  [[gnu::always_inline]] void visit_matches(const Event& event, MatchVisitor visit,
                                            const void* visitor) const {
    auto ref = entry(event.event);
    const NameEntry& e = *ref.entry;
    if (e.tests.size() <= small_test_count) {
      visit_lists<EventTests<true>>(e, event, visit, visitor);
    } else {
      visit_lists<EventTests<false>>(e, event, visit, visitor);
    }
  }

  template <typename Tests>
  static void visit_lists(const NameEntry& e, const Event& event, MatchVisitor visit,
                          const void* visitor) {
    constexpr std::size_t capacity = 8;
    List parts[capacity];
    std::size_t n = lists_for(e, event, parts, capacity);
    if (n == 0) return;
    Tests tests(e, event);
    if (n == 1) {
      const NameEntry::Item* items = e.items.data() + parts[0].first;
      const TriggerHandle* handles = parts[0].handles->get()->data();
      const std::uint32_t count = parts[0].count;
      for (std::uint32_t i = 0; i < count; ++i)
        if (tests.passes(items[i])) visit(visitor, handles[i]);
    } else if (n <= capacity) {
      merge(e, tests, parts, n, visit, visitor);
    } else {  // more index labels than fit: collect them again, without the cap
      std::vector<List> all_parts(n);
      lists_for(e, event, all_parts.data(), n);
      merge(e, tests, all_parts.data(), n, visit, visitor);
    }
  }

  // Several lists, each in registration order: visits what passes, merged by order.
  template <typename Tests>
  static void merge(const NameEntry& e, Tests& tests, const List* lists, std::size_t n,
                    MatchVisitor visit, const void* visitor) {
    // Cursors on the stack for the usual few lists: this runs per event.
    std::array<std::uint32_t, 8> small_cursor{};
    std::vector<std::uint32_t> large_cursor(n > small_cursor.size() ? n : 0, 0);
    std::uint32_t* cursor = n > small_cursor.size() ? large_cursor.data() : small_cursor.data();
    const NameEntry::Item* items = e.items.data();
    for (;;) {
      std::size_t best = n;
      for (std::size_t k = 0; k < n; ++k) {
        if (cursor[k] == lists[k].count) continue;
        if (best == n || items[lists[k].first + cursor[k]].order <
                             items[lists[best].first + cursor[best]].order) {
          best = k;
        }
      }
      if (best == n) return;
      const std::uint32_t i = cursor[best]++;
      if (tests.passes(items[lists[best].first + i]))
        visit(visitor, (*lists[best].handles->get())[i]);
    }
  }
};

// --- TriggerRegistry -------------------------------------------------------------------------

TriggerRegistry::TriggerRegistry() : TriggerRegistry(Validator{}) {}

TriggerRegistry::TriggerRegistry(Validator validator)
    : validator_(std::move(validator)),
      snapshot_(std::make_shared<const Snapshot>(std::vector<TriggerHandle>{})),
      snapshot_id_(snapshot_->id) {}

TriggerRegistry::~TriggerRegistry() {
  snapshot_cache.forget(this);  // other threads release theirs on their next dispatches
}

std::shared_ptr<const TriggerRegistry::Snapshot> TriggerRegistry::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

TriggerHandle TriggerRegistry::make(TriggerDefinition definition) {
  auto handle = std::make_shared<const RegisteredTrigger>(std::move(definition), next_sequence_++);
  if (validator_) validator_(handle->definition());
  return handle;
}

void TriggerRegistry::publish(const std::vector<TriggerHandle>& triggers) {
  auto next = std::make_shared<const Snapshot>(triggers);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
  snapshot_id_.store(snapshot_->id, std::memory_order_release);
}

namespace {
std::vector<TriggerHandle> all_of(const StringMap<TriggerHandle>& by_name) {
  std::vector<TriggerHandle> out;
  out.reserve(by_name.size());
  for (const auto& [name, t] : by_name)
    out.push_back(t);
  return out;
}
}  // namespace

TriggerHandle TriggerRegistry::add(TriggerDefinition definition) {
  std::lock_guard write(write_mutex_);
  auto current = snapshot();
  std::string name = definition.generated_name();
  if (current->by_name.contains(name)) {
    throw ValidationError(name,
                          "a trigger with this name is already registered (trigger names "
                          "must be unique; use replace() to change it)");
  }
  auto handle = make(std::move(definition));
  auto triggers = all_of(current->by_name);
  triggers.push_back(handle);
  publish(triggers);
  return handle;
}

TriggerHandle TriggerRegistry::replace(TriggerDefinition definition) {
  std::lock_guard write(write_mutex_);
  auto current = snapshot();
  auto handle = make(std::move(definition));
  TriggerHandle old;
  auto triggers = all_of(current->by_name);
  for (auto& t : triggers) {
    if (t->name() == handle->name()) {
      old = t;
      t = handle;
    }
  }
  if (!old) triggers.push_back(handle);
  publish(triggers);
  if (old) old->deactivate_and_wait();
  return handle;
}

bool TriggerRegistry::remove(std::string_view name) {
  std::lock_guard write(write_mutex_);
  auto current = snapshot();
  auto it = current->by_name.find(name);
  if (it == current->by_name.end()) return false;
  TriggerHandle removed = it->second;
  auto triggers = all_of(current->by_name);
  std::erase(triggers, removed);
  publish(triggers);
  removed->deactivate_and_wait();
  return true;
}

TriggerHandle TriggerRegistry::find(std::string_view name) const {
  auto current = snapshot();
  auto it = current->by_name.find(name);
  return it == current->by_name.end() ? nullptr : it->second;
}

std::vector<TriggerHandle> TriggerRegistry::list() const {
  auto out = all_of(snapshot()->by_name);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return out;
}

std::size_t TriggerRegistry::size() const {
  return snapshot()->by_name.size();
}

ConfigureReport TriggerRegistry::configure_all(std::vector<TriggerDefinition> desired,
                                               std::optional<TriggerType> scope) {
  std::lock_guard write(write_mutex_);
  auto current = snapshot();
  // Validate everything before changing anything.
  std::vector<TriggerHandle> wanted;
  StringMap<TriggerHandle> wanted_by_name;
  for (auto& definition : desired) {
    auto handle = make(std::move(definition));
    if (!wanted_by_name.emplace(handle->name(), handle).second) {
      throw ValidationError(handle->name(),
                            "appears twice in the desired triggers (names must be unique)");
    }
    wanted.push_back(handle);
  }
  ConfigureReport report;
  std::vector<TriggerHandle> next;
  std::vector<TriggerHandle> retired;
  for (const auto& [name, existing] : current->by_name) {
    if (wanted_by_name.contains(name)) continue;
    if (scope && existing->definition().type != *scope) {
      next.push_back(existing);  // outside the scope: untouched
    } else {
      report.deleted.push_back(name);
      retired.push_back(existing);
    }
  }
  for (const auto& handle : wanted) {
    auto it = current->by_name.find(handle->name());
    if (it == current->by_name.end()) {
      report.created.push_back(handle->name());
      next.push_back(handle);
    } else if (it->second->definition() == handle->definition()) {
      report.unchanged.push_back(handle->name());
      next.push_back(it->second);  // keep the registered one: dispatches in flight stay valid
    } else {
      report.updated.push_back(handle->name());
      next.push_back(handle);
      retired.push_back(it->second);
    }
  }
  publish(next);
  for (const auto& t : retired)
    t->deactivate_and_wait();
  for (auto* list : {&report.created, &report.updated, &report.unchanged, &report.deleted}) {
    std::sort(list->begin(), list->end());
  }
  return report;
}

TriggerList TriggerRegistry::candidates(std::string_view event_name) const {
  auto current = snapshot();
  auto ref = current->entry(event_name);
  return TriggerList(ref.entry->all);
}

TriggerList TriggerRegistry::candidates(const Event& event) const {
  return snapshot()->candidates(event);
}

void TriggerRegistry::visit_matches(const Event& event, MatchVisitor visit,
                                    const void* visitor) const {
  auto& cache = snapshot_cache;
  const void* cached = cache.find(snapshot_id_.load(std::memory_order_acquire));
  if (cached != nullptr) {
    DispatchDepth depth(cache);
    static_cast<const Snapshot*>(cached)->visit_matches(event, visit, visitor);
    return;
  }
  auto current = snapshot();
  cache.remember(current->id, this, current);
  DispatchDepth depth(cache);
  current->visit_matches(event, visit, visitor);
}

TriggerList TriggerRegistry::matching(const Event& event) const {
  std::vector<TriggerHandle> out;
  for_each_match(event, [&](const TriggerHandle& t) { out.push_back(t); });
  if (out.empty()) return {};
  return TriggerList(std::make_shared<const std::vector<TriggerHandle>>(std::move(out)));
}

}  // namespace eventwire
