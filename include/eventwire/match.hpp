/// @file match.hpp
/// Trigger matching, exactly as Prefect's server (≥ 3.6.23) decides whether an event fires an
/// Infrahub trigger: `Pattern`, `ResourceSpecification`, `RelatedSpecification`, `EventTrigger`,
/// its compiled form `CompiledTrigger`, `matches` and `explain`.
///
/// Decisions worth knowing (each pinned by tests against Python's `fnmatch`):
/// - Label patterns are `fnmatch.fnmatchcase` globs. Every pattern Python accepts is accepted and
///   matches as Python does, including the surprises: a `[` with no closing `]` is a literal `[`
///   (so `"[abc"` is valid, not an error), `"my[1]"` does not match the text `my[1]`, and a
///   reversed range such as `[z-a]` matches nothing. The only pattern refused at compile time is
///   one that is not UTF-8, which no Prefect pattern can be.
/// - Event names (`events`, Prefect's `expect`) fire a trigger when all three of the server's
///   checks pass: its index (`fnmatchcase` against some pattern), `covers()` (some pattern, read
///   as a regex where `*` is one or more characters other than a newline and every other
///   character is literal, matches a prefix of the name) and `expects()` (`fnmatchcase`, with a
///   leading `!` negating). So `infrahub.node.*` fires for `infrahub.node.created` but not for
///   `infrahub.node.`, an empty `events` fires for every name that is not empty and does not
///   start with a newline (the regex `.+`), and a leading `!` does not negate a name: `explain`
///   says so.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventwire/detail/glob.hpp"
#include "eventwire/event.hpp"
#include "eventwire/json.hpp"

namespace eventwire {

/// One label pattern, compiled: an `fnmatchcase` glob, negated by one leading `!`.
///
/// Contract (Prefect's `matches(expected, value)`): an absent value never matches, negated or not;
/// otherwise the glob decides, inverted when negated. `!` cannot be escaped.
///
/// @code
/// eventwire::Pattern not_main("!main");
/// not_main.matches("dev");       // true
/// not_main.matches(std::nullopt); // false: the label is absent
/// eventwire::Pattern("infrahub.*").matches("infrahub.node.created");  // true: '*' crosses dots
/// @endcode
class Pattern {
 public:
  /// Compiles `text`. Throws ValidationError (field `pattern '<text>'`) when it is not UTF-8.
  explicit Pattern(std::string text);

  const std::string& text() const noexcept { return text_; }
  bool negated() const noexcept { return negated_; }

  /// Whether a label value matches; an absent label (nullopt, as Resource::find gives it) never
  /// does, negated or not.
  bool matches(std::optional<std::string_view> value) const noexcept {
    return value && glob_.matches(*value) != negated_;
  }
  /// An absent label, as the pointer API spelled it: without this overload nullptr would become
  /// an optional holding string_view(nullptr), read as a C string (a crash), in C++20.
  bool matches(std::nullptr_t) const noexcept { return false; }

 private:
  std::string text_;
  bool negated_ = false;
  detail::Glob glob_;
};

/// What one label of a specification accepts: one pattern, or a list of patterns of which any
/// may match (OR). A plain string is a one-item list; an empty list matches nothing. Whether it
/// was written as a string or a list is kept, so JSON reads back as it was written.
///
/// @code
/// eventwire::LabelPatterns kind = "NetworkDevice";
/// eventwire::LabelPatterns kinds = {"IPAddress", "IPPrefix"};
/// @endcode
class LabelPatterns {
 public:
  LabelPatterns(const char* pattern) : patterns_{pattern}, is_list_(false) {}
  LabelPatterns(std::string pattern) : patterns_{std::move(pattern)}, is_list_(false) {}
  LabelPatterns(std::initializer_list<std::string> patterns) : patterns_(patterns) {}
  LabelPatterns(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

  const std::vector<std::string>& patterns() const noexcept { return patterns_; }
  /// True when written as a list (even of one item), false for a plain string.
  bool is_list() const noexcept { return is_list_; }

  friend bool operator==(const LabelPatterns&, const LabelPatterns&) = default;

 private:
  std::vector<std::string> patterns_{};
  bool is_list_ = true;
};

/// Prefect's `ResourceSpecification`: label → patterns, tested against one resource.
///
/// Contract: every label must match (AND); within a label any pattern may (OR); a label absent
/// from the resource fails, negated or not; an empty specification matches everything (even when
/// there is no resource to test). Labels keep their order (a Python dict); setting a label again
/// replaces its patterns in place.
///
/// @code
/// eventwire::ResourceSpecification spec{{"prefect.resource.role", "infrahub.branch"},
///                                       {"infrahub.resource.label", {"main", "release-*"}}};
/// @endcode
class ResourceSpecification {
 public:
  using Entry = std::pair<std::string, LabelPatterns>;
  using const_iterator = std::vector<Entry>::const_iterator;

  ResourceSpecification() = default;
  ResourceSpecification(std::initializer_list<Entry> entries);
  explicit ResourceSpecification(std::vector<Entry> entries);

  /// Sets the patterns of `label`, replacing existing ones in place.
  ResourceSpecification& set(std::string label, LabelPatterns patterns);
  /// The patterns of `label`, or nullptr.
  const LabelPatterns* find(std::string_view label) const noexcept;

  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }

  /// `{"label": "pattern" | ["pattern", ...], ...}`.
  json to_json() const;
  /// Reads the JSON form; throws ValidationError naming `field` (e.g. `match['x'][1]`).
  static ResourceSpecification from_json(const json& value, const std::string& field = "match");

  friend bool operator==(const ResourceSpecification&, const ResourceSpecification&) = default;

 private:
  std::vector<Entry> entries_{};
};

/// `match_related`: one specification, or a list of specifications.
///
/// Contract: one specification needs some single related resource that satisfies all its labels;
/// a list needs every specification satisfied by some related resource — possibly different
/// ones, and one resource may satisfy several. An empty specification (the default) or an empty
/// list matches every event. The two forms are kept apart only to write JSON back as it came.
///
/// @code
/// // one related resource, the branch, must be 'main':
/// eventwire::RelatedSpecification one{{"prefect.resource.role", "infrahub.branch"},
///                                     {"infrahub.resource.label", "main"}};
/// // neither b1 nor b2 (a list is an AND; ["!b1", "!b2"] in one label would exclude nothing):
/// eventwire::RelatedSpecification both{
///     eventwire::ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
///                                      {"infrahub.resource.label", "!b1"}},
///     eventwire::ResourceSpecification{{"prefect.resource.role", "infrahub.branch"},
///                                      {"infrahub.resource.label", "!b2"}}};
/// @endcode
class RelatedSpecification {
 public:
  RelatedSpecification() = default;
  /// One specification, written inline: `{{"label", "pattern"}, ...}`.
  RelatedSpecification(std::initializer_list<ResourceSpecification::Entry> entries)
      : specifications_{ResourceSpecification(entries)} {}
  /// One specification.
  RelatedSpecification(ResourceSpecification specification)
      : specifications_{std::move(specification)} {}
  /// A list of specifications, all required.
  RelatedSpecification(std::initializer_list<ResourceSpecification> specifications)
      : specifications_(specifications), is_list_(true) {}
  /// A list of specifications, all required.
  RelatedSpecification(std::vector<ResourceSpecification> specifications)
      : specifications_(std::move(specifications)), is_list_(true) {}

  const std::vector<ResourceSpecification>& specifications() const noexcept {
    return specifications_;
  }
  bool is_list() const noexcept { return is_list_; }
  /// True when it constrains nothing: no specification, or only empty ones.
  bool empty() const noexcept;

  /// An object for one specification, an array for a list.
  json to_json() const;
  /// Reads an object or an array of objects; throws ValidationError naming `field`.
  static RelatedSpecification from_json(const json& value,
                                        const std::string& field = "match_related");

  friend bool operator==(const RelatedSpecification&, const RelatedSpecification&) = default;

 private:
  std::vector<ResourceSpecification> specifications_{ResourceSpecification{}};
  bool is_list_ = false;
};

class CompiledTrigger;

/// Infrahub's `EventTrigger`: which events fire a trigger. Plain data; `compile()` it once to
/// match (registration does), and match as often as needed.
///
/// - `events`: exact names or `*` globs (`infrahub.node.*`, `*`); empty means every event. See
///   the file comment for the exact rule Prefect's server applies to names.
/// - `match`: a specification for the event's primary resource.
/// - `match_related`: see RelatedSpecification.
///
/// @code
/// eventwire::EventTrigger trigger{
///     .events = {"infrahub.node.created", "infrahub.node.updated"},
///     .match = {{"infrahub.node.kind", {"IPAddress", "IPPrefix"}}},
///     .match_related = {{"prefect.resource.role", "infrahub.branch"},
///                       {"infrahub.resource.label", "!main"}}};
/// auto compiled = trigger.compile();           // throws ValidationError naming the pattern
/// if (eventwire::matches(compiled, event)) ...
/// std::string why = eventwire::explain(compiled, event).reason;
/// @endcode
struct EventTrigger {
  std::set<std::string> events{};
  ResourceSpecification match{};
  RelatedSpecification match_related{};

  /// Compiles every pattern; throws ValidationError whose field names the pattern, e.g.
  /// `match_related[1]['infrahub.resource.label'][0]`.
  CompiledTrigger compile() const;

  /// Prefect's form, as Infrahub's `EventTrigger.get_prefect()` writes it: `{"type": "event",
  /// "match", "match_related", "after": [], "expect", "for_each": [], "posture": "Reactive",
  /// "threshold": 1, "within": 0.0}`. Like Infrahub, a `match_related` list of one specification
  /// is written as that specification (the same rule either way).
  json to_prefect_json() const;
  /// Infrahub's form: `{"events", "match", "match_related"}`.
  json to_infrahub_json() const;
  /// Reads Prefect's form. Only what Infrahub uses is accepted: posture Reactive, threshold 1,
  /// within 0, no `after` or `for_each`; anything else is a ValidationError naming the field.
  /// Unknown fields (`id`, ...) are ignored, as Prefect ignores them.
  static EventTrigger from_prefect_json(const json& value);
  /// Reads Infrahub's form; unknown fields are ignored.
  static EventTrigger from_infrahub_json(const json& value);
  /// Reads either form: Prefect's when `expect` or `type` is present, Infrahub's otherwise.
  static EventTrigger from_json(const json& value);
  /// Parses JSON text, then as from_json. Throws ParseError for malformed text.
  static EventTrigger parse(std::string_view text);

  friend bool operator==(const EventTrigger&, const EventTrigger&) = default;
};

/// The outcome of `explain`: matched, or the first reason it did not, in words.
struct MatchExplanation {
  bool matched = false;
  /// Empty when matched, else e.g. `resource label 'infrahub.node.kind' is 'Tag', which does
  /// not match 'NetworkDevice'`.
  std::string reason{};
  explicit operator bool() const noexcept { return matched; }
};

/// An EventTrigger with every pattern compiled. Immutable, cheap to match, safe to share between
/// threads.
///
/// @code
/// const eventwire::CompiledTrigger compiled = trigger.compile();
/// compiled.matches(event);           // no parsing, no regex
/// compiled.explain(event).reason;    // "" or why not
/// @endcode
class CompiledTrigger {
 public:
  /// Compiles `trigger`; throws ValidationError naming the offending pattern.
  explicit CompiledTrigger(EventTrigger trigger);

  const EventTrigger& trigger() const noexcept { return trigger_; }

  /// Whether `event` fires the trigger: its name, then `match`, then `match_related`.
  bool matches(const Event& event) const;
  /// Whether an event with this name passes the name check (`events`).
  bool matches_event_name(std::string_view name) const;
  /// As matches(), with the first reason it fails.
  MatchExplanation explain(const Event& event) const;

 private:
  friend class CompiledResourceSpecification;  // shares the compiled label form
  struct Label {
    std::string name{};
    std::vector<Pattern> patterns{};
  };
  using Specification = std::vector<Label>;
  /// One `events` entry, as the server's three name checks read it.
  struct NamePattern {
    std::string text{};
    detail::Glob glob{""};                       ///< index, and expects() when not negated
    std::optional<detail::Glob> negated_glob{};  ///< expects() of `!rest`: not fnmatch(rest)
    std::vector<std::string> covers{};           ///< covers(): literal pieces between `*`s
    bool covers_newline = false;                 ///< a piece holds '\n': no greedy placement
  };

  static Specification compile_specification(const ResourceSpecification& spec,
                                             const std::string& field);
  static bool specification_matches(const Specification& spec, const Resource& resource) noexcept;
  static bool covers(const NamePattern& pattern, std::string_view name);
  std::string explain_name(std::string_view name) const;

  EventTrigger trigger_;
  std::vector<std::string> exact_names_{};  ///< sorted `events` without `*`, `?`, `[`
  std::vector<NamePattern> name_patterns_{};
  Specification match_{};
  std::vector<Specification> related_{};  ///< empty specifications left out
};

/// Whether `event` fires `trigger`.
inline bool matches(const CompiledTrigger& trigger, const Event& event) {
  return trigger.matches(event);
}
/// Convenience for one-off checks: compiles `trigger` on every call (throws ValidationError).
/// Compile once and use the CompiledTrigger overload when matching many events.
bool matches(const EventTrigger& trigger, const Event& event);

/// Matched, or the first reason `event` does not fire `trigger`.
inline MatchExplanation explain(const CompiledTrigger& trigger, const Event& event) {
  return trigger.explain(event);
}
/// Convenience: compiles `trigger` first (throws ValidationError).
MatchExplanation explain(const EventTrigger& trigger, const Event& event);

/// A ResourceSpecification with its patterns compiled, to test resources outside a trigger (the
/// event store's label filters). Same rules as a trigger's `match`: every label must match, any
/// pattern of a label may, an absent label never matches, an empty specification matches all.
///
/// @code
/// eventwire::CompiledResourceSpecification spec(
///     eventwire::ResourceSpecification{{"infrahub.node.kind", {"IPAddress", "IP*"}}}, "labels");
/// spec.matches(event.resource);
/// @endcode
class CompiledResourceSpecification {
 public:
  CompiledResourceSpecification() = default;
  /// Compiles `specification`; throws ValidationError naming the pattern under `field`
  /// (`field['label'][i]`).
  CompiledResourceSpecification(const ResourceSpecification& specification,
                                const std::string& field);

  bool empty() const noexcept { return labels_.empty(); }
  /// Whether `resource` satisfies every label.
  bool matches(const Resource& resource) const noexcept;

 private:
  CompiledTrigger::Specification labels_{};
};

}  // namespace eventwire
