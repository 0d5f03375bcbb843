/// @file store.hpp
/// Event history: the `EventStore` interface, `EventQuery` (Prefect's `read_events` filters), and
/// `MemoryEventStore`, the default store.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eventwire/event.hpp"
#include "eventwire/match.hpp"

namespace eventwire {

/// Events are shared, immutable once stored: the store, the dispatcher and every WorkflowRun of
/// an event hold the same object.
using EventPtr = std::shared_ptr<const Event>;

/// The shared form of a new event, in one allocation: what the service and the stores make of
/// the events they accept or read. Releasing the last reference frees the payload depth-first
/// without allocating (nlohmann::json's destructor first moves every container's items into a
/// heap-allocated stack, which made freeing an evicted event cost more than storing it).
///
/// @code
/// store.append(share_event(std::move(event)));
/// @endcode
EventPtr share_event(Event&& event);

/// Result order, by `occurred` (ties by the order the store accepted the events).
enum class EventOrder { descending, ascending };

/// A filter on related resources (Prefect's `EventRelatedFilter`): one related resource must
/// satisfy every part that is set; list values are alternatives.
struct RelatedFilter {
  std::vector<std::string> ids{};
  std::vector<std::string> roles{};
  /// (id, role) pairs: a related resource with that id in that role.
  std::vector<std::pair<std::string, std::string>> resources_in_roles{};
  /// Labels the same related resource must carry, matched with the trigger rules (match.hpp:
  /// fnmatch globs, `!` negation, an absent label never matches).
  ResourceSpecification labels{};
};

/// A filter on any resource of an event, the primary one or a related one (Prefect's
/// `EventAnyResourceFilter`): one resource must satisfy every part that is set.
struct AnyResourceFilter {
  std::vector<std::string> ids{};
  std::vector<std::string> id_prefixes{};  ///< `startswith`, not a glob
  ResourceSpecification labels{};          ///< trigger rules, as RelatedFilter::labels
};

/// Which events to read: Prefect's `EventFilter`, as the seed's
/// `read_events(occurred_before=..., occurred_after=..., event_name=...)` uses it.
/// Every filter that is set must hold (AND), as on Prefect's server: `event_names` and
/// `event_prefixes` together mean a listed name that also has a listed prefix. List values are
/// alternatives (OR). Label filters follow the trigger matching rules (match.hpp).
///
/// Pages: `limit` and `offset`, or `cursor`, the `next_page` token of the previous page. A cursor
/// page starts right after the last event of the previous page, so events appended meanwhile
/// neither repeat nor shift events already listed (an offset would).
///
/// A query that cannot be right is refused with a ValidationError naming the field: a window
/// whose start is after its end, a cursor with an offset, a cursor of the other order or not
/// issued by a store, a pattern that is not UTF-8.
///
/// @code
/// auto page = store.query({.occurred_after = t0, .event_names = {"infrahub.node.created"}});
/// while (!page.next_page.empty())
///   page = store.query({.occurred_after = t0, .event_names = {"infrahub.node.created"},
///                       .cursor = page.next_page});
/// @endcode
struct EventQuery {
  std::optional<Timestamp> occurred_after{};   ///< inclusive (Prefect's `occurred.since`)
  std::optional<Timestamp> occurred_before{};  ///< inclusive (Prefect's `occurred.until`)
  std::vector<std::string> event_names{};      ///< exact names
  std::vector<std::string> event_prefixes{};   ///< `startswith`, not a glob (as Prefect)
  std::vector<std::string> exclude_names{};
  std::vector<std::string> exclude_prefixes{};
  std::vector<std::string> resource_ids{};
  std::vector<std::string> resource_id_prefixes{};
  /// Labels of the primary resource (Prefect's `resource.labels`), trigger rules.
  ResourceSpecification resource_labels{};
  std::vector<Uuid> ids{};
  /// Every filter must be satisfied, each by some related resource (Prefect's list form).
  std::vector<RelatedFilter> related{};
  /// Every filter must be satisfied, each by some resource, primary or related.
  std::vector<AnyResourceFilter> any_resource{};
  EventOrder order = EventOrder::descending;  ///< Prefect's default
  std::size_t limit = 50;                     ///< page size (Prefect's server caps it at 50)
  std::size_t offset = 0;
  /// `EventPage::next_page` of the previous page of the same query; empty for the first page.
  std::string cursor{};
  bool include_total = true;  ///< count every match (costs a pass over the window)

  /// True when `event` passes every filter (order and pages aside). Compiles the label patterns
  /// on each call: to test many events, use CompiledEventQuery.
  bool matches(const Event& event) const;
};

/// One page of results.
struct EventPage {
  std::vector<EventPtr> events{};
  /// Every event matching the query, ignoring limit, offset and cursor (0 unless include_total).
  std::size_t total = 0;
  /// Opaque token for the page after this one (EventQuery::cursor), empty when this is the last.
  std::string next_page{};
};

/// Where a page ends: an event's place in a store's order (occurred, then the order the store
/// accepted it). Stores write it into `EventPage::next_page` tokens.
struct PagePosition {
  Timestamp occurred{};
  std::uint64_t sequence = 0;
};

/// An EventQuery checked and with its label patterns compiled, ready to test many events. Stores
/// compile every query they run; hosts need it only to test events outside a store.
///
/// @code
/// eventwire::CompiledEventQuery q({.resource_labels = {{"infrahub.node.kind", "IP*"}}});
/// for (const auto& e : events) if (q.matches(*e)) ...
/// @endcode
class CompiledEventQuery {
 public:
  /// Checks `query`; throws ValidationError naming the field (see EventQuery).
  explicit CompiledEventQuery(EventQuery query);

  const EventQuery& query() const noexcept { return query_; }
  /// As EventQuery::matches, without compiling.
  bool matches(const Event& event) const;
  /// True when a filter reads labels beyond ids and roles (resource_labels, related labels,
  /// any_resource): what a store cannot answer from its indexed columns alone.
  bool reads_labels() const noexcept { return reads_labels_; }
  /// The position the cursor continues after, if the query has one.
  const std::optional<PagePosition>& after() const noexcept { return after_; }
  /// Whether an event at `position` lies after the cursor, in the query's order.
  bool after_cursor(const PagePosition& position) const noexcept;
  /// The `next_page` token for a page of this query ending at `last`.
  std::string page_token(const PagePosition& last) const;
  /// The same filters with no offset and no cursor: what the total of a page counts.
  CompiledEventQuery without_page() const;

 private:
  EventQuery query_;
  CompiledResourceSpecification resource_labels_{};
  std::vector<CompiledResourceSpecification> related_labels_{};  ///< one per query_.related
  std::vector<CompiledResourceSpecification> any_labels_{};      ///< one per query_.any_resource
  std::optional<PagePosition> after_{};
  bool reads_labels_ = false;
};

/// Infrahub's event query (its GraphQL `InfrahubEvent` arguments), turned into the EventQuery
/// Infrahub builds from them (infrahub.md §5.2): every filter is a label filter on the related
/// resources Infrahub's events carry (`infrahub.event`, `infrahub.branch`, `infrahub.account`,
/// `infrahub.child_event`, `infrahub.related.node`) or on the primary resource, and only names
/// starting with `infrahub.` are read. Ids and branch names are label patterns, as in Infrahub.
/// Unlike Infrahub's GraphQL, `since` has no default (Infrahub reads 180 days back).
///
/// @code
/// auto page = store.query(eventwire::InfrahubEventQuery{.branches = {"main"}, .level = 0,
///                                                       .limit = 20}.to_query());
/// page.total;  // Infrahub's `count`
/// @endcode
struct InfrahubEventQuery {
  std::vector<Uuid> ids{};
  std::vector<std::string> event_types{};  ///< exact event names
  std::vector<std::string> branches{};     ///< branch names
  std::vector<std::string> account_ids{};
  std::vector<std::string> primary_node_ids{};  ///< `infrahub.node.id` of the resource
  std::vector<std::string> related_node_ids{};
  std::vector<std::string> parent_ids{};  ///< direct parent event ids
  std::optional<int> level{};             ///< 0 for events caused by a request
  std::optional<bool> has_children{};
  std::optional<Timestamp> since{};
  std::optional<Timestamp> until{};
  EventOrder order = EventOrder::descending;
  std::size_t limit = 10;  ///< Infrahub's default; more than 50 is a ValidationError
  std::size_t offset = 0;
  std::string cursor{};
  bool include_total = true;  ///< Infrahub's `count`

  /// The EventQuery; throws ValidationError naming the field (`limit` above 50, `level` < 0).
  EventQuery to_query() const;
};

/// Where events are kept. Implementations are safe for concurrent appends and queries.
///
/// Appending an event whose id is already stored does nothing (as Prefect's storage
/// `ON CONFLICT DO NOTHING`): redelivered events are stored once.
class EventStore {
 public:
  virtual ~EventStore() = default;

  /// Stores one event; false if its id was already stored.
  virtual bool append(EventPtr event) = 0;
  /// Stores a batch atomically: all of it becomes visible at once, or (on error) none of it.
  /// Returns how many were new.
  /// With `inserted`, also says which: one flag per event, false for an id already stored (or
  /// repeated earlier in the batch).
  virtual std::size_t append_batch(std::span<const EventPtr> events,
                                   std::vector<bool>* inserted = nullptr) = 0;
  /// The event with `id`, or null.
  virtual EventPtr get(const Uuid& id) const = 0;
  virtual EventPage query(const EventQuery& query) const = 0;
  virtual std::size_t count(const EventQuery& query) const = 0;
  /// Deletes events that occurred before `cutoff`; returns how many.
  virtual std::size_t delete_before(Timestamp cutoff) = 0;
  /// Keeps the `n` most recently occurred events; returns how many were deleted.
  virtual std::size_t keep_latest(std::size_t n) = 0;
  /// Events currently stored.
  virtual std::size_t size() const = 0;

  /// The family of event `id`, for "use event IDs for correlation": its root ancestor and every
  /// descendant of that root, parents before children, siblings by `occurred`. Each entry comes
  /// with its depth (0 for the root). Empty when `id` is not stored. Ancestors that are no longer
  /// stored are skipped; the tree starts at the oldest one still present, and an event whose
  /// parent is gone hangs under its nearest ancestor still stored.
  std::vector<std::pair<EventPtr, int>> family(const Uuid& id) const;
};

/// Bounds of a MemoryEventStore. 0 means unbounded.
struct MemoryStoreLimits {
  std::size_t max_events = 1'000'000;
  /// Heap bytes the events held take, as held_bytes() estimates them (MemoryEventStore::bytes()).
  std::size_t max_bytes = 0;
};

/// The default store: events in memory, indexed by time, by event name, by event id, by primary
/// resource id and by related resource id.
///
/// Eviction rule: when a bound is crossed, the events that **occurred earliest** are dropped
/// first, until the store is within its bounds again (the history keeps the latest events).
/// A query reads only the matching range of one index: the event ids if it asks for some, else
/// the smallest of its event names, `resource_ids`, the `ids` or `resources_in_roles` ids of a
/// RelatedFilter, the `ids` of an AnyResourceFilter (primary and related), or the time window.
/// Resource and related ids are indexed on demand, so that appends cost what they cost without
/// them: the first query by such an id indexes the stored events, and each later one first indexes
/// the events appended since the previous one (evicted events leave those indexes as queries go).
class MemoryEventStore final : public EventStore {
 public:
  explicit MemoryEventStore(MemoryStoreLimits limits = {});
  ~MemoryEventStore() override;
  MemoryEventStore(const MemoryEventStore&) = delete;
  MemoryEventStore& operator=(const MemoryEventStore&) = delete;

  bool append(EventPtr event) override;
  std::size_t append_batch(std::span<const EventPtr> events,
                           std::vector<bool>* inserted = nullptr) override;
  EventPtr get(const Uuid& id) const override;
  EventPage query(const EventQuery& query) const override;
  std::size_t count(const EventQuery& query) const override;
  std::size_t delete_before(Timestamp cutoff) override;
  std::size_t keep_latest(std::size_t n) override;
  std::size_t size() const override;
  /// Heap bytes the stored events take, what max_bytes bounds: estimated from each event's
  /// strings, vectors and JSON nodes (their sizes and capacities, with the allocator's rounding)
  /// and its index entries; within ~10% of what glibc's malloc reports for typical events. A
  /// small host event takes ~900 bytes, a realistic Infrahub node event ~7.5 KB (2.4 KB as
  /// JSON). Counted only when max_bytes is set (it reads every event whole, which unbounded
  /// stores need not pay for); 0 otherwise.
  std::size_t bytes() const;

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace eventwire
