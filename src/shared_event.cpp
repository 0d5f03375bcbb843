// share_event: events in one allocation, with a payload freed without nlohmann's flattening.
#include <memory>
#include <type_traits>

#include "eventwire/store.hpp"

namespace eventwire {
namespace {

// Deep enough for any payload the default limits accept; anything deeper is left to nlohmann's
// destructor, which copes with any depth.
constexpr int recursion_levels = 128;

// Empties every container of `value` depth-first, children before parents, so that nlohmann's
// destructor later meets only scalars and empty containers (for which it allocates nothing).
void release_tree(json& value, int levels) noexcept {
  if (levels == 0) return;
  if (value.is_object()) {
    auto& members = value.get_ref<json::object_t&>();
    for (auto& member : members) {
      if (member.second.is_structured()) release_tree(member.second, levels - 1);
    }
    members.clear();
  } else if (value.is_array()) {
    auto& items = value.get_ref<json::array_t&>();
    for (auto& item : items) {
      if (item.is_structured()) release_tree(item, levels - 1);
    }
    items.clear();
  }
}

// std::allocator, except that destroying an Event releases its payload tree first. Given to
// allocate_shared, it runs when the last reference to the event goes.
template <class T>
struct SharedEventAllocator {
  using value_type = T;
  SharedEventAllocator() = default;
  template <class U>
  SharedEventAllocator(const SharedEventAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }

  template <class U>
  void destroy(U* p) noexcept {
    if constexpr (std::is_same_v<U, Event>) release_tree(p->payload, recursion_levels);
    std::destroy_at(p);
  }

  template <class U>
  bool operator==(const SharedEventAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace

EventPtr share_event(Event&& event) {
  // A non-const Event, so that its allocator may empty the payload before destroying it.
  return std::allocate_shared<Event>(SharedEventAllocator<Event>{}, std::move(event));
}

}  // namespace eventwire
