"""Oracle for tests/event_test.cpp: reads a JSON list of events in wire form on stdin, loads each
into a pydantic model shaped like Prefect's server Event, and writes model_dump_json() of each."""
import datetime
import json
import sys
import uuid
from typing import Any, Dict, List, Optional

try:
    import pydantic
except ImportError:  # the test reports the oracle as unavailable instead of failing
    json.dump({"unavailable": "python3 has no pydantic"}, sys.stdout)
    sys.exit(0)


class Event(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")
    occurred: datetime.datetime
    event: str
    resource: Dict[str, str]
    related: List[Dict[str, str]] = []
    payload: Dict[str, Any] = {}
    id: uuid.UUID
    follows: Optional[uuid.UUID] = None


json.dump([Event.model_validate_json(json.dumps(e)).model_dump_json() for e in json.load(sys.stdin)],
          sys.stdout)
