#include "eventwire/store.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "eventwire/error.hpp"

namespace eventwire {
namespace {

bool any_prefix(std::string_view text, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return text.starts_with(p); });
}

bool any_equal(std::string_view text, const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), text) != values.end();
}

// The heap bytes one allocation of `request` bytes takes: glibc's malloc adds an 8-byte header,
// rounds up to 16 bytes and gives at least 32. Other allocators differ by a little.
constexpr std::size_t heap_block(std::size_t request) noexcept {
  return request == 0 ? 0 : std::max<std::size_t>(32, (request + 8 + 15) & ~std::size_t{15});
}

// The heap a string's text takes: none while it fits in the string object (SSO).
std::size_t heap_of(const std::string& s) noexcept {
  static const std::size_t inline_capacity = std::string().capacity();
  return s.capacity() > inline_capacity ? heap_block(s.capacity() + 1) : 0;
}

// The heap a JSON value's tree takes (the value itself lives in its parent). Walks the containers
// themselves: nlohmann's iterators and items() proxies cost several times the walk.
std::size_t heap_of(const json& value) noexcept {
  switch (value.type()) {
    case json::value_t::string:
      return heap_block(sizeof(json::string_t)) + heap_of(value.get_ref<const std::string&>());
    case json::value_t::array: {
      const auto& items = value.get_ref<const json::array_t&>();
      std::size_t n =
          heap_block(sizeof(json::array_t)) + heap_block(items.capacity() * sizeof(json));
      for (const json& item : items)
        n += heap_of(item);
      return n;
    }
    case json::value_t::object: {
      const auto& members = value.get_ref<const json::object_t&>();
      std::size_t n = heap_block(sizeof(json::object_t)) +
                      heap_block(members.capacity() * sizeof(json::object_t::value_type));
      for (const auto& [key, item] : members)
        n += heap_of(key) + heap_of(item);
      return n;
    }
    case json::value_t::binary: {
      const auto& bytes = value.get_ref<const json::binary_t&>();
      return heap_block(sizeof(json::binary_t)) + heap_block(bytes.capacity());
    }
    default:
      return 0;  // numbers, booleans and null live in the value
  }
}

std::size_t heap_of(const Resource& r) noexcept {
  static const std::size_t inline_capacity = std::string().capacity();
  return r.capacity_bytes() > inline_capacity ? heap_block(r.capacity_bytes() + 1) : 0;
}

}  // namespace

// --- CompiledEventQuery ----------------------------------------------------------------------

namespace {

// Page tokens: "ew1" + order ('a' or 'd') + "." + occurred (microseconds) + "." + sequence.
constexpr std::string_view token_version = "ew1";

std::optional<PagePosition> read_page_token(std::string_view token, EventOrder order) {
  if (!token.starts_with(token_version) || token.size() < token_version.size() + 2 ||
      token[token_version.size() + 1] != '.') {
    throw ValidationError("cursor",
                          "is not a page token (pass EventPage::next_page of a previous page)");
  }
  char direction = token[token_version.size()];
  if (direction != 'a' && direction != 'd') {
    throw ValidationError("cursor",
                          "is not a page token (pass EventPage::next_page of a previous page)");
  }
  if ((direction == 'a') != (order == EventOrder::ascending)) {
    throw ValidationError("cursor",
                          fmt::format("was issued for {} order, but the query asks for {} order",
                                      direction == 'a' ? "ascending" : "descending",
                                      order == EventOrder::ascending ? "ascending" : "descending"));
  }
  std::string_view rest = token.substr(token_version.size() + 2);
  std::int64_t occurred = 0;
  std::uint64_t sequence = 0;
  const char* end = rest.data() + rest.size();
  auto [p1, e1] = std::from_chars(rest.data(), end, occurred);
  if (e1 == std::errc() && p1 != end && *p1 == '.') {
    auto [p2, e2] = std::from_chars(p1 + 1, end, sequence);
    if (e2 == std::errc() && p2 == end && p2 != p1 + 1) {
      return PagePosition{Timestamp(std::chrono::microseconds(occurred)), sequence};
    }
  }
  throw ValidationError("cursor",
                        "is not a page token (pass EventPage::next_page of a previous page)");
}

bool related_matches(const RelatedFilter& filter, const CompiledResourceSpecification& labels,
                     const RelatedResource& r) {
  if (!filter.ids.empty() && !any_equal(r.id(), filter.ids)) return false;
  if (!filter.roles.empty() && !any_equal(r.role(), filter.roles)) return false;
  if (!filter.resources_in_roles.empty() &&
      std::none_of(
          filter.resources_in_roles.begin(), filter.resources_in_roles.end(),
          [&](const auto& pair) { return r.id() == pair.first && r.role() == pair.second; })) {
    return false;
  }
  return labels.matches(r);
}

bool any_resource_matches(const AnyResourceFilter& filter,
                          const CompiledResourceSpecification& labels, const Resource& r) {
  if (!filter.ids.empty() && !any_equal(r.id(), filter.ids)) return false;
  if (!filter.id_prefixes.empty() && !any_prefix(r.id(), filter.id_prefixes)) return false;
  return labels.matches(r);
}

bool is_empty(const RelatedFilter& f) {
  return f.ids.empty() && f.roles.empty() && f.resources_in_roles.empty() && f.labels.empty();
}

}  // namespace

CompiledEventQuery::CompiledEventQuery(EventQuery query) : query_(std::move(query)) {
  const EventQuery& q = query_;
  if (q.occurred_after && q.occurred_before && *q.occurred_after > *q.occurred_before) {
    throw ValidationError(
        "occurred_after",
        fmt::format("is later than occurred_before ({} > {}), so nothing can "
                    "match; swap them",
                    format_timestamp(*q.occurred_after), format_timestamp(*q.occurred_before)));
  }
  resource_labels_ = CompiledResourceSpecification(q.resource_labels, "resource_labels");
  reads_labels_ = !q.resource_labels.empty();
  related_labels_.reserve(q.related.size());
  for (std::size_t i = 0; i < q.related.size(); ++i) {
    related_labels_.emplace_back(q.related[i].labels, fmt::format("related[{}].labels", i));
    reads_labels_ = reads_labels_ || !q.related[i].labels.empty();
  }
  any_labels_.reserve(q.any_resource.size());
  for (std::size_t i = 0; i < q.any_resource.size(); ++i) {
    any_labels_.emplace_back(q.any_resource[i].labels, fmt::format("any_resource[{}].labels", i));
  }
  reads_labels_ = reads_labels_ || !q.any_resource.empty();
  if (!q.cursor.empty()) {
    if (q.offset != 0) {
      throw ValidationError("cursor",
                            "cannot be combined with offset: the page token already says where "
                            "the page starts");
    }
    after_ = read_page_token(q.cursor, q.order);
  }
}

bool CompiledEventQuery::matches(const Event& e) const {
  const EventQuery& q = query_;
  if (q.occurred_after && e.occurred < *q.occurred_after) return false;
  if (q.occurred_before && e.occurred > *q.occurred_before) return false;
  if (!q.ids.empty() && std::find(q.ids.begin(), q.ids.end(), e.id) == q.ids.end()) return false;
  if (!q.event_names.empty() && !any_equal(e.event, q.event_names)) return false;
  if (!q.event_prefixes.empty() && !any_prefix(e.event, q.event_prefixes)) return false;
  if (any_equal(e.event, q.exclude_names) || any_prefix(e.event, q.exclude_prefixes)) return false;
  std::string_view id = e.resource.id();
  if (!q.resource_ids.empty() && !any_equal(id, q.resource_ids)) return false;
  if (!q.resource_id_prefixes.empty() && !any_prefix(id, q.resource_id_prefixes)) return false;
  if (!resource_labels_.matches(e.resource)) return false;
  for (std::size_t i = 0; i < q.related.size(); ++i) {
    if (is_empty(q.related[i])) continue;  // constrains nothing (Prefect adds no clause)
    if (std::none_of(e.related.begin(), e.related.end(), [&](const RelatedResource& r) {
          return related_matches(q.related[i], related_labels_[i], r);
        })) {
      return false;
    }
  }
  for (std::size_t i = 0; i < q.any_resource.size(); ++i) {
    const auto& filter = q.any_resource[i];
    if (!any_resource_matches(filter, any_labels_[i], e.resource) &&
        std::none_of(e.related.begin(), e.related.end(), [&](const RelatedResource& r) {
          return any_resource_matches(filter, any_labels_[i], r);
        })) {
      return false;
    }
  }
  return true;
}

bool CompiledEventQuery::after_cursor(const PagePosition& p) const noexcept {
  if (!after_) return true;
  auto key = [](const PagePosition& x) { return std::pair(x.occurred, x.sequence); };
  return query_.order == EventOrder::ascending ? key(p) > key(*after_) : key(p) < key(*after_);
}

std::string CompiledEventQuery::page_token(const PagePosition& last) const {
  return fmt::format("{}{}.{}.{}", token_version, query_.order == EventOrder::ascending ? 'a' : 'd',
                     last.occurred.time_since_epoch().count(), last.sequence);
}

CompiledEventQuery CompiledEventQuery::without_page() const {
  CompiledEventQuery whole = *this;
  whole.query_.cursor.clear();
  whole.query_.offset = 0;
  whole.after_.reset();
  return whole;
}

bool EventQuery::matches(const Event& event) const {
  EventQuery filters = *this;
  filters.cursor.clear();  // pages play no part in whether one event matches
  return CompiledEventQuery(std::move(filters)).matches(event);
}

// --- InfrahubEventQuery ------------------------------------------------------------------------

EventQuery InfrahubEventQuery::to_query() const {
  if (limit > 50) {
    throw ValidationError("limit", fmt::format("must be at most 50 (Infrahub's page size), got {}; "
                                               "read further pages with offset or cursor",
                                               limit));
  }
  if (level && *level < 0) {
    throw ValidationError("level", fmt::format("must be 0 or more, got {}", *level));
  }
  EventQuery q{.occurred_after = since,
               .occurred_before = until,
               .event_names = event_types,
               .event_prefixes = {"infrahub."},  // Infrahub's endpoint reads only its own events
               .ids = ids,
               .order = order,
               .limit = limit,
               .offset = offset,
               .cursor = cursor,
               .include_total = include_total};
  if (level || has_children) {
    RelatedFilter event{.roles = {"infrahub.event"}};
    if (level) event.labels.set("infrahub.event.level", std::to_string(*level));
    if (has_children)
      event.labels.set("infrahub.event.has_children", *has_children ? "true" : "false");
    q.related.push_back(std::move(event));
  }
  auto related_label = [&](const char* role, const char* label,
                           const std::vector<std::string>& values) {
    if (values.empty()) return;
    q.related.push_back({.roles = {role}, .labels = {{label, LabelPatterns(values)}}});
  };
  related_label("infrahub.branch", "infrahub.resource.label", branches);
  related_label("infrahub.account", "infrahub.resource.id", account_ids);
  related_label("infrahub.child_event", "infrahub.event_parent.id", parent_ids);
  if (!related_node_ids.empty()) {
    q.related.push_back({.ids = related_node_ids, .roles = {"infrahub.related.node"}});
  }
  if (!primary_node_ids.empty()) {
    q.resource_labels.set("infrahub.node.id", LabelPatterns(primary_node_ids));
  }
  return q;
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
  const std::vector<EventPtr> found = query(descendants).events;
  std::unordered_set<std::string> present{root->id.to_string()};
  for (const auto& child : found)
    present.insert(child->id.to_string());
  // Each descendant hangs under its parent or, when that is no longer stored, under its nearest
  // ancestor that is (the root at worst): a gap in the chain does not lose the events below it.
  std::unordered_map<std::string, std::vector<EventPtr>> children;  // tree parent id -> children
  for (const auto& child : found) {
    const std::string self = child->id.to_string();
    if (child->id == root->id) continue;
    // An event never hangs under itself, whatever its labels claim.
    auto usable = [&](std::string_view candidate) {
      return candidate != self && present.contains(std::string(candidate));
    };
    std::string_view parent;
    for (const auto& related : child->related) {
      if (related.role() == "infrahub.child_event" &&
          usable(related.get("infrahub.event_parent.id"))) {
        parent = related.get("infrahub.event_parent.id");
      }
    }
    for (const auto& related : child->related) {  // ancestors are listed nearest first
      if (!parent.empty()) break;
      if (related.role() == "infrahub.ancestor_event" && usable(related.id()))
        parent = related.id();
    }
    if (!parent.empty()) children[std::string(parent)].push_back(child);
  }
  std::vector<std::pair<EventPtr, int>> out;
  std::vector<std::pair<EventPtr, int>> stack{{root, 0}};
  std::unordered_set<const Event*> listed;  // labels may claim a cycle: each event once
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!listed.insert(node.get()).second) continue;
    out.emplace_back(node, depth);
    auto it = children.find(node->id.to_string());
    if (it == children.end()) continue;
    for (auto child = it->second.rbegin(); child != it->second.rend(); ++child) {
      stack.emplace_back(*child, depth + 1);  // reversed: the earliest child is visited first
    }
  }
  return out;
}

namespace {

// Event id -> the stored event, which it owns: open addressing with linear probing and
// backward-shift deletion, in one array. At a million events a node-based map costs several
// cache misses per insert (bucket, previous node, node); this costs about one.
class IdTable {
 public:
  /// Makes room for one more event and starts loading the slot where an event whose id hashes
  /// to `h` goes: at a million events that slot is a cache miss, which the caller overlaps with
  /// other work before calling insert(event, h).
  void prepare(std::uint64_t h) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    __builtin_prefetch(&slots_[home(h)], 1);
  }

  /// Moves `event`, whose id hashes to `h`, in unless its id is present; false when present.
  /// prepare(h) comes first.
  bool insert(EventPtr& event, std::uint64_t h) {
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.event) {
        slot = {h, std::move(event)};
        ++size_;
        return true;
      }
      if (slot.hash == h && slot.event->id == event->id) return false;
    }
  }

  /// Where an id hashes to: what prepare() and insert() take.
  static std::uint64_t hash_of(const Uuid& id) noexcept { return hash(id); }

  /// The event with `id`, or nullptr.
  const EventPtr* find(const Uuid& id) const {
    std::size_t i = locate(id);
    return i == npos ? nullptr : &slots_[i].event;
  }

  void erase(const Uuid& id) {
    std::size_t i = locate(id);
    if (i == npos) return;
    slots_[i].event.reset();
    --size_;
    // Pull later entries of the run back over the hole, unless that would put them before home.
    for (std::size_t j = (i + 1) & mask_; slots_[j].event; j = (j + 1) & mask_) {
      std::size_t k = home(slots_[j].hash);
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      slots_[i] = std::move(slots_[j]);
      i = j;
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    EventPtr event{};  // empty slot when null
  };

  static std::uint64_t hash(const Uuid& id) noexcept {
    std::uint64_t h = std::hash<Uuid>{}(id);
    return (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull;  // mixed: home() takes the high bits
  }
  std::size_t home(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h >> shift_); }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Inlined, as into pop_earliest: a call costs an evicting append more than the probe itself.
  [[gnu::always_inline]] std::size_t locate(const Uuid& id) const noexcept {
    if (size_ == 0) return npos;
    std::uint64_t h = hash(id);
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.event) return npos;
      if (slot.hash == h && slot.event->id == id) return i;
    }
  }

  void grow() {
    std::size_t capacity = std::max<std::size_t>(16, slots_.size() * 2);
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (auto& slot : old) {
      if (!slot.event) continue;
      std::size_t i = home(slot.hash);
      while (slots_[i].event)
        i = (i + 1) & mask_;
      slots_[i] = std::move(slot);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

// An event's place in the store's order, in every index: (occurred, sequence).
struct Slot {
  Timestamp occurred;
  std::uint64_t sequence;
  const Event* event;
  bool operator<(const Slot& other) const {
    return occurred != other.occurred ? occurred < other.occurred : sequence < other.sequence;
  }
  PagePosition position() const { return {occurred, sequence}; }
};

// What max_bytes bounds: the heap an event held by a MemoryEventStore takes, estimated from its
// strings', vectors' and JSON nodes' sizes and capacities (its shared allocation, as share_event
// makes it, included), plus its time, name and id index entries. Within ~10% of what glibc
// reports for typical events (store_test); the resource id indexes, built when first queried,
// are not counted. No allocation.
std::size_t held_bytes(const Event& event) noexcept {
  // A slot in the time and name lists, and ~3 id table slots (hash and owner; kept at most half
  // full, so between 2 and 4 per event).
  constexpr std::size_t index_entries = 2 * sizeof(Slot) + 3 * (8 + sizeof(EventPtr));
  std::size_t n = heap_block(sizeof(Event) + 16) + index_entries + heap_of(event.event) +
                  heap_of(event.resource) + heap_of(event.payload) +
                  heap_block(event.related.capacity() * sizeof(RelatedResource));
  for (const auto& r : event.related)
    n += heap_of(r);
  return n;
}

// Slots sorted by (occurred, sequence) that lose their front as the earliest events are evicted:
// a vector and the index of its first live slot. Unlike a deque, an empty or one-event list costs
// no allocation beyond its slots, which matters for ids most events do not share.
class SlotList {
 public:
  const Slot* begin() const noexcept { return slots_.data() + head_; }
  const Slot* end() const noexcept { return slots_.data() + slots_.size(); }
  std::size_t size() const noexcept { return slots_.size() - head_; }
  bool empty() const noexcept { return head_ == slots_.size(); }

  /// Inserts `slot`, whose sequence is above every listed one, in order. The usual case, an event
  /// not older than the list's latest, appends without reading the list: at a million events its
  /// end is a cache miss, which a write does not wait for.
  void insert_latest(const Slot& slot) {
    if (empty() || latest_ <= slot.occurred) {
      slots_.push_back(slot);
      latest_ = slot.occurred;
      return;
    }
    auto at =
        std::upper_bound(slots_.begin() + static_cast<std::ptrdiff_t>(head_), slots_.end(), slot);
    slots_.insert(at, slot);
  }

  /// Drops the slots at the front that are not after `horizon` (events already evicted).
  void trim(const Slot& horizon) noexcept {
    while (head_ < slots_.size() && !(horizon < slots_[head_]))
      ++head_;
    if (head_ == slots_.size()) {
      slots_.clear();  // keeps the capacity for the next key that reuses this list
      head_ = 0;
    } else if (head_ >= 16 && head_ * 2 >= slots_.size()) {  // amortized: half the list is dead
      slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  /// Empties the list; gives back the memory of a long one.
  void reset() noexcept {
    if (slots_.capacity() > 4) {
      std::vector<Slot>().swap(slots_);
    } else {
      slots_.clear();
    }
    head_ = 0;
  }

 private:
  std::vector<Slot> slots_;
  std::size_t head_ = 0;
  Timestamp latest_{};  // occurred of the last slot
};

// Resource id -> the SlotList of the events that carry it: the postings of one kind of id
// (primary resource ids, or related resource ids). Open addressing with linear probing and
// backward-shift deletion, as IdTable.
//
// Keys are the 64-bit hashes of the ids, not their text: no string is copied, allocated or
// compared per id. Two ids with the same hash share a list, which only widens what a query reads:
// a query checks every filter on each event it reads from an index.
//
// Evicted events are not removed one by one (that would hash every id of every evicted event
// again): the lists drop the slots at or before the store's eviction horizon when they are next
// added to, and sweep() visits the rest a few entries at a time.
class PostingIndex {
 public:
  /// The key of an id: its text read 8 bytes at a time (the last word overlapping the one before),
  /// each word mixed in with a multiply and a rotation, then the whole finished as splitmix64
  /// does. About half the instructions of std::hash on ids of 40 to 60 bytes.
  static std::uint64_t hash_of(std::string_view key) noexcept {
    auto word = [](const char* p) {
      std::uint64_t w;
      std::memcpy(&w, p, sizeof w);
      return w;
    };
    auto mix = [](std::uint64_t h, std::uint64_t w) {
      return std::rotl(h ^ (w * 0x9E3779B97F4A7C15ull), 29) * 0xBF58476D1CE4E5B9ull;
    };
    const char* p = key.data();
    std::size_t n = key.size();
    std::uint64_t h = 0x94D049BB133111EBull ^ n;
    if (n >= 8) {
      for (; n > 8; p += 8, n -= 8)
        h = mix(h, word(p));
      h = mix(h, word(p + n - 8));
    } else {
      std::uint64_t w = 0;
      for (std::size_t i = 0; i < n; ++i)
        w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
      h = mix(h, w);
    }
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);  // home() takes the high bits
  }

  /// Starts loading the table slot of a key hashing to `h` (see IdTable::prepare).
  void prefetch(std::uint64_t h) const noexcept {
    if (!table_.empty()) __builtin_prefetch(&table_[home(h)]);
  }

  /// The step after prefetch(h), once what it loads has come: starts loading the list that the
  /// table slot of `h` names.
  void prefetch_posting(std::uint64_t h) const noexcept {
    if (table_.empty()) return;
    const Entry& entry = table_[home(h)];
    if (entry.posting != 0 && entry.hash == h) __builtin_prefetch(&postings_[entry.posting - 1]);
  }

  /// Adds `slot` to the list of the key hashing to `h` (made if absent), first dropping what is
  /// not after `horizon` (if given). An event carrying the key twice is listed once.
  void add(std::uint64_t h, const Slot& slot, const Slot* horizon) {
    if ((size_ + 1) * 2 > table_.size()) grow();
    std::size_t i = home(h);
    for (;; i = (i + 1) & mask_) {
      const Entry& entry = table_[i];
      if (entry.posting == 0) break;
      if (entry.hash == h) {
        Posting& posting = postings_[entry.posting - 1];
        if (posting.last == slot.sequence) return;  // the same id twice in one event
        posting.last = slot.sequence;
        if (horizon) posting.list.trim(*horizon);
        posting.list.insert_latest(slot);
        return;
      }
    }
    std::uint32_t n;
    if (free_.empty()) {
      n = static_cast<std::uint32_t>(postings_.size());
      postings_.emplace_back();
    } else {
      n = free_.back();
      free_.pop_back();
    }
    table_[i] = {h, n + 1};
    ++size_;
    postings_[n].last = slot.sequence;
    postings_[n].list.insert_latest(slot);
  }

  /// The list of `key`, or nullptr. Its front may hold evicted events: read it after the horizon.
  const SlotList* find(std::string_view key) const {
    if (size_ == 0) return nullptr;
    const std::uint64_t h = hash_of(key);
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
      const Entry& entry = table_[i];
      if (entry.posting == 0) return nullptr;
      if (entry.hash == h) return &postings_[entry.posting - 1].list;
    }
  }

  /// Visits up to `steps` table entries (round robin), dropping what is not after `horizon` from
  /// their lists, and the keys left without events: the memory of ids no longer added to.
  void sweep(std::size_t steps, const Slot& horizon) {
    if (table_.empty()) return;
    steps = std::min(steps, table_.size());
    for (; steps > 0; --steps) {
      std::size_t i = sweep_at_ & mask_;
      Entry& entry = table_[i];
      if (entry.posting != 0) {
        Posting& posting = postings_[entry.posting - 1];
        posting.list.trim(horizon);
        if (posting.list.empty()) {
          erase_at(i);
          continue;  // a later entry may have moved into i: visit it next
        }
      }
      sweep_at_ = i + 1;
    }
  }

  /// Drops every key and list.
  void clear() {
    table_.clear();
    postings_.clear();
    free_.clear();
    size_ = 0;
    mask_ = 0;
    shift_ = 64;
    sweep_at_ = 0;
  }

 private:
  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t posting = 0;  // index into postings_ + 1; 0 for an empty entry
  };
  struct Posting {
    std::uint64_t last = static_cast<std::uint64_t>(-1);  // sequence of the event added last
    SlotList list{};
  };

  std::size_t home(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h >> shift_); }

  void erase_at(std::size_t i) {
    postings_[table_[i].posting - 1].list.reset();
    free_.push_back(table_[i].posting - 1);
    table_[i].posting = 0;
    --size_;
    // Pull later entries of the run back over the hole, unless that would put them before home.
    for (std::size_t j = (i + 1) & mask_; table_[j].posting != 0; j = (j + 1) & mask_) {
      std::size_t k = home(table_[j].hash);
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      table_[i] = table_[j];
      table_[j].posting = 0;
      i = j;
    }
  }

  void grow() {
    std::size_t capacity = std::max<std::size_t>(16, table_.size() * 2);
    std::vector<Entry> old = std::exchange(table_, std::vector<Entry>(capacity));
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (const auto& entry : old) {
      if (entry.posting == 0) continue;
      std::size_t i = home(entry.hash);
      while (table_[i].posting != 0)
        i = (i + 1) & mask_;
      table_[i] = entry;
    }
  }

  std::vector<Entry> table_;
  std::vector<Posting> postings_;
  std::vector<std::uint32_t> free_;  // postings_ entries of dropped keys, reused first
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t sweep_at_ = 0;  // where sweep() continues
};

// Calls emit(slot) on the slots of several sorted ranges, merged in the order `before` gives,
// each event once (an event listed in two ranges is emitted when first met), until emit returns
// false.
template <typename It, typename Before, typename Emit>
void merge_ranges(std::vector<std::pair<It, It>> ranges, Before before, Emit&& emit) {
  std::erase_if(ranges, [](const auto& r) { return r.first == r.second; });
  // A heap whose top is the range whose next slot comes first.
  auto later = [&](const auto& a, const auto& b) { return before(*b.first, *a.first); };
  std::make_heap(ranges.begin(), ranges.end(), later);
  std::optional<std::uint64_t> previous;
  while (!ranges.empty()) {
    std::pop_heap(ranges.begin(), ranges.end(), later);
    auto& range = ranges.back();
    const Slot& slot = *range.first;
    if (slot.sequence != previous) {  // equal slots come out one after another
      previous = slot.sequence;
      if (!emit(slot)) return;
    }
    if (++range.first == range.second) {
      ranges.pop_back();
    } else {
      std::push_heap(ranges.begin(), ranges.end(), later);
    }
  }
}

}  // namespace

// Every index is a list sorted by (occurred, sequence): by time, by event name, by primary
// resource id, by related resource id. Deletion always removes the earliest events, which sit at
// the front of every list, so appends and deletions are O(1). The id index owns the events; the
// lists point into them. The resource and related id lists are kept up to date by the queries
// that read them, not by appends (catch_up_ids).
struct MemoryEventStore::Index {
  using Slot = eventwire::Slot;
  using List = std::deque<Slot>;

  explicit Index(MemoryStoreLimits l) : limits(l) {}

  MemoryStoreLimits limits;
  mutable std::shared_mutex mutex;
  std::uint64_t next_sequence = 0;
  List by_time;
  std::unordered_map<std::string, List> by_name;
  // Resource and related ids, indexed on demand: appends leave them alone, and the first query
  // that reads them indexes what was appended since the previous one (catch_up_ids). Mutable,
  // since a query, which shares the lock, does that under ids_mutex.
  mutable PostingIndex by_resource;  // primary resource id
  mutable PostingIndex by_related;   // related resource ids, each event once per id
  mutable bool ids_on = false;       // false until a query first reads them
  // Events of sequence below this are in by_resource and by_related (when ids_on).
  mutable std::uint64_t ids_through = 0;
  // The earliest `occurred` of the events appended since ids_through: where catch_up_ids starts.
  mutable Timestamp ids_from = Timestamp::max();
  // The latest evicted slot while ids_on: list slots not after it are gone, and skipped.
  mutable Slot horizon{Timestamp::min(), 0, nullptr};
  mutable bool has_horizon = false;
  mutable std::vector<Slot> unindexed;  // catch_up_ids' scratch, kept for its capacity
  struct ResourceKey {
    PostingIndex* index;
    std::uint64_t hash;
    std::size_t slot;  // in unindexed
  };
  mutable std::vector<ResourceKey> pending_keys;  // index_resources' scratch, as unindexed
  mutable std::mutex ids_mutex;
  IdTable by_id;
  std::size_t bytes = 0;

  static void insert_sorted(List& list, const Slot& slot) {
    if (list.empty() || list.back() < slot) {
      list.push_back(slot);  // the usual case: events arrive in time order
    } else {
      list.insert(std::upper_bound(list.begin(), list.end(), slot), slot);
    }
  }

  // Caller holds the lock exclusively. False when the id is already stored. `id_hash` is
  // IdTable::hash_of(event->id), computed before the lock.
  bool insert(EventPtr event, std::uint64_t id_hash) {
    const Event* e = event.get();
    const std::uint64_t h = id_hash;
    by_id.prepare(h);
    // While the id slot loads: the name's list (found or made, before we know the id is new).
    auto names = by_name.try_emplace(e->event).first;
    if (!by_id.insert(event, h)) {
      if (names->second.empty()) by_name.erase(names);  // made for a duplicate
      return false;
    }
    Slot slot{e->occurred, next_sequence++, e};
    insert_sorted(by_time, slot);
    insert_sorted(names->second, slot);
    ids_from = std::min(ids_from, slot.occurred);   // all the id indexes cost an append
    if (limits.max_bytes) bytes += held_bytes(*e);  // reads the whole event: only if bounded
    return true;
  }

  // Adds the events in `unindexed` to the resource and related id indexes.
  //
  // An event's ids sit two pointers deep (event, label buffer), and each id's list is two more
  // (table slot, list); one event at a time, that is a chain of cache misses per event at a
  // million events. A batch walks the chains of several events at once, prefetching ahead.
  void index_resources() const {
    const std::size_t n = unindexed.size();
    pending_keys.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + 8 < n) {
        const Event& ahead = *unindexed[i + 8].event;
        __builtin_prefetch(detail::label_text(ahead.resource));
        __builtin_prefetch(ahead.related.data());
      }
      if (i + 4 < n) {
        for (const auto& r : unindexed[i + 4].event->related)
          __builtin_prefetch(detail::label_text(r));
      }
      const Event& e = *unindexed[i].event;
      pending_keys.push_back({&by_resource, PostingIndex::hash_of(e.resource.id()), i});
      for (const auto& r : e.related)
        pending_keys.push_back({&by_related, PostingIndex::hash_of(r.id()), i});
    }
    const Slot* trim_before = has_horizon ? &horizon : nullptr;
    const std::size_t m = pending_keys.size();
    for (std::size_t j = 0; j < m; ++j) {
      if (j + 16 < m) pending_keys[j + 16].index->prefetch(pending_keys[j + 16].hash);
      if (j + 8 < m) pending_keys[j + 8].index->prefetch_posting(pending_keys[j + 8].hash);
      const ResourceKey& key = pending_keys[j];
      key.index->add(key.hash, unindexed[key.slot], trim_before);
    }
  }

  // Brings the resource and related id indexes up to date for a query, which shares the lock:
  // appends and evictions, which take it exclusively, are excluded, and ids_mutex excludes other
  // queries doing the same. A query that finds them up to date writes nothing, so queries that
  // read them after their own call never see them change.
  void catch_up_ids() const {
    std::lock_guard guard(ids_mutex);
    if (ids_on && ids_through == next_sequence) return;
    // Should indexing fail half-way (allocation), the lists may hold events past ids_through,
    // which pop_earliest would not put behind the horizon: forget them, the next query rebuilds.
    try {
      index_pending_ids();
    } catch (...) {
      ids_on = false;
      throw;
    }
  }

  // catch_up_ids' work, under its lock.
  void index_pending_ids() const {
    auto pending = [&](const Slot& slot) { return !ids_on || slot.sequence >= ids_through; };
    auto it = by_time.begin();
    if (ids_on) it = std::lower_bound(by_time.begin(), by_time.end(), Slot{ids_from, 0, nullptr});
    it = std::find_if(it, by_time.end(), pending);  // the earliest event to index
    // An event older than one already evicted would be taken for evicted: start over (rare: an
    // event arriving later than the whole history's span, or after delete_before).
    if (ids_on && has_horizon && it != by_time.end() && !(horizon < *it)) ids_on = false;
    if (!ids_on) {
      by_resource.clear();
      by_related.clear();
      has_horizon = false;
      it = by_time.begin();
    }
    // In chunks, which bound the scratch vectors.
    std::size_t keys = 0;
    unindexed.clear();
    for (; it != by_time.end(); ++it) {
      if (!pending(*it)) continue;
      unindexed.push_back(*it);
      if (unindexed.size() == 1024) {
        index_resources();
        keys += pending_keys.size();
        unindexed.clear();
      }
    }
    if (!unindexed.empty()) {
      index_resources();
      keys += pending_keys.size();
    }
    // The lists added to above dropped their evicted slots; visit as many others, so that the
    // keys of evicted events go in proportion to the events indexed.
    if (has_horizon) {
      by_resource.sweep(2 * keys + 64, horizon);
      by_related.sweep(2 * keys + 64, horizon);
    }
    ids_on = true;
    ids_through = next_sequence;
    ids_from = Timestamp::max();
  }

  // Removes the earliest event from every index. Inlined into the evicting append, as locate and
  // enforce_limits (as the compiler did before the resource id indexes).
  [[gnu::always_inline]] void pop_earliest() {
    const Event* e = by_time.front().event;
    if (ids_on && by_time.front().sequence < ids_through) {
      // Indexed by resource id: its slots there are now behind the horizon.
      if (!has_horizon || horizon < by_time.front()) horizon = by_time.front();
      has_horizon = true;
    }
    by_time.pop_front();
    auto names = by_name.find(e->event);
    names->second.pop_front();
    if (names->second.empty()) by_name.erase(names);
    if (limits.max_bytes) bytes -= held_bytes(*e);
    by_id.erase(e->id);  // last: it owns the event
  }

  [[gnu::always_inline]] void enforce_limits() {
    while ((limits.max_events && by_time.size() > limits.max_events) ||
           (limits.max_bytes && bytes > limits.max_bytes && !by_time.empty())) {
      pop_earliest();
    }
  }

  const EventPtr& owner(const Event* e) const { return *by_id.find(e->id); }

  // Calls visit(slot) on matching events in the query's order, after its cursor, until it
  // returns false.
  //
  // Candidates come from one index: the id index when ids are asked for, else whichever of the
  // name, resource id, related id and time indexes holds the fewest slots in the query's window.
  // Every filter is still checked on each candidate; an index only narrows what is read.
  template <typename Visit>
  void scan(const CompiledEventQuery& compiled, Visit&& visit) const {
    const EventQuery& q = compiled.query();
    auto window = [&](const auto& list) {
      auto first = list.begin();
      auto last = list.end();
      if (q.occurred_after) {
        first = std::lower_bound(list.begin(), list.end(), Slot{*q.occurred_after, 0, nullptr});
      }
      if (q.occurred_before) {  // past the last slot at that time (no +1us: max() would wrap)
        last = std::upper_bound(
            first, list.end(),
            Slot{*q.occurred_before, std::numeric_limits<std::uint64_t>::max(), nullptr});
      }
      if (const auto& after = compiled.after()) {  // skip what earlier pages listed
        Slot at{after->occurred, after->sequence, nullptr};
        if (q.order == EventOrder::ascending) {
          first = std::max(first, std::upper_bound(list.begin(), list.end(), at));
        } else {
          last = std::min(last, std::lower_bound(list.begin(), list.end(), at));
        }
        if (last < first) last = first;
      }
      return std::pair{first, last};
    };
    auto emit = [&](const Slot& slot) { return !compiled.matches(*slot.event) || visit(slot); };
    auto walk = [&](auto first, auto last) {
      if (q.order == EventOrder::ascending) {
        for (auto it = first; it != last; ++it) {
          if (!emit(*it)) return;
        }
      } else {
        for (auto it = last; it != first;) {
          --it;
          if (!emit(*it)) return;
        }
      }
    };
    // Several ranges of one index, merged into the query's order.
    auto walk_merged = [&](auto ranges) {
      if (ranges.size() == 1) return walk(ranges[0].first, ranges[0].second);
      if (q.order == EventOrder::ascending) {
        return merge_ranges(std::move(ranges), std::less<Slot>(), emit);
      }
      using It = std::reverse_iterator<decltype(ranges[0].first)>;
      std::vector<std::pair<It, It>> reversed;
      for (const auto& [first, last] : ranges)
        reversed.emplace_back(It(last), It(first));
      merge_ranges(
          std::move(reversed), [](const Slot& a, const Slot& b) { return b < a; }, emit);
    };
    if (!q.ids.empty()) {
      // Few candidates: gather them from the id index, then order them.
      std::vector<Slot> candidates;
      std::unordered_set<Uuid> seen;
      for (const auto& id : q.ids) {
        const EventPtr* stored = by_id.find(id);
        if (stored == nullptr || !seen.insert(id).second) continue;
        auto [first, last] = window(by_name.at((*stored)->event));
        for (auto s = first; s != last; ++s) {
          if (s->event == stored->get()) candidates.push_back(*s);
        }
      }
      std::sort(candidates.begin(), candidates.end());
      return walk(candidates.begin(), candidates.end());
    }

    const bool by_ids = !q.resource_ids.empty() ||
                        std::any_of(q.related.begin(), q.related.end(),
                                    [](const auto& f) {
                                      return !f.ids.empty() || !f.resources_in_roles.empty();
                                    }) ||
                        std::any_of(q.any_resource.begin(), q.any_resource.end(),
                                    [](const auto& f) { return !f.ids.empty(); });
    if (by_ids) catch_up_ids();
    using Range = std::pair<const Slot*, const Slot*>;
    std::vector<Range> best;  // the smallest candidate set among the posting indexes
    std::size_t best_size = static_cast<std::size_t>(-1);
    // The lists of `keys` in `indexes`, if they hold fewer slots than the best so far. A key
    // repeated, or in two indexes, gives an event twice: merging lists each event once.
    auto consider = [&](std::initializer_list<const PostingIndex*> indexes, const auto& keys,
                        auto key_of) {
      std::vector<Range> ranges;
      std::size_t size = 0;
      for (const auto& key : keys) {
        for (const PostingIndex* index : indexes) {
          if (const SlotList* list = index->find(key_of(key))) {
            auto range = window(*list);
            if (has_horizon) {  // evicted events the list still holds
              range.first =
                  std::max(range.first, std::upper_bound(list->begin(), list->end(), horizon));
              range.second = std::max(range.first, range.second);
            }
            ranges.push_back(range);
            size += static_cast<std::size_t>(range.second - range.first);
          }
        }
      }
      if (size < best_size) {
        best_size = size;
        best = std::move(ranges);
      }
    };
    auto itself = [](const std::string& id) -> std::string_view { return id; };
    if (!q.resource_ids.empty()) consider({&by_resource}, q.resource_ids, itself);
    for (const auto& filter : q.related) {
      if (!filter.ids.empty()) {
        consider({&by_related}, filter.ids, itself);
      } else if (!filter.resources_in_roles.empty()) {
        consider({&by_related}, filter.resources_in_roles,
                 [](const auto& pair) -> std::string_view { return pair.first; });
      }
    }
    for (const auto& filter : q.any_resource) {
      if (!filter.ids.empty()) consider({&by_resource, &by_related}, filter.ids, itself);
    }

    if (!q.event_names.empty()) {
      std::vector<std::pair<List::const_iterator, List::const_iterator>> ranges;
      std::unordered_set<std::string_view> seen;
      std::size_t size = 0;
      for (const auto& name : q.event_names) {
        auto list = by_name.find(name);
        if (list == by_name.end() || !seen.insert(name).second) continue;
        ranges.push_back(window(list->second));
        size += static_cast<std::size_t>(ranges.back().second - ranges.back().first);
      }
      if (size <= best_size) return walk_merged(std::move(ranges));
    }
    if (best_size != static_cast<std::size_t>(-1)) return walk_merged(std::move(best));
    auto [first, last] = window(by_time);
    walk(first, last);
  }
};

MemoryEventStore::MemoryEventStore(MemoryStoreLimits limits)
    : index_(std::make_unique<Index>(limits)) {}

MemoryEventStore::~MemoryEventStore() = default;

namespace {

// Starts loading what appending `event` reads first, and returns the hash of its id. A store's
// events usually arrive fresh from the producer, but replayed or batched ones are cold: their id
// and the bytes of their name are then two more cache misses, overlapped this way. No lock needed:
// the event is immutable.
std::uint64_t prepare_append(const Event& event) {
  __builtin_prefetch(event.event.data());
  return IdTable::hash_of(event.id);
}

}  // namespace

bool MemoryEventStore::append(EventPtr event) {
  const std::uint64_t h = prepare_append(*event);
  std::unique_lock lock(index_->mutex);
  bool inserted = index_->insert(std::move(event), h);
  index_->enforce_limits();
  return inserted;
}

std::size_t MemoryEventStore::append_batch(std::span<const EventPtr> events,
                                           std::vector<bool>* inserted) {
  if (inserted) inserted->assign(events.size(), false);
  std::vector<std::uint64_t> hashes(events.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    hashes[i] = prepare_append(*events[i]);
  std::unique_lock lock(index_->mutex);  // one lock: the whole batch becomes visible at once
  std::size_t count = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const bool is_new = index_->insert(events[i], hashes[i]);
    count += is_new ? 1 : 0;
    if (inserted) (*inserted)[i] = is_new;
  }
  index_->enforce_limits();
  return count;
}

EventPtr MemoryEventStore::get(const Uuid& id) const {
  std::shared_lock lock(index_->mutex);
  const EventPtr* stored = index_->by_id.find(id);
  return stored ? *stored : nullptr;
}

EventPage MemoryEventStore::query(const EventQuery& query) const {
  CompiledEventQuery q(query);  // validates before taking the lock
  const EventQuery& filter = q.query();
  std::optional<CompiledEventQuery> whole;  // with a cursor the scan starts mid-window
  if (filter.include_total && q.after()) whole.emplace(q.without_page());
  std::shared_lock lock(index_->mutex);
  EventPage page;
  std::size_t seen = 0;
  bool more = false;
  index_->scan(q, [&](const Index::Slot& slot) {
    if (seen++ < filter.offset) return true;
    if (page.events.size() < filter.limit) {
      page.events.push_back(index_->owner(slot.event));
      if (page.events.size() == filter.limit) page.next_page = q.page_token(slot.position());
      return true;
    }
    more = true;  // one past the page: there is a next one
    return filter.include_total && !whole;
  });
  if (!more) page.next_page.clear();
  if (filter.include_total) {
    if (whole) {
      seen = 0;
      index_->scan(*whole, [&](const Index::Slot&) {
        ++seen;
        return true;
      });
    }
    page.total = seen;
  }
  return page;
}

std::size_t MemoryEventStore::count(const EventQuery& query) const {
  CompiledEventQuery q = CompiledEventQuery(query).without_page();
  std::shared_lock lock(index_->mutex);
  std::size_t n = 0;
  index_->scan(q, [&](const Index::Slot&) {
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
