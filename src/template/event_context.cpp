// The template context Prefect builds for an automation's event.
#include "eventwire/event.hpp"
#include "eventwire/template.hpp"
#include "eventwire/timestamp.hpp"

namespace eventwire {

json event_context(const Event& event) {
  json e = event.to_json();
  // Prefect's ReceivedEvent.occurred is a datetime; a template prints str(datetime).
  e["occurred"] = format_timestamp_python(event.occurred);
  json context = json::object();
  context["event"] = std::move(e);
  return context;
}

}  // namespace eventwire
