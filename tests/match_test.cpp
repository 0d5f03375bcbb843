#include "eventwire/match.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>  // std::system
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eventwire/error.hpp"

using eventwire::CompiledTrigger;
using eventwire::Event;
using eventwire::EventTrigger;
using eventwire::json;
using eventwire::LabelPatterns;
using eventwire::ParseError;
using eventwire::Pattern;
using eventwire::RelatedResource;
using eventwire::RelatedSpecification;
using eventwire::Resource;
using eventwire::ResourceSpecification;
using eventwire::ValidationError;
using Shape = eventwire::detail::Glob::Shape;

namespace {

// --- the reference: Python, run by the test ---------------------------------------------------

// Collects cases, hands them to tests/match_reference.py (real fnmatch, Prefect's server logic)
// and returns its answers. Nothing here is an expectation we wrote down from our own output.
class PythonReference {
 public:
  std::size_t glob(std::string pattern, std::string value) {
    return add("globs", json::array({std::move(pattern), std::move(value)}));
  }
  std::size_t label(std::string pattern, const std::string* value) {
    return add("labels", json::array({std::move(pattern), value ? json(*value) : json(nullptr)}));
  }
  std::size_t trigger(const EventTrigger& trigger, const Event& event) {
    return add("triggers", json::array({trigger.to_prefect_json(), event.to_json()}));
  }

  /// Runs Python once over every case added; answers()[kind][index] is its verdict.
  const json& run() {
    static int runs = 0;
    auto dir = std::filesystem::temp_directory_path();
    auto stem = fmt::format("eventwire_match_{}_{}", std::random_device{}(), ++runs);
    auto in = dir / (stem + ".cases.json");
    auto out = dir / (stem + ".answers.json");
    std::ofstream(in) << cases_.dump();
    std::string command = fmt::format("\"{}\" \"{}\" \"{}\" \"{}\"", EVENTWIRE_PYTHON,
                                      EVENTWIRE_MATCH_REFERENCE, in.string(), out.string());
    REQUIRE(std::system(command.c_str()) == 0);
    std::ifstream answers(out);
    answers_ = json::parse(answers);
    std::filesystem::remove(in);
    std::filesystem::remove(out);
    return answers_;
  }
  bool answer(std::string_view kind, std::size_t index) const {
    return answers_.at(std::string(kind)).at(index).get<bool>();
  }
  const json& cases(std::string_view kind) const { return cases_.at(std::string(kind)); }

 private:
  std::size_t add(const char* kind, json item) {
    cases_[kind].push_back(std::move(item));
    return cases_[kind].size() - 1;
  }
  json cases_ = {{"globs", json::array()}, {"labels", json::array()}, {"triggers", json::array()}};
  json answers_;
};

// --- events shaped like Infrahub's -------------------------------------------------------------

RelatedResource branch(const std::string& name) {
  return {{"prefect.resource.id", "infrahub.branch.0c1f"},
          {"prefect.resource.role", "infrahub.branch"},
          {"infrahub.resource.id", "0c1f"},
          {"infrahub.resource.label", name}};
}
RelatedResource account(const std::string& id) {
  return {{"prefect.resource.id", "infrahub.account." + id},
          {"prefect.resource.role", "infrahub.account"},
          {"infrahub.resource.id", id}};
}
RelatedResource attribute_update(const std::string& name) {
  return {{"prefect.resource.id", "infrahub.node.42"},
          {"prefect.resource.role", "infrahub.node.attribute_update"},
          {"infrahub.attribute.name", name}};
}
RelatedResource tag(const std::string& name) {
  return {{"prefect.resource.id", "prefect.tag." + name}, {"prefect.resource.role", "tag"}};
}

Event node_event(const std::string& name, const std::string& kind,
                 std::vector<RelatedResource> related) {
  return Event{.event = name,
               .resource = {{"prefect.resource.id", "infrahub.node.42"},
                            {"infrahub.node.kind", kind},
                            {"infrahub.node.id", "42"},
                            {"infrahub.branch.name", "main"}},
               .related = std::move(related)};
}

std::string error_field(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValidationError& e) {
    return e.field();
  }
  return "(no ValidationError)";
}

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const eventwire::error& e) {
    return e.what();
  }
  return "(no error)";
}

// --- random cases --------------------------------------------------------------------------------

struct Random {
  std::mt19937 engine{20261127};
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine);
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  std::string text(const std::vector<std::string>& alphabet, std::size_t max_length) {
    std::string out;
    for (std::size_t n = below(max_length + 1); n > 0; --n)
      out += pick(alphabet);
    return out;
  }
};

// A value a pattern is likely to match: wildcards replaced by something they accept, sometimes.
std::string instantiate(const std::string& pattern, Random& random,
                        const std::vector<std::string>& alphabet) {
  std::string out;
  for (char c : pattern) {
    if (c == '*') {
      out += random.text(alphabet, 3);
    } else if (c == '?' || (c == '[' && random.below(2) == 0)) {
      out += random.pick(alphabet);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

// ================================================================================================
// Globs: the compiled matcher against Python's fnmatch.fnmatchcase
// ================================================================================================

TEST_CASE("Glob edge cases agree with fnmatch.fnmatchcase") {
  const std::vector<std::string> patterns = {"",
                                             "my[1]",
                                             "my1",
                                             "any.old.*",
                                             "any.old",
                                             "[!a]",
                                             "[]]",
                                             "[!]]",
                                             "[]-a]",
                                             "[z-a]",
                                             "[!z-a]",
                                             "[z-a!]",
                                             "[z-a!x]",
                                             "[a-]",
                                             "[-a]",
                                             "[!-a]",
                                             "[a--]",
                                             "[a-c-e]",
                                             "[a-cz-b]",
                                             "[\\]",
                                             "[^a]",
                                             "[[]",
                                             "[abc",
                                             "[!",
                                             "[",
                                             "]",
                                             "[]",
                                             "[!]",
                                             "*",
                                             "**",
                                             "***a",
                                             "?",
                                             "??",
                                             "*.*",
                                             "a*b*c",
                                             "*a*a*a*b",
                                             "[a-z]*",
                                             "infrahub.*",
                                             "infrahub.node.*",
                                             "*.created",
                                             "*node*",
                                             "Infrahub.*",
                                             "infrahub.*.created",
                                             "é?",
                                             "[é-ü]x",
                                             "?€",
                                             "[!é]",
                                             "a\nb",
                                             "a*",
                                             "*a",
                                             "a?",
                                             "[&~|]",
                                             "[a&&b]",
                                             "[a||b]",
                                             "\\*",
                                             "!a",
                                             "a[!b]c",
                                             "[[:alpha:]]",
                                             "ab*ab",
                                             "*\n",
                                             "?*?",
                                             "[!]-]",
                                             "[%--]",
                                             "[--0]",
                                             "[a-a]",
                                             "[!a-a]",
                                             "[b-b-]",
                                             "[a-cb-a]"};
  const std::vector<std::string> values = {"",
                                           "my[1]",
                                           "my1",
                                           "any.old",
                                           "any.old.x",
                                           "any.old.",
                                           "a",
                                           "b",
                                           "c",
                                           "e",
                                           "]",
                                           "-",
                                           "!",
                                           "^",
                                           "[",
                                           "\\",
                                           "z",
                                           "x",
                                           "&",
                                           "|",
                                           "~",
                                           "infrahub.node.created",
                                           "INFRAHUB.node",
                                           "Infrahub.node",
                                           "infrahub..created",
                                           "aaaaab",
                                           "a.b.c",
                                           "a.b",
                                           "é",
                                           "éx",
                                           "üx",
                                           "ýx",
                                           "€",
                                           "a€",
                                           "é€",
                                           "a\nb",
                                           "\n",
                                           "abc",
                                           "axc",
                                           "abb",
                                           "[abc",
                                           "[!",
                                           "[]",
                                           "ab",
                                           "abab",
                                           ".",
                                           ":",
                                           "0",
                                           "%",
                                           "/",
                                           "a/b",
                                           "\\*",
                                           "!a",
                                           "*"};
  PythonReference python;
  for (const auto& p : patterns) {
    for (const auto& v : values)
      python.glob(p, v);
  }
  python.run();
  std::size_t i = 0;
  for (const auto& p : patterns) {
    const eventwire::detail::Glob glob(p);
    for (const auto& v : values) {
      INFO("fnmatchcase(" << json(v).dump() << ", " << json(p).dump() << ")");
      CHECK(glob.matches(v) == python.answer("globs", i++));
    }
  }
}

TEST_CASE("Random globs agree with fnmatch.fnmatchcase") {
  const std::vector<std::string> pattern_chars = {"a",  "b", "c", ".", "*",  "*", "?",
                                                  "[",  "[", "]", "]", "!",  "-", "^",
                                                  "\\", "é", "€", "😀", "\n", "z"};
  const std::vector<std::string> value_chars = {"a", "b", "c", ".", "]",  "[", "!", "-",
                                                "^", "é", "€", "😀", "\n", "z", "x"};
  // Classes are where fnmatch.translate is subtle (chunks, reversed ranges, '!', ']'): build
  // many patterns out of bracketed fragments as well.
  const std::vector<std::string> class_chars = {"a", "b", "c", "z", "-", "-", "!", "]", "^", "é"};
  Random random;
  auto class_pattern = [&] {
    std::string out;
    for (std::size_t n = random.below(4); n > 0; --n) {
      std::size_t kind = random.below(4);
      out += kind == 0 ? random.pick(pattern_chars) : "[" + random.text(class_chars, 5) + "]";
    }
    return out;
  };
  PythonReference python;
  std::vector<std::pair<std::string, std::string>> cases;
  for (int n = 0; n < 6000; ++n) {
    std::string pattern = n % 2 == 0 ? random.text(pattern_chars, 9) : class_pattern();
    for (int k = 0; k < 3; ++k) {
      std::string value =
          k == 0 ? random.text(value_chars, 10) : instantiate(pattern, random, value_chars);
      python.glob(pattern, value);
      cases.emplace_back(pattern, value);
    }
  }
  python.run();
  std::size_t agreed = 0, matched = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    bool expected = python.answer("globs", i);
    bool got = eventwire::detail::Glob(cases[i].first).matches(cases[i].second);
    INFO("fnmatchcase(" << json(cases[i].second).dump() << ", " << json(cases[i].first).dump()
                        << ")");
    CHECK(got == expected);
    agreed += got == expected;
    matched += expected;
  }
  CHECK(agreed == cases.size());
  CHECK(matched > cases.size() / 10);  // the generator really exercises matches, too
}

TEST_CASE("Globs take the fast path for common shapes") {
  using eventwire::detail::Glob;
  CHECK(Glob("infrahub.node.created").shape() == Shape::literal);
  CHECK(Glob("infrahub.*").shape() == Shape::prefix);
  CHECK(Glob("*.created").shape() == Shape::suffix);
  CHECK(Glob("*node*").shape() == Shape::contains);
  CHECK(Glob("dev-*-test").shape() == Shape::prefix_suffix);
  CHECK(Glob("*").shape() == Shape::everything);
  CHECK(Glob("***").shape() == Shape::everything);
  CHECK(Glob("[abc").shape() == Shape::literal);  // an unclosed '[' is a literal
  CHECK(Glob("a?c").shape() == Shape::general);
  CHECK(Glob("a*b*c").shape() == Shape::general);
}

TEST_CASE("Globs never backtrack exponentially") {
  // Python's atomic groups make this linear; a backtracking matcher would never finish.
  const eventwire::detail::Glob glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
  CHECK_FALSE(glob.matches(std::string(20000, 'a')));
  CHECK(glob.matches(std::string(20000, 'a') + "b"));
  const eventwire::detail::Glob classes("*[a]?*[a]?*[a]?*[a]?*[a]?*[a]?*[a]?*[a]?*b");
  CHECK_FALSE(classes.matches(std::string(20000, 'a')));
}

TEST_CASE("Characters are code points; bytes that are not UTF-8 match as surrogateescape would") {
  CHECK(Pattern("?").matches("é"));  // one character, two bytes
  CHECK_FALSE(Pattern("??").matches("é"));
  CHECK(Pattern("?").matches("\xff"));  // Python sees '\udcff'
  CHECK(Pattern("[!a]").matches("\xff"));
  CHECK(Pattern("a*").matches("a\xff\xfe"));
  CHECK(Pattern("??").matches("\xe2\x82"));           // a truncated sequence: two escaped bytes
  CHECK_THROWS_AS(Pattern("\xff"), ValidationError);  // a pattern is a Python string: UTF-8
}

// ================================================================================================
// Label patterns: Prefect's matches(expected, value)
// ================================================================================================

TEST_CASE("Pattern::matches(nullptr) is an absent label, as before values were optional views") {
  // nullptr converts to std::optional<std::string_view> through string_view(const char*), which
  // reads it as a C string: callers written against the pointer API must get "absent" instead.
  CHECK_FALSE(Pattern("!main").matches(nullptr));
  CHECK_FALSE(Pattern("*").matches(nullptr));
  CHECK(Pattern("!main").matches("dev"));
  CHECK_FALSE(Pattern("!main").matches(std::nullopt));
}

TEST_CASE("Label patterns agree with Prefect's matches(), negation and absence included") {
  const std::vector<std::string> patterns = {"main", "!main", "dev-*", "!dev-*", "!",
                                             "",     "!!a",   "!*",    "*",      "?",
                                             "!?",   "main*", "!nah",  "[!m]*"};
  const std::vector<std::string> values = {"main", "dev", "dev-automations", "",     "!nah", "nah",
                                           "!a",   "a",   "mainline",        "!main"};
  PythonReference python;
  for (const auto& p : patterns) {
    for (const auto& v : values)
      python.label(p, &v);
    python.label(p, nullptr);
  }
  python.run();
  std::size_t i = 0;
  for (const auto& p : patterns) {
    const Pattern pattern(p);
    for (const auto& v : values) {
      INFO("matches(" << json(p).dump() << ", " << json(v).dump() << ")");
      CHECK(pattern.matches(v) == python.answer("labels", i++));
    }
    INFO("matches(" << json(p).dump() << ", None)");
    CHECK_FALSE(pattern.matches(std::nullopt));
    CHECK(python.answer("labels", i++) == false);
  }
}

// ================================================================================================
// Triggers: the seed's filters and prefect.md's consequences, checked twice: against the rules
// as documented (the expected column) and against Python running Prefect's server logic.
// ================================================================================================

namespace {

struct TriggerCase {
  const char* what;
  EventTrigger trigger;
  Event event;
  bool expected;  // from the reference notes, not from eventwire's output
};

std::vector<TriggerCase> documented_cases() {
  const EventTrigger by_kind{.events = {"infrahub.node.created", "infrahub.node.updated"},
                             .match = {{"infrahub.node.kind", "NetworkDevice"}}};
  const EventTrigger by_kinds{.events = {"infrahub.node.created", "infrahub.node.updated"},
                              .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}};
  const EventTrigger on_main{.events = {"infrahub.node.created"},
                             .match = {{"infrahub.node.kind", "NetworkDevice"}},
                             .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                               {"infrahub.resource.label", "main"}}};
  const EventTrigger not_main{.events = {"infrahub.node.updated"},
                              .match = {{"infrahub.node.kind", "IPAddress"}},
                              .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                                {"infrahub.resource.label", "!main"}}};
  const EventTrigger by_account{.match_related = {{"prefect.resource.role", "infrahub.account"},
                                                  {"infrahub.resource.id", "user-uuid"}}};
  const EventTrigger by_attribute{
      .events = {"infrahub.node.updated"},
      .match_related = {{"prefect.resource.role", "infrahub.node.attribute_update"},
                        {"infrahub.attribute.name", "ip_address"}}};
  const EventTrigger neither_b1_nor_b2_list{
      .match_related = {ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
                                              {"infrahub.resource.label", "!b1"}},
                        ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
                                              {"infrahub.resource.label", "!b2"}}}};
  const EventTrigger neither_b1_nor_b2_or{
      .match_related = {{"prefect.resource.role", "infrahub.branch"},
                        {"infrahub.resource.label", {"!b1", "!b2"}}}};
  const EventTrigger branch_and_account{
      .match_related = {ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
                                              {"infrahub.resource.label", "main"}},
                        ResourceSpecification{{"prefect.resource.role", "infrahub.account"}}}};
  const EventTrigger not_dev_tag{.match_related = {{"prefect.resource.id", "!prefect.tag.dev"},
                                                   {"prefect.resource.role", "tag"}}};
  const EventTrigger node_wildcard{.events = {"infrahub.node.*"}};
  const EventTrigger everything{};
  const EventTrigger negated_name{.events = {"!infrahub.node.deleted"}};
  const EventTrigger mid_star{.events = {"infrahub.*.created"}};
  const EventTrigger empty_list{.match = {{"infrahub.node.kind", std::vector<std::string>{}}}};
  const EventTrigger missing_negated{.match = {{"infrahub.node.color", "!red"}}};
  const EventTrigger dev_or_not{.match = {{"infrahub.node.kind", {"Dev*", "!DevAutomation"}}}};

  auto created = [](const std::string& kind, std::vector<RelatedResource> related = {}) {
    return node_event("infrahub.node.created", kind, std::move(related));
  };
  auto updated = [](const std::string& kind, std::vector<RelatedResource> related = {}) {
    return node_event("infrahub.node.updated", kind, std::move(related));
  };
  return {
      {"by kind", by_kind, created("NetworkDevice"), true},
      {"by kind, other kind", by_kind, created("Tag"), false},
      {"by kind, other event", by_kind, node_event("infrahub.node.deleted", "NetworkDevice", {}),
       false},
      {"by kind, case-sensitive", by_kind, created("networkdevice"), false},
      {"several kinds, first", by_kinds, updated("IPAddress"), true},
      {"several kinds, second", by_kinds, updated("IPPrefix"), true},
      {"several kinds, neither", by_kinds, updated("IPNamespace"), false},
      {"branch main", on_main, created("NetworkDevice", {account("u"), branch("main")}), true},
      {"branch main, on dev", on_main, created("NetworkDevice", {branch("dev")}), false},
      {"branch main, no branch related", on_main, created("NetworkDevice"), false},
      {"not main, on dev", not_main, updated("IPAddress", {branch("dev")}), true},
      {"not main, on main", not_main, updated("IPAddress", {branch("main")}), false},
      {"not main, no branch at all", not_main, updated("IPAddress", {account("u")}), false},
      {"by account", by_account, created("X", {account("user-uuid"), branch("main")}), true},
      {"by account, other", by_account, created("X", {account("other")}), false},
      {"by attribute change", by_attribute,
       updated("IPAddress", {attribute_update("description"), attribute_update("ip_address")}),
       true},
      {"by attribute change, other attribute", by_attribute,
       updated("IPAddress", {attribute_update("description")}), false},
      {"list of specs excludes b1", neither_b1_nor_b2_list, created("X", {branch("b1")}), false},
      {"list of specs excludes b2", neither_b1_nor_b2_list, created("X", {branch("b2")}), false},
      {"list of specs lets b3 through", neither_b1_nor_b2_list, created("X", {branch("b3")}), true},
      {"['!b1','!b2'] excludes nothing", neither_b1_nor_b2_or, created("X", {branch("b1")}), true},
      {"specs satisfied by different resources", branch_and_account,
       created("X", {branch("main"), account("u")}), true},
      {"specs: one unsatisfied", branch_and_account, created("X", {branch("main")}), false},
      {"negated tag does not exclude a multi-tagged event", not_dev_tag,
       created("X", {tag("dev"), tag("prod")}), true},
      {"negated tag, only dev", not_dev_tag, created("X", {tag("dev")}), false},
      {"wildcard name", node_wildcard, updated("X"), true},
      {"wildcard name needs a character for '*'", node_wildcard,
       node_event("infrahub.node.", "X", {}), false},
      {"wildcard name, other namespace", node_wildcard,
       node_event("infrahub.branch.created", "X", {}), false},
      {"empty events: every event", everything, node_event("anything.at.all", "X", {}), true},
      {"empty events: not an empty name", everything, node_event("", "X", {}), false},
      {"'!' does not negate names", negated_name, updated("X"), false},
      {"mid-pattern '*' in names", mid_star, created("X"), true},
      {"mid-pattern '*' needs a character", mid_star, node_event("infrahub..created", "X", {}),
       false},
      {"empty list matches nothing", empty_list, created("X"), false},
      {"missing label never matches, negated or not", missing_negated, created("X"), false},
      {"positive pattern wins the OR", dev_or_not, created("DevAutomation"), true},
  };
}

}  // namespace

TEST_CASE("The seed's filters and Prefect's documented consequences") {
  auto cases = documented_cases();
  PythonReference python;
  for (const auto& c : cases)
    python.trigger(c.trigger, c.event);
  python.run();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO(c.what << ": " << c.trigger.to_prefect_json().dump() << " / " << c.event.to_json().dump());
    CHECK(python.answer("triggers", i) == c.expected);  // the notes and Python agree
    const CompiledTrigger compiled = c.trigger.compile();
    CHECK(compiled.matches(c.event) == c.expected);
    CHECK(eventwire::matches(c.trigger, c.event) == c.expected);
    auto why = compiled.explain(c.event);
    CHECK(why.matched == c.expected);
    CHECK(why.reason.empty() == c.expected);
  }
}

TEST_CASE("Random triggers and events agree with Prefect's server logic") {
  Random random;
  const std::vector<std::string> labels = {"kind", "branch", "prefect.resource.role", "x"};
  const std::vector<std::string> values = {"main",     "dev", "dev-1", "IPAddress",
                                           "IPPrefix", "",    "!main", "infrahub.branch",
                                           "tag",      "a.b"};
  const std::vector<std::string> patterns = {
      "main",    "!main", "dev*", "!dev*", "*",          "!*",  "?",    "IP*",
      "IP[AP]*", "[!d]*", "",     "!",     "infrahub.*", "*.b", "!a.?", "dev-[0-9]"};
  const std::vector<std::string> names = {"infrahub.node.created",
                                          "infrahub.node.updated",
                                          "infrahub.node.",
                                          "infrahub.branch.created",
                                          "",
                                          "\n",
                                          "a.b",
                                          "a.b\n",
                                          "!a.b",
                                          "a.",
                                          "infrahub.node.a\nb"};
  const std::vector<std::string> name_patterns = {"infrahub.node.created",
                                                  "infrahub.node.*",
                                                  "infrahub.*",
                                                  "*",
                                                  "**",
                                                  "*.created",
                                                  "infrahub.*.created",
                                                  "!a.b",
                                                  "!infrahub.node.created",
                                                  "a.?",
                                                  "a.[b]",
                                                  "a.*",
                                                  "infrahub.node.a\n*",
                                                  "!*",
                                                  "a.b"};

  auto random_spec = [&] {
    ResourceSpecification spec;
    for (std::size_t n = random.below(3); n > 0; --n) {
      std::vector<std::string> list;
      for (std::size_t k = random.below(3); k > 0; --k)
        list.push_back(random.pick(patterns));
      if (random.below(3) == 0 && list.size() == 1) {
        spec.set(random.pick(labels), LabelPatterns(list[0]));
      } else {
        spec.set(random.pick(labels), LabelPatterns(list));
      }
    }
    return spec;
  };
  auto random_resource = [&](bool related) {
    RelatedResource r{{"prefect.resource.id", "r"}};
    if (related) r.set("prefect.resource.role", random.pick(values));
    for (std::size_t n = random.below(4); n > 0; --n)
      r.set(random.pick(labels), random.pick(values));
    return r;
  };

  std::vector<std::pair<EventTrigger, Event>> cases;
  PythonReference python;
  for (int n = 0; n < 3000; ++n) {
    EventTrigger trigger;
    for (std::size_t k = random.below(3); k > 0; --k)
      trigger.events.insert(random.pick(name_patterns));
    trigger.match = random_spec();
    if (random.below(2) == 0) {
      trigger.match_related = random_spec();
    } else {
      std::vector<ResourceSpecification> specs;
      for (std::size_t k = random.below(3); k > 0; --k)
        specs.push_back(random_spec());
      trigger.match_related = specs;
    }
    Event event{.event = random.pick(names), .resource = random_resource(false)};
    for (std::size_t k = random.below(4); k > 0; --k)
      event.related.push_back(random_resource(true));
    python.trigger(trigger, event);
    cases.emplace_back(std::move(trigger), std::move(event));
  }
  python.run();
  std::size_t fired = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [trigger, event] = cases[i];
    bool expected = python.answer("triggers", i);
    INFO(trigger.to_prefect_json().dump() << " / " << event.to_json().dump());
    const CompiledTrigger compiled = trigger.compile();
    CHECK(compiled.matches(event) == expected);
    CHECK(compiled.explain(event).matched == expected);
    fired += expected;
  }
  CHECK(fired > cases.size() / 20);
  CHECK(fired < cases.size() - cases.size() / 20);
}

// ================================================================================================
// API: construction, compile errors, explain, JSON
// ================================================================================================

TEST_CASE("Designated initializers read like the seed") {
  const EventTrigger trigger{.events = {"infrahub.node.created", "infrahub.node.updated"},
                             .match = {{"infrahub.node.kind", "NetworkDevice"}},
                             .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                               {"infrahub.resource.label", "main"}}};
  CHECK(trigger.events.size() == 2);
  CHECK_FALSE(trigger.match.find("infrahub.node.kind")->is_list());
  CHECK_FALSE(trigger.match_related.is_list());
  REQUIRE(trigger.match_related.specifications().size() == 1);
  CHECK(trigger.match_related.specifications()[0].size() == 2);

  const EventTrigger kinds{.match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}}};
  CHECK(kinds.match.find("infrahub.node.kind")->patterns() ==
        std::vector<std::string>{"IPAddress", "IPPrefix"});
  CHECK(kinds.match.find("infrahub.node.kind")->is_list());

  const EventTrigger list{
      .match_related = {ResourceSpecification{{"a", "1"}}, ResourceSpecification{{"b", "2"}}}};
  CHECK(list.match_related.is_list());
  CHECK(list.match_related.specifications().size() == 2);

  const EventTrigger defaults{};
  CHECK(defaults.match_related.empty());
  CHECK(defaults.match.empty());
}

TEST_CASE("A specification keeps label order and replaces a label in place") {
  ResourceSpecification spec{{"b", "1"}, {"a", "2"}, {"b", "3"}};
  CHECK(spec.size() == 2);
  CHECK(spec.begin()->first == "b");
  CHECK(spec.find("b")->patterns() == std::vector<std::string>{"3"});
  CHECK(spec.find("c") == nullptr);
}

TEST_CASE("Invalid patterns are refused when compiling, naming where they are") {
  const std::string bad = "\xff";
  CHECK(error_field([&] {
          EventTrigger{.match = {{"kind", {"ok", bad}}}}.compile();
        }) == "match['kind'][1]");
  CHECK(error_field([&] {
          EventTrigger{.match_related = {ResourceSpecification{{"a", "1"}},
                                         ResourceSpecification{{"role", bad}}}}
              .compile();
        }) == "match_related[1]['role'][0]");
  CHECK(error_field([&] {
          EventTrigger{.match_related = {{"role", bad}}}.compile();
        }) == "match_related['role'][0]");
  CHECK(error_field([&] { EventTrigger{.events = {"infrahub." + bad}}.compile(); }) ==
        "events['infrahub.\xff']");
  CHECK_THAT(error_text([&] {
               EventTrigger{.match = {{"kind", bad}}}.compile();
             }),
             Catch::Contains("UTF-8"));
  // What Python's fnmatch accepts is accepted: an unclosed '[' is a literal '['.
  CHECK(Pattern("[abc").matches("[abc"));
  CHECK_NOTHROW(EventTrigger{.match = {{"kind", {"[", "[!", "[]", "[z-a]"}}}}.compile());
}

TEST_CASE("explain gives the first reason in words") {
  const EventTrigger trigger{
      .events = {"infrahub.node.created", "infrahub.node.updated"},
      .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}, {"infrahub.node.color", "!red"}},
      .match_related = {{"prefect.resource.role", "infrahub.branch"},
                        {"infrahub.resource.label", "!main"}}};
  const CompiledTrigger compiled = trigger.compile();

  auto why = [&](const Event& e) { return compiled.explain(e).reason; };
  Event e = node_event("infrahub.node.deleted", "IPAddress", {branch("dev")});
  CHECK(why(e) ==
        "event name 'infrahub.node.deleted' is not one of 'infrahub.node.created', "
        "'infrahub.node.updated'");
  e.event = "infrahub.node.created";
  CHECK(why(e) ==
        "the resource has no label 'infrahub.node.color' (a missing label never matches, not "
        "even a negated pattern)");
  e.resource.set("infrahub.node.color", "red");
  CHECK(why(e) ==
        "the resource label 'infrahub.node.color' is 'red', which does not match "
        "'!red' (which excludes 'red')");
  e.resource.set("infrahub.node.color", "blue");
  e.resource.set("infrahub.node.kind", "Tag");
  CHECK(why(e) ==
        "the resource label 'infrahub.node.kind' is 'Tag', which does not match any "
        "of 'IPAddress', 'IPPrefix'");
  e.resource.set("infrahub.node.kind", "IPPrefix");
  CHECK(compiled.explain(e).matched);
  e.related = {account("u"), branch("main")};
  CHECK(why(e) ==
        "no related resource satisfies match_related "
        "{\"prefect.resource.role\":\"infrahub.branch\",\"infrahub.resource.label\":\"!main\"}; "
        "closest: related[1] label 'infrahub.resource.label' is 'main', which does not match "
        "'!main' (which excludes 'main')");
  e.related.clear();
  CHECK_THAT(why(e), Catch::Contains("the event has no related resources"));

  const EventTrigger wildcard{.events = {"infrahub.node.*", "!infrahub.branch.created"}};
  CHECK_THAT(eventwire::explain(wildcard, node_event("infrahub.node.", "X", {})).reason,
             Catch::Contains("each '*' standing for at least one character"));
  CHECK_THAT(eventwire::explain(wildcard, node_event("infrahub.branch.created", "X", {})).reason,
             Catch::Contains("a leading '!' does not negate an event name"));

  const EventTrigger list{
      .match_related = {ResourceSpecification{{"a", "1"}}, ResourceSpecification{{"b", "2"}}}};
  Event with_a = node_event(
      "x", "X",
      {RelatedResource{{"prefect.resource.id", "r"}, {"prefect.resource.role", "t"}, {"a", "1"}}});
  CHECK_THAT(eventwire::explain(list, with_a).reason,
             Catch::StartsWith("no related resource satisfies match_related[1] {\"b\":\"2\"}; "
                               "closest: related[0] has no label 'b'"));
  const EventTrigger empty{.match = {{"k", std::vector<std::string>{}}}};
  Event with_k = node_event("x", "X", {});
  with_k.resource.set("k", "v");
  CHECK_THAT(eventwire::explain(empty, with_k).reason, Catch::Contains("an empty list"));
}

TEST_CASE("Prefect's trigger JSON: written with its defaults, read back equal") {
  const EventTrigger trigger{.events = {"infrahub.node.updated", "infrahub.node.created"},
                             .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}},
                             .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                               {"infrahub.resource.label", "!main"}}};
  CHECK(
      trigger.to_prefect_json().dump() ==
      R"({"type":"event","match":{"infrahub.node.kind":["IPAddress","IPPrefix"]},)"
      R"("match_related":{"prefect.resource.role":"infrahub.branch","infrahub.resource.label":"!main"},)"
      R"("after":[],"expect":["infrahub.node.created","infrahub.node.updated"],"for_each":[],)"
      R"("posture":"Reactive","threshold":1,"within":0.0})");
  CHECK(EventTrigger::from_prefect_json(trigger.to_prefect_json()) == trigger);
  CHECK(EventTrigger::parse(trigger.to_prefect_json().dump()) == trigger);
  // Prefect's own minimal form, with an id and a list of related specifications.
  auto read =
      EventTrigger::parse(R"({"type":"event","id":"0b5c...","expect":["a.*"],"posture":"Reactive",)"
                          R"("match_related":[{"prefect.resource.role":"tag"},{"x":["1"]}]})");
  CHECK(read.events == std::set<std::string>{"a.*"});
  CHECK(read.match_related.is_list());
  CHECK(read.match_related.specifications()[1].find("x")->is_list());
  CHECK(read.to_prefect_json()["match_related"].dump() ==
        R"([{"prefect.resource.role":"tag"},{"x":["1"]}])");
  // Infrahub's get_prefect(): a list of one specification is written as that specification.
  const EventTrigger one{.match_related = std::vector<ResourceSpecification>{{{"a", "1"}}}};
  CHECK(one.to_prefect_json()["match_related"].dump() == R"({"a":"1"})");
  CHECK(one.to_infrahub_json()["match_related"].dump() == R"([{"a":"1"}])");
  const EventTrigger none{.match_related = std::vector<ResourceSpecification>{}};
  CHECK(none.to_prefect_json()["match_related"].dump() == "[]");
}

TEST_CASE("Infrahub's trigger JSON round-trips") {
  const EventTrigger trigger{.events = {"infrahub.schema.updated"},
                             .match_related = {{"prefect.resource.role", "infrahub.branch"},
                                               {"infrahub.resource.label", "main"}}};
  CHECK(
      trigger.to_infrahub_json().dump() ==
      R"({"events":["infrahub.schema.updated"],"match":{},)"
      R"("match_related":{"prefect.resource.role":"infrahub.branch","infrahub.resource.label":"main"}})");
  CHECK(EventTrigger::from_infrahub_json(trigger.to_infrahub_json()) == trigger);
  CHECK(EventTrigger::from_json(trigger.to_infrahub_json()) == trigger);
  CHECK(EventTrigger::parse("{}") == EventTrigger{});
}

TEST_CASE("Bad trigger JSON is a typed error naming the field") {
  auto field = [](const char* text) { return error_field([&] { EventTrigger::parse(text); }); };
  CHECK(field(R"({"events": "infrahub.node.created"})") == "events");
  CHECK(field(R"({"events": ["a", 1]})") == "events[1]");
  CHECK(field(R"({"match": {"kind": 3}})") == "match['kind']");
  CHECK(field(R"({"match": {"kind": ["a", null]}})") == "match['kind'][1]");
  CHECK(field(R"({"match": []})") == "match");
  CHECK(field(R"({"match_related": "x"})") == "match_related");
  CHECK(field(R"({"match_related": [{}, {"k": 1}]})") == "match_related[1]['k']");
  CHECK(field(R"({"expect": ["a"], "posture": "Proactive"})") == "posture");
  CHECK(field(R"({"expect": ["a"], "threshold": 2})") == "threshold");
  CHECK(field(R"({"expect": ["a"], "within": 10})") == "within");
  CHECK(field(R"({"expect": ["a"], "after": ["b"]})") == "after");
  CHECK(field(R"({"expect": ["a"], "for_each": ["prefect.resource.id"]})") == "for_each");
  CHECK(field(R"({"type": "compound", "triggers": []})") == "type");
  CHECK(field(R"({"expect": ["a"], "events": ["b"]})") == "trigger");
  CHECK(field(R"([])") == "trigger");
  CHECK_THROWS_AS(EventTrigger::parse("{\"events\": ["), ParseError);
  CHECK_THAT(error_text([] { EventTrigger::parse(R"({"expect": [], "posture": "Proactive"})"); }),
             Catch::Contains("Reactive"));
}
