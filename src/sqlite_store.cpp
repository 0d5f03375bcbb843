#include "eventwire/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <mutex>
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
      out += std::to_string(part.size());
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
    // per insert; the newest event is never deleted by retention, so seq still only grows), and
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
    )sql"};
static_assert(std::size(migrations) == SqliteEventStore::schema_version);

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
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
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

// A WHERE clause and its parameters, built from a query so that SQL selects exactly what
// CompiledEventQuery::matches accepts: the indexed columns narrow the rows, and when a filter
// reads labels, eventwire_matches(query, body) applies the query itself to what is left.
struct Where {
  using Parameter = std::variant<std::int64_t, std::string, Uuid, const CompiledEventQuery*,
                                 const RelatedFilter*>;
  std::string sql = " WHERE 1";
  std::vector<Parameter> parameters;

  // AND [NOT] (column = ? OR ... OR substr(column, 1, ?) = ?). Columns are compared as BLOBs so
  // that prefix lengths count bytes, as std::string::starts_with does.
  void any_of(std::string_view column, const std::vector<std::string>& exact,
              const std::vector<std::string>& prefixes, bool negate) {
    if (exact.empty() && prefixes.empty()) return;
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
    sql += fmt::format(" AND {}({})", negate ? "NOT " : "", clause);
  }

  // `with_page`: also the cursor (totals and counts leave it out).
  Where(const CompiledEventQuery& compiled, bool with_page) {
    const EventQuery& q = compiled.query();
    if (q.occurred_after) {
      sql += " AND occurred >= ?";
      parameters.emplace_back(micros(*q.occurred_after));
    }
    if (q.occurred_before) {
      sql += " AND occurred <= ?";
      parameters.emplace_back(micros(*q.occurred_before));
    }
    if (!q.ids.empty()) {
      sql += " AND id IN (";
      for (std::size_t i = 0; i < q.ids.size(); ++i) {
        sql += i ? ",?" : "?";
        parameters.emplace_back(q.ids[i]);
      }
      sql += ")";
    }
    // Prefect ANDs names and prefixes: a listed name that also has a listed prefix. Exact names
    // compare the TEXT column itself, so that events_by_name answers them: with the BINARY
    // collation `=` is byte equality, as the BLOB comparison.
    if (!q.event_names.empty()) {
      sql += " AND event IN (";
      for (std::size_t i = 0; i < q.event_names.size(); ++i) {
        sql += i ? ",?" : "?";
        parameters.emplace_back(q.event_names[i]);
      }
      sql += ")";
    }
    any_of("event", {}, q.event_prefixes, false);
    any_of("event", q.exclude_names, q.exclude_prefixes, true);
    any_of("resource_id", q.resource_ids, {}, false);
    any_of("resource_id", {}, q.resource_id_prefixes, false);
    for (const auto& filter : q.related)
      related(filter);
    if (compiled.reads_labels()) {
      sql += " AND eventwire_matches(?, body)";
      parameters.emplace_back(&compiled);
    }
    if (with_page && compiled.after()) {
      sql += q.order == EventOrder::ascending ? " AND (occurred, seq) > (?, ?)"
                                              : " AND (occurred, seq) < (?, ?)";
      parameters.emplace_back(micros(compiled.after()->occurred));
      parameters.emplace_back(static_cast<std::int64_t>(compiled.after()->sequence));
    }
  }

  // One related resource must satisfy the ids and roles of a filter, as in Prefect's SQL
  // (eventwire_related); its labels are left to eventwire_matches.
  void related(const RelatedFilter& filter) {
    if (filter.ids.empty() && filter.roles.empty() && filter.resources_in_roles.empty()) {
      return;  // constrains nothing here (labels alone: eventwire_matches)
    }
    sql += " AND eventwire_related(?, related)";
    parameters.emplace_back(&filter);
  }

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
    while (next_related_part(column, at, id)) {
      if (!next_related_part(column, at, role))
        throw StoreError("stored related resources are malformed");
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

}  // namespace

struct SqliteEventStore::Database {
  std::string path;
  sqlite3* handle = nullptr;
  mutable std::mutex mutex;

  ~Database() {
    insert_event.reset();  // statements before the connection
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
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      fail("cannot open the event store");
    }
    sqlite3_busy_timeout(handle, options.busy_timeout_ms);
    if (sqlite3_create_function_v2(handle, "eventwire_matches", 2, SQLITE_UTF8, nullptr,
                                   eventwire_matches, nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_create_function_v2(handle, "eventwire_related", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, eventwire_related,
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
    for (int v = version; v < SqliteEventStore::schema_version; ++v) {
      exec("BEGIN IMMEDIATE", "cannot start migration");
      try {
        exec(migrations[v], "migration failed");
        exec(fmt::format("PRAGMA user_version = {}", v + 1).c_str(), "migration failed");
        exec("COMMIT", "migration failed");
      } catch (...) {
        sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  // Prepared once, after the schema is in place; used under `mutex`.
  std::unique_ptr<Statement> insert_event;

  void prepare() {
    insert_event = std::make_unique<Statement>(
        handle,
        "INSERT INTO events (id, occurred, event, resource_id, body, "
        "related) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
  }

  // What an event's row holds besides its indexed columns.
  struct Row {
    std::string body;     // the event's JSON
    std::string related;  // append_related_column
  };

  // Caller holds the mutex and an open transaction. False when the id is already stored.
  bool insert(const Event& event, const Row& row) {
    insert_event->reset();
    insert_event->bind(1, event.id)
        .bind(2, micros(event.occurred))
        .bind(3, event.event)
        .bind(4, event.resource.id())
        .bind(5, row.body)
        .bind(6, row.related);
    insert_event->step();
    return sqlite3_changes(handle) != 0;
  }

  std::size_t append(std::span<const EventPtr> events, std::vector<bool>* flags) {
    // Serialize before taking the lock: a bad event fails here, before the transaction starts,
    // and writers hold the lock only for the inserts.
    std::vector<Row> rows(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      rows[i].body = events[i]->dump();
      append_related_column(*events[i], rows[i].related);
    }
    std::lock_guard lock(mutex);
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      std::size_t inserted = 0;
      if (flags) flags->assign(events.size(), false);
      for (std::size_t i = 0; i < events.size(); ++i) {
        const bool is_new = insert(*events[i], rows[i]);
        inserted += is_new ? 1 : 0;
        if (flags) (*flags)[i] = is_new;
      }
      exec("COMMIT", "cannot commit");
      return inserted;
    } catch (...) {
      sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::size_t remove(const char* where_seq_in, std::int64_t parameter) {
    std::lock_guard lock(mutex);
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      Statement events(handle, fmt::format("DELETE FROM events WHERE seq IN ({})", where_seq_in));
      events.bind(1, parameter).step();
      auto n = static_cast<std::size_t>(sqlite3_changes(handle));
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

EventPage SqliteEventStore::query(const EventQuery& query) const {
  CompiledEventQuery q(query);
  const EventQuery& filter = q.query();
  Where where(q, true);
  const char* direction = filter.order == EventOrder::ascending ? "ASC" : "DESC";
  std::lock_guard lock(db_->mutex);
  EventPage page;
  Statement select(db_->handle,
                   fmt::format("SELECT occurred, seq, body FROM events{} ORDER BY occurred {}, "
                               "seq {} LIMIT ? OFFSET ?",
                               where.sql, direction, direction));
  int index = where.bind(select);
  // One row past the page says whether there is a next page.
  std::size_t limit = std::min<std::size_t>(filter.limit, INT64_MAX - 1);
  select.bind(index++, static_cast<std::int64_t>(limit + 1));
  select.bind(index++, static_cast<std::int64_t>(std::min<std::size_t>(filter.offset, INT64_MAX)));
  PagePosition last;
  while (select.step()) {
    if (page.events.size() == limit) {
      if (limit != 0) page.next_page = q.page_token(last);
      break;
    }
    last = {Timestamp(std::chrono::microseconds(select.integer(0))),
            static_cast<std::uint64_t>(select.integer(1))};
    page.events.push_back(std::make_shared<const Event>(read_stored_event(select.text(2))));
  }
  if (filter.include_total) {
    CompiledEventQuery whole = q.without_page();
    Where all(whole, false);
    Statement count(db_->handle, "SELECT count(*) FROM events" + all.sql);
    all.bind(count);
    count.step();
    page.total = static_cast<std::size_t>(count.integer(0));
  }
  return page;
}

std::size_t SqliteEventStore::count(const EventQuery& query) const {
  CompiledEventQuery q = CompiledEventQuery(query).without_page();
  Where where(q, false);
  std::lock_guard lock(db_->mutex);
  Statement count(db_->handle, "SELECT count(*) FROM events" + where.sql);
  where.bind(count);
  count.step();
  return static_cast<std::size_t>(count.integer(0));
}

std::size_t SqliteEventStore::delete_before(Timestamp cutoff) {
  return db_->remove("SELECT seq FROM events WHERE occurred < ?", micros(cutoff));
}

std::size_t SqliteEventStore::keep_latest(std::size_t n) {
  return db_->remove("SELECT seq FROM events ORDER BY occurred DESC, seq DESC LIMIT -1 OFFSET ?",
                     static_cast<std::int64_t>(std::min<std::size_t>(n, INT64_MAX)));
}

std::size_t SqliteEventStore::size() const {
  return count({});
}

}  // namespace eventwire
