#include <eventwire/eventwire.hpp>

#include <iostream>

int main() {
  eventwire::Event e{.event = "x", .resource = {{"prefect.resource.id", "a"}}};
  std::cout << e.dump() << "\n";
}
