#include "eventwire/match.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "detail/json_text.hpp"
#include "detail/utf8.hpp"
#include "eventwire/error.hpp"

namespace eventwire {
namespace {

detail::Glob compile_glob(std::string_view text, const std::string& field) {
  try {
    return detail::Glob(text);
  } catch (const std::invalid_argument& e) {
    throw ValidationError(field, e.what());
  }
}

// 'a', 'b', 'c'
std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items)
    out += fmt::format("{}'{}'", out.empty() ? "" : ", ", item);
  return out;
}

// --- JSON helpers ----------------------------------------------------------------------------

using detail::json_member;

[[noreturn]] void wrong_type(const std::string& field, std::string_view expected, const json& got) {
  detail::wrong_json_type(field, expected, got);
}

std::vector<std::string> read_strings(const json& value, const std::string& field) {
  if (!value.is_array()) wrong_type(field, "a list of strings", value);
  std::vector<std::string> out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) wrong_type(fmt::format("{}[{}]", field, i), "a string", value[i]);
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

std::set<std::string> read_event_names(const json& object, std::string_view key) {
  const json* names = json_member(object, key);
  if (names == nullptr) return {};
  auto list = read_strings(*names, std::string(key));
  return {list.begin(), list.end()};
}

json names_to_json(const std::set<std::string>& names) {
  json out = json::array();
  for (const auto& name : names)
    out.push_back(name);
  return out;
}

// A Prefect field eventwire does not model must hold its default, or be absent.
void require_default(const json& object, std::string_view key, const json& expected,
                     std::string_view why) {
  detail::require_default(json_member(object, key), std::string(key), expected, why);
}

}  // namespace

// --- Pattern ---------------------------------------------------------------------------------

Pattern::Pattern(std::string text)
    : text_(std::move(text)),
      negated_(!text_.empty() && text_[0] == '!'),
      glob_(compile_glob(std::string_view(text_).substr(negated_ ? 1 : 0),
                         fmt::format("pattern '{}'", text_))) {}

// --- ResourceSpecification -------------------------------------------------------------------

ResourceSpecification::ResourceSpecification(std::initializer_list<Entry> entries)
    : ResourceSpecification(std::vector<Entry>(entries)) {}

ResourceSpecification::ResourceSpecification(std::vector<Entry> entries) {
  entries_.reserve(entries.size());
  for (auto& entry : entries)
    set(std::move(entry.first), std::move(entry.second));
}

ResourceSpecification& ResourceSpecification::set(std::string label, LabelPatterns patterns) {
  for (auto& entry : entries_) {
    if (entry.first == label) {
      entry.second = std::move(patterns);
      return *this;
    }
  }
  entries_.emplace_back(std::move(label), std::move(patterns));
  return *this;
}

const LabelPatterns* ResourceSpecification::find(std::string_view label) const noexcept {
  for (const auto& entry : entries_) {
    if (entry.first == label) return &entry.second;
  }
  return nullptr;
}

json ResourceSpecification::to_json() const {
  json out = json::object();
  for (const auto& [label, patterns] : entries_) {
    if (patterns.is_list()) {
      out[label] = patterns.patterns();
    } else {
      out[label] = patterns.patterns().front();
    }
  }
  return out;
}

ResourceSpecification ResourceSpecification::from_json(const json& value,
                                                       const std::string& field) {
  if (!value.is_object()) wrong_type(field, "an object of label patterns", value);
  ResourceSpecification spec;
  for (const auto& [label, patterns] : value.items()) {
    std::string label_field = fmt::format("{}['{}']", field, label);
    if (patterns.is_string()) {
      spec.set(label, LabelPatterns(patterns.get<std::string>()));
    } else if (patterns.is_array()) {
      spec.set(label, LabelPatterns(read_strings(patterns, label_field)));
    } else {
      wrong_type(label_field, "a string or a list of strings", patterns);
    }
  }
  return spec;
}

// --- RelatedSpecification --------------------------------------------------------------------

bool RelatedSpecification::empty() const noexcept {
  return std::all_of(specifications_.begin(), specifications_.end(),
                     [](const ResourceSpecification& spec) { return spec.empty(); });
}

json RelatedSpecification::to_json() const {
  if (!is_list_ && specifications_.size() == 1) return specifications_.front().to_json();
  json out = json::array();
  for (const auto& spec : specifications_)
    out.push_back(spec.to_json());
  return out;
}

RelatedSpecification RelatedSpecification::from_json(const json& value, const std::string& field) {
  if (value.is_object()) return ResourceSpecification::from_json(value, field);
  if (!value.is_array()) wrong_type(field, "an object or a list of objects", value);
  std::vector<ResourceSpecification> specs;
  specs.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    specs.push_back(ResourceSpecification::from_json(value[i], fmt::format("{}[{}]", field, i)));
  }
  return specs;
}

// --- EventTrigger ----------------------------------------------------------------------------

CompiledTrigger EventTrigger::compile() const {
  return CompiledTrigger(*this);
}

json EventTrigger::to_prefect_json() const {
  json out = json::object();
  out["type"] = "event";
  out["match"] = match.to_json();
  // Infrahub's related_resource_specification: a list of one becomes that one specification.
  const auto& related = match_related.specifications();
  out["match_related"] = related.size() == 1 ? related.front().to_json() : match_related.to_json();
  out["after"] = json::array();
  out["expect"] = names_to_json(events);
  out["for_each"] = json::array();
  out["posture"] = "Reactive";
  out["threshold"] = 1;
  out["within"] = 0.0;
  return out;
}

json EventTrigger::to_infrahub_json() const {
  json out = json::object();
  out["events"] = names_to_json(events);
  out["match"] = match.to_json();
  out["match_related"] = match_related.to_json();
  return out;
}

namespace {

EventTrigger read_trigger(const json& value, std::string_view names_key) {
  if (!value.is_object()) wrong_type("trigger", "an object", value);
  EventTrigger trigger;
  trigger.events = read_event_names(value, names_key);
  if (const json* match = json_member(value, "match")) {
    trigger.match = ResourceSpecification::from_json(*match, "match");
  }
  if (const json* related = json_member(value, "match_related")) {
    trigger.match_related = RelatedSpecification::from_json(*related, "match_related");
  }
  return trigger;
}

}  // namespace

EventTrigger EventTrigger::from_prefect_json(const json& value) {
  if (!value.is_object()) wrong_type("trigger", "an object", value);
  require_default(value, "type", "event", "only event triggers are supported");
  require_default(value, "posture", "Reactive",
                  "Infrahub triggers are Reactive; eventwire keeps no time windows");
  require_default(value, "threshold", 1, "Infrahub triggers fire on every matching event");
  require_default(value, "within", 0, "Infrahub triggers fire on every matching event");
  require_default(value, "after", json::array(), "Infrahub triggers have no 'after' events");
  require_default(value, "for_each", json::array(), "Infrahub triggers do not bucket events");
  return read_trigger(value, "expect");
}

EventTrigger EventTrigger::from_infrahub_json(const json& value) {
  return read_trigger(value, "events");
}

EventTrigger EventTrigger::from_json(const json& value) {
  if (value.is_object() && (value.contains("expect") || value.contains("type"))) {
    if (value.contains("events")) {
      throw ValidationError("trigger",
                            "has both 'events' (Infrahub's form) and 'expect' or "
                            "'type' (Prefect's form); use one form");
    }
    return from_prefect_json(value);
  }
  return from_infrahub_json(value);
}

EventTrigger EventTrigger::parse(std::string_view text) {
  const EventLimits limits;
  return from_json(
      detail::parse_json_text(text, "trigger JSON", limits.max_input_bytes, limits.max_json_depth));
}

// --- CompiledTrigger: compiling --------------------------------------------------------------

CompiledTrigger::Specification CompiledTrigger::compile_specification(
    const ResourceSpecification& spec, const std::string& field) {
  Specification out;
  out.reserve(spec.size());
  for (const auto& [label, patterns] : spec) {
    Label compiled{label, {}};
    compiled.patterns.reserve(patterns.patterns().size());
    for (std::size_t i = 0; i < patterns.patterns().size(); ++i) {
      try {
        compiled.patterns.emplace_back(patterns.patterns()[i]);
      } catch (const ValidationError& e) {
        throw ValidationError(fmt::format("{}['{}'][{}]", field, label, i), e.rule());
      }
    }
    out.push_back(std::move(compiled));
  }
  return out;
}

CompiledTrigger::CompiledTrigger(EventTrigger trigger) : trigger_(std::move(trigger)) {
  for (const auto& name : trigger_.events) {
    std::string field = fmt::format("events['{}']", name);
    if (name.find_first_of("*?[") == std::string::npos) {
      compile_glob(name, field);  // validates UTF-8 only; an exact name is compared as bytes
      exact_names_.push_back(name);
      continue;
    }
    NamePattern pattern{name, compile_glob(name, field)};
    if (name[0] == '!')
      pattern.negated_glob = compile_glob(std::string_view(name).substr(1), field);
    // covers() reads the name as a regex: re.escape, then every `*` becomes `.+`.
    for (std::size_t from = 0;;) {
      std::size_t star = name.find('*', from);
      pattern.covers.push_back(name.substr(from, star - from));
      if (star == std::string::npos) break;
      from = star + 1;
    }
    pattern.covers_newline = name.find('\n') != std::string::npos;
    name_patterns_.push_back(std::move(pattern));
  }
  // std::set iterates in order, so exact_names_ is sorted for binary_search.

  match_ = compile_specification(trigger_.match, "match");
  const auto& specs = trigger_.match_related.specifications();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].empty()) continue;  // includes() of an empty specification is always true
    std::string field = trigger_.match_related.is_list() ? fmt::format("match_related[{}]", i)
                                                         : std::string("match_related");
    related_.push_back(compile_specification(specs[i], field));
  }
}

// --- CompiledTrigger: matching ---------------------------------------------------------------

// Prefect's covers() for one pattern: `re.match` of `L0.+L1.+...Lk` (every other character
// literal), anchored at the start only; `.` is any character but a newline.
bool CompiledTrigger::covers(const NamePattern& pattern, std::string_view name) {
  const auto& pieces = pattern.covers;
  if (name.substr(0, pieces[0].size()) != pieces[0]) return false;
  if (!pattern.covers_newline) {
    // Leftmost placement is optimal here: between two placements of a newline-free piece there
    // is no newline, so the earlier one leaves every later choice open.
    std::size_t pos = pieces[0].size();
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      std::size_t limit = std::min(name.find('\n', pos), name.size());  // `.+` stops at '\n'
      if (pos >= limit) return false;
      char32_t c = 0;
      std::size_t start = pos + detail::utf8_decode(name, pos, c);  // `.+` takes at least one
      if (pieces[i].empty()) {
        pos = start;
        continue;
      }
      std::size_t at = name.find(pieces[i], start);
      if (at == std::string_view::npos || at > limit) return false;
      pos = at + pieces[i].size();
    }
    return true;
  }
  // A piece holding a newline: track every reachable position (names are short).
  std::vector<char> reach(name.size() + 1, 0);
  reach[pieces[0].size()] = 1;
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    std::vector<char> next(name.size() + 1, 0);
    bool open = false;  // some reachable position lies before here with no newline in between
    bool any = false;
    const std::string& piece = pieces[i];
    for (std::size_t at = 0;;) {  // character boundaries only
      if (open && name.size() - at >= piece.size() && name.compare(at, piece.size(), piece) == 0) {
        next[at + piece.size()] = 1;
        any = true;
      }
      if (at == name.size()) break;
      char32_t c = 0;
      std::size_t width = detail::utf8_decode(name, at, c);
      open = (open || reach[at]) && name[at] != '\n';
      at += width;
    }
    if (!any) return false;
    reach.swap(next);
  }
  return true;
}

bool CompiledTrigger::matches_event_name(std::string_view name) const {
  if (trigger_.events.empty()) return !name.empty() && name[0] != '\n';  // the regex `.+`
  // An exact name passes all three checks by itself. Infrahub's names share long prefixes
  // ("infrahub.node.") and most triggers list one to three, so a short list is scanned comparing
  // length and last byte before the bytes.
  if (exact_names_.size() <= 8) {
    for (const auto& exact : exact_names_) {
      if (exact.size() == name.size() && (name.empty() || exact.back() == name.back()) &&
          exact == name) {
        return true;
      }
    }
  } else if (std::binary_search(exact_names_.begin(), exact_names_.end(), name)) {
    return true;
  }
  // Otherwise each check may be passed by a different pattern, as on the server.
  bool indexed = false;
  bool expected = false;
  for (const auto& p : name_patterns_) {
    bool glob = p.glob.matches(name);
    indexed = indexed || glob;
    expected = expected || (p.negated_glob ? !p.negated_glob->matches(name) : glob);
  }
  if (!indexed) return false;
  for (const auto& exact : exact_names_) {
    expected = expected || (exact[0] == '!' && name != std::string_view(exact).substr(1));
  }
  if (!expected) return false;
  for (const auto& exact : exact_names_) {
    if (name.substr(0, exact.size()) == exact) return true;
  }
  return std::any_of(name_patterns_.begin(), name_patterns_.end(),
                     [&](const NamePattern& p) { return covers(p, name); });
}

bool CompiledTrigger::specification_matches(const Specification& spec,
                                            const Resource& resource) noexcept {
  for (const auto& label : spec) {
    const std::optional<std::string_view> value = resource.find(label.name);
    if (!value) return false;
    if (std::none_of(label.patterns.begin(), label.patterns.end(),
                     [&](const Pattern& p) { return p.matches(*value); })) {
      return false;
    }
  }
  return true;
}

bool CompiledTrigger::matches(const Event& event) const {
  if (!matches_event_name(event.event)) return false;
  if (!specification_matches(match_, event.resource)) return false;
  for (const auto& spec : related_) {
    if (std::none_of(event.related.begin(), event.related.end(),
                     [&](const RelatedResource& r) { return specification_matches(spec, r); })) {
      return false;
    }
  }
  return true;
}

// --- CompiledTrigger: explaining -------------------------------------------------------------

namespace {

// Why `resource` fails `label` (empty when it passes), in words; `owner` names the resource.
std::string label_failure(const std::string& label, const std::vector<Pattern>& patterns,
                          const Resource& resource, std::string_view owner) {
  const std::optional<std::string_view> value = resource.find(label);
  if (!value) {
    return fmt::format(
        "{} has no label '{}' (a missing label never matches, not even a "
        "negated pattern)",
        owner, label);
  }
  if (patterns.empty()) {
    return fmt::format("the patterns for label '{}' are an empty list, which matches nothing",
                       label);
  }
  if (std::any_of(patterns.begin(), patterns.end(),
                  [&](const Pattern& p) { return p.matches(*value); })) {
    return {};
  }
  std::string listed;
  for (const auto& p : patterns) {
    listed += fmt::format("{}'{}'", listed.empty() ? "" : ", ", p.text());
    if (p.negated()) listed += fmt::format(" (which excludes '{}')", p.text().substr(1));
  }
  return fmt::format("{} label '{}' is '{}', which does not match {}{}", owner, label, *value,
                     patterns.size() == 1 ? "" : "any of ", listed);
}

std::string describe(const ResourceSpecification& spec) {
  return spec.to_json().dump();
}

}  // namespace

std::string CompiledTrigger::explain_name(std::string_view name) const {
  if (trigger_.events.empty()) {
    return name.empty() ? "the event name is empty; a trigger with no event names fires for "
                          "every non-empty name"
                        : "the event name starts with a newline, which Prefect's event-name "
                          "check never accepts";
  }
  std::vector<std::string> all(trigger_.events.begin(), trigger_.events.end());
  std::string reason = fmt::format("event name '{}' is not {}{}", name,
                                   all.size() == 1 ? "" : "one of ", quoted_list(all));
  bool glob_only = std::any_of(name_patterns_.begin(), name_patterns_.end(),
                               [&](const NamePattern& p) { return p.glob.matches(name); });
  if (glob_only) {
    reason +=
        "; it fits a pattern as a glob, but Prefect's server also needs the pattern to "
        "match with each '*' standing for at least one character (no newline)";
  }
  if (std::any_of(all.begin(), all.end(), [](const std::string& n) { return n[0] == '!'; })) {
    reason += "; note that a leading '!' does not negate an event name: it is matched literally";
  }
  return reason;
}

MatchExplanation CompiledTrigger::explain(const Event& event) const {
  if (!matches_event_name(event.event)) return {false, explain_name(event.event)};
  for (const auto& label : match_) {
    if (auto why = label_failure(label.name, label.patterns, event.resource, "the resource");
        !why.empty()) {
      return {false, why};
    }
  }
  const auto& specs = trigger_.match_related.specifications();
  std::size_t compiled = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].empty()) continue;
    const Specification& spec = related_[compiled++];
    if (std::any_of(event.related.begin(), event.related.end(),
                    [&](const RelatedResource& r) { return specification_matches(spec, r); })) {
      continue;
    }
    std::string which = trigger_.match_related.is_list()
                            ? fmt::format("match_related[{}] {}", i, describe(specs[i]))
                            : fmt::format("match_related {}", describe(specs[i]));
    if (event.related.empty()) {
      return {false, fmt::format("no related resource satisfies {}: the event has no related "
                                 "resources",
                                 which)};
    }
    // Report the related resource that got furthest through the specification.
    std::size_t best_passed = 0;
    std::string best_why;
    for (std::size_t r = 0; r < event.related.size(); ++r) {
      std::size_t passed = 0;
      std::string why;
      for (const auto& label : spec) {
        why = label_failure(label.name, label.patterns, event.related[r],
                            fmt::format("related[{}]", r));
        if (!why.empty()) break;
        ++passed;
      }
      if (r == 0 || passed > best_passed) {
        best_passed = passed;
        best_why = std::move(why);
      }
    }
    return {false, fmt::format("no related resource satisfies {}; closest: {}", which, best_why)};
  }
  return {true, {}};
}

bool matches(const EventTrigger& trigger, const Event& event) {
  return trigger.compile().matches(event);
}

MatchExplanation explain(const EventTrigger& trigger, const Event& event) {
  return trigger.compile().explain(event);
}

// --- CompiledResourceSpecification -----------------------------------------------------------

CompiledResourceSpecification::CompiledResourceSpecification(
    const ResourceSpecification& specification, const std::string& field)
    : labels_(CompiledTrigger::compile_specification(specification, field)) {}

bool CompiledResourceSpecification::matches(const Resource& resource) const noexcept {
  return CompiledTrigger::specification_matches(labels_, resource);
}

}  // namespace eventwire
