/// @file eventwire.hpp
/// The umbrella header: everything a host application needs.
#pragma once

#include "eventwire/error.hpp"
#include "eventwire/event.hpp"
#include "eventwire/json.hpp"
#include "eventwire/meta.hpp"
#include "eventwire/template.hpp"
#include "eventwire/timestamp.hpp"
#include "eventwire/uuid.hpp"
#include "eventwire/version.hpp"
