"""Oracle for tests/json_writer_test.cpp: reads a JSON list of values on stdin, writes for each
the pydantic wire form and Jinja's tojson form, as the real libraries produce them."""
import json
import sys

import pydantic
from jinja2.utils import htmlsafe_json_dumps


class Wrapper(pydantic.BaseModel):
    v: object


values = json.load(sys.stdin)
out = []
for v in values:
    wire = Wrapper(v=v).model_dump_json()
    assert wire.startswith('{"v":') and wire.endswith("}")
    out.append({
        "pydantic": wire[len('{"v":'):-1],
        "tojson": str(htmlsafe_json_dumps(v, dumps=json.dumps, sort_keys=True)),
        "tojson_indent": str(htmlsafe_json_dumps(v, dumps=json.dumps, sort_keys=True, indent=2)),
    })
json.dump(out, sys.stdout)
