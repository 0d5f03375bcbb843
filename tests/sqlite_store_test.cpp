#include "eventwire/sqlite_store.hpp"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using eventwire::Event;
using eventwire::EventPtr;
using eventwire::SqliteEventStore;
using eventwire::StoreError;

namespace {

struct TempPath {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("eventwire-sqlite-test-" + eventwire::Uuid::v4().to_string() + ".db"))
                         .string();
  ~TempPath() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path + suffix);
  }
};

EventPtr make(std::string name) {
  return std::make_shared<const Event>(
      Event{.event = std::move(name),
            .resource = {{"prefect.resource.id", "infrahub.node.1"}},
            .related = {eventwire::RelatedResource{{"prefect.resource.id", "infrahub.branch.b"},
                                                   {"prefect.resource.role", "infrahub.branch"}}},
            .payload = {{"data", {{"n", 1.5}, {"s", "caf\xc3\xa9"}}}}});
}

void sql(const std::string& path, const char* statement) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, statement, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

// Writes a store as an older eventwire did: `ddl` (its tables, its user_version), then `event` as
// seq 7 with resource id infrahub.node.1 and one related resource, infrahub.branch.b in the role
// infrahub.branch, where that schema kept related resources: the `related` table (schemas 1 and
// 2) or the events.related column (schema 3).
void write_legacy_store(const std::string& path, const char* ddl, const Event& event) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, ddl, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "INSERT INTO events (seq, id, occurred, event, resource_id, body) "
                             "VALUES (7, ?, ?, ?, ?, ?)",
                             -1, &insert, nullptr) == SQLITE_OK);
  std::string body = event.dump();
  sqlite3_bind_blob(insert, 1, event.id.bytes().data(), 16, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert, 2, event.occurred.time_since_epoch().count());
  sqlite3_bind_text(insert, 3, event.event.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 4, "infrahub.node.1", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert, 5, body.c_str(), -1, SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
  sqlite3_finalize(insert);
  sqlite3_stmt* has_table = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'related'", -1,
                             &has_table, nullptr) == SQLITE_OK);
  const bool related_table = sqlite3_step(has_table) == SQLITE_ROW;
  sqlite3_finalize(has_table);
  REQUIRE(
      sqlite3_exec(db,
                   related_table
                       ? "INSERT INTO related VALUES (7, 'infrahub.branch.b', 'infrahub.branch')"
                       : "UPDATE events SET related = '17:infrahub.branch.b15:infrahub.branch' "
                         "WHERE seq = 7",
                   nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

// The names of a store's tables and indexes, sorted, and its schema version.
std::pair<std::string, int> schema_of(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
                             "WHERE name NOT LIKE 'sqlite_%' ORDER BY name)",
                             -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::string names = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return {names, version};
}

// The first column of the first row of `query`, as text ("" for NULL).
std::string scalar(const std::string& path, const char* query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, query, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  std::string value = text ? text : "";
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("events survive closing and reopening the store, byte for byte") {
  TempPath file;
  auto e = make("infrahub.node.created");
  {
    SqliteEventStore store(file.path);
    CHECK(store.append(e));
  }
  SqliteEventStore reopened(file.path);
  CHECK(reopened.size() == 1);
  auto back = reopened.get(e->id);
  REQUIRE(back);
  CHECK(*back == *e);
  CHECK(back->dump() == e->dump());
}

TEST_CASE("an acknowledged append survives kill -9") {
  TempPath file;
  int acks[2];
  REQUIRE(pipe(acks) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // the writer: acknowledge each id once append() has returned
    close(acks[0]);
    SqliteEventStore store(file.path);
    for (;;) {
      auto e = make("infrahub.node.updated");
      store.append(e);
      auto bytes = e->id.bytes();
      if (write(acks[1], bytes.data(), bytes.size()) != 16) _exit(1);
    }
  }
  close(acks[1]);
  std::vector<eventwire::Uuid> acknowledged;
  std::array<std::uint8_t, 16> bytes{};
  while (acknowledged.size() < 300 && read(acks[0], bytes.data(), 16) == 16) {
    acknowledged.emplace_back(bytes);
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(acks[0]);
  CHECK(WIFSIGNALED(status));
  REQUIRE(acknowledged.size() == 300);
  SqliteEventStore store(file.path);
  for (const auto& id : acknowledged) {
    CAPTURE(id.to_string());
    CHECK(store.get(id) != nullptr);
  }
}

TEST_CASE("a batch is atomic: a failure in the middle stores none of it") {
  TempPath file;
  SqliteEventStore store(file.path);
  auto bad = std::make_shared<Event>(*make("bad"));
  bad->payload["s"] = std::string("\xff");  // cannot be written as JSON
  std::vector<EventPtr> batch{make("a"), bad, make("c")};
  CHECK_THROWS_AS(store.append_batch(batch), eventwire::error);
  CHECK(store.size() == 0);
  std::vector<EventPtr> good{make("a"), make("b")};
  CHECK(store.append_batch(good) == 2);
  CHECK(store.size() == 2);
}

TEST_CASE("a corrupt or foreign file is a clear StoreError, never a crash") {
  SECTION("not a database") {
    TempPath file;
    std::ofstream(file.path) << std::string(4096, 'x');
    CHECK_THROWS_AS(SqliteEventStore(file.path), StoreError);
    CHECK_THROWS_WITH(
        SqliteEventStore(file.path),
        Catch::Contains(file.path) && Catch::Contains("not an eventwire event store"));
  }
  SECTION("another application's database") {
    TempPath file;
    sql(file.path, "CREATE TABLE customers (id INTEGER)");
    CHECK_THROWS_WITH(SqliteEventStore(file.path), Catch::Contains("another application's tables"));
  }
  SECTION("a newer eventwire's store") {
    TempPath file;
    { SqliteEventStore store(file.path); }
    sql(file.path, "PRAGMA user_version = 99");
    CHECK_THROWS_WITH(SqliteEventStore(file.path), Catch::Contains("schema version 99"));
  }
  SECTION("a versioned database without our marker") {
    TempPath file;
    sql(file.path, "CREATE TABLE eventwire_store (key TEXT, value TEXT); PRAGMA user_version = 1");
    CHECK_THROWS_WITH(SqliteEventStore(file.path),
                      Catch::Contains("is not an eventwire event store"));
  }
  SECTION("a directory") {
    CHECK_THROWS_AS(SqliteEventStore(std::filesystem::temp_directory_path().string()), StoreError);
  }
}

TEST_CASE("the schema is versioned") {
  TempPath file;
  { SqliteEventStore store(file.path); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == SqliteEventStore::schema_version);
  sqlite3_finalize(stmt);
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_CASE("a store of schema version 1 is migrated, its events kept") {
  TempPath file;
  auto e = make("infrahub.node.created");
  // Version 1 as the first eventwire release wrote it (this is its DDL, not ours).
  write_legacy_store(file.path, R"sql(
    CREATE TABLE eventwire_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO eventwire_store VALUES ('format', 'eventwire event store');
    CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE,
      occurred INTEGER NOT NULL, event TEXT NOT NULL, resource_id TEXT NOT NULL,
      body TEXT NOT NULL);
    CREATE INDEX events_by_occurred ON events (occurred, seq);
    CREATE INDEX events_by_name ON events (event, occurred, seq);
    CREATE INDEX events_by_resource ON events (resource_id, occurred);
    CREATE TABLE related (seq INTEGER NOT NULL, related_id TEXT NOT NULL, role TEXT NOT NULL);
    CREATE INDEX related_by_id ON related (related_id, seq);
    CREATE INDEX related_by_seq ON related (seq);
    PRAGMA user_version = 1;)sql",
                     *e);
  SqliteEventStore store(file.path);
  auto back = store.get(e->id);
  REQUIRE(back);
  CHECK(*back == *e);
  CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}, .roles = {"infrahub.branch"}}}}) ==
        1);
  CHECK(store.query({.related = {{.ids = {"infrahub.branch.b"}}}}).events.size() == 1);
  CHECK(store.query({.resource_ids = {"infrahub.node.1"}}).events.size() == 1);
  // New events follow the migrated one.
  auto later = make("infrahub.node.updated");
  CHECK(store.append(later));
  auto page = store.query({.order = eventwire::EventOrder::ascending, .limit = 1});
  REQUIRE(page.events.size() == 1);
  CHECK(store.size() == 2);
  auto next = store.query(
      {.order = eventwire::EventOrder::ascending, .limit = 1, .cursor = page.next_page});
  REQUIRE(next.events.size() == 1);
  CHECK(next.events[0]->id != page.events[0]->id);
}

TEST_CASE("a store of schema version 2 is migrated: the indexes no query read are dropped") {
  TempPath file;
  auto e = make("infrahub.node.created");
  // Version 2 as eventwire wrote it (its DDL, not ours).
  write_legacy_store(file.path, R"sql(
    CREATE TABLE eventwire_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO eventwire_store VALUES ('format', 'eventwire event store');
    CREATE TABLE events (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,
      occurred INTEGER NOT NULL, event TEXT NOT NULL, resource_id TEXT NOT NULL,
      body TEXT NOT NULL);
    CREATE INDEX events_by_occurred ON events (occurred, seq);
    CREATE INDEX events_by_name ON events (event, occurred, seq);
    CREATE INDEX events_by_resource ON events (resource_id, occurred);
    CREATE TABLE related (seq INTEGER NOT NULL, related_id TEXT NOT NULL, role TEXT NOT NULL,
      PRIMARY KEY (seq, related_id, role)) WITHOUT ROWID;
    CREATE INDEX related_by_id ON related (related_id, seq);
    PRAGMA user_version = 2;)sql",
                     *e);
  {
    SqliteEventStore store(file.path);
    auto back = store.get(e->id);
    REQUIRE(back);
    CHECK(*back == *e);
    CHECK(store.count({.event_names = {"infrahub.node.created"}}) == 1);
    CHECK(store.count({.resource_ids = {"infrahub.node.1"}}) == 1);
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 1);
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}, .roles = {"x"}}}}) == 0);
    CHECK(store.count(
              {.related = {{.resources_in_roles = {{"infrahub.branch.b", "infrahub.branch"}}}}}) ==
          1);
    CHECK(store.append(make("infrahub.node.updated")));
    CHECK(store.count({.related = {{.roles = {"infrahub.branch"}}}}) == 2);
  }
  CHECK(schema_of(file.path) ==
        std::pair<std::string, int>("events events_by_name events_by_occurred events_by_resource "
                                    "eventwire_store id_chunks related_ids",
                                    SqliteEventStore::schema_version));
}

TEST_CASE("related ids and roles with digits, colons and multibyte text are matched exactly") {
  TempPath file;
  SqliteEventStore store(file.path);
  auto e = std::make_shared<const Event>(
      Event{.event = "infrahub.node.created",
            .resource = {{"prefect.resource.id", "infrahub.node.1"}},
            .related = {eventwire::RelatedResource{{"prefect.resource.id", "12:ab:3"},
                                                   {"prefect.resource.role", "r\xc3\xb4le:1"}},
                        eventwire::RelatedResource{{"prefect.resource.id", ""},
                                                   {"prefect.resource.role", "empty-id"}}}});
  REQUIRE(store.append(e));
  CHECK(store.count({.related = {{.ids = {"12:ab:3"}}}}) == 1);
  CHECK(store.count({.related = {{.ids = {"12:ab"}}}}) == 0);
  CHECK(store.count({.related = {{.roles = {"r\xc3\xb4le:1"}}}}) == 1);
  CHECK(store.count({.related = {{.ids = {"12:ab:3"}, .roles = {"empty-id"}}}}) == 0);
  CHECK(store.count({.related = {{.ids = {""}, .roles = {"empty-id"}}}}) == 1);
  CHECK(store.count({.related = {{.resources_in_roles = {{"12:ab:3", "r\xc3\xb4le:1"}}}}}) == 1);
  CHECK(store.count({.related = {{.resources_in_roles = {{"12:ab:3", "empty-id"}}}}}) == 0);
}

TEST_CASE("the page size is chosen when the store is created, and kept when it is reopened") {
  auto page_size = [](const std::string& path) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    int size = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return size;
  };
  TempPath file;
  auto e = make("infrahub.node.created");
  {
    SqliteEventStore store(file.path);
    CHECK(store.append(e));
  }
  CHECK(page_size(file.path) == 16384);
  {
    SqliteEventStore store(file.path, {.page_size_bytes = 4096});  // existing: keeps 16 KiB
    CHECK(store.get(e->id) != nullptr);
  }
  CHECK(page_size(file.path) == 16384);
  TempPath small;
  { SqliteEventStore store(small.path, {.page_size_bytes = 4096}); }
  CHECK(page_size(small.path) == 4096);
  for (int bad : {0, 256, 5000, 131072}) {
    CAPTURE(bad);
    TempPath none;
    CHECK_THROWS_WITH(SqliteEventStore(none.path, {.page_size_bytes = bad}),
                      Catch::Contains("page_size_bytes") && Catch::Contains("power of two"));
    CHECK_FALSE(std::filesystem::exists(none.path));
  }
}

TEST_CASE("a store of schema version 3 is migrated: resource and related ids get their indexes") {
  TempPath file;
  auto e = make("infrahub.node.created");
  // Version 3 as eventwire wrote it (its tables as migrations 1 to 3 left them, not our DDL).
  write_legacy_store(file.path, R"sql(
    CREATE TABLE eventwire_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO eventwire_store VALUES ('format', 'eventwire event store');
    CREATE TABLE events (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,
      occurred INTEGER NOT NULL, event TEXT NOT NULL, resource_id TEXT NOT NULL,
      body TEXT NOT NULL, related TEXT NOT NULL DEFAULT '');
    CREATE INDEX events_by_occurred ON events (occurred, seq);
    CREATE INDEX events_by_name ON events (event, occurred, seq);
    PRAGMA user_version = 3;)sql",
                     *e);
  {
    SqliteEventStore store(file.path);
    auto page = store.query({.resource_ids = {"infrahub.node.1"}});
    REQUIRE(page.events.size() == 1);
    CHECK(*page.events[0] == *e);
    page = store.query({.related = {{.ids = {"infrahub.branch.b"}}}});
    REQUIRE(page.events.size() == 1);
    CHECK(page.events[0]->id == e->id);
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}, .roles = {"x"}}}}) == 0);
    CHECK(store.count({.resource_ids = {"infrahub.node.2"}}) == 0);
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.c"}}}}) == 0);
    CHECK(store.append(make("infrahub.node.updated")));
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 2);
    CHECK(store.count({.resource_ids = {"infrahub.node.1"}}) == 2);
  }
  CHECK(schema_of(file.path) ==
        std::pair<std::string, int>("events events_by_name events_by_occurred events_by_resource "
                                    "eventwire_store id_chunks related_ids",
                                    SqliteEventStore::schema_version));
}

TEST_CASE("queries by one resource id or one related id read its index in page order") {
  TempPath file;
  SqliteEventStore store(file.path);
  const auto t = eventwire::parse_timestamp("2024-03-01T00:00:00Z");
  auto no_sort = [](const std::string& plan) {
    return plan.find("TEMP B-TREE") == std::string::npos && plan.find("SCAN") == std::string::npos;
  };
  for (auto order : {eventwire::EventOrder::descending, eventwire::EventOrder::ascending}) {
    auto plan = store.query_plan({.resource_ids = {"infrahub.node.1"}, .order = order});
    CAPTURE(plan);
    CHECK(plan.find("events_by_resource (chunk=? AND resource_hash=?)") != std::string::npos);
    CHECK(no_sort(plan));
    plan = store.query_plan({.occurred_after = t,
                             .occurred_before = t + std::chrono::hours(1),
                             .event_names = {"infrahub.node.created"},
                             .related = {{.ids = {"infrahub.branch.b"}, .roles = {"r"}}},
                             .order = order});
    CAPTURE(plan);  // related_ids is `x`
    CHECK(plan.find("SEARCH x USING PRIMARY KEY (chunk=? AND id_hash=? AND occurred>? AND "
                    "occurred<?)") != std::string::npos);
    CHECK(no_sort(plan));
    plan = store.query_plan({.related = {{.resources_in_roles = {{"infrahub.branch.b", "r"}}}}});
    CAPTURE(plan);
    CHECK(plan.find("SEARCH x USING PRIMARY KEY (chunk=? AND id_hash=?)") != std::string::npos);
    CHECK(no_sort(plan));
  }
  // Several related ids: related_ids selects, the page is sorted.
  auto plan = store.query_plan({.related = {{.ids = {"a", "b"}}}});
  CAPTURE(plan);
  CHECK(plan.find("related_ids") != std::string::npos);
}

TEST_CASE("an event appended through another connection is found by id queries at once") {
  TempPath file;
  SqliteEventStore reader(file.path);
  CHECK(reader.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 0);
  CHECK(reader.count({.resource_ids = {"infrahub.node.1"}}) == 0);
  {
    SqliteEventStore writer(file.path);
    std::vector<EventPtr> batch{make("a"), make("b")};
    CHECK(writer.append_batch(batch) == 2);
  }
  CHECK(reader.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 2);
  CHECK(reader.query({.resource_ids = {"infrahub.node.1"}}).events.size() == 2);
}

TEST_CASE("ids sharing a hash in an index still select only the events carrying them") {
  TempPath file;
  using R = eventwire::RelatedResource;
  auto with = [](std::string resource, std::string related) {
    return std::make_shared<const Event>(
        Event{.event = "e",
              .resource = {{"prefect.resource.id", std::move(resource)}},
              .related = {
                  R{{"prefect.resource.id", std::move(related)}, {"prefect.resource.role", "r"}}}});
  };
  {
    SqliteEventStore store(file.path);
    CHECK(store.append(with("node.a", "rel.a")));
    CHECK(store.append(with("node.b", "rel.b")));
  }
  // Forge a collision: the second event indexed under the first one's hashes too.
  sql(file.path,
      "UPDATE events SET resource_hash = (SELECT resource_hash FROM events WHERE resource_id = "
      "'node.a');"
      "INSERT INTO related_ids SELECT e.chunk, r.id_hash, e.occurred, e.seq FROM related_ids r, "
      "events e "
      "WHERE r.seq = (SELECT seq FROM events WHERE resource_id = 'node.a') AND e.resource_id = "
      "'node.b'");
  SqliteEventStore store(file.path);
  CHECK(store.count({.resource_ids = {"node.a"}}) == 1);
  CHECK(store.query({.resource_ids = {"node.a"}}).events.at(0)->resource.id() == "node.a");
  CHECK(store.count({.related = {{.ids = {"rel.a"}}}}) == 1);
  CHECK(store.query({.related = {{.ids = {"rel.a"}}}}).events.at(0)->resource.id() == "node.a");
}

TEST_CASE("retention removes the related_ids rows of the events it deletes") {
  TempPath file;
  auto rows = [&] {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT count(*), count(*) = (SELECT count(*) FROM related_ids r "
                               "JOIN events e ON e.seq = r.seq AND e.occurred = r.occurred) "
                               "FROM related_ids",
                               -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    auto n = sqlite3_column_int(stmt, 0);
    CHECK(sqlite3_column_int(stmt, 1) == 1);  // every row names a stored event
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  };
  SqliteEventStore store(file.path);
  const auto t = eventwire::parse_timestamp("2024-03-01T00:00:00Z");
  using R = eventwire::RelatedResource;
  std::vector<EventPtr> batch;
  for (int i = 0; i < 10; ++i) {
    batch.push_back(std::make_shared<const Event>(
        Event{.occurred = t + std::chrono::seconds(i),
              .event = "e",
              .resource = {{"prefect.resource.id", "n"}},
              .related = {R{{"prefect.resource.id", "b"}, {"prefect.resource.role", "branch"}},
                          R{{"prefect.resource.id", "b"}, {"prefect.resource.role", "other"}},
                          R{{"prefect.resource.id", "a" + std::to_string(i)},
                            {"prefect.resource.role", "account"}}}}));
  }
  CHECK(store.append_batch(batch) == 10);
  CHECK(rows() == 20);  // "b" once per event
  CHECK(store.delete_before(t + std::chrono::seconds(3)) == 3);
  CHECK(rows() == 14);
  CHECK(store.keep_latest(20) == 0);
  CHECK(rows() == 14);
  CHECK(store.keep_latest(4) == 3);
  CHECK(rows() == 8);
  CHECK(store.count({.related = {{.ids = {"b"}}}}) == 4);
  CHECK(store.count({.related = {{.ids = {"a5"}}}}) == 0);
  CHECK(store.count({.related = {{.ids = {"a6"}}}}) == 1);
  CHECK(store.keep_latest(0) == 4);
  CHECK(rows() == 0);
  CHECK(store.append(batch[0]));
  CHECK(store.count({.related = {{.ids = {"b"}}}}) == 1);
}

TEST_CASE("a store of schema version 4 is migrated: its id indexes in chunks of 1024 events") {
  TempPath file;
  std::vector<EventPtr> batch{make("a"), make("b")};
  {
    SqliteEventStore store(file.path);
    REQUIRE(store.append_batch(batch) == 2);
  }
  // Version 4 had the same tables and chunks of 4096 events: as seqs 5001 and 5002, the events are
  // in its chunk 1 (in chunk 4 of 1024 events).
  sql(file.path, R"sql(
    UPDATE events SET seq = seq + 5000, chunk = (seq + 5000) >> 12;
    UPDATE related_ids SET seq = seq + 5000, chunk = (seq + 5000) >> 12;
    DELETE FROM id_chunks;
    INSERT INTO id_chunks SELECT chunk, min(occurred), max(occurred) FROM events GROUP BY chunk;
    PRAGMA user_version = 4;)sql");
  REQUIRE(scalar(file.path, "SELECT group_concat(DISTINCT chunk) FROM related_ids") == "1");
  {
    SqliteEventStore store(file.path);
    CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 2);
    CHECK(store.query({.resource_ids = {"infrahub.node.1"}}).events.size() == 2);
    CHECK(store.append(make("c")));  // seq 5003: the same chunk of 1024 events
    auto page = store.query({.related = {{.ids = {"infrahub.branch.b"}}}});
    REQUIRE(page.events.size() == 3);
    CHECK(page.events[2]->id == batch[0]->id);
    CHECK(store.query({.resource_ids = {"infrahub.node.1"}}).events.size() == 3);
  }
  CHECK(schema_of(file.path).second == SqliteEventStore::schema_version);
  CHECK(scalar(file.path, "SELECT group_concat(DISTINCT chunk) FROM events") == "4");
  CHECK(scalar(file.path, "SELECT group_concat(DISTINCT chunk) FROM related_ids") == "4");
  CHECK(scalar(file.path, "SELECT group_concat(chunk) FROM id_chunks") == "4");
  CHECK(scalar(file.path, "SELECT count(*) FROM related_ids") == "3");
}

TEST_CASE("a batch repeating stored ids, or an id twice, stores each id once, in order") {
  TempPath file;
  SqliteEventStore store(file.path);
  // More events than one insert statement takes, so that the statements of many rows meet the
  // repeats: a stored id in the middle of a batch and an id twice in one batch.
  // All at one time: the order of a page is then the order the store accepted them.
  auto at_once = [](int i) {
    auto e = std::make_shared<Event>(*make("e" + std::to_string(i)));
    e->occurred = eventwire::parse_timestamp("2024-03-01T00:00:00Z");
    return EventPtr(std::move(e));
  };
  std::vector<EventPtr> first;
  for (int i = 0; i < 40; ++i)
    first.push_back(at_once(i));
  CHECK(store.append_batch(std::span(first).subspan(10, 1)) == 1);
  std::vector<EventPtr> batch = first;
  batch.push_back(first[20]);
  for (int i = 40; i < 80; ++i)
    batch.push_back(at_once(i));
  std::vector<bool> inserted;
  CHECK(store.append_batch(batch, &inserted) == 79);
  REQUIRE(inserted.size() == 81);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    CAPTURE(i);
    CHECK(inserted[i] == (i != 10 && i != 40));
  }
  CHECK(store.size() == 80);
  // Sequence numbers as appended: the page in ascending order is the order of first appearance.
  auto page = store.query({.order = eventwire::EventOrder::ascending, .limit = 100});
  REQUIRE(page.events.size() == 80);
  CHECK(page.events[0]->id == first[10]->id);
  std::vector<EventPtr> expected{first[10]};
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i != 10 && i != 40) expected.push_back(batch[i]);
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(page.events[i]->id == expected[i]->id);
  }
  CHECK(scalar(file.path, "SELECT max(seq) - min(seq) + 1 = count(*) FROM events") == "1");
  CHECK(store.count({.related = {{.ids = {"infrahub.branch.b"}}}}) == 80);
}
