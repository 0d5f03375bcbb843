"""Oracle for tests/json_writer_test.cpp: reads a JSON list of values on stdin, writes for each
the pydantic wire form (null when pydantic is not installed) and Jinja's tojson form, as the real
libraries produce them."""
import json
import sys

from jinja2.utils import htmlsafe_json_dumps

try:
    import pydantic

    class Wrapper(pydantic.BaseModel):
        v: object

    def wire(v):
        text = Wrapper(v=v).model_dump_json()
        assert text.startswith('{"v":') and text.endswith("}")
        return text[len('{"v":'):-1]
except ImportError:
    def wire(v):
        return None


json.dump([{
    "pydantic": wire(v),
    "tojson": str(htmlsafe_json_dumps(v, dumps=json.dumps, sort_keys=True)),
    "tojson_indent": str(htmlsafe_json_dumps(v, dumps=json.dumps, sort_keys=True, indent=2)),
} for v in json.load(sys.stdin)], sys.stdout)
