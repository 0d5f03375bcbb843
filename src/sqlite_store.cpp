#include "eventwire/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <optional>
#include <tuple>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "detail/event_wire.hpp"
#include "detail/json_text.hpp"

namespace eventwire {
namespace {

std::int64_t micros(Timestamp t) {
  return t.time_since_epoch().count();
}

// Reading back stored events: they were checked when they were accepted, and the host's limits
// may have changed since; never refuse our own history (read_wire_event does not validate).
const EventLimits stored_event_limits{.max_labels_per_resource = SIZE_MAX,
                                      .max_related_resources = SIZE_MAX};
constexpr std::size_t stored_json_depth = 10'000;

// The type tags of the pointers eventwire_matches and eventwire_related receive.
constexpr const char* query_pointer_type = "eventwire::CompiledEventQuery";
constexpr const char* related_pointer_type = "eventwire::RelatedFilter";

// The events.related column: for each related resource, its id then its role, each written as
// its length in bytes, ':', and its bytes ("17:infrahub.branch.b15:infrahub.branch").
void append_related_column(const Event& event, std::string& out) {
  for (const auto& r : event.related) {
    for (std::string_view part : {r.id(), r.role()}) {
      char size[24];
      out.append(size, std::to_chars(size, size + sizeof size, part.size()).ptr);
      out += ':';
      out += part;
    }
  }
}

// Reads the next part of a related column at `at`; false at the end. Throws on malformed text.
bool next_related_part(std::string_view column, std::size_t& at, std::string_view& part) {
  if (at == column.size()) return false;
  std::size_t size = 0;
  auto [end, ec] = std::from_chars(column.data() + at, column.data() + column.size(), size);
  auto colon = static_cast<std::size_t>(end - column.data());
  if (ec != std::errc() || colon >= column.size() || column[colon] != ':' ||
      size > column.size() - colon - 1) {
    throw StoreError("stored related resources are malformed");
  }
  part = column.substr(colon + 1, size);
  at = colon + 1 + size;
  return true;
}

// Reads the next related resource's (id, role) of a related column at `at`; false at the end.
// Throws on malformed text, an id without its role included.
bool next_related(std::string_view column, std::size_t& at, std::string_view& id,
                  std::string_view& role) {
  if (!next_related_part(column, at, id)) return false;
  if (!next_related_part(column, at, role))
    throw StoreError("stored related resources are malformed");
  return true;
}

// Schema migrations: migrations[v] takes a store from version v to v + 1. Version 0 is an empty
// database. Append a step (never edit one) and bump SqliteEventStore::schema_version.
const char* const migrations[] = {
    R"sql(
    CREATE TABLE eventwire_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO eventwire_store VALUES ('format', 'eventwire event store');
    CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id BLOB NOT NULL UNIQUE,
      occurred INTEGER NOT NULL,
      event TEXT NOT NULL,
      resource_id TEXT NOT NULL,
      body TEXT NOT NULL);
    CREATE INDEX events_by_occurred ON events (occurred, seq);
    CREATE INDEX events_by_name ON events (event, occurred, seq);
    CREATE INDEX events_by_resource ON events (resource_id, occurred);
    CREATE TABLE related (
      seq INTEGER NOT NULL,
      related_id TEXT NOT NULL,
      role TEXT NOT NULL);
    CREATE INDEX related_by_id ON related (related_id, seq);
    CREATE INDEX related_by_seq ON related (seq);
    )sql",
    // 2: fewer B-trees written per event. `seq` without AUTOINCREMENT (no sqlite_sequence write
    // per insert; retention keeps the last seq given in eventwire_store, so seq only grows), and
    // related rows clustered by (seq, id, role) instead of a rowid table plus a seq index.
    R"sql(
    CREATE TABLE events_v2 (
      seq INTEGER PRIMARY KEY,
      id BLOB NOT NULL UNIQUE,
      occurred INTEGER NOT NULL,
      event TEXT NOT NULL,
      resource_id TEXT NOT NULL,
      body TEXT NOT NULL);
    INSERT INTO events_v2 SELECT seq, id, occurred, event, resource_id, body FROM events;
    DROP TABLE events;
    ALTER TABLE events_v2 RENAME TO events;
    CREATE INDEX events_by_occurred ON events (occurred, seq);
    CREATE INDEX events_by_name ON events (event, occurred, seq);
    CREATE INDEX events_by_resource ON events (resource_id, occurred);
    CREATE TABLE related_v2 (
      seq INTEGER NOT NULL,
      related_id TEXT NOT NULL,
      role TEXT NOT NULL,
      PRIMARY KEY (seq, related_id, role)) WITHOUT ROWID;
    INSERT OR IGNORE INTO related_v2 SELECT seq, related_id, role FROM related;
    DROP TABLE related;
    ALTER TABLE related_v2 RENAME TO related;
    CREATE INDEX related_by_id ON related (related_id, seq);
    )sql",
    // 3: fewer B-trees written per event, none that a query reads lost.
    // - No index on resource_id: resource id filters compare the column as a BLOB, which an index
    //   on the TEXT column cannot answer, and with events spread over many resources each insert
    //   wrote a page of it at a random place (half the pages a batch wrote to the WAL at 200 000
    //   events).
    // - The related resources of an event in a column of the event's row (see related_column())
    //   instead of a table with a row per related resource: related filters are correlated to one
    //   event, so the table was read by one lookup per candidate event (its related_id index never
    //   drove a query), and writing its rows was two statements per event in the benchmark.
    R"sql(
    DROP INDEX events_by_resource;
    ALTER TABLE events ADD COLUMN related TEXT NOT NULL DEFAULT '';
    UPDATE events SET related = coalesce((
      SELECT group_concat(length(CAST(r.related_id AS BLOB)) || ':' || r.related_id ||
                          length(CAST(r.role AS BLOB)) || ':' || r.role, '')
      FROM related r WHERE r.seq = events.seq), '');
    DROP TABLE related;
    )sql",
    // 4: queries by resource id and by related id read indexes written by the append itself (an
    // acknowledged event is found by them at once, from any connection). They key a 64-bit hash
    // of the id (id_hash(): 8 bytes whatever the id's length), and lead with the event's chunk
    // (seq >> chunk_bits, 4096 events): the rows of a batch land in the last chunk, so an append
    // writes a few pages at the end of each index instead of one page per distinct id all over it
    // (unchunked, batched appends lost a third of their speed; chunked, the entries themselves
    // still cost about a quarter: some 1 µs per entry). Within a chunk, one id's entries are in
    // (occurred, seq) order: a page query walks the chunks newest first (id_chunks keeps each
    // chunk's time span) and stops once no older chunk can hold a better event.
    // The event row still decides: resource_id and the related column are compared to the ids
    // themselves, so ids sharing a hash cost a look at one more event, never a wrong result.
    // - events.chunk and events.resource_hash, indexed by events_by_resource.
    // - related_ids: a row per event and distinct related id, filled for the events already
    //   stored by index_stored_related_ids() once every step has run (in schema 5's chunks).
    R"sql(
    ALTER TABLE events ADD COLUMN chunk INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN resource_hash INTEGER NOT NULL DEFAULT 0;
    UPDATE events SET chunk = seq >> 12, resource_hash = eventwire_id_hash(resource_id);
    CREATE INDEX events_by_resource ON events (chunk, resource_hash, occurred);
    CREATE TABLE related_ids (
      chunk INTEGER NOT NULL,
      id_hash INTEGER NOT NULL,
      occurred INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (chunk, id_hash, occurred, seq)) WITHOUT ROWID;
    CREATE TABLE id_chunks (
      chunk INTEGER PRIMARY KEY,
      first_occurred INTEGER NOT NULL,
      last_occurred INTEGER NOT NULL);
    INSERT INTO id_chunks SELECT chunk, min(occurred), max(occurred) FROM events GROUP BY chunk;
    )sql",
    // 5: chunks of 1024 events instead of 4096. A batch's index entries were inserted among those
    // of the up to 4095 events before it in its chunk, a page split and a page written to the WAL
    // for every few entries all over the chunk's range; in chunks of 1024 a batch of 1000 mostly
    // starts chunks of its own, written page after page at the end of the indexes (a batch of
    // 1000 costs a tenth fewer instructions; a query by one sparse id walks four times as many
    // chunks, some 40% slower at a million events). related_ids is refilled by
    // index_stored_related_ids() after this step, in the same transaction.
    R"sql(
    UPDATE events SET chunk = seq >> 10 WHERE chunk != seq >> 10;
    DELETE FROM related_ids;
    DELETE FROM id_chunks;
    INSERT INTO id_chunks SELECT chunk, min(occurred), max(occurred) FROM events GROUP BY chunk;
    )sql"};
static_assert(std::size(migrations) == SqliteEventStore::schema_version);

// Events seq >> chunk_bits share a chunk of the id indexes (migration 5 spells the number).
constexpr int chunk_bits = 10;

// What the indexes of schema 4 store of a resource or related id: its 64-bit FNV-1a hash. Written
// into stores, so it never changes.
std::int64_t id_hash(std::string_view id) {
  std::uint64_t h = 0xcbf29ce484222325u;
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3u;
  }
  return static_cast<std::int64_t>(h);
}

// The distinct hashes of `ids`, in order of first appearance.
std::vector<std::int64_t> distinct_hashes(const std::vector<std::string_view>& ids) {
  std::vector<std::int64_t> hashes;
  for (auto id : ids) {
    const std::int64_t h = id_hash(id);
    if (std::find(hashes.begin(), hashes.end(), h) == hashes.end()) hashes.push_back(h);
  }
  return hashes;
}

// A related_ids row.
struct RelatedIdRow {
  std::int64_t chunk = 0;
  std::int64_t hash = 0;
  std::int64_t occurred = 0;
  std::int64_t seq = 0;
  // clang-tidy 14 reads the defaulted <=>'s synthesized `0` as a null pointer constant.
  friend auto operator<=>(const RelatedIdRow&,
                          const RelatedIdRow&) = default;  // NOLINT(modernize-use-nullptr)
};

// The related_ids rows of a stored event: one per distinct related id.
void add_related_id_rows(std::string_view related_column, std::int64_t occurred, std::int64_t seq,
                         std::vector<RelatedIdRow>& rows) {
  const std::size_t first = rows.size();
  std::size_t at = 0;
  std::string_view id;
  std::string_view role;
  while (next_related(related_column, at, id, role)) {
    const RelatedIdRow row{
        .chunk = seq >> chunk_bits, .hash = id_hash(id), .occurred = occurred, .seq = seq};
    if (std::find(rows.begin() + static_cast<std::ptrdiff_t>(first), rows.end(), row) ==
        rows.end()) {
      rows.push_back(row);
    }
  }
}

// One prepared statement. Text and blobs are bound without a copy (SQLITE_STATIC): what is bound
// must outlive the statement's steps, and reset() comes before binding again.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      throw StoreError(fmt::format("SQLite: cannot prepare statement: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind(int i, std::string_view v) {
    // An empty view may have no data (an absent label's value): SQLite would bind that as NULL,
    // which INSERT OR IGNORE skips silently on a NOT NULL column; it is the empty text.
    const char* text = v.data() != nullptr ? v.data() : "";
    check(sqlite3_bind_text(stmt_, i, text, static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  Statement& bind(int i, const CompiledEventQuery* query) {
    check(sqlite3_bind_pointer(stmt_, i, const_cast<CompiledEventQuery*>(query), query_pointer_type,
                               nullptr));
    return *this;
  }
  Statement& bind(int i, const RelatedFilter* filter) {
    check(sqlite3_bind_pointer(stmt_, i, const_cast<RelatedFilter*>(filter), related_pointer_type,
                               nullptr));
    return *this;
  }
  Statement& bind(int i, const Uuid& id) {
    check(sqlite3_bind_blob(stmt_, i, id.bytes().data(), 16, SQLITE_STATIC));
    return *this;
  }
  /// True while there is a row; false when done.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
  }
  /// Ready to step again; every parameter is bound again before that.
  void reset() { sqlite3_reset(stmt_); }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string_view();
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK)
      throw StoreError(fmt::format("SQLite: cannot bind: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A FROM and WHERE clause and their parameters, built from a query so that SQL selects exactly
// what CompiledEventQuery::matches accepts: the indexed columns narrow the rows, and when a filter
// reads labels, eventwire_matches(query, body) applies the query itself to what is left.
//
// The rows are read in the page order through `order` (its occurred and seq columns): `events`
// itself (events_by_occurred, events_by_name), or, for a query by one id, an id index:
// - one resource id (one hash): events_by_resource, (chunk, resource_hash, occurred, seq);
// - else a related filter naming one id: related_ids (alias `x`) joined to the events, read first.
// Those drive `by_chunk`: with `one_chunk`, the clause reads one chunk, bound at `chunk_parameter`
// (the caller walks the chunks); else every chunk. Several resource ids read events_by_resource
// too, and the page is sorted.
struct Where {
  using Parameter = std::variant<std::int64_t, std::string, Uuid, const CompiledEventQuery*,
                                 const RelatedFilter*>;
  std::string from = "events";
  std::string order = "events";  // the table whose (occurred, seq) the page is ordered by
  std::string sql = " WHERE 1";
  std::vector<Parameter> parameters;
  bool by_chunk = false;
  std::size_t chunk_parameter = 0;  // with one_chunk: the index in `parameters` of the chunk

  // AND [NOT] (column = ? OR ... OR substr(column, 1, ?) = ?). Columns are compared as BLOBs so
  // that prefix lengths count bytes, as std::string::starts_with does.
  void any_of(std::string_view column, const std::vector<std::string>& exact,
              const std::vector<std::string>& prefixes, bool negate) {
    if (exact.empty() && prefixes.empty()) return;
    // Every value starts with "" (and SQLite's substr of an empty BLOB is NULL, not "").
    if (std::any_of(prefixes.begin(), prefixes.end(), [](const auto& p) { return p.empty(); })) {
      if (negate) sql += " AND 0";
      return;
    }
    std::string clause;
    for (const auto& value : exact) {
      clause +=
          fmt::format("{}CAST({} AS BLOB) = CAST(? AS BLOB)", clause.empty() ? "" : " OR ", column);
      parameters.emplace_back(value);
    }
    for (const auto& prefix : prefixes) {
      clause += fmt::format("{}substr(CAST({} AS BLOB), 1, ?) = CAST(? AS BLOB)",
                            clause.empty() ? "" : " OR ", column);
      parameters.emplace_back(static_cast<std::int64_t>(prefix.size()));
      parameters.emplace_back(prefix);
    }
    // substr of an empty BLOB is NULL, so the clause may be NULL for "": NOT NULL would drop the
    // row, so a negated clause reads NULL as no match (kept). Plain, NULL already drops it.
    sql += negate ? fmt::format(" AND NOT coalesce(({}), 0)", clause)
                  : fmt::format(" AND ({})", clause);
  }

  // AND column IN (?, ...) over `values`.
  template <typename T>
  void in(std::string_view column, const std::vector<T>& values) {
    sql += fmt::format(" AND {} IN (", column);
    for (std::size_t i = 0; i < values.size(); ++i) {
      sql += i ? ",?" : "?";
      parameters.emplace_back(values[i]);
    }
    sql += ")";
  }

  // AND table.chunk = ? (the walk of one_chunk) or AND table.chunk IN (every chunk).
  void chunk(std::string_view table, bool one_chunk) {
    if (one_chunk) {
      sql += fmt::format(" AND {}.chunk = ?", table);
      chunk_parameter = parameters.size();
      parameters.emplace_back(std::int64_t{0});
    } else {
      sql += fmt::format(" AND {}.chunk IN (SELECT chunk FROM id_chunks)", table);
    }
  }

  // `with_page`: also the cursor (totals and counts leave it out).
  Where(const CompiledEventQuery& compiled, bool with_page, bool one_chunk = false) {
    const EventQuery& q = compiled.query();
    std::vector<std::string_view> resource_ids(q.resource_ids.begin(), q.resource_ids.end());
    const auto resource_hashes = distinct_hashes(resource_ids);
    // Event ids are answered by their own unique index: no id index drives those queries.
    const RelatedFilter* driver = nullptr;
    std::vector<std::int64_t> driver_hash;
    if (q.ids.empty() && q.resource_ids.empty()) {
      for (const auto& filter : q.related) {
        auto hashes = distinct_hashes(index_ids(filter));
        if (hashes.size() == 1) {
          driver = &filter;
          driver_hash = std::move(hashes);
          break;
        }
      }
    }
    if (driver) {
      from = "related_ids AS x CROSS JOIN events ON events.seq = x.seq";
      order = "x";
      by_chunk = true;
      chunk("x", one_chunk);
      in("x.id_hash", driver_hash);
    } else if (q.ids.empty() && !q.resource_ids.empty()) {
      from = "events INDEXED BY events_by_resource";
      by_chunk = resource_hashes.size() == 1;
      chunk("events", by_chunk && one_chunk);
    }
    if (!q.resource_ids.empty()) in("events.resource_hash", resource_hashes);
    auto window = [&](std::string_view table) {
      if (q.occurred_after) {
        sql += fmt::format(" AND {}.occurred >= ?", table);
        parameters.emplace_back(micros(*q.occurred_after));
      }
      if (q.occurred_before) {
        sql += fmt::format(" AND {}.occurred <= ?", table);
        parameters.emplace_back(micros(*q.occurred_before));
      }
    };
    window("events");
    if (driver) window("x");  // the same window on the index read first
    if (!q.ids.empty()) in("id", q.ids);
    // Prefect ANDs names and prefixes: a listed name that also has a listed prefix. Exact names
    // compare the TEXT column itself, so that events_by_name answers them: with the BINARY
    // collation `=` is byte equality, as the BLOB comparison.
    if (!q.event_names.empty()) in("event", q.event_names);
    any_of("event", {}, q.event_prefixes, false);
    any_of("event", q.exclude_names, q.exclude_prefixes, true);
    any_of("resource_id", q.resource_ids, {}, false);  // the ids themselves, not their hashes
    any_of("resource_id", {}, q.resource_id_prefixes, false);
    for (const auto& filter : q.related)
      related(filter, driver || !q.resource_ids.empty() || !q.ids.empty());
    if (compiled.reads_labels()) {
      sql += " AND eventwire_matches(?, body)";
      parameters.emplace_back(&compiled);
    }
    if (with_page && compiled.after()) {
      sql += fmt::format(" AND ({0}.occurred, {0}.seq) {1} (?, ?)", order,
                         q.order == EventOrder::ascending ? ">" : "<");
      parameters.emplace_back(micros(compiled.after()->occurred));
      parameters.emplace_back(static_cast<std::int64_t>(compiled.after()->sequence));
    }
  }

  // The ids related_ids can select a filter's events by: its ids, else those of its (id, role)
  // pairs; none when it names no id.
  static std::vector<std::string_view> index_ids(const RelatedFilter& filter) {
    std::vector<std::string_view> ids(filter.ids.begin(), filter.ids.end());
    if (ids.empty()) {
      for (const auto& pair : filter.resources_in_roles)
        ids.push_back(pair.first);
    }
    return ids;
  }

  // One related resource must satisfy the ids and roles of a filter, as in Prefect's SQL
  // (eventwire_related); its labels are left to eventwire_matches. Unless another index already
  // narrows the rows (`narrowed`), a filter naming ids first selects the events carrying one of
  // them from related_ids.
  void related(const RelatedFilter& filter, bool narrowed) {
    if (filter.ids.empty() && filter.roles.empty() && filter.resources_in_roles.empty()) {
      return;  // constrains nothing here (labels alone: eventwire_matches)
    }
    if (auto ids = index_ids(filter); !narrowed && !ids.empty()) {
      sql +=
          " AND events.seq IN (SELECT seq FROM related_ids WHERE chunk IN (SELECT chunk FROM "
          "id_chunks) AND id_hash IN (";
      const auto hashes = distinct_hashes(ids);
      for (std::size_t i = 0; i < hashes.size(); ++i) {
        sql += i ? ",?" : "?";
        parameters.emplace_back(hashes[i]);
      }
      sql += "))";
    }
    sql += " AND eventwire_related(?, related)";
    parameters.emplace_back(&filter);
  }

  // The page query: SELECT occurred, seq, body ... ORDER BY ... LIMIT ? OFFSET ?, bound after
  // the parameters.
  std::string page_sql(EventOrder direction) const {
    const char* dir = direction == EventOrder::ascending ? "ASC" : "DESC";
    return fmt::format(
        "SELECT events.occurred, events.seq, body FROM {0}{1} ORDER BY {2}.occurred {3}, {2}.seq "
        "{3} "
        "LIMIT ? OFFSET ?",
        from, sql, order, dir);
  }

  std::string count_sql() const { return fmt::format("SELECT count(*) FROM {}{}", from, sql); }

  // Binds the parameters from index 1; returns the next free index.
  int bind(Statement& statement) const {
    int index = 1;
    for (const auto& parameter : parameters) {
      std::visit([&](const auto& value) { statement.bind(index++, value); }, parameter);
    }
    return index;
  }
};

Event read_stored_event(std::string_view body) {
  return detail::read_wire_event(
      detail::parse_json_text(body, "stored event", SIZE_MAX, stored_json_depth),
      stored_event_limits);
}

// eventwire_matches(query, body): whether the stored event passes the query (a pointer bound
// with sqlite3_bind_pointer, so SQL text cannot forge one).
void eventwire_matches(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* query =
      static_cast<const CompiledEventQuery*>(sqlite3_value_pointer(argv[0], query_pointer_type));
  if (query == nullptr) {
    sqlite3_result_error(context, "eventwire_matches: no query bound", -1);
    return;
  }
  try {
    auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
    std::string_view body(text ? text : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[1])));
    sqlite3_result_int(context, query->matches(read_stored_event(body)) ? 1 : 0);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

// eventwire_related(filter, related): whether one related resource of the stored event has one of
// the filter's ids, one of its roles, and one of its (id, role) pairs, those that are set.
void eventwire_related(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* filter =
      static_cast<const RelatedFilter*>(sqlite3_value_pointer(argv[0], related_pointer_type));
  if (filter == nullptr) {
    sqlite3_result_error(context, "eventwire_related: no filter bound", -1);
    return;
  }
  auto in = [](std::string_view value, const std::vector<std::string>& values) {
    return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
  };
  try {
    const auto* data = static_cast<const char*>(sqlite3_value_blob(argv[1]));
    std::string_view column(data ? data : "",
                            static_cast<std::size_t>(sqlite3_value_bytes(argv[1])));
    std::size_t at = 0;
    std::string_view id;
    std::string_view role;
    while (next_related(column, at, id, role)) {
      if (in(id, filter->ids) && in(role, filter->roles) &&
          (filter->resources_in_roles.empty() ||
           std::any_of(
               filter->resources_in_roles.begin(), filter->resources_in_roles.end(),
               [&](const auto& pair) { return pair.first == id && pair.second == role; }))) {
        sqlite3_result_int(context, 1);
        return;
      }
    }
    sqlite3_result_int(context, 0);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

// eventwire_id_hash(id): id_hash of the bytes of `id`, for migrations.
void eventwire_id_hash(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* data = static_cast<const char*>(sqlite3_value_blob(argv[0]));
  std::string_view id(data ? data : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  sqlite3_result_int64(context, id_hash(id));
}

}  // namespace

struct SqliteEventStore::Database {
  std::string path;
  sqlite3* handle = nullptr;
  /// Every use of `handle` after construction holds this lock, so the connection is opened
  /// without SQLite's own per-call mutex (SQLITE_OPEN_NOMUTEX): each bind and step would lock it.
  mutable std::mutex mutex;

  ~Database() {
    insert_event.reset();  // statements before the connection
    insert_events.reset();
    delete_events.reset();
    insert_related_id.reset();
    insert_related_rows.reset();
    last_seq.reset();
    widen_chunk.reset();
    sqlite3_close_v2(handle);
  }

  [[noreturn]] void fail(std::string_view what) const {
    throw StoreError(fmt::format("{}: {}: {}", path, what, sqlite3_errmsg(handle)));
  }

  void exec(const char* sql, std::string_view what) {
    char* message = nullptr;
    if (sqlite3_exec(handle, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : "unknown error";
      sqlite3_free(message);
      throw StoreError(fmt::format("{}: {}: {}", path, what, reason));
    }
  }

  int user_version() {
    Statement s(handle, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
  }

  void open(const SqliteStoreOptions& options) {
    if (sqlite3_open_v2(path.c_str(), &handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      fail("cannot open the event store");
    }
    sqlite3_busy_timeout(handle, options.busy_timeout_ms);
    if (sqlite3_create_function_v2(handle, "eventwire_matches", 2, SQLITE_UTF8, nullptr,
                                   eventwire_matches, nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_create_function_v2(handle, "eventwire_related", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, eventwire_related,
                                   nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_create_function_v2(handle, "eventwire_id_hash", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, eventwire_id_hash,
                                   nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail("cannot register eventwire's SQL functions");
    }
    // The first statement reads the header: a file that is not SQLite fails here.
    int version = 0;
    try {
      version = user_version();
    } catch (const StoreError&) {
      fail("is not an eventwire event store (not a SQLite database, or corrupt)");
    }
    if (version == 0) {
      Statement tables(handle, "SELECT count(*) FROM sqlite_master");
      tables.step();
      if (tables.integer(0) != 0) {
        throw StoreError(
            fmt::format("{}: is not an eventwire event store (it holds another "
                        "application's tables)",
                        path));
      }
    } else if (version > SqliteEventStore::schema_version) {
      throw StoreError(
          fmt::format("{}: was written by a newer eventwire (schema version {}; this "
                      "eventwire reads up to {})",
                      path, version, SqliteEventStore::schema_version));
    } else {
      Statement format(handle, "SELECT value FROM eventwire_store WHERE key = 'format'");
      if (!format.step() || format.text(0) != "eventwire event store") {
        throw StoreError(fmt::format("{}: is not an eventwire event store", path));
      }
    }
    if (version == 0) {  // before the first table: a page size is fixed once a page is written
      exec(fmt::format("PRAGMA page_size = {}", options.page_size_bytes).c_str(),
           "cannot set the page size");
    }
    exec("PRAGMA journal_mode = WAL", "cannot enable WAL");
    exec("PRAGMA synchronous = NORMAL", "cannot set synchronous mode");
    exec(fmt::format("PRAGMA cache_size = -{}", options.cache_kib).c_str(),
         "cannot set the cache size");
    exec(fmt::format("PRAGMA wal_autocheckpoint = {}", options.wal_autocheckpoint_pages).c_str(),
         "cannot set the checkpoint size");
    if (version < SqliteEventStore::schema_version) {
      // Every pending step in one transaction: a store is at its old version or at the new one,
      // never in between (step 4 creates related_ids and leaves it to be filled after step 5,
      // which a release reading version 4 would not know).
      exec("BEGIN IMMEDIATE", "cannot start migration");
      try {
        for (int v = version; v < SqliteEventStore::schema_version; ++v)
          exec(migrations[v], "migration failed");
        if (version < 5) index_stored_related_ids();  // in schema 5's chunks
        exec(fmt::format("PRAGMA user_version = {}", SqliteEventStore::schema_version).c_str(),
             "migration failed");
        exec("COMMIT", "migration failed");
      } catch (...) {
        sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  // related_ids rows for every stored event (migrations to schema 5). Caller holds a transaction.
  void index_stored_related_ids() {
    Statement select(handle, "SELECT seq, occurred, related FROM events");
    std::vector<RelatedIdRow> rows;
    while (select.step()) {
      add_related_id_rows(select.text(2), select.integer(1), select.integer(0), rows);
      if (rows.size() >= 65536) {
        insert_related_ids(rows);
        rows.clear();
      }
    }
    insert_related_ids(rows);
  }

  // Prepared once, after the schema is in place; used under `mutex`.
  std::unique_ptr<Statement> insert_event;         // one row
  std::unique_ptr<Statement> insert_events;        // events_per_statement rows
  std::unique_ptr<Statement> delete_events;        // the rows of a failed insert_events
  std::unique_ptr<Statement> insert_related_id;    // one row
  std::unique_ptr<Statement> insert_related_rows;  // related_ids_per_statement rows
  std::unique_ptr<Statement> last_seq;
  std::unique_ptr<Statement> widen_chunk;
  static constexpr std::size_t related_ids_per_statement = 128;
  static constexpr std::size_t events_columns = 9;
  static constexpr std::size_t events_per_statement = 32;

  // The inserts of an append are INSERT OR IGNORE: the only constraint a row can break is the
  // unique id (its seq is new, every column is bound), and a row with an id already stored is
  // skipped, as ON CONFLICT (id) DO NOTHING would. Unlike that clause, OR IGNORE leaves no
  // constraint that aborts a statement, so SQLite keeps no statement journal for the statements
  // of many rows: with one, each page they changed was first copied to a temporary file (half the
  // system time of a batched append).
  void prepare() {
    const std::string columns =
        "INSERT OR IGNORE INTO events (seq, id, occurred, event, resource_id, body, related, "
        "chunk, resource_hash) VALUES ";
    const char* values = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    insert_event = std::make_unique<Statement>(handle, columns + values);
    std::string many = columns;
    for (std::size_t j = 0; j < events_per_statement; ++j) {
      if (j) many += ',';
      many += values;
    }
    insert_events = std::make_unique<Statement>(handle, many);
    delete_events =
        std::make_unique<Statement>(handle, "DELETE FROM events WHERE seq BETWEEN ? AND ?");
    // The highest seq ever given: the stored events' or, when retention deleted the latest ones,
    // the mark remove() left (seq must never go back: cursors and chunks rely on it).
    last_seq = std::make_unique<Statement>(
        handle,
        "SELECT max(coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT CAST(value AS "
        "INTEGER) FROM eventwire_store WHERE key = 'last_seq'), 0))");
    widen_chunk = std::make_unique<Statement>(
        handle,
        "INSERT INTO id_chunks VALUES (?1, ?2, ?3) ON CONFLICT (chunk) DO UPDATE SET "
        "first_occurred = min(first_occurred, ?2), last_occurred = max(last_occurred, ?3)");
    prepare_related_ids();
  }

  void prepare_related_ids() {
    const char* columns =
        "INSERT OR IGNORE INTO related_ids (chunk, id_hash, occurred, seq) VALUES ";  // see
                                                                                      // prepare()
    insert_related_id = std::make_unique<Statement>(handle, std::string(columns) + "(?, ?, ?, ?)");
    std::string many = columns;
    for (std::size_t i = 0; i < related_ids_per_statement; ++i)
      many += i ? ",(?, ?, ?, ?)" : "(?, ?, ?, ?)";
    insert_related_rows = std::make_unique<Statement>(handle, many);
  }

  // Caller holds the mutex and an open transaction. Inserts `rows` in key order (the B-tree is
  // then written page after page), many per statement.
  void insert_related_ids(std::vector<RelatedIdRow>& rows) {
    if (!insert_related_rows) prepare_related_ids();  // migrating, before prepare()
    std::sort(rows.begin(), rows.end());
    auto bind = [](Statement& statement, int p, const RelatedIdRow& row) {
      statement.bind(p, row.chunk).bind(p + 1, row.hash).bind(p + 2, row.occurred);
      statement.bind(p + 3, row.seq);
    };
    std::size_t i = 0;
    for (; i + related_ids_per_statement <= rows.size(); i += related_ids_per_statement) {
      insert_related_rows->reset();
      for (std::size_t j = 0; j < related_ids_per_statement; ++j)
        bind(*insert_related_rows, static_cast<int>(4 * j + 1), rows[i + j]);
      insert_related_rows->step();
    }
    for (; i < rows.size(); ++i) {
      insert_related_id->reset();
      bind(*insert_related_id, 1, rows[i]);
      insert_related_id->step();
    }
  }

  // What an event's row holds besides its indexed columns.
  struct Row {
    std::string body;     // the event's JSON
    std::string related;  // append_related_column
  };

  // Binds an events row from parameter `p` on (events_columns of them).
  static void bind_event(Statement& statement, int p, const Event& event, const Row& row,
                         std::int64_t seq) {
    statement.bind(p, seq)
        .bind(p + 1, event.id)
        .bind(p + 2, micros(event.occurred))
        .bind(p + 3, event.event)
        .bind(p + 4, event.resource.id())
        .bind(p + 5, row.body)
        .bind(p + 6, row.related)
        .bind(p + 7, seq >> chunk_bits)
        .bind(p + 8, id_hash(event.resource.id()));
  }

  // Caller holds the mutex and an open transaction. Stores the event as `seq`; false when its id
  // is already stored.
  bool insert(const Event& event, const Row& row, std::int64_t seq) {
    insert_event->reset();
    bind_event(*insert_event, 1, event, row, seq);
    insert_event->step();
    return sqlite3_changes(handle) != 0;
  }

  // Caller holds the mutex and an open transaction. Stores events_per_statement events from
  // `events` and `rows` as seq + 1, seq + 2, ... in one statement (a statement per event cost
  // about a tenth of a batched append). When one of their ids is already stored or repeated
  // among them, stores none of them (the rows that went in are deleted again) and returns false:
  // the caller then inserts them one by one, so sequence numbers stay dense.
  bool insert_many(const EventPtr* events, const Row* rows, std::int64_t seq) {
    insert_events->reset();
    for (std::size_t j = 0; j < events_per_statement; ++j) {
      bind_event(*insert_events, static_cast<int>(events_columns * j + 1), *events[j], rows[j],
                 seq + 1 + static_cast<std::int64_t>(j));
    }
    insert_events->step();
    if (static_cast<std::size_t>(sqlite3_changes(handle)) == events_per_statement) return true;
    delete_events->reset();
    delete_events->bind(1, seq + 1)
        .bind(2, seq + static_cast<std::int64_t>(events_per_statement))
        .step();
    return false;
  }

  std::size_t append(std::span<const EventPtr> events, std::vector<bool>* flags) {
    // Serialize before taking the lock: a bad event fails here, before the transaction starts,
    // and writers hold the lock only for the inserts.
    std::vector<Row> rows(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      rows[i].body = events[i]->dump();
      append_related_column(*events[i], rows[i].related);
    }
    std::vector<RelatedIdRow> related_rows;
    related_rows.reserve(events.size() * 2);
    std::lock_guard lock(mutex);
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      // Sequence numbers as SQLite would give them (max + 1), known before the insert so that
      // the row carries its chunk. The write lock is held: no other connection appends meanwhile.
      last_seq->reset();
      last_seq->step();
      std::int64_t seq = last_seq->integer(0);
      std::size_t inserted = 0;
      if (flags) flags->assign(events.size(), false);
      // The time span of each chunk written.
      std::vector<std::array<std::int64_t, 3>> spans;
      // events[i] was stored as seq + 1.
      auto stored = [&](std::size_t i) {
        ++seq;
        ++inserted;
        if (flags) (*flags)[i] = true;
        const std::int64_t occurred = micros(events[i]->occurred);
        add_related_id_rows(rows[i].related, occurred, seq, related_rows);
        if (spans.empty() || spans.back()[0] != seq >> chunk_bits)
          spans.push_back({seq >> chunk_bits, occurred, occurred});
        spans.back()[1] = std::min(spans.back()[1], occurred);
        spans.back()[2] = std::max(spans.back()[2], occurred);
      };
      std::size_t i = 0;
      for (; i + events_per_statement <= events.size(); i += events_per_statement) {
        if (insert_many(&events[i], &rows[i], seq)) {
          for (std::size_t j = i; j < i + events_per_statement; ++j)
            stored(j);
        } else {
          for (std::size_t j = i; j < i + events_per_statement; ++j) {
            if (insert(*events[j], rows[j], seq + 1)) stored(j);
          }
        }
      }
      for (; i < events.size(); ++i) {
        if (insert(*events[i], rows[i], seq + 1)) stored(i);
      }
      insert_related_ids(related_rows);
      for (const auto& [chunk, first, last] : spans) {
        widen_chunk->reset();
        widen_chunk->bind(1, chunk).bind(2, first).bind(3, last).step();
      }
      exec("COMMIT", "cannot commit");
      return inserted;
    } catch (...) {
      sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  // Deletes the events that come before a place in the time order, their related_ids rows, and
  // the chunks left empty. `keep` is how many of
  // the latest events stay, or nullopt to delete those that occurred before `cutoff`.
  std::size_t remove(std::optional<std::size_t> keep, std::int64_t cutoff) {
    std::lock_guard lock(mutex);
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      // The latest appended event may be among those deleted (it need not have occurred last):
      // keep its seq, so that the next append continues after it (see last_seq). The mark never
      // goes back; both sides are cast, since `value` is TEXT and text compares above numbers.
      exec(
          "INSERT INTO eventwire_store (key, value) SELECT 'last_seq', m FROM (SELECT max(seq) AS "
          "m FROM events) WHERE m IS NOT NULL ON CONFLICT (key) DO UPDATE SET value = "
          "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
          "cannot keep the last sequence number");
      std::string before = "occurred < ?1";  // the events to delete, in both tables
      std::int64_t seq = 0;
      if (keep && *keep == 0) {
        before = "1";
      } else if (keep) {
        Statement last(handle,
                       "SELECT occurred, seq FROM events ORDER BY occurred DESC, seq DESC LIMIT 1 "
                       "OFFSET ?");
        last.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(*keep - 1, INT64_MAX)));
        if (!last.step()) {
          exec("COMMIT", "cannot commit");
          return 0;  // no more than `keep` stored
        }
        cutoff = last.integer(0);
        seq = last.integer(1);
        before = "(occurred, seq) < (?1, ?2)";
      }
      // related_ids rows are found in the chunks that hold events that old.
      const std::string in_old_chunks = fmt::format(
          "chunk IN (SELECT chunk FROM id_chunks WHERE first_occurred <= ?1) AND {}", before);
      std::size_t n = 0;
      for (const std::string& statement :
           {"DELETE FROM events WHERE " + before,
            "DELETE FROM related_ids WHERE " + (keep && *keep == 0 ? before : in_old_chunks),
            fmt::format("DELETE FROM id_chunks WHERE NOT EXISTS (SELECT 1 FROM events WHERE seq "
                        ">= chunk << {0} AND seq < (chunk + 1) << {0})",
                        chunk_bits)}) {
        Statement remove(handle, statement);
        if (statement.find("?1") != std::string::npos) remove.bind(1, cutoff);
        if (statement.find("?2") != std::string::npos) remove.bind(2, seq);
        remove.step();
        if (n == 0) {
          n = static_cast<std::size_t>(sqlite3_changes(handle));
          if (n == 0) break;
        }
      }
      exec("COMMIT", "cannot commit");
      return n;
    } catch (...) {
      sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
};

SqliteEventStore::SqliteEventStore(const std::string& path, SqliteStoreOptions options)
    : db_(std::make_unique<Database>()) {
  const int page = options.page_size_bytes;
  if (page < 512 || page > 65536 || (page & (page - 1)) != 0) {
    throw ValidationError("page_size_bytes",
                          fmt::format("must be a power of two from 512 to 65536, got {}", page));
  }
  db_->path = path;
  db_->open(options);
  db_->prepare();
}

SqliteEventStore::~SqliteEventStore() = default;

bool SqliteEventStore::append(EventPtr event) {
  return db_->append({&event, 1}, nullptr) == 1;
}

std::size_t SqliteEventStore::append_batch(std::span<const EventPtr> events,
                                           std::vector<bool>* inserted) {
  return db_->append(events, inserted);
}

EventPtr SqliteEventStore::get(const Uuid& id) const {
  auto page = query({.ids = {id}, .limit = 1, .include_total = false});
  return page.events.empty() ? nullptr : page.events.front();
}

namespace {

// An event read for a page: its place in the order and its stored JSON.
struct PageRow {
  std::int64_t occurred = 0;
  std::int64_t seq = 0;
  std::string body;
};

// Rows `offset` to `offset + count` of `select` (bound up to `limit_index`, LIMIT and OFFSET
// excepted) in page order.
// Without by_chunk, one statement. With it, the statement reads one chunk of an id index, and the
// chunks are read most promising first (for a descending page, latest last_occurred first); the
// walk ends once `wanted` rows are held and the next chunk holds nothing that occurred after (or
// at the time of) the last of them. Chunks outside the query's window are skipped.
std::vector<PageRow> read_page_rows(sqlite3* db, const Where& where, Statement& select,
                                    int limit_index, const EventQuery& q, std::size_t offset,
                                    std::size_t count) {
  const bool ascending = q.order == EventOrder::ascending;
  auto before = [ascending](const PageRow& a, const PageRow& b) {
    return ascending ? std::tie(a.occurred, a.seq) < std::tie(b.occurred, b.seq)
                     : std::tie(a.occurred, a.seq) > std::tie(b.occurred, b.seq);
  };
  std::vector<PageRow> rows;
  auto read = [&](std::size_t n, std::size_t skip) {
    select.bind(limit_index, static_cast<std::int64_t>(n))
        .bind(limit_index + 1, static_cast<std::int64_t>(skip));
    while (select.step())
      rows.push_back({select.integer(0), select.integer(1), std::string(select.text(2))});
  };
  if (!where.by_chunk) {
    read(count, offset);
    return rows;
  }
  const std::size_t wanted = offset + count;
  Statement chunks(db, fmt::format("SELECT chunk, first_occurred, last_occurred FROM id_chunks "
                                   "WHERE last_occurred >= ? AND first_occurred <= ? ORDER BY {}",
                                   ascending ? "first_occurred ASC" : "last_occurred DESC"));
  chunks.bind(1, q.occurred_after ? micros(*q.occurred_after) : INT64_MIN)
      .bind(2, q.occurred_before ? micros(*q.occurred_before) : INT64_MAX);
  while (chunks.step()) {
    if (rows.size() >= wanted) {
      const std::int64_t last = rows[wanted - 1].occurred;
      if (ascending ? chunks.integer(1) > last : chunks.integer(2) < last) break;
    }
    select.reset();
    where.bind(select);
    select.bind(static_cast<int>(where.chunk_parameter) + 1, chunks.integer(0));
    read(wanted, 0);
    std::sort(rows.begin(), rows.end(), before);
    if (rows.size() > wanted) rows.resize(wanted);
  }
  rows.erase(rows.begin(),
             rows.begin() + static_cast<std::ptrdiff_t>(std::min(offset, rows.size())));
  return rows;
}

}  // namespace

EventPage SqliteEventStore::query(const EventQuery& query) const {
  CompiledEventQuery q(query);
  const EventQuery& filter = q.query();
  Where where(q, true, true);
  std::lock_guard lock(db_->mutex);
  EventPage page;
  Statement select(db_->handle, where.page_sql(filter.order));
  const int limit_index = where.bind(select);
  // One row past the page says whether there is a next page.
  // SQLite takes 64-bit signed LIMIT and OFFSET: the offset is kept, and "no limit" (SIZE_MAX)
  // becomes the most rows there can be after it.
  const std::size_t offset = std::min<std::size_t>(filter.offset, INT64_MAX - 1);
  const std::size_t limit = std::min<std::size_t>(filter.limit, INT64_MAX - 1 - offset);
  auto rows = read_page_rows(db_->handle, where, select, limit_index, filter, offset, limit + 1);
  PagePosition last;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (page.events.size() == limit) {
      if (limit != 0) page.next_page = q.page_token(last);
      break;
    }
    last = {Timestamp(std::chrono::microseconds(rows[i].occurred)),
            static_cast<std::uint64_t>(rows[i].seq)};
    page.events.push_back(share_event(read_stored_event(rows[i].body)));
  }
  if (filter.include_total) {
    CompiledEventQuery whole = q.without_page();
    Where all(whole, false);
    Statement count(db_->handle, all.count_sql());
    all.bind(count);
    count.step();
    page.total = static_cast<std::size_t>(count.integer(0));
  }
  return page;
}

std::string SqliteEventStore::query_plan(const EventQuery& query) const {
  CompiledEventQuery q(query);
  Where where(q, true, true);
  std::lock_guard lock(db_->mutex);
  Statement explain(db_->handle, "EXPLAIN QUERY PLAN " + where.page_sql(q.query().order));
  const int index = where.bind(explain);
  explain.bind(index, std::int64_t{1}).bind(index + 1, std::int64_t{0});
  std::string plan;
  while (explain.step()) {
    plan += explain.text(3);
    plan += '\n';
  }
  return plan;
}

std::size_t SqliteEventStore::count(const EventQuery& query) const {
  CompiledEventQuery q = CompiledEventQuery(query).without_page();
  Where where(q, false);
  std::lock_guard lock(db_->mutex);
  Statement count(db_->handle, where.count_sql());
  where.bind(count);
  count.step();
  return static_cast<std::size_t>(count.integer(0));
}

std::size_t SqliteEventStore::delete_before(Timestamp cutoff) {
  return db_->remove(std::nullopt, micros(cutoff));
}

std::size_t SqliteEventStore::keep_latest(std::size_t n) {
  return db_->remove(n, 0);
}

std::size_t SqliteEventStore::size() const {
  return count({});
}

}  // namespace eventwire
