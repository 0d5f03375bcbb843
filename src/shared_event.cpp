// share_event: events in one allocation, with a payload freed without nlohmann's flattening.
#include <memory>
#include <type_traits>

#include "detail/json_release.hpp"
#include "detail/shared_event.hpp"
#include "eventwire/store.hpp"

namespace eventwire {
namespace {

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
    if constexpr (std::is_same_v<U, Event>) detail::release_json_tree(p->payload);
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

namespace detail {

std::shared_ptr<Event> make_shared_event() {
  return std::allocate_shared<Event>(SharedEventAllocator<Event>{});
}

}  // namespace detail

}  // namespace eventwire
