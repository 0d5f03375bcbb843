// ContextPaths, and what a compiled template reads of its context.
#include "eventwire/context_paths.hpp"

#include <algorithm>

#include "template/lookup_template.hpp"
#include "template/program.hpp"

namespace eventwire {
namespace {

using Path = ContextPaths::Path;

bool starts_with(const Path& path, const Path& prefix) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// A dict attribute (`d.items`, and `d['items']` when the key is absent) is the method, whose
// result depends on every key, so a lookup of one reads the dict whole. So does a name starting
// with `_`, which may resolve to a (sandboxed) Python attribute first.
bool reads_whole_dict(std::string_view name) {
  return name.starts_with('_') || detail::is_dict_attribute(name);
}

// The key of a lookup expression (`a.b`, `a['b']`) that reads one key of a dict, or null.
const std::string* dict_key(const detail::Program& p, const detail::Expr& lookup) {
  const std::string* key = nullptr;
  if (lookup.op == detail::Op::getattr) {
    key = &p.names[lookup.b];
  } else if (lookup.op == detail::Op::getitem) {
    const detail::Expr& k = p.exprs[lookup.b];
    if (k.op == detail::Op::constant && p.constants[k.a].is_string())
      key = &p.constants[k.a].get_ref<const std::string&>();
  }
  return key != nullptr && !reads_whole_dict(*key) ? key : nullptr;
}

// `paths[first, last)` all have at least `depth` elements and share their first `depth`.
json project_range(const json& value, const std::vector<Path>& paths, std::size_t first,
                   std::size_t last, std::size_t depth) {
  if (paths[first].size() == depth || !value.is_object()) return value;
  json out = json::object();
  while (first < last) {
    const std::string& key = paths[first][depth];
    std::size_t end = first + 1;
    while (end < last && paths[end][depth] == key)
      ++end;
    if (auto it = value.find(key); it != value.end())
      out.emplace(key, project_range(*it, paths, first, end, depth + 1));
    first = end;
  }
  return out;
}

}  // namespace

const std::vector<Path>& ContextPaths::paths() const noexcept {
  static const std::vector<Path> none;
  return paths_ ? *paths_ : none;
}

ContextPaths ContextPaths::everything() {
  ContextPaths all;
  all.paths_ = std::make_shared<const std::vector<Path>>(1);
  return all;
}

bool ContextPaths::reads_everything() const noexcept {
  return !paths().empty() && paths().front().empty();
}

void ContextPaths::add(std::span<const std::string_view> path) {
  if (reads_whole(path)) return;  // already read whole
  Path p(path.begin(), path.end());
  auto next = std::make_shared<std::vector<Path>>();
  for (const Path& have : paths()) {
    if (!starts_with(have, p)) next->push_back(have);  // drop what `p` covers
  }
  next->insert(std::upper_bound(next->begin(), next->end(), p), std::move(p));
  paths_ = std::move(next);
}

void ContextPaths::merge(const ContextPaths& other) {
  if (covers(other)) return;
  if (empty()) {
    paths_ = other.paths_;
    return;
  }
  for (const Path& p : other.paths()) {
    std::vector<std::string_view> view(p.begin(), p.end());
    add(view);
  }
}

bool ContextPaths::covers(const ContextPaths& other) const noexcept {
  if (paths_ == other.paths_) return true;
  return std::all_of(other.paths().begin(), other.paths().end(), [&](const Path& p) {
    std::vector<std::string_view> view(p.begin(), p.end());
    return reads_whole(view);
  });
}

json ContextPaths::project(const json& context) const {
  return project(context, {});
}

bool ContextPaths::reads_whole(std::span<const std::string_view> at) const noexcept {
  return std::any_of(paths().begin(), paths().end(), [&](const Path& p) {
    return p.size() <= at.size() && std::equal(p.begin(), p.end(), at.begin());
  });
}

json ContextPaths::project(const json& value, std::span<const std::string_view> at) const {
  if (reads_whole(at)) return value;
  auto below = [&](const Path& p) {
    return p.size() > at.size() && std::equal(at.begin(), at.end(), p.begin());
  };
  const std::vector<Path>& paths = this->paths();
  auto first = std::find_if(paths.begin(), paths.end(), below);
  auto last = std::find_if_not(first, paths.end(), below);  // sorted: one contiguous run
  if (first == last) return value.is_object() ? json::object() : value;
  return project_range(value, paths, static_cast<std::size_t>(first - paths.begin()),
                       static_cast<std::size_t>(last - paths.begin()), at.size());
}

// What a compiled template reads: climb from each variable through the lookups whose key is a
// constant. Expressions form a tree, so the expression a chain ends on is used only by
// something other than a lookup (output, filter, call, test, loop...) and is read whole.
ContextPaths Template::reads() const {
  const detail::Program& p = *program_;
  ContextPaths out;
  if (p.verbatim) return out;
  std::vector<std::uint32_t> lookup_of(p.exprs.size(), detail::npos32);
  for (std::uint32_t i = 0; i < p.exprs.size(); ++i) {
    const detail::Expr& e = p.exprs[i];
    if ((e.op == detail::Op::getattr || e.op == detail::Op::getitem) && e.a < p.exprs.size())
      lookup_of[e.a] = i;
  }
  std::vector<std::string_view> path;
  for (std::uint32_t i = 0; i < p.exprs.size(); ++i) {
    if (p.exprs[i].op != detail::Op::name) continue;
    path.assign(1, p.names[p.exprs[i].a]);
    for (std::uint32_t at = lookup_of[i]; at != detail::npos32; at = lookup_of[at]) {
      const std::string* key = dict_key(p, p.exprs[at]);
      if (key == nullptr) break;
      path.push_back(*key);
    }
    out.add(path);
  }
  return out;
}

namespace detail {

std::optional<LookupTemplate> lookup_template(const Program& p) {
  if (p.verbatim || p.nroot != 1) return std::nullopt;
  const Stmt& s = p.stmts[p.bodies[p.root]];
  if (s.kind != StmtKind::output) return std::nullopt;
  LookupTemplate out;
  std::uint32_t e = s.a;
  if (p.exprs[e].op == Op::filter && p.exprs[e].b == static_cast<std::uint32_t>(FilterId::tojson) &&
      p.exprs[e].nargs == 0) {
    out.tojson = true;
    e = p.exprs[e].a;
  }
  for (;;) {  // down the chain, collecting keys from the last
    const Expr& x = p.exprs[e];
    if (x.op == Op::name) {
      out.path.push_back(p.names[x.a]);
      break;
    }
    const std::string* key = dict_key(p, x);
    if (key == nullptr) return std::nullopt;
    out.path.push_back(*key);
    e = x.a;
  }
  std::reverse(out.path.begin(), out.path.end());
  return out;
}

}  // namespace detail

}  // namespace eventwire
