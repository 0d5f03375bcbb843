#include "eventwire/store.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

namespace eventwire {
namespace {

bool any_prefix(std::string_view text, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return text.starts_with(p); });
}

bool any_equal(std::string_view text, const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), text) != values.end();
}

// Approximate bytes an event holds: strings and a word per scalar. No allocation.
std::size_t approximate_size(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get_ref<const std::string&>().size() + 8;
    case json::value_t::array: {
      std::size_t n = 16;
      for (const auto& item : value)
        n += approximate_size(item);
      return n;
    }
    case json::value_t::object: {
      std::size_t n = 16;
      for (const auto& [key, item] : value.items())
        n += key.size() + approximate_size(item);
      return n;
    }
    default:
      return 8;
  }
}

std::size_t approximate_size(const Event& event) {
  std::size_t n = sizeof(Event) + event.event.size() + approximate_size(event.payload);
  auto labels = [&](const Resource& r) {
    for (const auto& [name, value] : r)
      n += name.size() + value.size() + 16;
  };
  labels(event.resource);
  for (const auto& r : event.related)
    labels(r);
  return n;
}

}  // namespace

bool RelatedFilter::matches(const RelatedResource& r) const {
  if (!ids.empty() && !any_equal(r.id(), ids)) return false;
  if (!roles.empty() && !any_equal(r.role(), roles)) return false;
  if (!resources_in_roles.empty() &&
      std::none_of(resources_in_roles.begin(), resources_in_roles.end(), [&](const auto& pair) {
        return r.id() == pair.first && r.role() == pair.second;
      })) {
    return false;
  }
  return true;
}

bool EventQuery::matches(const Event& e) const {
  if (occurred_after && e.occurred < *occurred_after) return false;
  if (occurred_before && e.occurred > *occurred_before) return false;
  if (!ids.empty() && std::find(ids.begin(), ids.end(), e.id) == ids.end()) return false;
  if (!event_names.empty() || !event_prefixes.empty()) {
    if (!any_equal(e.event, event_names) && !any_prefix(e.event, event_prefixes)) return false;
  }
  if (any_equal(e.event, exclude_names) || any_prefix(e.event, exclude_prefixes)) return false;
  if (!resource_ids.empty() || !resource_id_prefixes.empty()) {
    auto id = e.resource.id();
    if (!any_equal(id, resource_ids) && !any_prefix(id, resource_id_prefixes)) return false;
  }
  for (const auto& filter : related) {
    if (std::none_of(e.related.begin(), e.related.end(),
                     [&](const RelatedResource& r) { return filter.matches(r); })) {
      return false;
    }
  }
  return true;
}

std::vector<std::pair<EventPtr, int>> EventStore::family(const Uuid& id) const {
  EventPtr event = get(id);
  if (!event) return {};
  // Infrahub lists every ancestor, nearest first, as `infrahub.ancestor_event` related resources;
  // the root is the oldest one still stored.
  EventPtr root = event;
  for (const auto& related : event->related) {
    Uuid ancestor_id;
    if (related.role() != "infrahub.ancestor_event" ||
        !Uuid::try_parse(related.id(), ancestor_id)) {
      continue;
    }
    if (EventPtr ancestor = get(ancestor_id)) root = ancestor;
  }
  // Every descendant names the root among its ancestors: one query finds them all.
  EventQuery descendants{
      .related = {{.resources_in_roles = {{root->id.to_string(), "infrahub.ancestor_event"}}}},
      .order = EventOrder::ascending,
      .limit = static_cast<std::size_t>(-1),
      .include_total = false};
  std::unordered_map<std::string, std::vector<EventPtr>> children;  // parent id -> children
  for (const auto& child : query(descendants).events) {
    for (const auto& related : child->related) {
      if (related.role() == "infrahub.child_event") {
        children[std::string(related.get("infrahub.event_parent.id"))].push_back(child);
      }
    }
  }
  std::vector<std::pair<EventPtr, int>> out;
  std::vector<std::pair<EventPtr, int>> stack{{root, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    out.emplace_back(node, depth);
    auto it = children.find(node->id.to_string());
    if (it == children.end()) continue;
    for (auto child = it->second.rbegin(); child != it->second.rend(); ++child) {
      stack.emplace_back(*child, depth + 1);  // reversed: the earliest child is visited first
    }
  }
  return out;
}

// Every index is a list sorted by (occurred, sequence). Deletion always removes the earliest
// events, which sit at the front of every list, so deques give O(1) appends and deletions.
struct MemoryEventStore::Index {
  struct Slot {
    Timestamp occurred;
    std::uint64_t sequence;
    EventPtr event;
    bool operator<(const Slot& other) const {
      return occurred != other.occurred ? occurred < other.occurred : sequence < other.sequence;
    }
  };
  using List = std::deque<Slot>;

  explicit Index(MemoryStoreLimits l) : limits(l) {}

  MemoryStoreLimits limits;
  mutable std::shared_mutex mutex;
  std::uint64_t next_sequence = 0;
  List by_time;
  std::unordered_map<std::string, List> by_name;
  std::unordered_map<Uuid, const Event*> by_id;
  std::size_t bytes = 0;

  static void insert_sorted(List& list, const Slot& slot) {
    if (list.empty() || list.back() < slot) {
      list.push_back(slot);  // the usual case: events arrive in time order
    } else {
      list.insert(std::upper_bound(list.begin(), list.end(), slot), slot);
    }
  }

  // Caller holds the lock exclusively. False when the id is already stored.
  bool insert(EventPtr event) {
    if (!by_id.emplace(event->id, event.get()).second) return false;
    Slot slot{event->occurred, next_sequence++, std::move(event)};
    insert_sorted(by_time, slot);
    insert_sorted(by_name[slot.event->event], slot);
    bytes += approximate_size(*slot.event);
    return true;
  }

  // Removes the earliest event from every index.
  void pop_earliest() {
    Slot slot = std::move(by_time.front());
    by_time.pop_front();
    auto names = by_name.find(slot.event->event);
    names->second.pop_front();
    if (names->second.empty()) by_name.erase(names);
    by_id.erase(slot.event->id);
    bytes -= approximate_size(*slot.event);
  }

  void enforce_limits() {
    while ((limits.max_events && by_time.size() > limits.max_events) ||
           (limits.max_bytes && bytes > limits.max_bytes && !by_time.empty())) {
      pop_earliest();
    }
  }

  // Calls visit(event) on candidates in ascending or descending order until it returns false.
  template <typename Visit>
  void scan(const EventQuery& q, Visit&& visit) const {
    auto window = [&](const List& list) {
      auto first = list.begin();
      auto last = list.end();
      if (q.occurred_after) {
        first = std::lower_bound(list.begin(), list.end(), Slot{*q.occurred_after, 0, nullptr});
      }
      if (q.occurred_before) {
        last = std::lower_bound(
            first, list.end(), Slot{*q.occurred_before + std::chrono::microseconds(1), 0, nullptr});
      }
      return std::pair{first, last};
    };
    auto walk = [&](auto first, auto last) {
      if (q.order == EventOrder::ascending) {
        for (auto it = first; it != last; ++it) {
          if (q.matches(*it->event) && !visit(it->event)) return;
        }
      } else {
        for (auto it = last; it != first;) {
          --it;
          if (q.matches(*it->event) && !visit(it->event)) return;
        }
      }
    };
    if (!q.ids.empty() || (!q.event_names.empty() && q.event_prefixes.empty())) {
      // Few candidates: gather them from the id or name index, then order them.
      std::vector<Slot> candidates;
      if (!q.ids.empty()) {
        std::unordered_set<Uuid> seen;
        for (const auto& id : q.ids) {
          auto it = by_id.find(id);
          if (it == by_id.end() || !seen.insert(id).second) continue;
          auto [first, last] = window(by_name.at(it->second->event));
          for (auto s = first; s != last; ++s) {
            if (s->event.get() == it->second) candidates.push_back(*s);
          }
        }
      } else {
        std::unordered_set<std::string_view> seen;
        for (const auto& name : q.event_names) {
          auto list = by_name.find(name);
          if (list == by_name.end() || !seen.insert(name).second) continue;
          auto [first, last] = window(list->second);
          if (q.event_names.size() == 1) return walk(first, last);  // already in order
          candidates.insert(candidates.end(), first, last);
        }
      }
      std::sort(candidates.begin(), candidates.end());
      return walk(candidates.begin(), candidates.end());
    }
    auto [first, last] = window(by_time);
    walk(first, last);
  }
};

MemoryEventStore::MemoryEventStore(MemoryStoreLimits limits)
    : index_(std::make_unique<Index>(limits)) {}

MemoryEventStore::~MemoryEventStore() = default;

bool MemoryEventStore::append(EventPtr event) {
  std::unique_lock lock(index_->mutex);
  bool inserted = index_->insert(std::move(event));
  index_->enforce_limits();
  return inserted;
}

std::size_t MemoryEventStore::append_batch(std::span<const EventPtr> events) {
  std::unique_lock lock(index_->mutex);  // one lock: the whole batch becomes visible at once
  std::size_t inserted = 0;
  for (const auto& event : events)
    inserted += index_->insert(event);
  index_->enforce_limits();
  return inserted;
}

EventPtr MemoryEventStore::get(const Uuid& id) const {
  std::shared_lock lock(index_->mutex);
  EventQuery q{.ids = {id}, .limit = 1, .include_total = false};
  EventPtr found;
  index_->scan(q, [&](const EventPtr& e) {
    found = e;
    return false;
  });
  return found;
}

EventPage MemoryEventStore::query(const EventQuery& q) const {
  std::shared_lock lock(index_->mutex);
  EventPage page;
  std::size_t seen = 0;
  index_->scan(q, [&](const EventPtr& e) {
    if (seen >= q.offset && page.events.size() < q.limit) page.events.push_back(e);
    ++seen;
    return q.include_total || page.events.size() < q.limit || seen < q.offset;
  });
  page.total = q.include_total ? seen : 0;
  return page;
}

std::size_t MemoryEventStore::count(const EventQuery& q) const {
  std::shared_lock lock(index_->mutex);
  std::size_t n = 0;
  index_->scan(q, [&](const EventPtr&) {
    ++n;
    return true;
  });
  return n;
}

std::size_t MemoryEventStore::delete_before(Timestamp cutoff) {
  std::unique_lock lock(index_->mutex);
  std::size_t n = 0;
  while (!index_->by_time.empty() && index_->by_time.front().occurred < cutoff) {
    index_->pop_earliest();
    ++n;
  }
  return n;
}

std::size_t MemoryEventStore::keep_latest(std::size_t keep) {
  std::unique_lock lock(index_->mutex);
  std::size_t n = 0;
  while (index_->by_time.size() > keep) {
    index_->pop_earliest();
    ++n;
  }
  return n;
}

std::size_t MemoryEventStore::size() const {
  std::shared_lock lock(index_->mutex);
  return index_->by_time.size();
}

std::size_t MemoryEventStore::bytes() const {
  std::shared_lock lock(index_->mutex);
  return index_->bytes;
}

}  // namespace eventwire
