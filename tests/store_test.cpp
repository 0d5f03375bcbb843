#include "eventwire/store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>
#include "eventwire/infrahub/events.hpp"

#if defined(EVENTWIRE_HAS_SQLITE)
#include "eventwire/sqlite_store.hpp"
#endif

using eventwire::Event;
using eventwire::EventOrder;
using eventwire::EventPtr;
using eventwire::EventQuery;
using eventwire::MemoryEventStore;
using eventwire::Timestamp;
using namespace std::chrono_literals;

namespace {

const Timestamp t0 = eventwire::parse_timestamp("2024-03-01T00:00:00Z");

EventPtr make(std::string name, Timestamp occurred, std::string resource = "r") {
  return std::make_shared<const Event>(
      Event{.occurred = occurred,
            .event = std::move(name),
            .resource = {{"prefect.resource.id", std::move(resource)}}});
}

std::vector<std::string> names_of(const eventwire::EventPage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.events)
    out.push_back(e->event);
  return out;
}

// The seed's day of events: created/updated/deleted at one-hour steps, with a resource each.
eventwire::EventStore& seeded(eventwire::EventStore& store) {
  store.append(make("infrahub.node.created", t0 + 1h, "infrahub.node.a"));
  store.append(make("infrahub.node.updated", t0 + 2h, "infrahub.node.a"));
  store.append(make("infrahub.branch.created", t0 + 3h, "infrahub.branch.b1"));
  store.append(make("infrahub.node.created", t0 + 4h, "infrahub.node.b"));
  store.append(make("infrahub.node.deleted", t0 + 5h, "infrahub.node.a"));
  return store;
}

// The shared suite runs against every store: both must return identical results.
struct Memory {
  MemoryEventStore store{{.max_events = 0}};
};
#if defined(EVENTWIRE_HAS_SQLITE)
struct Sqlite {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("eventwire-store-test-" + eventwire::Uuid::v4().to_string() + ".db"))
                         .string();
  eventwire::SqliteEventStore store{path};
  ~Sqlite() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path + suffix);
  }
};
#define EVENTWIRE_STORES Memory, Sqlite
#else
#define EVENTWIRE_STORES Memory
#endif

}  // namespace

TEMPLATE_TEST_CASE("read_events as the seed calls it: a time window and an event name", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  seeded(store);
  auto page = store.query({.occurred_after = t0 + 1h,
                           .occurred_before = t0 + 4h,
                           .event_names = {"infrahub.node.created"}});
  CHECK(page.total == 2);
  REQUIRE(page.events.size() == 2);
  CHECK(page.events[0]->resource.id() == "infrahub.node.b");  // descending by default
  CHECK(page.events[1]->resource.id() == "infrahub.node.a");
}

TEMPLATE_TEST_CASE("time bounds are inclusive at the microsecond", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  seeded(store);
  Timestamp edge = t0 + 2h;
  CHECK(store.count({.occurred_after = edge, .occurred_before = edge}) == 1);
  CHECK(store.count({.occurred_after = edge + 1us, .occurred_before = edge + 1h - 1us}) == 0);
  CHECK(store.count({.occurred_after = edge - 1us, .occurred_before = edge}) == 1);
  CHECK(store.count({.occurred_before = edge - 1us}) == 1);
  CHECK(store.count({}) == 5);
}

TEMPLATE_TEST_CASE("name filters: exact, prefix, excluded names and prefixes", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  seeded(store);
  auto q = [&](EventQuery query) {
    query.order = EventOrder::ascending;
    return names_of(store.query(query));
  };
  CHECK(q({.event_prefixes = {"infrahub.branch."}}) ==
        std::vector<std::string>{"infrahub.branch.created"});
  CHECK(q({.event_names = {"infrahub.node.deleted", "infrahub.branch.created"}}) ==
        std::vector<std::string>{"infrahub.branch.created", "infrahub.node.deleted"});
  CHECK(q({.exclude_prefixes = {"infrahub.node."}}) ==
        std::vector<std::string>{"infrahub.branch.created"});
  CHECK(q({.event_prefixes = {"infrahub.node."}, .exclude_names = {"infrahub.node.created"}}) ==
        std::vector<std::string>{"infrahub.node.updated", "infrahub.node.deleted"});
  CHECK(q({.event_names = {"nothing"}}).empty());
}

TEMPLATE_TEST_CASE("resource and id filters", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  seeded(store);
  CHECK(store.count({.resource_ids = {"infrahub.node.a"}}) == 3);
  CHECK(store.count({.resource_id_prefixes = {"infrahub.branch."}}) == 1);
  auto any = store.query({.limit = 1}).events.at(0);
  REQUIRE(store.get(any->id) != nullptr);
  CHECK(*store.get(any->id) == *any);
  CHECK(store.get(eventwire::Uuid::v4()) == nullptr);
  CHECK(store.count({.ids = {any->id, any->id}}) == 1);
}

TEMPLATE_TEST_CASE("pages: limit and offset over a stable order, total ignores both", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  for (int i = 0; i < 120; ++i)
    store.append(make("e", t0 + std::chrono::seconds(i % 7)));  // ties
  std::vector<EventPtr> all;
  for (std::size_t offset = 0;; offset += 50) {
    auto page = store.query({.order = EventOrder::ascending, .limit = 50, .offset = offset});
    CHECK(page.total == 120);
    all.insert(all.end(), page.events.begin(), page.events.end());
    if (page.events.size() < 50) break;
  }
  REQUIRE(all.size() == 120);
  for (std::size_t i = 1; i < all.size(); ++i)
    CHECK(all[i - 1]->occurred <= all[i]->occurred);
  CHECK(store.query({.limit = 50, .offset = 120}).events.empty());
  auto fast = store.query({.limit = 10, .include_total = false});
  CHECK(fast.events.size() == 10);
  CHECK(fast.total == 0);
}

TEMPLATE_TEST_CASE("a redelivered event (same id) is stored once", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  auto e = make("e", t0);
  CHECK(store.append(e));
  CHECK_FALSE(store.append(std::make_shared<const Event>(*e)));
  CHECK(store.size() == 1);
  std::vector<EventPtr> batch{make("a", t0), e, make("b", t0)};
  CHECK(store.append_batch(batch) == 2);
  CHECK(store.size() == 3);
}

TEMPLATE_TEST_CASE("events arriving out of time order are still found and ordered", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  store.append(make("late", t0 + 10s));
  store.append(make("early", t0 + 1s));
  store.append(make("middle", t0 + 5s));
  CHECK(names_of(store.query({.order = EventOrder::ascending})) ==
        std::vector<std::string>{"early", "middle", "late"});
  CHECK(store.count({.occurred_before = t0 + 5s}) == 2);
}

TEST_CASE("eviction drops the earliest-occurred events first") {
  MemoryEventStore store({.max_events = 3});
  seeded(store);
  CHECK(store.size() == 3);
  CHECK(names_of(store.query({.order = EventOrder::ascending})) ==
        std::vector<std::string>{"infrahub.branch.created", "infrahub.node.created",
                                 "infrahub.node.deleted"});
  CHECK(store.count({.event_names = {"infrahub.node.updated"}}) == 0);

  MemoryEventStore by_bytes({.max_events = 0, .max_bytes = 4000});
  for (int i = 0; i < 100; ++i)
    by_bytes.append(make("e", t0 + std::chrono::seconds(i)));
  CHECK(by_bytes.bytes() <= 4000);
  CHECK(by_bytes.size() < 100);
  CHECK(by_bytes.query({.limit = 1}).events.at(0)->occurred == t0 + 99s);
}

TEMPLATE_TEST_CASE("retention: delete before a time, keep the latest N", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  seeded(store);
  CHECK(store.delete_before(t0 + 2h) == 1);
  CHECK(store.size() == 4);
  CHECK(store.keep_latest(2) == 2);
  CHECK(names_of(store.query({.order = EventOrder::ascending})) ==
        std::vector<std::string>{"infrahub.node.created", "infrahub.node.deleted"});
  CHECK(store.count({.event_names = {"infrahub.branch.created"}}) == 0);
}

TEMPLATE_TEST_CASE("concurrent appends and queries", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 5000; ++i)
        store.append(make(w % 2 ? "odd" : "even", t0 + std::chrono::microseconds(i)));
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 200; ++i)
      (void)store.query({.event_names = {"odd"}, .limit = 5});
  });
  for (auto& w : writers)
    w.join();
  reader.join();
  CHECK(store.size() == 20000);
  CHECK(store.count({.event_names = {"odd"}}) == 10000);
}

TEMPLATE_TEST_CASE("related filters: id, role, (id, role) pairs, several ANDed", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  auto with_related = [](std::string name, std::vector<eventwire::RelatedResource> related) {
    return std::make_shared<const Event>(Event{.occurred = t0,
                                               .event = std::move(name),
                                               .resource = {{"prefect.resource.id", "r"}},
                                               .related = std::move(related)});
  };
  using R = eventwire::RelatedResource;
  store.append(with_related(
      "a", {R{{"prefect.resource.id", "infrahub.branch.main"},
              {"prefect.resource.role", "infrahub.branch"}},
            R{{"prefect.resource.id", "acc-1"}, {"prefect.resource.role", "infrahub.account"}}}));
  store.append(with_related(
      "b", {R{{"prefect.resource.id", "infrahub.branch.dev"},
              {"prefect.resource.role", "infrahub.branch"}},
            R{{"prefect.resource.id", "acc-1"}, {"prefect.resource.role", "infrahub.account"}}}));
  store.append(with_related(
      "c", {R{{"prefect.resource.id", "acc-1"}, {"prefect.resource.role", "infrahub.branch"}}}));
  auto names = [&](EventQuery q) {
    q.order = EventOrder::ascending;
    return names_of(store.query(q));
  };
  CHECK(names({.related = {{.ids = {"acc-1"}}}}) == std::vector<std::string>{"a", "b", "c"});
  CHECK(names({.related = {{.ids = {"acc-1"}, .roles = {"infrahub.account"}}}}) ==
        std::vector<std::string>{"a", "b"});
  CHECK(names({.related = {{.resources_in_roles = {{"acc-1", "infrahub.branch"}}}}}) ==
        std::vector<std::string>{"c"});
  CHECK(names({.related = {{.ids = {"infrahub.branch.main"}}, {.roles = {"infrahub.account"}}}}) ==
        std::vector<std::string>{"a"});
  // One related resource must satisfy a whole filter: main is a branch, acc-1 the account.
  CHECK(names({.related = {{.ids = {"infrahub.branch.main"}, .roles = {"infrahub.account"}}}})
            .empty());
}

TEMPLATE_TEST_CASE("family: the root, then every descendant, parents first", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  auto ctx = eventwire::InfrahubContext::init({.name = "main", .id = "b"}, {.account_id = "a"});
  using namespace eventwire::infrahub;
  NodeMutatedEvent root{.meta = eventwire::EventMeta::from_context(ctx),
                        .kind = "K",
                        .node_id = "n1",
                        .action = MutationAction::created};
  ArtifactGeneratedEvent first{.meta = eventwire::EventMeta::from_parent(root), .node_id = "art-1"};
  ArtifactGeneratedEvent second{.meta = eventwire::EventMeta::from_parent(root),
                                .node_id = "art-2"};
  NodeMutatedEvent grandchild{.meta = eventwire::EventMeta::from_parent(first),
                              .kind = "K",
                              .node_id = "n2",
                              .action = MutationAction::updated};
  NodeMutatedEvent stranger{.meta = eventwire::EventMeta::from_context(ctx),
                            .kind = "K",
                            .node_id = "n3",
                            .action = MutationAction::created};
  int step = 0;
  auto put = [&](eventwire::Event e) {
    e.occurred = t0 + std::chrono::seconds(++step);
    store.append(std::make_shared<const Event>(std::move(e)));
  };
  put(to_event(root));
  put(to_event(first));
  put(to_event(second));
  put(to_event(grandchild));
  put(to_event(stranger));
  for (const auto& start : {root.meta.id, grandchild.meta.id, second.meta.id}) {
    auto tree = store.family(start);
    REQUIRE(tree.size() == 4);
    CHECK(tree[0].first->id == root.meta.id);
    CHECK(tree[0].second == 0);
    CHECK(tree[1].first->id == first.meta.id);
    CHECK(tree[1].second == 1);
    CHECK(tree[2].first->id == grandchild.meta.id);
    CHECK(tree[2].second == 2);
    CHECK(tree[3].first->id == second.meta.id);
    CHECK(tree[3].second == 1);
  }
  CHECK(store.family(stranger.meta.id).size() == 1);
  CHECK(store.family(eventwire::Uuid::v4()).empty());
}
