#include "eventwire/trigger.hpp"

#include <algorithm>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "eventwire/error.hpp"

namespace eventwire {
namespace {

// Heterogeneous lookup: find a std::string key by std::string_view without allocating.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
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

std::string TriggerDefinition::generated_name() const {
  return branch ? fmt::format("{}::{}::{}", to_string(type), *branch, name)
                : fmt::format("{}::{}", to_string(type), name);
}

// --- RegisteredTrigger -----------------------------------------------------------------------

RegisteredTrigger::RegisteredTrigger(TriggerDefinition definition, std::uint64_t sequence)
    : name_(definition.generated_name()),
      definition_(std::move(definition)),
      compiled_(definition_.trigger),
      sequence_(sequence) {
  if (definition_.name.empty()) throw ValidationError("name", "must be non-empty");
  for (std::size_t i = 0; i < definition_.actions.size(); ++i) {
    const auto& action = definition_.actions[i];
    try {
      action.validate_parameters();
    } catch (const ValidationError& e) {
      throw ValidationError(fmt::format("{}: actions[{}].{}", name_, i, e.field()), e.rule());
    }
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

struct TriggerRegistry::Snapshot {
  StringMap<TriggerHandle> by_name;
  StringMap<std::vector<TriggerHandle>> by_event_name;  ///< triggers naming an event exactly
  std::vector<TriggerHandle> patterned;                 ///< triggers with `*`/`?`/`[`/`!` names
  std::vector<TriggerHandle> every_event;               ///< triggers with no `events`

  mutable std::shared_mutex cache_mutex;
  struct NameEntry;
  mutable StringMap<std::shared_ptr<const NameEntry>> cache;

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
          by_event_name[name].push_back(t);
        } else {
          has_pattern = true;
        }
      }
      if (has_pattern) patterned.push_back(t);
    }
  }

  // The triggers for one event name, split by their index label: an event then reads only the
  // lists for its own label values, plus the triggers that have no index label.
  struct NameEntry {
    std::shared_ptr<const std::vector<TriggerHandle>> all;        ///< every trigger for the name
    std::shared_ptr<const std::vector<TriggerHandle>> unindexed;  ///< no index label
    using Lists = StringMap<std::shared_ptr<const std::vector<TriggerHandle>>>;
    std::vector<std::pair<std::string, Lists>> by_label;  ///< label -> value -> triggers
  };

  std::shared_ptr<const NameEntry> compute(std::string_view event_name) const {
    std::vector<TriggerHandle> all;
    if (auto it = by_event_name.find(event_name); it != by_event_name.end()) all = it->second;
    for (const auto& t : patterned) {
      if (t->compiled().matches_event_name(event_name)) all.push_back(t);
    }
    all.insert(all.end(), every_event.begin(), every_event.end());
    std::sort(all.begin(), all.end(), by_sequence);
    all.erase(std::unique(all.begin(), all.end()), all.end());  // exact and pattern names at once

    std::vector<TriggerHandle> unindexed;
    std::vector<std::pair<std::string, StringMap<std::vector<TriggerHandle>>>> by_label;
    for (const auto& t : all) {
      const auto* label = index_label(*t);
      if (!label) {
        unindexed.push_back(t);
        continue;
      }
      auto slot = std::find_if(by_label.begin(), by_label.end(),
                               [&](const auto& l) { return l.first == label->first; });
      if (slot == by_label.end()) slot = by_label.insert(by_label.end(), {label->first, {}});
      for (const auto& value : label->second.patterns()) {
        auto& list = slot->second[value];
        if (list.empty() || list.back() != t) list.push_back(t);  // a value listed twice
      }
    }
    auto entry = std::make_shared<NameEntry>();
    entry->all = std::make_shared<const std::vector<TriggerHandle>>(std::move(all));
    entry->unindexed = std::make_shared<const std::vector<TriggerHandle>>(std::move(unindexed));
    for (auto& [label, values] : by_label) {
      NameEntry::Lists lists;
      for (auto& [value, list] : values) {
        lists.emplace(value, std::make_shared<const std::vector<TriggerHandle>>(std::move(list)));
      }
      entry->by_label.emplace_back(label, std::move(lists));
    }
    return entry;
  }

  std::shared_ptr<const NameEntry> entry(std::string_view event_name) const {
    {
      std::shared_lock lock(cache_mutex);
      if (auto it = cache.find(event_name); it != cache.end()) return it->second;
    }
    auto computed = compute(event_name);
    std::unique_lock lock(cache_mutex);
    if (cache.size() < candidate_cache_limit) cache.emplace(std::string(event_name), computed);
    return computed;
  }

  // The triggers that can fire on `event`: its name's unindexed triggers, plus those indexed
  // under the event's own label values. No allocation when one list holds them all.
  TriggerList candidates(const Event& event) const {
    auto e = entry(event.event);
    std::vector<std::shared_ptr<const std::vector<TriggerHandle>>> parts;
    if (!e->unindexed->empty()) parts.push_back(e->unindexed);
    for (const auto& [label, lists] : e->by_label) {
      const std::string* value = event.resource.find(label);
      if (!value) continue;  // an absent label never matches
      if (auto it = lists.find(*value); it != lists.end()) parts.push_back(it->second);
    }
    if (parts.empty()) return {};
    if (parts.size() == 1) return TriggerList(parts.front());
    std::vector<TriggerHandle> merged;
    for (const auto& part : parts)
      merged.insert(merged.end(), part->begin(), part->end());
    std::sort(merged.begin(), merged.end(), by_sequence);
    return TriggerList(std::make_shared<const std::vector<TriggerHandle>>(std::move(merged)));
  }
};

// --- TriggerRegistry -------------------------------------------------------------------------

TriggerRegistry::TriggerRegistry() : TriggerRegistry(Validator{}) {}

TriggerRegistry::TriggerRegistry(Validator validator)
    : validator_(std::move(validator)),
      snapshot_(std::make_shared<const Snapshot>(std::vector<TriggerHandle>{})) {}

TriggerRegistry::~TriggerRegistry() = default;

std::shared_ptr<const TriggerRegistry::Snapshot> TriggerRegistry::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

TriggerHandle TriggerRegistry::make(TriggerDefinition definition) {
  auto handle = std::make_shared<const RegisteredTrigger>(std::move(definition), next_sequence_++);
  if (validator_) validator_(handle->definition());
  return handle;
}

void TriggerRegistry::publish(std::vector<TriggerHandle> triggers) {
  auto next = std::make_shared<const Snapshot>(triggers);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
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
  publish(std::move(triggers));
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
  publish(std::move(triggers));
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
  publish(std::move(triggers));
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
  publish(std::move(next));
  for (const auto& t : retired)
    t->deactivate_and_wait();
  for (auto* list : {&report.created, &report.updated, &report.unchanged, &report.deleted}) {
    std::sort(list->begin(), list->end());
  }
  return report;
}

TriggerList TriggerRegistry::candidates(std::string_view event_name) const {
  return TriggerList(snapshot()->entry(event_name)->all);
}

TriggerList TriggerRegistry::candidates(const Event& event) const {
  return snapshot()->candidates(event);
}

}  // namespace eventwire
