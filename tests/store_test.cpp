#include "eventwire/store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <set>
#include <thread>
#include "benchmarks/sample_events.hpp"
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

TEMPLATE_TEST_CASE("resource ids and prefixes compare bytes, case and all", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  const std::vector<std::string> ids{"infrahub.node",
                                     "infrahub.node.",
                                     "infrahub.node.a",
                                     "infrahub.node/",
                                     "infrahub.nodf",
                                     "INFRAHUB.NODE.a",
                                     "caf\xc3\xa9",
                                     "caf\xc3\xa9s",
                                     "cafe",
                                     "\xf4\x8f\xbf\xbf" /* U+10FFFF */,
                                     "\xf4\x8f\xbf\xbf!",
                                     "\xf4\x8f\xbf\xbe",
                                     ""};
  for (std::size_t i = 0; i < ids.size(); ++i)
    store.append(make("e", t0 + std::chrono::seconds(i), ids[i]));
  auto count = [&](std::vector<std::string> exact, std::vector<std::string> prefixes) {
    return store.count(
        {.resource_ids = std::move(exact), .resource_id_prefixes = std::move(prefixes)});
  };
  CHECK(count({}, {"infrahub.node."}) == 2);
  CHECK(count({}, {"infrahub.node"}) == 4);
  CHECK(count({}, {"infrahub."}) == 5);
  CHECK(count({"infrahub.node"}, {}) == 1);
  CHECK(count({"infrahub.node.A"}, {}) == 0);
  CHECK(count({}, {"caf\xc3\xa9"}) == 2);
  CHECK(count({}, {"caf"}) == 3);
  CHECK(count({"cafe"}, {}) == 1);
  CHECK(count({}, {"\xf4\x8f\xbf\xbf"}) == 2);
  CHECK(count({}, {"\xf4\x8f\xbf"}) == 3);
  CHECK(count({""}, {}) == 1);
  CHECK(count({}, {""}) == ids.size());
  CHECK(count({}, {"cafe", "infrahub.node."}) == 3);
  CHECK(count({}, {"nothing", ""}) == ids.size());
  CHECK(store.count({.exclude_prefixes = {""}}) == 0);  // every name starts with ""
  CHECK(count({"infrahub.node.a", "cafe"}, {"infrahub."}) == 1);
  CHECK(count({"infrahub.node.a", "cafe"}, {""}) == 2);
  auto page = store.query(
      {.resource_id_prefixes = {"infrahub.node"}, .order = EventOrder::ascending, .limit = 3});
  REQUIRE(page.events.size() == 3);
  CHECK(page.total == 4);
  CHECK(page.events[0]->resource.id() == "infrahub.node");
  CHECK(page.events[2]->resource.id() == "infrahub.node.a");
}

TEMPLATE_TEST_CASE("resource and related ids over thousands of events, through retention",
                   "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  using R = eventwire::RelatedResource;
  constexpr int n = 10'000;
  std::vector<EventPtr> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(std::make_shared<const Event>(
        Event{.occurred = t0 + std::chrono::seconds(i),
              .event = "e",
              .resource = {{"prefect.resource.id", "n" + std::to_string(i % 7)}},
              .related = {R{{"prefect.resource.id", "acc" + std::to_string(i % 3)},
                            {"prefect.resource.role", "infrahub.account"}},
                          R{{"prefect.resource.id", "b"}, {"prefect.resource.role", "branch"}}}}));
    if (batch.size() == 1000) {
      store.append_batch(batch);
      batch.clear();
    }
  }
  // Expected counts straight from the construction above, for events first..n-1.
  auto expected = [&](int first, auto&& keep) {
    std::size_t c = 0;
    for (int i = first; i < n; ++i)
      c += keep(i) ? 1 : 0;
    return c;
  };
  for (int first : {0, n - 2500}) {
    CAPTURE(first);
    CHECK(store.count({.resource_ids = {"n3"}}) ==
          expected(first, [](int i) { return i % 7 == 3; }));
    CHECK(store.count({.resource_ids = {"n3", "n5"}}) ==
          expected(first, [](int i) { return i % 7 == 3 || i % 7 == 5; }));
    CHECK(store.count({.resource_id_prefixes = {"n"}}) ==
          expected(first, [](int) { return true; }));
    CHECK(store.count({.related = {{.ids = {"acc1"}, .roles = {"infrahub.account"}}}}) ==
          expected(first, [](int i) { return i % 3 == 1; }));
    CHECK(store.count({.related = {{.ids = {"acc1"}, .roles = {"branch"}}}}) == 0);
    CHECK(store.count({.related = {{.resources_in_roles = {{"acc2", "infrahub.account"}}}}}) ==
          expected(first, [](int i) { return i % 3 == 2; }));
    CHECK(store.count({.related = {{.resources_in_roles = {{"acc2", "branch"}}}}}) == 0);
    CHECK(store.count({.resource_ids = {"n3"}, .related = {{.ids = {"acc1"}}, {.ids = {"b"}}}}) ==
          expected(first, [](int i) { return i % 7 == 3 && i % 3 == 1; }));
    // Every page of one resource's history, newest first, each event once.
    std::vector<EventPtr> seen;
    EventQuery q{.resource_ids = {"n3"}, .related = {{.ids = {"acc1"}}}, .limit = 50};
    for (;;) {
      auto page = store.query(q);
      seen.insert(seen.end(), page.events.begin(), page.events.end());
      if (page.next_page.empty()) break;
      q.cursor = page.next_page;
    }
    REQUIRE(seen.size() == expected(first, [](int i) { return i % 7 == 3 && i % 3 == 1; }));
    for (std::size_t i = 1; i < seen.size(); ++i)
      CHECK(seen[i - 1]->occurred - seen[i]->occurred == 21s);
    CHECK(seen.front()->occurred == t0 + std::chrono::seconds(9985));  // 9985 % 21 == 10
    if (first == 0) CHECK(store.keep_latest(2500) == static_cast<std::size_t>(n - 2500));
  }
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
  // Which ones were new: an id already stored, or repeated within the batch, is not.
  auto c = make("c", t0);
  std::vector<EventPtr> again{c, batch[0], c, make("d", t0)};
  std::vector<bool> inserted;
  CHECK(store.append_batch(again, &inserted) == 2);
  CHECK(inserted == std::vector<bool>{true, false, false, true});
  CHECK(store.size() == 5);
}

TEMPLATE_TEST_CASE("an event without a resource id is stored, alone and in a batch", "[store]",
                   EVENTWIRE_STORES) {
  // A store takes what it is given (the service validates before storing): an absent
  // `prefect.resource.id` is read as the empty id, and the event is never silently dropped.
  TestType fixture;
  auto& store = fixture.store;
  auto bare = [](std::string name) {
    return std::make_shared<const Event>(Event{.occurred = t0, .event = std::move(name)});
  };
  auto alone = bare("alone");
  CHECK(store.append(alone));
  REQUIRE(store.get(alone->id) != nullptr);
  std::vector<EventPtr> batch;
  for (int i = 0; i < 40; ++i)  // more than one multi-row statement holds
    batch.push_back(i % 7 == 3 ? bare("bare" + std::to_string(i))
                               : make("named" + std::to_string(i), t0));
  std::vector<bool> inserted;
  CHECK(store.append_batch(batch, &inserted) == batch.size());
  CHECK(inserted == std::vector<bool>(batch.size(), true));
  CHECK(store.size() == 1 + batch.size());
  for (const auto& e : batch)
    CHECK(store.get(e->id) != nullptr);
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

// glibc's own malloc only: sanitizers replace it, and mallinfo2 with it.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
TEST_CASE("bytes() is the heap the events take, as malloc counts it") {
  // What max_bytes bounds should be what a user sees in memory: compare the estimate with
  // glibc's count of bytes in use, for small events and for realistic Infrahub node events.
  auto check = [](const Event& prototype, int n) {
    const std::size_t before = mallinfo2().uordblks;
    {
      MemoryEventStore store({.max_events = 0, .max_bytes = std::size_t{1} << 40});
      for (int i = 0; i < n; ++i) {
        Event e = prototype;
        e.id = eventwire::Uuid::v7();
        store.append(eventwire::share_event(std::move(e)));
      }
      const double in_use = static_cast<double>(mallinfo2().uordblks - before);
      const double estimate = static_cast<double>(store.bytes());
      INFO("estimate " << estimate / n << " B/event, malloc " << in_use / n << " B/event");
      CHECK(estimate > 0.85 * in_use);
      CHECK(estimate < 1.15 * in_use);
    }
  };
  check(eventwire::bench::small_event(), 20'000);
  check(eventwire::bench::infrahub_event(), 3'000);
}
#endif

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
  // Readers of the resource id indexes, which queries bring up to date while sharing the lock.
  std::vector<std::thread> id_readers;
  for (int r = 0; r < 2; ++r) {
    id_readers.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        (void)store.query({.resource_ids = {"r"}, .related = {{.ids = {"x"}}}, .limit = 5});
    });
  }
  for (auto& w : writers)
    w.join();
  reader.join();
  for (auto& r : id_readers)
    r.join();
  CHECK(store.size() == 20000);
  CHECK(store.count({.event_names = {"odd"}}) == 10000);
  CHECK(store.count({.resource_ids = {"r"}}) == 20000);
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

namespace {

using R = eventwire::RelatedResource;

EventPtr labelled(std::string name, Timestamp occurred, eventwire::Resource resource,
                  std::vector<R> related = {}) {
  return std::make_shared<const Event>(Event{.occurred = occurred,
                                             .event = std::move(name),
                                             .resource = std::move(resource),
                                             .related = std::move(related)});
}

// Devices and addresses on branches, with tags: enough labels for every matching rule.
eventwire::EventStore& inventory(eventwire::EventStore& store) {
  store.append(
      labelled("device", t0 + 1s,
               {{"prefect.resource.id", "infrahub.node.d1"},
                {"infrahub.node.kind", "NetworkDevice"},
                {"infrahub.branch.name", "main"}},
               {R{{"prefect.resource.id", "tag.dev"}, {"prefect.resource.role", "tag"}},
                R{{"prefect.resource.id", "tag.prod"}, {"prefect.resource.role", "tag"}}}));
  store.append(labelled("address", t0 + 2s,
                        {{"prefect.resource.id", "infrahub.node.a1"},
                         {"infrahub.node.kind", "IPAddress"},
                         {"infrahub.branch.name", "release-1"}},
                        {R{{"prefect.resource.id", "tag.dev"}, {"prefect.resource.role", "tag"}}}));
  store.append(labelled("prefix", t0 + 3s,
                        {{"prefect.resource.id", "infrahub.node.p1"},
                         {"infrahub.node.kind", "IPPrefix"}},  // no branch label
                        {R{{"prefect.resource.id", "infrahub.node.d1"},
                           {"prefect.resource.role", "infrahub.related.node"},
                           {"infrahub.node.kind", "NetworkDevice"}}}));
  store.append(labelled("literal", t0 + 4s,
                        {{"prefect.resource.id", "my[1]"}, {"infrahub.node.kind", "my[1]"}}));
  return store;
}

std::vector<std::string> ascending_names(const eventwire::EventStore& store, EventQuery q) {
  q.order = EventOrder::ascending;
  return names_of(store.query(q));
}

using Names = std::vector<std::string>;

}  // namespace

TEMPLATE_TEST_CASE("names and prefixes together: a listed name that also has a listed prefix",
                   "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = seeded(fixture.store);
  // Prefect's EventNameFilter ANDs name and prefix (Infrahub relies on it: it always adds the
  // prefix "infrahub." to the names asked for).
  CHECK(ascending_names(store, {.event_names = {"infrahub.node.created", "infrahub.branch.created"},
                                .event_prefixes = {"infrahub.node."}}) ==
        Names{"infrahub.node.created", "infrahub.node.created"});
  CHECK(ascending_names(store, {.event_names = {"infrahub.branch.created"},
                                .event_prefixes = {"infrahub.node."}})
            .empty());
  CHECK(store.count(
            {.resource_ids = {"infrahub.node.a"}, .resource_id_prefixes = {"infrahub.b"}}) == 0);
}

TEMPLATE_TEST_CASE("resource labels follow the trigger matching rules", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = inventory(fixture.store);
  auto names = [&](eventwire::ResourceSpecification spec) {
    return ascending_names(store, {.resource_labels = std::move(spec)});
  };
  CHECK(names({{"infrahub.node.kind", "NetworkDevice"}}) == Names{"device"});
  // A list is an OR; globs (fnmatch) cross dots; keys are ANDed.
  CHECK(names({{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}) == Names{"address", "prefix"});
  CHECK(names({{"infrahub.node.kind", "IP*"}}) == Names{"address", "prefix"});
  CHECK(names({{"infrahub.node.kind", "IP?re*"}}) == Names{"prefix"});
  CHECK(names({{"infrahub.node.kind", "IP*"}, {"infrahub.branch.name", "release-*"}}) ==
        Names{"address"});
  CHECK(names({{"prefect.resource.id", "infrahub.node.[ad]1"}}) == Names{"device", "address"});
  // Negation needs the label present: the prefix has no branch label, so it never matches.
  CHECK(names({{"infrahub.branch.name", "!main"}}) == Names{"address"});
  // ["!a", "!b"] matches every present value (each satisfies one of them).
  CHECK(names({{"infrahub.branch.name", {"!main", "!release-1"}}}) == Names{"device", "address"});
  // An empty list matches nothing; an empty specification everything.
  CHECK(names({{"infrahub.node.kind", std::vector<std::string>{}}}).empty());
  CHECK(names({}).size() == 4);
  // As in Python's fnmatch, "my[1]" is a class: it does not match the text "my[1]".
  CHECK(names({{"infrahub.node.kind", "my[1]"}}).empty());
  CHECK(names({{"infrahub.node.kind", "my[[]1]"}}) == Names{"literal"});
}

TEMPLATE_TEST_CASE("related labels: one related resource satisfies id, role and labels together",
                   "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = inventory(fixture.store);
  auto names = [&](std::vector<eventwire::RelatedFilter> related) {
    return ascending_names(store, {.related = std::move(related)});
  };
  CHECK(names({{.roles = {"infrahub.related.node"},
                .labels = {{"infrahub.node.kind", "Network*"}}}}) == Names{"prefix"});
  CHECK(names({{.labels = {{"prefect.resource.role", "tag"},
                           {"prefect.resource.id", "tag.prod"}}}}) == Names{"device"});
  // Negation over a multi-valued role excludes nothing the other tag satisfies (Prefect's rule).
  CHECK(names({{.labels = {{"prefect.resource.role", "tag"},
                           {"prefect.resource.id", "!tag.dev"}}}}) == Names{"device"});
  // The role filter and the labels must hold on the same related resource.
  CHECK(names({{.roles = {"tag"}, .labels = {{"infrahub.node.kind", "*"}}}}).empty());
  // Several filters: each by some related resource.
  CHECK(names({{.ids = {"tag.dev"}}, {.labels = {{"prefect.resource.id", "tag.p*"}}}}) ==
        Names{"device"});
  // A filter that sets nothing constrains nothing, even for events without related resources.
  CHECK(names({{}}).size() == 4);
}

TEMPLATE_TEST_CASE("any_resource: the primary or a related resource", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = inventory(fixture.store);
  auto names = [&](std::vector<eventwire::AnyResourceFilter> any) {
    return ascending_names(store, {.any_resource = std::move(any)});
  };
  // d1 is the device's own resource and the prefix's related node.
  CHECK(names({{.ids = {"infrahub.node.d1"}}}) == Names{"device", "prefix"});
  CHECK(names({{.id_prefixes = {"tag."}}}) == Names{"device", "address"});
  CHECK(names({{.labels = {{"infrahub.node.kind", "NetworkDevice"}}}}) ==
        Names{"device", "prefix"});
  // One resource must satisfy the whole filter.
  CHECK(names({{.ids = {"infrahub.node.a1"}, .labels = {{"infrahub.node.kind", "Network*"}}}})
            .empty());
  // Several filters are ANDed.
  CHECK(names({{.id_prefixes = {"tag."}}, {.labels = {{"infrahub.node.kind", "IP*"}}}}) ==
        Names{"address"});
}

TEMPLATE_TEST_CASE("cursor pages: every event once, in order, while events are appended", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  std::vector<EventPtr> original;
  for (int i = 0; i < 23; ++i) {
    original.push_back(make("e", t0 + std::chrono::seconds(i % 5)));  // ties on occurred
    store.append(original.back());
  }
  for (auto order : {EventOrder::ascending, EventOrder::descending}) {
    std::vector<EventPtr> seen;
    EventQuery q{.event_names = {"e"}, .order = order, .limit = 5};
    int pages = 0;
    for (;;) {
      auto page = store.query(q);
      CHECK(page.total == store.count({.event_names = {"e"}}));
      seen.insert(seen.end(), page.events.begin(), page.events.end());
      ++pages;
      // Appends between pages: later, earlier and equal times, and another name.
      store.append(make("e", t0 + 1h));
      store.append(make("e", t0 - 1h));
      store.append(make("other", t0 + 2s));
      if (page.next_page.empty()) break;
      q.cursor = page.next_page;
    }
    // Offset pages would have shifted; cursor pages list each original event exactly once and
    // in order (new events may appear only beyond the cursor).
    std::set<std::string> ids;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CHECK(ids.insert(seen[i]->id.to_string()).second);
      if (i > 0) {
        CHECK((order == EventOrder::ascending ? seen[i - 1]->occurred <= seen[i]->occurred
                                              : seen[i - 1]->occurred >= seen[i]->occurred));
      }
    }
    for (const auto& e : original)
      CHECK(ids.count(e->id.to_string()) == 1);
    CHECK(pages >= 5);
  }
}

TEMPLATE_TEST_CASE("page boundaries: a full last page has no next page", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  for (int i = 0; i < 10; ++i)
    store.append(make("e", t0 + std::chrono::seconds(i)));
  auto first = store.query({.limit = 5});
  REQUIRE(first.events.size() == 5);
  REQUIRE_FALSE(first.next_page.empty());
  auto second = store.query({.limit = 5, .cursor = first.next_page});
  CHECK(second.events.size() == 5);
  CHECK(second.next_page.empty());
  CHECK(second.events.front()->occurred == t0 + 4s);
  CHECK(store.query({.limit = 10}).next_page.empty());
  CHECK(store.query({.event_names = {"none"}}).next_page.empty());
}

TEMPLATE_TEST_CASE("bad queries name the field", "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = seeded(fixture.store);
  auto field_of = [&](const EventQuery& q) {
    try {
      (void)store.query(q);
    } catch (const eventwire::ValidationError& e) {
      return e.field();
    }
    return std::string("(no error)");
  };
  CHECK(field_of({.occurred_after = t0 + 2h, .occurred_before = t0 + 1h}) == "occurred_after");
  auto token = store.query({.limit = 1}).next_page;
  REQUIRE_FALSE(token.empty());
  CHECK(field_of({.offset = 1, .cursor = token}) == "cursor");
  CHECK(field_of({.order = EventOrder::ascending, .cursor = token}) == "cursor");
  CHECK(field_of({.cursor = "page-2"}) == "cursor");
  CHECK(field_of({.cursor = token + "x"}) == "cursor");
  CHECK(field_of({.resource_labels = {{"infrahub.node.kind", "\xff"}}}) ==
        "resource_labels['infrahub.node.kind'][0]");
  CHECK(field_of({.related = {{}, {.labels = {{"l", {"a", "\xc3"}}}}}}) ==
        "related[1].labels['l'][1]");
  CHECK_THROWS_AS(store.count({.any_resource = {{.labels = {{"l", "\xff"}}}}}),
                  eventwire::ValidationError);
  CHECK(field_of({.occurred_after = t0, .occurred_before = t0}) == "(no error)");
}

namespace {

// Infrahub events as Infrahub emits them: a request on main by account a-1 creates a device
// (which relates the interface it holds); that creation causes an artifact to be generated.
struct InfrahubHistory {
  eventwire::infrahub::NodeMutatedEvent device;
  eventwire::infrahub::ArtifactGeneratedEvent artifact;
  eventwire::infrahub::NodeMutatedEvent other_branch;
};

InfrahubHistory infrahub_history(eventwire::EventStore& store) {
  using namespace eventwire::infrahub;
  auto main =
      eventwire::InfrahubContext::init({.name = "main", .id = "b-main"}, {.account_id = "a-1"});
  auto dev =
      eventwire::InfrahubContext::init({.name = "dev", .id = "b-dev"}, {.account_id = "a-2"});
  InfrahubHistory h{.device = {.meta = eventwire::EventMeta::from_context(main),
                               .kind = "NetworkDevice",
                               .node_id = "n-device",
                               .action = MutationAction::created},
                    .artifact = {},
                    .other_branch = {.meta = eventwire::EventMeta::from_context(dev),
                                     .kind = "IPAddress",
                                     .node_id = "n-address",
                                     .action = MutationAction::updated}};
  h.artifact = {.meta = eventwire::EventMeta::from_parent(h.device), .node_id = "n-artifact"};
  int step = 0;
  auto put = [&](Event e) {
    e.occurred = t0 + std::chrono::seconds(++step);
    store.append(std::make_shared<const Event>(std::move(e)));
  };
  put(to_event(h.device));  // has_children was set by from_parent above
  put(to_event(h.artifact));
  put(to_event(h.other_branch));
  put(Event{.occurred = t0,
            .event = "prefect.flow-run.Completed",
            .resource = {{"prefect.resource.id", "prefect.flow-run.1"}}});
  return h;
}

}  // namespace

TEMPLATE_TEST_CASE("Infrahub's event query: branches, accounts, nodes, level, has_children",
                   "[store]", EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  auto h = infrahub_history(store);
  auto names = [&](eventwire::InfrahubEventQuery q) {
    q.order = EventOrder::ascending;
    return names_of(store.query(q.to_query()));
  };
  // Only Infrahub's own events are read.
  CHECK(names({}) ==
        Names{"infrahub.node.created", "infrahub.artifact.generated", "infrahub.node.updated"});
  CHECK(names({.branches = {"main"}}) ==
        Names{"infrahub.node.created", "infrahub.artifact.generated"});
  CHECK(names({.branches = {"dev", "main"}}).size() == 3);
  CHECK(names({.account_ids = {"a-2"}}) == Names{"infrahub.node.updated"});
  CHECK(names({.event_types = {"infrahub.node.created", "infrahub.node.updated"},
               .branches = {"dev"}}) == Names{"infrahub.node.updated"});
  CHECK(names({.level = 1}) == Names{"infrahub.artifact.generated"});
  CHECK(names({.level = 0}) == Names{"infrahub.node.created", "infrahub.node.updated"});
  CHECK(names({.has_children = true}) == Names{"infrahub.node.created"});
  CHECK(names({.level = 0, .has_children = false}) == Names{"infrahub.node.updated"});
  CHECK(names({.primary_node_ids = {"n-address"}}) == Names{"infrahub.node.updated"});
  CHECK(names({.related_node_ids = {"n-device"}}) == Names{"infrahub.node.created"});
  CHECK(names({.parent_ids = {h.device.meta.id.to_string()}}) ==
        Names{"infrahub.artifact.generated"});
  CHECK(names({.ids = {h.other_branch.meta.id}}) == Names{"infrahub.node.updated"});
  CHECK(names({.since = t0 + 2s, .until = t0 + 3s}) ==
        Names{"infrahub.artifact.generated", "infrahub.node.updated"});

  // The count is the total over every page; pages hold at most 50.
  auto page = store.query(eventwire::InfrahubEventQuery{.limit = 2}.to_query());
  CHECK(page.events.size() == 2);
  CHECK(page.total == 3);
  CHECK(store.query(eventwire::InfrahubEventQuery{.limit = 2, .offset = 2}.to_query())
            .events.size() == 1);
  CHECK_NOTHROW(eventwire::InfrahubEventQuery{.limit = 50}.to_query());
  try {
    (void)eventwire::InfrahubEventQuery{.limit = 51}.to_query();
    FAIL("a limit above 50 was accepted");
  } catch (const eventwire::ValidationError& e) {
    CHECK(e.field() == "limit");
    CHECK_THAT(e.rule(), Catch::Contains("at most 50"));
  }
  CHECK_THROWS_AS(eventwire::InfrahubEventQuery{.level = -1}.to_query(),
                  eventwire::ValidationError);
}

TEST_CASE("the id index finds every stored event and none evicted, through growth and eviction") {
  MemoryEventStore store({.max_events = 3000});
  std::vector<EventPtr> all;
  for (int i = 0; i < 10'000; ++i) {
    auto e = std::make_shared<const Event>(Event{.occurred = t0 + std::chrono::microseconds(i),
                                                 .event = "e" + std::to_string(i % 3),
                                                 .resource = {{"prefect.resource.id", "r"}},
                                                 .id = eventwire::Uuid::v4()});  // random ids
    all.push_back(e);
    CHECK(store.append(e));
    if (i % 1000 == 999) store.keep_latest(static_cast<std::size_t>(i % 2000));
  }
  std::size_t found = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto back = store.get(all[i]->id);
    if (back) {
      CHECK(back == all[i]);
      ++found;
    }
  }
  CHECK(found == store.size());
  // The latest events are the ones kept, and a redelivered stored id is still refused.
  CHECK(store.get(all.back()->id) == all.back());
  CHECK_FALSE(store.append(all.back()));
  CHECK(store.size() == found);
}

TEST_CASE("the id index holds every event through many growths, batch and single appends") {
  // 70 000 events: the table grows to 262 144 slots, some of them mid-batch.
  MemoryEventStore store({.max_events = 0});
  std::vector<EventPtr> all;
  for (int i = 0; i < 70'000; ++i) {
    all.push_back(std::make_shared<const Event>(Event{.occurred = t0 + std::chrono::microseconds(i),
                                                      .event = "e" + std::to_string(i % 5),
                                                      .resource = {{"prefect.resource.id", "r"}},
                                                      .id = eventwire::Uuid::v4()}));
  }
  CHECK(store.append_batch(std::span(all).first(35'000)) == 35'000);
  for (std::size_t i = 35'000; i < all.size(); ++i)
    CHECK(store.append(all[i]));
  CHECK(store.size() == all.size());
  for (std::size_t i = 0; i < all.size(); i += 97)
    CHECK(store.get(all[i]->id) == all[i]);
  // A redelivered id under a name never stored is refused and leaves no trace of that name.
  auto copy = std::make_shared<Event>(*all[123]);
  copy->event = "never.stored";
  CHECK_FALSE(store.append(copy));
  CHECK(store.count({.event_names = {"never.stored"}}) == 0);
  CHECK(store.count({.event_names = {"e3"}}) == 14'000);
  CHECK(store.keep_latest(10) == all.size() - 10);
  CHECK(store.get(all.back()->id) == all.back());
  CHECK(store.get(all.front()->id) == nullptr);
}

TEST_CASE("share_event keeps the event whole while shared and frees payloads of any depth") {
  using eventwire::json;
  Event event{
      .event = "app.order.placed",
      .resource = {{"prefect.resource.id", "order.1"}},
      .payload = json::parse(R"({"items": [{"sku": "a", "tags": ["x", {"y": [1, 2.5, null]}]},
                                                   {"sku": "b", "tags": []}],
                                         "total": {"amount": 12.5, "currency": "EUR"}})")};
  const Event original = event;
  EventPtr shared = eventwire::share_event(std::move(event));
  CHECK(*shared == original);
  {
    EventPtr second = shared;  // released first: the event stays whole
  }
  CHECK(*shared == original);
  // The release walks containers to a fixed depth; deeper ones are left to nlohmann's
  // destructor. Both halves of a 1 000-level payload are freed (ASan reports any leak).
  json deep = json::object();
  json* level = &deep;
  for (int i = 0; i < 1'000; ++i) {
    (*level)["list"] = json::array({i, json::object()});
    level = &(*level)["next"];
    *level = json::object();
  }
  Event deep_event{.event = "deep", .resource = {{"prefect.resource.id", "d"}}, .payload = deep};
  EventPtr deep_shared = eventwire::share_event(std::move(deep_event));
  CHECK(deep_shared->payload == deep);
  deep_shared.reset();
}

namespace {

// Event i of the id-index suites: occurred at t0 + i seconds, resource "n{i % 5}"; related: the
// account "acc{i % 4}" and, for even i, the node "n{(i + 1) % 5}" as a peer (so a node id is the
// primary resource of some events and a related one of others); every third event lists its
// account twice, in a second role.
EventPtr id_event(int i) {
  std::vector<R> related{R{{"prefect.resource.id", "acc" + std::to_string(i % 4)},
                           {"prefect.resource.role", "account"}}};
  if (i % 2 == 0) {
    related.push_back(R{{"prefect.resource.id", "n" + std::to_string((i + 1) % 5)},
                        {"prefect.resource.role", "peer"}});
  }
  if (i % 3 == 0) {
    related.push_back(R{{"prefect.resource.id", "acc" + std::to_string(i % 4)},
                        {"prefect.resource.role", "other"}});
  }
  return std::make_shared<const Event>(
      Event{.occurred = t0 + std::chrono::seconds(i),
            .event = "e" + std::to_string(i % 2),
            .resource = {{"prefect.resource.id", "n" + std::to_string(i % 5)}},
            .related = std::move(related),
            .payload = {{"i", i}}});
}

int number_of(const EventPtr& e) {
  return e->payload.at("i").get<int>();
}

// The event numbers of every page of `q` (cursor pages of `limit`), in the order listed.
std::vector<int> paged(const eventwire::EventStore& store, EventQuery q, std::size_t limit) {
  q.limit = limit;
  std::vector<int> out;
  for (;;) {
    auto page = store.query(q);
    for (const auto& e : page.events)
      out.push_back(number_of(e));
    if (page.next_page.empty()) return out;
    q.cursor = page.next_page;
  }
}

// Event numbers in [first, last) that `keep` accepts, in `order`.
template <typename Keep>
std::vector<int> numbers(int first, int last, EventOrder order, Keep keep) {
  std::vector<int> out;
  for (int i = first; i < last; ++i)
    if (keep(i)) out.push_back(i);
  if (order == EventOrder::descending) std::reverse(out.begin(), out.end());
  return out;
}

// Checks the id queries of id_event's events against the numbers [first, last) expected stored.
void check_id_queries(const eventwire::EventStore& store, int first, int last) {
  auto primary = [](int node) { return [node](int i) { return i % 5 == node; }; };
  auto peer = [](int node) { return [node](int i) { return i % 2 == 0 && (i + 1) % 5 == node; }; };
  for (auto order : {EventOrder::ascending, EventOrder::descending}) {
    CAPTURE(first, last, order == EventOrder::ascending);
    CHECK(paged(store, {.resource_ids = {"n2"}, .order = order}, 7) ==
          numbers(first, last, order, primary(2)));
    CHECK(paged(store, {.resource_ids = {"n2", "n4", "n2"}, .order = order}, 50) ==
          numbers(first, last, order, [](int i) { return i % 5 == 2 || i % 5 == 4; }));
    CHECK(paged(store, {.related = {{.ids = {"n2"}}}, .order = order}, 7) ==
          numbers(first, last, order, peer(2)));
    // n2 as the primary resource of some events, a related one of others: each once.
    CHECK(paged(store, {.any_resource = {{.ids = {"n2"}}}, .order = order}, 7) ==
          numbers(first, last, order, [&](int i) { return primary(2)(i) || peer(2)(i); }));
    // An account listed twice in one event (two roles) gives that event once.
    CHECK(paged(store, {.related = {{.ids = {"acc1", "acc3"}}}, .order = order}, 9) ==
          numbers(first, last, order, [](int i) { return i % 2 == 1; }));
    CHECK(paged(store, {.related = {{.resources_in_roles = {{"acc0", "other"}}}}, .order = order},
                5) == numbers(first, last, order, [](int i) { return i % 4 == 0 && i % 3 == 0; }));
    // Several indexed filters, and a window: the store may read any index, the result is one.
    const Timestamp from = t0 + std::chrono::seconds(first + (last - first) / 3);
    const Timestamp until = t0 + std::chrono::seconds(last - (last - first) / 4);
    auto in_window = [&](int i) {
      auto at = t0 + std::chrono::seconds(i);
      return at >= from && at <= until;
    };
    CHECK(paged(store,
                {.occurred_after = from,
                 .occurred_before = until,
                 .resource_ids = {"n1"},
                 .related = {{.ids = {"acc2", "n2"}}},
                 .order = order},
                4) == numbers(first, last, order, [&](int i) {
            return in_window(i) && i % 5 == 1 && (i % 4 == 2 || peer(2)(i));
          }));
    CHECK(paged(store,
                {.event_names = {"e0"},
                 .related = {{.ids = {"n3"}}, {.ids = {"acc0", "acc2"}}},
                 .order = order},
                3) == numbers(first, last, order, [&](int i) { return peer(3)(i); }));
  }
  CHECK(store.count({.resource_ids = {"n9"}}) == 0);
  CHECK(store.count({.related = {{.ids = {"n0"}}}}) ==
        numbers(first, last, EventOrder::ascending, peer(0)).size());
}

}  // namespace

TEMPLATE_TEST_CASE("resource and related id indexes: pages, orders, retention", "[store]",
                   EVENTWIRE_STORES) {
  TestType fixture;
  auto& store = fixture.store;
  // Appended out of time order: blocks of 100, each block backwards, the blocks shuffled.
  constexpr int n = 2000;
  std::vector<int> blocks;
  for (int b = 0; b < n / 100; ++b)
    blocks.push_back((b * 7) % (n / 100));
  for (int b : blocks) {
    std::vector<EventPtr> batch;
    for (int i = b * 100 + 99; i >= b * 100; --i)
      batch.push_back(id_event(i));
    if (b % 2) {
      store.append_batch(batch);
    } else {
      for (const auto& e : batch)
        store.append(e);
    }
  }
  REQUIRE(store.size() == n);
  check_id_queries(store, 0, n);
  CHECK(store.delete_before(t0 + std::chrono::seconds(613)) == 613);
  check_id_queries(store, 613, n);
  CHECK(store.keep_latest(250) == n - 613 - 250);
  check_id_queries(store, n - 250, n);
  // Ids whose every event was deleted come back with new events.
  for (int i = n; i < n + 300; ++i)
    store.append(id_event(i));
  CHECK(store.keep_latest(0) == 550);
  check_id_queries(store, 0, 0);
  for (int i = 5000; i < 5040; ++i)
    store.append(id_event(i));
  check_id_queries(store, 5000, 5040);
}

TEST_CASE("eviction keeps the id indexes exact, for events appended in and out of order") {
  MemoryEventStore store({.max_events = 300});
  // Events up to 900 in order, with every 10th one arriving 150 events late.
  std::vector<int> order;
  for (int i = 0; i < 900; ++i) {
    if (i % 10 != 5) order.push_back(i);
    if (i >= 150 && (i - 150) % 10 == 5) order.push_back(i - 150);
  }
  int appended = 0;
  for (int i : order) {
    store.append(id_event(i));
    ++appended;
    if (appended % 97 == 0 || appended == static_cast<int>(order.size())) {
      // What is stored: the latest 300 of what arrived (a late event older than every stored one
      // is evicted at once).
      std::vector<int> arrived(order.begin(), order.begin() + appended);
      std::sort(arrived.begin(), arrived.end());
      std::vector<int> kept(arrived.end() - std::min<std::ptrdiff_t>(300, appended), arrived.end());
      auto stored = [&](int k) { return std::binary_search(kept.begin(), kept.end(), k); };
      CAPTURE(appended);
      CHECK(
          paged(store, {.resource_ids = {"n3"}}, 11) ==
          numbers(0, 900, EventOrder::descending, [&](int k) { return stored(k) && k % 5 == 3; }));
      CHECK(paged(store, {.any_resource = {{.ids = {"n3"}}}, .order = EventOrder::ascending}, 11) ==
            numbers(0, 900, EventOrder::ascending, [&](int k) {
              return stored(k) && (k % 5 == 3 || (k % 2 == 0 && (k + 1) % 5 == 3));
            }));
      CHECK(store.count({.related = {{.ids = {"acc2"}}}}) ==
            numbers(0, 900, EventOrder::ascending, [&](int k) {
              return stored(k) && k % 4 == 2;
            }).size());
    }
  }
  // Bounded by bytes: what is left is the latest events, and only they are found by id.
  MemoryEventStore by_bytes({.max_events = 0, .max_bytes = 20'000});
  for (int i = 0; i < 600; ++i)
    by_bytes.append(id_event(i));
  const int left = static_cast<int>(by_bytes.size());
  REQUIRE(left > 10);
  REQUIRE(left < 600);
  CHECK(paged(by_bytes, {.related = {{.ids = {"acc1"}}}}, 6) ==
        numbers(600 - left, 600, EventOrder::descending, [](int k) { return k % 4 == 1; }));
}

TEST_CASE("ids every event has alone: their index entries go with their events") {
  MemoryEventStore store({.max_events = 500});
  auto unique = [](int i) {
    return std::make_shared<const Event>(
        Event{.occurred = t0 + std::chrono::milliseconds(i),
              .event = "e",
              .resource = {{"prefect.resource.id", "node." + std::to_string(i)}},
              .related = {R{{"prefect.resource.id", "event." + std::to_string(i)},
                            {"prefect.resource.role", "infrahub.event"}}}});
  };
  for (int i = 0; i < 20'000; ++i)
    store.append(unique(i));
  for (int i = 0; i < 20'000; i += 37) {
    CAPTURE(i);
    const std::size_t expected = i >= 19'500 ? 1 : 0;
    CHECK(store.count({.resource_ids = {"node." + std::to_string(i)}}) == expected);
    CHECK(store.count({.related = {{.ids = {"event." + std::to_string(i)}}}}) == expected);
  }
  for (int i = 19'500; i < 20'000; ++i) {
    auto page = store.query({.related = {{.ids = {"event." + std::to_string(i)}}}});
    REQUIRE(page.events.size() == 1);
    CHECK(page.events[0]->resource.id() == "node." + std::to_string(i));
  }
}

TEST_CASE("id indexes built by a query stay exact as later appends evict what they indexed") {
  MemoryEventStore store({.max_events = 200});
  auto unique = [](int i) {
    return std::make_shared<const Event>(
        Event{.occurred = t0 + std::chrono::milliseconds(i),
              .event = "e",
              .resource = {{"prefect.resource.id", "node." + std::to_string(i % 50)}},
              .related = {R{{"prefect.resource.id", "event." + std::to_string(i)},
                            {"prefect.resource.role", "infrahub.event"}},
                          R{{"prefect.resource.id", "branch"}, {"prefect.resource.role", "b"}}},
              .payload = {{"i", i}}});
  };
  for (int i = 0; i < 5'000; ++i) {
    store.append(unique(i));
    if (i % 37 != 0) continue;
    // Stored: the latest 200. Each query first indexes what was appended since the last one.
    const int first = std::max(0, i - 199);
    CAPTURE(i);
    CHECK(store.count({.related = {{.ids = {"event." + std::to_string(i)}}}}) == 1);
    CHECK(store.count({.related = {{.ids = {"event." + std::to_string(first)}}}}) == 1);
    if (first > 0) {
      CHECK(store.count({.related = {{.ids = {"event." + std::to_string(first - 1)}}}}) == 0);
    }
    CHECK(store.count({.related = {{.ids = {"branch"}}}}) ==
          static_cast<std::size_t>(i - first + 1));
    CHECK(paged(store, {.resource_ids = {"node.7"}}, 3) ==
          numbers(first, i + 1, EventOrder::descending, [](int k) { return k % 50 == 7; }));
  }
}

TEST_CASE("an event older than one already evicted is found by its ids") {
  MemoryEventStore store;
  for (int i = 0; i < 100; ++i)
    store.append(id_event(i));
  CHECK(store.count({.resource_ids = {"n1"}}) == 20);  // the id indexes now hold all 100
  CHECK(store.delete_before(t0 + std::chrono::seconds(50)) == 50);
  // Arrives after the deletion, older than everything deleted: indexed again from scratch.
  store.append(id_event(3));
  store.append(id_event(1003));
  CHECK(paged(store, {.resource_ids = {"n3"}, .order = EventOrder::ascending}, 4) ==
        std::vector<int>{3, 53, 58, 63, 68, 73, 78, 83, 88, 93, 98, 1003});
  std::vector<int> acc3{1003};
  for (int k = 99; k >= 50; --k)
    if (k % 4 == 3) acc3.push_back(k);
  acc3.push_back(3);
  CHECK(paged(store, {.related = {{.ids = {"acc3"}}}}, 4) == acc3);
}
