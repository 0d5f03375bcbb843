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

namespace eventwire {

/// Events are shared, immutable once stored: the store, the dispatcher and every WorkflowRun of
/// an event hold the same object.
using EventPtr = std::shared_ptr<const Event>;

/// Result order, by `occurred` (ties by the order the store accepted the events).
enum class EventOrder { descending, ascending };

/// A filter on related resources (Prefect's `EventRelatedFilter`): one related resource must
/// satisfy every part that is set; list values are alternatives.
struct RelatedFilter {
  std::vector<std::string> ids{};
  std::vector<std::string> roles{};
  /// (id, role) pairs: a related resource with that id in that role.
  std::vector<std::pair<std::string, std::string>> resources_in_roles{};

  bool matches(const RelatedResource& resource) const;
};

/// Which events to read: Prefect's `EventFilter`, as the seed's
/// `read_events(occurred_before=..., occurred_after=..., event_name=...)` uses it.
/// Every filter that is set must hold (AND); list values are alternatives (OR).
///
/// @code
/// auto page = store.query({.occurred_after = t0, .event_names = {"infrahub.node.created"}});
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
  std::vector<Uuid> ids{};
  /// Every filter must be satisfied, each by some related resource (Prefect's list form).
  std::vector<RelatedFilter> related{};
  EventOrder order = EventOrder::descending;  ///< Prefect's default
  std::size_t limit = 50;                     ///< page size (Prefect's server caps it at 50)
  std::size_t offset = 0;
  bool include_total = true;  ///< count every match (costs a pass over the window)

  /// True when `event` passes every filter (order, limit and offset aside).
  bool matches(const Event& event) const;
};

/// One page of results.
struct EventPage {
  std::vector<EventPtr> events{};
  /// Every event matching the query, ignoring limit and offset (0 unless include_total).
  std::size_t total = 0;
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
  virtual std::size_t append_batch(std::span<const EventPtr> events) = 0;
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
  /// stored are skipped; the tree starts at the oldest one still present.
  std::vector<std::pair<EventPtr, int>> family(const Uuid& id) const;
};

/// Bounds of a MemoryEventStore. 0 means unbounded.
struct MemoryStoreLimits {
  std::size_t max_events = 1'000'000;
  /// Approximate bytes of event data (labels, names, payload text) held.
  std::size_t max_bytes = 0;
};

/// The default store: events in memory, indexed by time, by event name and by id.
///
/// Eviction rule: when a bound is crossed, the events that **occurred earliest** are dropped
/// first, until the store is within its bounds again (the history keeps the latest events).
/// Queries by name, by time window, or both, read only the matching index ranges.
class MemoryEventStore final : public EventStore {
 public:
  explicit MemoryEventStore(MemoryStoreLimits limits = {});
  ~MemoryEventStore() override;
  MemoryEventStore(const MemoryEventStore&) = delete;
  MemoryEventStore& operator=(const MemoryEventStore&) = delete;

  bool append(EventPtr event) override;
  std::size_t append_batch(std::span<const EventPtr> events) override;
  EventPtr get(const Uuid& id) const override;
  EventPage query(const EventQuery& query) const override;
  std::size_t count(const EventQuery& query) const override;
  std::size_t delete_before(Timestamp cutoff) override;
  std::size_t keep_latest(std::size_t n) override;
  std::size_t size() const override;
  /// Approximate bytes held (what max_bytes bounds).
  std::size_t bytes() const;

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace eventwire
