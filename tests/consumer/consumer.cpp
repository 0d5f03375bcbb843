// A consumer's first program: build an event, write it, read it back.
#include <eventwire/eventwire.hpp>

#include <iostream>

int main() {
  eventwire::Event event{.event = "infrahub.node.created",
                         .resource = {{"prefect.resource.id", "infrahub.node.1"}}};
  auto back = eventwire::Event::parse(event.dump());
  if (!(back == event)) return 1;
  std::cout << "eventwire " << eventwire::version_string << ": " << back.dump() << "\n";
  return 0;
}
