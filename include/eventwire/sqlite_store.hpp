/// @file sqlite_store.hpp
/// `SqliteEventStore`: event history that survives the process, in one SQLite file.
/// Built when SQLite is found (`EVENTWIRE_HAS_SQLITE` is then defined to 1).
#pragma once

#include <memory>
#include <string>

#include "eventwire/error.hpp"
#include "eventwire/store.hpp"

namespace eventwire {

/// A database file that cannot be used: not SQLite, corrupt, another application's, or a schema
/// newer than this eventwire understands. The message names the file and the reason.
class StoreError : public error {
 public:
  using error::error;
};

/// Options of a SqliteEventStore.
struct SqliteStoreOptions {
  /// Milliseconds a writer waits for another connection's lock before failing.
  int busy_timeout_ms = 5000;
  /// SQLite's page cache for this connection, in KiB. Appends update several indexes at places
  /// spread over the file; a cache that holds their hot pages saves re-reading them.
  int cache_kib = 32 * 1024;
  /// Pages the write-ahead log may grow to before SQLite copies it into the database (2048 pages
  /// of 16 KiB: 32 MiB). Larger means fewer copies of pages that several transactions change; it
  /// never loosens durability.
  int wal_autocheckpoint_pages = 2048;
  /// Bytes per database page, for a store this call creates (an existing store keeps its own): a
  /// power of two from 512 to 65536, else a ValidationError. Each page written to the log and
  /// copied back costs system calls; at 16 KiB a batch writes a quarter as many pages as at
  /// SQLite's default 4 KiB, for about the same bytes.
  int page_size_bytes = 16384;
};

/// An EventStore in a SQLite file: WAL mode, prepared statements, one transaction per append or
/// batch, indexes on occurred, event name, id, resource id and related resource ids.
///
/// Durability: `append` returns after the transaction commits, so an acknowledged event survives
/// the process being killed (WAL with `synchronous=NORMAL`; an OS crash may lose the last
/// transactions). Queries return exactly what MemoryEventStore returns for the same events.
///
/// Cost of a query: times, exact names, event ids, resource ids and related ids (a RelatedFilter's
/// `ids`, else the ids of its `resources_in_roles`: so Infrahub's `related_node_ids` and
/// EventStore::family) are answered from indexes, written by the append itself. The id indexes
/// hold a 64-bit hash of the id and are split in chunks of 1024 events (appends write only the
/// last chunk); a query by one id reads each chunk's entries in page order and stops when the
/// page is full, and the events are compared to the ids themselves. Resource id prefixes, roles
/// and label filters (resource labels, related labels, any_resource, and so InfrahubEventQuery's
/// branches, accounts, parents, level, primary nodes) are tested on the events the indexed
/// filters select, so narrow them with a time window or names on large stores. Retention
/// (delete_before, keep_latest) also deletes the index entries, in the chunks that held the events.
/// Safe for concurrent use from several threads (one connection, serialized).
///
/// The schema carries a version (`PRAGMA user_version`); opening an older eventwire store
/// migrates it, opening a newer one or a foreign database is a StoreError.
///
/// @code
/// eventwire::SqliteEventStore store("events.db");
/// store.append(eventwire::share_event(std::move(event)));
/// auto page = store.query({.event_names = {"infrahub.node.created"}});
/// @endcode
class SqliteEventStore final : public EventStore {
 public:
  /// Opens (creating if missing) the store at `path`. Throws StoreError.
  explicit SqliteEventStore(const std::string& path, SqliteStoreOptions options = {});
  ~SqliteEventStore() override;
  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  bool append(EventPtr event) override;
  std::size_t append_batch(std::span<const EventPtr> events,
                           std::vector<bool>* inserted = nullptr) override;
  EventPtr get(const Uuid& id) const override;
  EventPage query(const EventQuery& query) const override;
  std::size_t count(const EventQuery& query) const override;
  std::size_t delete_before(Timestamp cutoff) override;
  std::size_t keep_latest(std::size_t n) override;
  std::size_t size() const override;

  /// How SQLite answers the page query of `query`: its `EXPLAIN QUERY PLAN`, one step per line
  /// ("SEARCH events USING INDEX events_by_name (event=? AND occurred>?)"). A line starting with
  /// "SCAN events" means every stored event is read. Throws ValidationError as query().
  std::string query_plan(const EventQuery& query) const;

  /// The schema version this eventwire writes.
  static constexpr int schema_version = 5;

 private:
  struct Database;
  std::unique_ptr<Database> db_;
};

}  // namespace eventwire
