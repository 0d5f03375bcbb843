#!/usr/bin/env python3
"""Reference renderer for eventwire's template tests: real Jinja2, configured like Prefect.

Reads one JSON document on stdin:
  {"contexts": {name: context},
   "cases": [{"id": ..., "template": ..., "ctx": name, "env": "prefect"|"default"|"strict"}],
   "hydrate": [{"id": ..., "parameters": {...}, "ctx": name, "typed": true|false}]}
and writes one JSON document on stdout:
  {"cases": {id: {"output": str} | {"error": {"type": ..., "python_type": ..., "message": ...}}},
   "hydrate": {id: {"parameters": ...} | {"error": ...}}}

Environments (jinja.md 1.1):
  prefect: ImmutableSandboxedEnvironment(undefined=ChainableUndefined), range capped at 100,
           a template without "{{" or "{%" returned verbatim (Prefect's render_user_template).
  default: ImmutableSandboxedEnvironment() (lenient Undefined).
  strict:  ImmutableSandboxedEnvironment(undefined=StrictUndefined).
  (eventwire never mutates the context it is given, so its plain Jinja2 sandbox refuses
  mutating methods too; the oracle is immutable everywhere, and each case gets a fresh copy of
  its context.)
Hydration follows prefect/utilities/schema_tools/hydration.py and RunDeployment's upgrade of
plain template strings (>= 3.6.24 when "typed").
"""
import copy
import json
import sys

try:
    import jinja2
    from jinja2 import ChainableUndefined, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:  # Debian's python3-jinja2 lives in dist-packages
    sys.path.append("/usr/lib/python3/dist-packages")
    import jinja2
    from jinja2 import ChainableUndefined, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment


def _check_template_range(*args):
    r = range(*args)
    if len(r) > 100:
        raise OverflowError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100).")
    return r


def make_envs():
    prefect = ImmutableSandboxedEnvironment(undefined=ChainableUndefined)
    prefect.globals["range"] = _check_template_range
    return {
        "prefect": prefect,
        "default": ImmutableSandboxedEnvironment(),
        "strict": ImmutableSandboxedEnvironment(undefined=StrictUndefined),
    }


ENVS = make_envs()


def category(exc):
    if isinstance(exc, jinja2.TemplateSyntaxError):  # includes TemplateAssertionError
        return "syntax"
    if isinstance(exc, jinja2.UndefinedError):
        return "undefined"
    return "runtime"


def render(env_name, template, context):
    if env_name == "prefect" and "{{" not in template and "{%" not in template:
        ENVS[env_name].parse(template)  # Prefect validates, then short-cuts
        return template
    env = ENVS[env_name]
    return env.from_string(template).render(**context)


def error_of(exc):
    return {"type": category(exc), "python_type": type(exc).__name__, "message": str(exc)}


class HydrationError(Exception):
    pass


def maybe_template(s):
    return "{{" in s or "{%" in s


def hydrate(obj, ctx, upgrade, typed):
    if isinstance(obj, dict) and "__prefect_kind" in obj:
        kind = obj["__prefect_kind"]
        if kind == "none":
            if "value" not in obj:
                raise HydrationError("Missing 'value' key in __prefect object")
            value = obj["value"]
            return hydrate(value, ctx, False, typed) if isinstance(value, dict) else value
        if kind == "json":
            if "value" not in obj:
                return REMOVE
            value = obj["value"]
            if isinstance(value, dict):
                value = hydrate(value, ctx, False, typed)
                if value is REMOVE:
                    return REMOVE
            if not isinstance(value, str):
                return value
            try:
                return json.loads(value)
            except ValueError as e:
                raise HydrationError(f"Invalid JSON: {e}")
        if kind == "jinja":
            template = obj.get("template")
            if isinstance(template, dict):
                template = hydrate(template, ctx, False, typed)
            try:
                return render("prefect", template, ctx)
            except Exception as e:
                raise HydrationError(f"Invalid jinja: {e}")
        return obj.get("value")
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            h = hydrate(v, ctx, upgrade, typed)
            if h is not REMOVE:
                out[k] = h
        return out
    if isinstance(obj, list):
        return [h for h in (hydrate(v, ctx, upgrade, typed) for v in obj) if h is not REMOVE]
    if upgrade and isinstance(obj, str) and maybe_template(obj):
        stripped = obj.strip()
        if typed and stripped.startswith("{{") and stripped.endswith("}}") and stripped.count("{{") == 1:
            inner = stripped[2:-2].strip()
            wrapped = {"__prefect_kind": "json",
                       "value": {"__prefect_kind": "jinja", "template": "{{ " + inner + " | tojson }}"}}
            return hydrate(wrapped, ctx, False, typed)
        return hydrate({"__prefect_kind": "jinja", "template": obj}, ctx, False, typed)
    return obj


REMOVE = object()


def main():
    request = json.load(sys.stdin)
    contexts = request.get("contexts", {})
    results = {"cases": {}, "hydrate": {}}
    for case in request.get("cases", []):
        ctx = copy.deepcopy(contexts[case["ctx"]])
        try:
            out = render(case["env"], case["template"], ctx)
            again = render(case["env"], case["template"], ctx)
            if out != again or " at 0x" in out:
                results["cases"][case["id"]] = {"skip": "non-deterministic output"}
            else:
                results["cases"][case["id"]] = {"output": out}
        except Exception as e:  # every failure is an expected outcome to compare
            results["cases"][case["id"]] = {"error": error_of(e)}
    for case in request.get("hydrate", []):
        try:
            out = hydrate(case["parameters"], contexts[case["ctx"]], True, case.get("typed", True))
            results["hydrate"][case["id"]] = {"parameters": {} if out is REMOVE else out}
        except HydrationError as e:
            results["hydrate"][case["id"]] = {"error": {"message": str(e)}}
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
