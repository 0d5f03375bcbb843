/// @file eventwire.hpp
/// The umbrella header: everything a host application needs.
#pragma once

#include "eventwire/action.hpp"
#include "eventwire/context_paths.hpp"
#include "eventwire/error.hpp"
#include "eventwire/event.hpp"
#include "eventwire/executor.hpp"
#include "eventwire/infrahub/changelog.hpp"
#include "eventwire/infrahub/events.hpp"
#include "eventwire/infrahub/triggers.hpp"
#include "eventwire/infrahub/workflows.hpp"
#include "eventwire/json.hpp"
#include "eventwire/match.hpp"
#include "eventwire/meta.hpp"
#include "eventwire/service.hpp"
#include "eventwire/store.hpp"
#include "eventwire/template.hpp"
#include "eventwire/timestamp.hpp"
#include "eventwire/trigger.hpp"
#include "eventwire/uuid.hpp"
#include "eventwire/version.hpp"

#if defined(EVENTWIRE_HAS_SQLITE)
#include "eventwire/sqlite_store.hpp"
#endif
