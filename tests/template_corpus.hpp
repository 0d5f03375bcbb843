// The differential corpus: templates rendered by eventwire and by real Jinja2
// (tests/jinja_oracle.py) in the same test run and compared byte for byte. No expected outputs live
// here.
#pragma once

#include <string>
#include <vector>

namespace corpus {

struct Case {
  std::string source;
  std::string context = "main";
};

// The contexts, as JSON text. "main" is a realistic Infrahub `infrahub.node.updated` event as
// eventwire::event_context builds it, plus values that exercise Python formatting.
inline const char* const contexts_json = R"JSON({
"main": {
  "event": {
    "occurred": "2025-03-14 09:26:53.589793+00:00",
    "event": "infrahub.node.updated",
    "resource": {"prefect.resource.id": "infrahub.node.1803d0c5-5f2c-4b7e-8c1a-0d9c0f1e2a3b",
                 "infrahub.node.kind": "NetworkDevice", "infrahub.branch.name": "main",
                 "infrahub.account.id": "18a0e5b2-0000-4000-8000-000000000001"},
    "related": [
      {"prefect.resource.id": "infrahub.branch.7f3c", "prefect.resource.role": "infrahub.branch",
       "infrahub.resource.label": "main"},
      {"prefect.resource.id": "infrahub.account.18a0", "prefect.resource.role": "infrahub.account",
       "infrahub.resource.label": "Admin"}],
    "payload": {
      "data": {"node_id": "1803d0c5-5f2c-4b7e-8c1a-0d9c0f1e2a3b", "kind": "NetworkDevice",
               "action": "updated",
               "changelog": {"display_label": "Webhook – Zürich 東京 🚀",
                             "attributes": {"name": {"name": "name", "value": "r1", "value_previous": "r0"},
                                            "weight": {"name": "weight", "value": 1.0, "value_previous": 0.5}},
                             "relationships": {}, "parent": null},
               "fields": ["name", "weight"], "count": 3, "ratio": 0.25},
      "context": {"branch": {"name": "main", "id": "7f3c"}, "account": {"id": "18a0", "name": "admin"}}},
    "id": "0190c2a4-7c3e-7b1a-9f00-1a2b3c4d5e6f",
    "follows": null},
  "n": 3, "zero": 0, "neg": -7, "f": 2.5, "big": 12345678901234567890, "t": true, "fa": false,
  "none": null, "s": "Hello World", "e": "", "sp": "  padded\t\n ",
  "words": ["banana", "Apple", "cherry", "apple"], "nums": [3, 1, 2, 1.5, -4],
  "ints": [5, 3, 9, 1], "d": {"b": 1, "a": 2, "C": 3}, "keys": {"10": 1, "9": 2, "B": 3, "_": 4, "a": 5, "é": 6},
  "empty": [], "emptyd": {}, "nested": [[1, 2], [3, [4, null]]],
  "floats": [1e16, 1e15, 1e-05, 0.0001, -0.0, 0.1, 0.30000000000000004, 1.5e-07, 123456789.123, 2.675, 1e22, 5e-324],
  "uni": "Zürich – 東京 🚀 ß", "html": "<a href='x'>Tom & \"Jerry\"</a>",
  "quote": "it's", "dq": "say \"hi\"", "both": "both ' and \"", "ctrl": "a\nb\tc\rd\u0001e\u007f",
  "odd_space": "a\u00a0b\u200bc\u3000d\ufeffe\u00adf\u2028g\u0085h",
  "users": [{"name": "Bob", "age": 30, "active": true, "tags": ["a", "b"], "address": {"city": "Paris"}},
            {"name": "alice", "age": 25, "active": false, "tags": [], "address": {"city": "Oslo"}},
            {"name": "Carol", "age": 35, "active": true, "tags": ["c"], "address": {"city": "paris"}}],
  "data": {"items": [1, 2], "get": "shadow", "keys": "k", "x": 1},
  "labels": [{"prefect.resource.role": "flow", "name": "f"}, {"prefect.resource.role": "task", "name": "t"}],
  "num_strings": ["42", " 7 ", "1e3", "abc", "42.9", "-3", "1_000", "0x1A", "", "1,000", "+5"],
  "url": "a b&c=d/é?", "pairs": {"q": "a b", "x": "é/"}
},
"flow": {
  "flow_run": {"name": "crimson-fox", "state": {"name": "Failed", "type": "FAILED"}, "tags": ["prod", "etl"],
               "parameters": {"name": "x", "retries": 3}, "deployment_id": null},
  "flow": {"name": "etl"}, "deployment": {"name": "nightly", "parameters": {"a": 1}}
},
"empty": {},
"tree": {
  "tree": [{"name": "core", "children": [{"name": "r1", "children": []},
                                          {"name": "r2", "children": [{"name": "eth0", "children": []}]}]},
           {"name": "edge", "children": []}],
  "rows": [{"site": "par", "dev": "r1"}, {"site": "par", "dev": "r2"}, {"site": "osl", "dev": "r3"}],
  "d": {"x": 1, "name": "N", "items": [1]},
  "n": 42, "f": 3.14159, "neg": -7, "s": "héllo", "big": 18446744073709551615
}
})JSON";

// Templates; each is rendered under the prefect, default and strict environments.
inline std::vector<Case> templates() {
  return {
      // ---- Prefect / Infrahub templates (jinja.md 1.3-1.4) and the seed's parameters
      {"{{ event.payload['data']['node_id'] }}"},
      {"{{ event.resource['infrahub.branch.name'] }}"},
      {"{{ event.payload['data']['changelog']['display_label'] }}"},
      {"{{ event.payload['data'] | tojson }}"},
      {"{{ event.payload['data']['changelog'] | tojson }}"},
      {"{{ event.payload['context'] | tojson }}"},
      {"{{ event.payload | tojson }}"},
      {"{{ event.id }}"},
      {"{{ event.occurred }}"},
      {"{{ event.event }}"},
      {"{{ event.resource['infrahub.account.id'] }}"},
      {"{{ event.payload['data']['kind'] }}"},
      {"{{ event.payload['data']['changed_elements'] | default(none, true) | tojson }}"},
      {"{{ event.payload.data.node_id }}"},
      {"{{ event.follows }}"},
      {"{{ event.follows.id }}"},
      {"{{ event.resource.id }}"},
      {"{{ event.resource }}"},
      {"{{ event.related }}"},
      {"{{ event.related[0]['infrahub.resource.label'] }}"},
      {"{{ event.related[-1]['prefect.resource.role'] }}"},
      {"{% for related in event.related %}{{ related['prefect.resource.role'] }};{% endfor %}"},
      {"{% for r in event.related %}{% for label, value in r.items() %}{{ label }}={{ value }} {% "
       "endfor %}|{% endfor %}"},
      {"{% for label, value in event.resource %}{{ label }}{% endfor %}"},
      {"{% for label, value in event.resource|dictsort %}{{ label }}={{ value }},{% endfor %}"},
      {"{{ event.resource.get('prefect.tags', []) | tojson }}"},
      {"{{ d.get('zz', {'a': [1, 2]}) | tojson }} {{ d.get('zz', 'x' ~ 'y') }}"},
      {"{% for x in ints %}{{ loop.cycle([1], 'b' ~ 'c') }}{% endfor %}"},
      {"{{ event.resource.get('infrahub.node.kind') }}"},
      {"{{ event.resource.get('missing') }}"},
      {"{{ event.payload.nokey.deeper }}"},
      {"[{{ event.payload['nokey']['x'] }}]"},
      {"{{ event }}"},
      {"{{ event.payload['data']['changelog']['attributes'] }}"},
      {"{{ event.resource.infrahub }}"},
      {"{{ flow_run.name }} is {{ flow_run.state.name }}", "flow"},
      {"{{ flow_run.tags }} {{ deployment.parameters }}", "flow"},
      {"{{ flow_run.parameters['name'] }}/{{ flow_run.parameters.retries }}", "flow"},
      {"{{ flow_run.deployment_id or '' }}", "flow"},
      {"{{ deployment.name | tojson if deployment else '\"\"' }}", "flow"},
      {"{{ flow_run | tojson(indent=2) }}", "flow"},
      {"{%- if flow_run.state.type == 'FAILED' %}\nFlow {{ flow.name }} failed\n{%- endif %}",
       "flow"},
      {"{{ labels | selectattr('prefect.resource.role', 'equalto', 'flow') | list }}"},
      {"{% for l in labels %}{% if l['prefect.resource.role'] == 'flow' %}{{ l.name }}{% endif "
       "%}{% endfor %}"},
      {"{{ users | selectattr('active') | map(attribute='name') | join(', ') }}"},
      {"{{ users | map(attribute='address.city') | list }}"},
      {"{{ users | map(attribute='missing', default='?') | list }}"},
      {"{{ users | map(attribute='missing') | join(',') }}"},
      {"{{ users | sort(attribute='age') | map(attribute='name') | join }}"},
      {"{{ users | sort(attribute='age', reverse=true) | map(attribute='name') | list }}"},
      {"{{ users | sort(attribute='address.city,name') | map(attribute='name') | list }}"},
      {"Hello\n"},
      {"a {# x #} b"},
      {"plain text with } and { braces"},
      {""},

      // ---- literals and Python repr
      {"{{ 1 }} {{ -1 }} {{ 1.0 }} {{ 1e3 }} {{ 1_000 }} {{ 0.5 }} {{ 1.5e-7 }}"},
      {"{{ true }} {{ false }} {{ none }} {{ True }} {{ None }}"},
      {"{{ 'single' }} {{ \"double\" }} {{ 'a' 'b' }}"},
      {R"({{ 'esc\n\t\\ \' \" \x41 \u00e9 \U0001F680' }})"},
      {"{{ [1, 'a', none, true, 1.5, [2]] }}"},
      {"{{ {'a': 1, 'b': [none, false]} }}"},
      {"{{ (1, 2) }} {{ (1,) }} {{ () }}"},
      {"{{ [] }} {{ {} }}"},
      {"{{ [\"it's\"] }} {{ ['say \"hi\"'] }} {{ ['both \\' and \"'] }}"},
      {"{{ [quote, dq, both] }}"},
      {"{{ [ctrl] }}"},
      {"{{ [odd_space] }}"},
      {"{{ [uni] }} {{ uni }}"},
      {"{{ floats }}"},
      {"{% for x in floats %}{{ x }} {% endfor %}"},
      {"{{ floats | tojson }}"},
      {"{{ big }} {{ big + 1 }}"},
      {"{{ n }} {{ f }} {{ t }} {{ none }} {{ neg }}"},
      {"{{ d }} {{ keys }}"},
      {"{{ nested }}"},
      {"{{ data.items is callable }} {{ data['items'] is callable }} {{ data['x'] }} {{ data.x }}"},
      {"{{ data.get }}"},
      {"{{ data.items | join(',') }}"},
      {"{{ data.get('x') }} {{ data.get('nope', 'dflt') }} {{ data.keys() | list }}"},
      {"{{ d.items() | list }} {{ d.values() | list }}"},
      {"{{ d.items() }}"},

      // ---- tojson
      {"{{ keys | tojson }}"},
      {"{{ html | tojson }}"},
      {"{{ uni | tojson }} {{ ctrl | tojson }} {{ odd_space | tojson }}"},
      {"{{ {'b': [], 'a': {}, 'c': [1, none]} | tojson(indent=2) }}"},
      {"{{ {'b': [], 'a': {}, 'c': [1, none]} | tojson(2) }}"},
      {"{{ users | tojson(4) }}"},
      {"{{ [1.0, 2.5, 1e16, 1e15, -0.0, 1e-05] | tojson }}"},
      {"{{ none | tojson }} {{ true | tojson }} {{ 'x' | tojson }} {{ 3 | tojson }}"},
      {"{{ missing | tojson }}"},
      {"{{ (1, 'a') | tojson }}"},
      {"{{ d | dictsort | tojson }}"},
      {"{{ \"it's <b>&</b>\" | tojson }}"},
      {"{{ keys | tojson(indent=0) }}"},

      // ---- lookups
      {"{{ users[0].name }} {{ users.0.name }} {{ users[-1].name }} {{ users[99] }}"},
      {"{{ users[0]['address']['city'] }}"},
      {"{{ s[0] }} {{ s[-1] }} {{ uni[1] }} {{ s[100] }}"},
      {"{{ s[:5] }} {{ s[6:] }} {{ s[::-1] }} {{ uni[::2] }} {{ nums[1:3] }} {{ nums[::-2] }} {{ "
       "s[-3:] }}"},
      {"{{ nums[1:100] }} {{ nums[10:] }} {{ nums[:-1] }}"},
      {"{{ d.a }} {{ d['a'] }} {{ d.zz }} {{ d['zz'] }}"},
      {"{{ missing }}"},
      {"[{{ missing.attr }}]"},
      {"[{{ missing['k'] }}]"},
      {"{{ none.attr }}"},
      {"{{ n.attr }}"},
      {"{{ d._private }} {{ d.__class__ }}"},
      {"{{ users[0].nope.deeper }}"},
      {"{{ d[1] }}"},
      {"{{ nums['x'] }}"},
      {"{{ users.0.tags.0 }}"},

      // ---- operators and precedence
      {"{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 }} {{ -7 // 2 "
       "}} {{ 7 % -3 }} {{ -7 % 3 }}"},
      {"{{ 4 / 2 }} {{ 7 / 2 }} {{ 1 / 3 }} {{ 7.5 // 2 }} {{ 7.5 % 2 }} {{ -7.5 // 2 }} {{ 2 ** "
       "-1 }} {{ 2.0 ** 3 }}"},
      {"{{ true + true }} {{ 3 * 1.0 }} {{ 'ab' * 2 }} {{ 2 * 'ab' }} {{ [1] * 3 }} {{ [1] + [2] "
       "}} {{ 'a' + 'b' }}"},
      {"{{ 1 + 'a' }}"},
      {"{{ 'a' + 1 }}"},
      {"{{ 1 / 0 }}"},
      {"{{ 1 // 0 }}"},
      {"{{ 1 % 0 }}"},
      {"{{ 1.0 / 0 }}"},
      {"{{ 'v' ~ 1 ~ true ~ none ~ 1.0 ~ [1] }}"},
      {"{{ 1 + 2 ~ 3 }}"},
      {"{{ 'a' ~ 'b' in 'xaby' }}"},
      {"{{ 'ab' ~ 'cd' | upper }}"},
      {"{{ -1 | abs }} {{ 1 + 1 is number }} {{ not 1 == 2 }}"},
      {"{{ 1 == 1.0 }} {{ 1 == true }} {{ 0 == false }} {{ '1' == 1 }} {{ none == none }} {{ [1, "
       "2] == [1, 2.0] }} {{ {'a': 1} == {'a': 1.0} }}"},
      {"{{ 1 != 2 }} {{ 1 < 2 }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ [1] < [1, 0] }} {{ 2 >= "
       "2 }} {{ 2.5 <= 2 }}"},
      {"{{ 1 < 3 > 2 }} {{ 1 < 2 < 1 }}"},
      {"{{ 1 < 'a' }}"},
      {"{{ 'a' in 'cat' }} {{ 1 in [1.0] }} {{ true in [1] }} {{ 2 in {'2': 1} }} {{ 'a' in d }} "
       "{{ 'z' not in d }} {{ 3 not in nums }}"},
      {"{{ 1 in 'abc' }}"},
      {"{{ 1 in none }}"},
      {"{{ '' or 'x' }} {{ [] or {} }} {{ 0 and 1 }} {{ 1 and 2 }} {{ none or 0 }} {{ 'a' and '' "
       "}}"},
      {"{{ missing or 'f' }} {{ missing and 'x' }}"},
      {"{{ 'yes' if t else 'no' }} {{ 'yes' if fa else 'no' }} [{{ 'x' if fa }}]"},
      {"{{ 1 if 0 else 2 if 0 else 3 }}"},
      {"{{ not missing }} {{ not none }} {{ not 'False' }} {{ not [0] }}"},
      {"{{ missing + 1 }}"},
      {"{{ missing() }}"},
      {"{{ missing == none }} {{ missing ~ 'x' }}"},
      {"{{ 9223372036854775807 + 1 }}"},
      {"{{ -n }} {{ +f }} {{ - -3 }}"},
      {"{{ -'a' }}"},

      // ---- tests
      {"{{ x is defined }} {{ n is defined }} {{ missing is undefined }} {{ none is none }} {{ "
       "none is defined }}"},
      {"{{ 's' is string }} {{ d is mapping }} {{ nums is iterable }} {{ 's' is sequence }} {{ d "
       "is sequence }} {{ n is sequence }}"},
      {"{{ true is number }} {{ true is integer }} {{ 1 is integer }} {{ 1.0 is float }} {{ true "
       "is boolean }} {{ 1 is true }} {{ true is true }} {{ false is false }}"},
      {"{{ 1 is odd }} {{ 2 is even }} {{ 1.5 is odd }} {{ 2.0 is even }} {{ 9 is divisibleby 3 }} "
       "{{ 9 is divisibleby(2) }}"},
      {"{{ 'a' is odd }}"},
      {"{{ 3 is divisibleby 0 }}"},
      {"{{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 1 is lessthan 0 }} "
       "{{ 2 is le 2 }} {{ 3 is gt 2 }} {{ 3 is greaterthan 4 }} {{ 3 is ge 3 }}"},
      {"{{ 2 is in [1, 2] }} {{ 'x' is in 'abc' }} {{ 1 is not in [2] }} {{ n is not none }}"},
      {"{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }} {{ '1' is lower }}"},
      {"{{ none is sameas none }} {{ 1 is sameas 1 }} {{ true is sameas true }}"},
      {"{{ d.get is callable }} {{ range is callable }} {{ n is callable }} {{ missing is callable "
       "}}"},
      {"{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }} {{ 'nope' is test }}"},
      {"{{ missing is iterable }} {{ missing is sequence }} {{ missing is string }}"},
      {"{{ not x is defined }}"},
      {"{{ x is nosuchtest }}"},

      // ---- filters: strings
      {"{{ s | lower }} {{ s | upper }} {{ 'hELLO wORLD' | capitalize }} {{ 'hello-world (x) [y] "
       "{z} <w>  two' | title }}"},
      {"{{ none | upper }} {{ true | lower }} {{ 123 | replace('2', 'x') }} {{ none | string }} {{ "
       "1.0 | string }}"},
      {"{{ uni | upper }} {{ uni | lower }} {{ 'ß' | upper }} {{ 'ΣΑΣ' | lower }} {{ 'İ' | lower | "
       "length }}"},
      {"{{ 'abc' | replace('', '-') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ s | replace('o', '0') "
       "}}"},
      {"[{{ sp | trim }}] [{{ 'xxhixx' | trim('x') }}] [{{ odd_space | trim }}] [{{ '\u3000 a "
       "\u2028' | trim }}]"},
      {"{{ s | length }} {{ uni | length }} {{ nums | length }} {{ d | count }} {{ missing | "
       "length }} {{ e | length }}"},
      {"{{ none | length }}"},
      {"{{ 5 | length }}"},
      {"{{ s | first }} {{ s | last }} {{ nums | first }} {{ nums | last }} {{ d | first }} {{ d | "
       "last }} [{{ empty | first }}]"},
      {"{{ 'Hello World, how are you today' | truncate(15) }}|{{ 'Hello World' | truncate(9, true) "
       "}}|{{ 'Hello World' | truncate(9, false, '…', 0) }}|{{ 'short' | truncate(3, leeway=5) }}"},
      {"{{ 'abcdefghijklmnopqrstuvwxyz' | truncate(10, end='') }}"},
      {"{{ 'abc' | truncate(1) }}"},
      {"{{ html | escape }} {{ html | e }} {{ none | e }} {{ html | safe }} {{ html | forceescape "
       "}}"},
      {"{{ url | urlencode }} {{ pairs | urlencode }} {{ [('a', 1), ('b', 'c d')] | urlencode }} "
       "{{ 5 | urlencode }}"},
      {"{{ s | center(21) }}|{{ 'ab' | center(5) }}|{{ 'abc' | center(6) }}|{{ s | center(2) }}"},
      {"{{ 'a\nb\n\nc' | indent }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(width='> ', "
       "blank=true) }}"},
      {"{{ 'one two  three-four five_six 東京' | wordcount }}"},
      {"{{ s | string | length }} {{ nums | string }}"},

      // ---- filters: numbers
      {"{% for v in num_strings %}{{ v | int }},{% endfor %}"},
      {"{% for v in num_strings %}{{ v | float }},{% endfor %}"},
      {"{{ 4.9 | int }} {{ -4.9 | int }} {{ none | int }} {{ true | int }} {{ 'x' | int(7) }} {{ "
       "'0x1A' | int(0, 16) }} {{ 'ff' | int(base=16) }} {{ '0b101' | int(0, 0) }}"},
      {"{{ none | float }} {{ 'x' | float(1.5) }} {{ 3 | float }} {{ ' 2.5 ' | float }} {{ 'inf' | "
       "float }} {{ 'nan' | float }}"},
      {"{{ missing | int }}"},
      {"{{ missing | float }}"},
      {"{{ 2.5 | round }} {{ 3.5 | round }} {{ 0.125 | round(2) }} {{ 2.675 | round(2) }} {{ 42.55 "
       "| round }} {{ 3 | round }} {{ 42.55 | round(1, 'floor') }} {{ 42.51 | round(0, 'ceil') }}"},
      {"{{ -2.5 | round }} {{ 1234.5678 | round(-2) }} {{ 1250 | round(-2) }} {{ 1350 | round(-2) "
       "}} {{ 7 | round(2) }}"},
      {"{{ 'x' | round }}"},
      {"{{ 1 | round(method='up') }}"},
      {"{{ -3 | abs }} {{ -2.5 | abs }} {{ true | abs }}"},
      {"{{ 'a' | abs }}"},
      {"{{ nums | sum }} {{ ints | sum(start=10) }} {{ users | sum(attribute='age') }} {{ empty | "
       "sum }}"},
      {"{{ words | sum }}"},
      {"{{ nums | min }} {{ nums | max }} {{ words | min }} {{ words | max }} {{ words | "
       "max(case_sensitive=true) }} {{ users | max(attribute='age') }} [{{ empty | min }}]"},

      // ---- filters: sequences
      {"{{ [1, true, none, 1.5, 'x', [1]] | join('-') }} {{ d | join(',') }} {{ 'abc' | join('.') "
       "}} {{ users | join(', ', attribute='name') }}"},
      {"{{ missing | join(',') }}|{{ missing | list }}|{{ missing | first }}|{{ missing | lower "
       "}}"},
      {"{{ s | list }} {{ d | list }} {{ nums | list }} {{ range(3) | list }}"},
      {"{{ none | list }}"},
      {"{{ d | items | list }} {{ emptyd | items | list }} {{ missing | items | list }}"},
      {"{{ nums | items }}"},
      {"{{ d | dictsort }} {{ d | dictsort(true) }} {{ d | dictsort(by='value') }} {{ d | "
       "dictsort(reverse=true) }}"},
      {"{{ d | dictsort(by='x') }}"},
      {"{{ words | sort }} {{ words | sort(case_sensitive=true) }} {{ words | sort(reverse=true) "
       "}} {{ nums | sort }} {{ d | sort }} {{ 'cba' | sort }}"},
      {"{{ [3, 'a'] | sort }}"},
      {"{{ words | unique | list }} {{ words | unique(case_sensitive=true) | list }} {{ [1, 1.0, "
       "true, 2] | unique | list }} {{ users | unique(attribute='address.city') | "
       "map(attribute='name') | list }}"},
      {"{{ [[1], [1]] | unique | list }}"},
      {"{{ nums | reverse | list }} {{ s | reverse }} {{ d | reverse | list }}"},
      {"{{ words | map('upper') | list }} {{ nums | map('abs') | list }} {{ words | map('replace', "
       "'a', '_') | list }} {{ users | map(attribute='tags') | map('length') | list }}"},
      {"{{ nums | select('odd') | list }} {{ nums | reject('odd') | list }} {{ [0, 1, '', 'a', "
       "none] | select | list }} {{ ints | select('gt', 3) | list }} {{ ints | reject('in', [1, "
       "9]) | list }}"},
      {"{{ users | rejectattr('active') | map(attribute='name') | list }} {{ users | "
       "selectattr('age', 'gt', 28) | map(attribute='name') | list }} {{ users | "
       "selectattr('address.city', 'equalto', 'paris') | list | length }}"},
      {"{{ users | selectattr('nope') | list }}"},
      {"{{ words | map('nosuchfilter') | list }}"},
      {"{{ nums | select('nosuchtest') | list }}"},
      {"{{ users[0] | attr('name') }}|{{ d | attr('items') | list }}"},
      {"{{ missing | default('d') }} {{ none | default('d') }} {{ none | default('d', true) }} {{ "
       "'' | d('e', true) }} {{ 0 | default(5) }} {{ missing | d }}"},
      {"{{ event.payload.nokey | default('x') }} {{ event.payload.nokey.deeper | default('y') }}"},
      {"{{ x | nosuchfilter }}"},
      {"{{ x | }}"},

      // ---- str / dict / list methods
      {"{{ s.upper() }} {{ s.lower() }} {{ s.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b "
       "c'.split(' ', 1) }} {{ s.replace('l', 'L') }} {{ s.startswith('He') }} {{ s.endswith(('x', "
       "'ld')) }}"},
      {"{{ sp.strip() }}|{{ sp.lstrip() }}|{{ sp.rstrip() }}|{{ 'xxaxx'.strip('x') }}"},
      {"{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ s.count('l') }} {{ s.find('W') "
       "}} {{ '-'.join(words) }} {{ uni.find('東') }}"},
      {"{{ nums.count(1) }} {{ nums.index(2) }}"},
      {"{{ nums.index(99) }}"},
      {"{{ d.pop('a') }}"},
      {"{{ nums.append(1) }}"},
      {"{{ d.pop }}"},
      {"{{ s.nosuchmethod() }}"},
      {"{{ n() }}"},

      // ---- statements
      {"{% if t %}yes{% endif %}{% if fa %}no{% elif n == 3 %}three{% else %}else{% endif %}"},
      {"{% if missing %}a{% elif none %}b{% else %}c{% endif %}"},
      {"{% for x in nums %}{{ loop.index }}:{{ x }}{% if not loop.last %}, {% endif %}{% endfor "
       "%}"},
      {"{% for x in ints %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first "
       "}}{{ loop.last }}{{ loop.length }} {% endfor %}"},
      {"{% for x in ints %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}"},
      {"{% for x in ints %}{{ loop.cycle('odd', 'even') }} {% endfor %}"},
      {"{% for x in [1, 2] %}{% for y in 'ab' %}{{ loop.depth }}{{ x }}{{ y }} {% endfor %}{{ "
       "loop.depth }}{% endfor %}"},
      {"{% for x in empty %}x{% else %}empty{% endfor %}"},
      {"{% for x in missing %}x{% else %}none{% endfor %}"},
      {"{% for x in ints if x > 2 %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}"},
      {"{% for k in d %}{{ k }}{% endfor %} {% for c in 'héllo' %}{{ c }}.{% endfor %}"},
      {"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"},
      {"{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}"},
      {"{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}"},
      {"{% for (a, b) in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}"},
      {"{% for a, b in [[1, 2, 3]] %}{{ a }}{% endfor %}"},
      {"{% for a, b in [[1]] %}{{ a }}{% endfor %}"},
      {"{% for x in none %}{{ x }}{% endfor %}"},
      {"{% for x in 5 %}{{ x }}{% endfor %}"},
      {"{% for a in [1] %}{{ a }}{% endfor %}[{{ a }}]"},
      {"{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}{{ x }}{% endfor %}{{ x }}"},
      {"{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}"},
      {"{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set c = 1, 2 %}{{ c }}"},
      {"{% set x %}inner {{ n }}{% endset %}[{{ x }}] {{ x | length }}"},
      {"{% set ns = namespace(total=0, items=[]) %}{% for x in ints %}{% set ns.total = ns.total + "
       "x %}{% endfor %}{{ ns.total }} {{ ns.items }}"},
      {"{% set ns = namespace(found=false) %}{% for u in users %}{% if u.age > 30 %}{% set "
       "ns.found = u.name %}{% endif %}{% endfor %}{{ ns.found }}"},
      {"{% set x = 5 %}{% set x.y = 1 %}"},
      {"{% for i in range(3) %}{{ i }}{% endfor %} {{ range(2, 10, 3) | list }} {{ range(5, 0, -2) "
       "| list }} {{ range(0) | list }}"},
      {"{{ range(101) | length }}"},
      {"{{ range(1, 2, 0) | list }}"},
      {"{{ dict(a=1, b='x') }} {{ namespace(a=1).a }}"},
      {"{% raw %}{{ not rendered }} {% if %}{% endraw %}"},
      {"a {%- raw -%}  {{ x }}  {%- endraw -%} b"},
      {"{{ '{{' }} literal {{ '}}' }}"},
      {"{% include 'x.html' %}"},
      {"{% extends 'base.html' %}"},
      {"{% import 'macros.html' as m %}"},
      {"{% from 'm.html' import x %}"},

      // ---- whitespace control and text
      {"A\n{% if true %}\nB\n{% endif %}\nC"},
      {"a  {%- if t -%}  B  {%- endif -%}  c"},
      {"[x\n  {%- if t %}B{% endif %}]"},
      {"line1\n{{- ' joined' }}\n  {{ n -}}\n  end"},
      {"a {#- comment -#} b {# multi\nline {{ x }} #}c"},
      {"{%- for x in ints -%}\n  {{ x }}\n{%- endfor -%}\n"},
      {"Hello\n\n"},
      {"Hello\r\nWorld\r\n"},
      {"x{{ 1 }}\n"},
      {"{{ 'trailing' }}\n\n\n"},
      {"  {{ s }}  "},
      {"{{- s -}}"},
      {"{%+ if true %}x{% endif +%}"},

      // ---- more scoping, loops and values
      {"[{{ loop }}] [{{ loop.index }}]"},
      {"{% for x in ints %}{% set y = x * 2 %}{{ y }}{% endfor %}[{{ y }}]"},
      {"{% set y = 'outer' %}{% for x in [1] %}{{ y }}{% set y = 'inner' %}{{ y }}{% endfor %}{{ y "
       "}}"},
      {"{% for x in d.values() %}{{ x }}{% endfor %} {% for k in d.keys() %}{{ k }}{% endfor %}"},
      {"{% for u in users if u.active %}{{ u.name }}{% else %}nobody{% endfor %}"},
      {"{% for u in users if u.age > 99 %}{{ u.name }}{% else %}nobody{% endfor %}"},
      {"{% for x in nested %}{% for y in x %}{{ y }},{% endfor %};{% endfor %}"},
      {"{% for a, b in d | dictsort %}{{ loop.index }}{{ a }}{{ b }}{% endfor %}"},
      {"{{ (d | dictsort)[0] }} {{ d | dictsort | first }} {{ d | dictsort | last }} {{ (d | "
       "dictsort)[0][1] }}"},
      {"{{ d | items | first }} {{ d.items() | list | first }}"},
      {"{{ [(1, 2), (3, 4)] }} {{ [(1, 'a')] | list }}"},
      {"{% set ns = namespace() %}{% set ns.a = [1, 2] %}{{ ns.a }} {{ ns.missing }}"},
      {"{% set t = (1, 2) %}{{ t }} {{ t[0] }} {{ t | list }} {{ t + (3,) }}"},
      {"{% set x = [] %}{{ x }}{% set x = x + [1] %}{{ x }}"},
      {"{% if users %}{{ users | length }}{% endif %}{% if empty %}no{% endif %}{% if emptyd "
       "%}no{% endif %}"},
      {"{{ users[0] }}"},
      {"{{ event.payload['data']['changelog']['attributes']['weight'] }}"},
      {"{{ event.payload['data']['changelog']['attributes']['weight']['value'] + 1 }}"},
      {"{{ event.payload['data']['count'] * event.payload['data']['ratio'] }}"},
      {"{{ event.payload['data']['fields'] | join(', ') }} {{ event.payload['data']['fields'] | "
       "tojson }}"},
      {"{{ event.payload['data']['changelog']['parent'] }} {{ "
       "event.payload['data']['changelog']['parent'] | tojson }} {{ "
       "event.payload['data']['changelog']['parent'] is none }}"},
      {"{{ event.payload['data']['changelog'].get('display_label', 'x') | upper }}"},
      {"{{ event.related | map(attribute='prefect.resource.role') | list }}"},
      {"{% for r in event.related %}{{ r['prefect.resource.id'].split('.')[-1] }} {% endfor %}"},
      {"{{ event.resource['prefect.resource.id'][:13] }} {{ event.id[:8] }}"},
      {"{{ event.occurred[:10] }} {{ event.occurred.split(' ')[1] }}"},
      {"{{ event.payload['data']['changelog']['attributes'] | dictsort | map('first') | list }}"},
      {"{{ event.payload['data']['changelog']['attributes'].values() | map(attribute='value') | "
       "list }}"},
      {"{{ 'node ' ~ event.payload['data']['node_id'] ~ ' on ' ~ "
       "event.resource['infrahub.branch.name'] }}"},
      {"{{ event.payload['data']['action'] == 'updated' and event.resource['infrahub.node.kind'] "
       "in ['NetworkDevice', 'IPAddress'] }}"},
      {"{{ users | map(attribute='age') | sum / users | length }}"},
      {"{{ users | map(attribute='age') | max }} {{ (users | map(attribute='age') | list)[1:] }}"},
      {"{{ nums | map('round') | list }} {{ floats | map('round', 3) | list }}"},
      {"{{ floats[:10] | map('int') | list }}"},
      {"{{ floats | select('gt', 1) | list }} {{ floats | sort | first }}"},
      {"{{ 5 % 3 }} {{ 5.5 % 2 }} {{ -5.5 % 2 }} {{ 5 % -2.5 }} {{ 0.0 % 1 }}"},
      {"{{ 10 ** 18 }} {{ 10 ** 19 }} {{ (-2) ** 63 }} {{ 2 ** 0.5 }} {{ 0 ** 0 }} {{ (-8) ** 2 "
       "}}"},
      {"{{ 9007199254740993 / 1 }} {{ 1e308 * 10 }} {{ -1e308 * 10 }}"},
      {"{{ 0.1 + 0.2 }} {{ 1 / 3 * 3 }} {{ 2.675 * 100 }} {{ 1e16 + 1 }} {{ 123456789012345680.0 "
       "}}"},
      {"{{ 3 // 2.0 }} {{ -3 // 2.0 }} {{ 3 // -2 }} {{ 0.0 // 1 }} {{ -0.0 // 1 }}"},
      {"{{ 1 == 1 == 1 }} {{ 1 < 2 == true }} {{ none < 1 }}"},
      {"{{ [1, 'a'] < [1, 2] }}"},
      {"{{ {'a': 1} < {'a': 2} }}"},
      {"{{ 'abc' < 'abd' }} {{ 'é' > 'z' }} {{ '' < 'a' }} {{ (1, 2) < (1, 3) }}"},
      {"{{ 'b' in ['a', 'b'] }} {{ [1] in [[1], 2] }} {{ {'a': 1} in [{'a': 1}] }} {{ none in "
       "[none] }}"},
      {"{{ [1] in d }}"},
      {"{{ x if x is defined else 'no x' }} {{ n if n is defined }}"},
      {"{{ n is number and n > 2 }} {{ not n is none }} {{ n is not string }}"},
      {"{{ 1 is odd is true }}"},
      {"{{ words | first | upper }} {{ (words | first)[0] }} {{ words[0][1:] }}"},
      {"{{ users | selectattr('active') | first | attr('name') }}"},
      {"{{ users | first | tojson }}"},

      // ---- filter argument errors and edge cases
      {"{{ s | upper(1) }}"},
      {"{{ s | replace('a') }}"},
      {"{{ s | default('a', true, 3) }}"},
      {"{{ s | truncate(foo=1) }}"},
      {"{{ nums | join(1) }}"},
      {"{{ d | dictsort(false, 'value', true) }}"},
      {"{{ words | sort(attribute='x') }}"},
      {"{{ users | sort(attribute='nope') | length }}"},
      {"{{ users | map(attribute='name') | map('lower') | sort | join('|') }}"},
      {"{{ [3, 1, 2] | sort | reverse | list }} {{ [] | sort }} {{ [none, none] | sort }}"},
      {"{{ [none, 1] | sort }}"},
      {"{{ [1.5, 1, true, 0] | sort }} {{ [[2], [1, 5], [1]] | sort }}"},
      {"{{ nums | max(attribute='x') }}"},
      {"{{ 'aBc' | unique | list }} {{ 'aAbB' | unique(true) | list }}"},
      {"{{ none | default }} [{{ missing | default(none) }}] {{ false | default('f', true) }}"},
      {"{{ '' | first }}"},
      {"{{ 5 | first }}"},
      {"{{ 1.5 | string | replace('.', ',') }} {{ 1e20 | string }} {{ -0.0 | string }}"},
      {"{{ 'A' | lower is lower }} {{ '%' | urlencode }} {{ '~a_b.c-d' | urlencode }} {{ {'k': "
       "none} | urlencode }}"},
      {"{{ 'x' | center(4) }}|{{ 'xy' | center(5) }}|{{ 'é' | center(3) }}"},
      {"{{ 'hello world' | truncate(5) }}|{{ 'hello world' | truncate(8) }}|{{ 'hello world foo' | "
       "truncate(11, leeway=0) }}"},
      {"{{ '  a  b  ' | wordcount }} {{ '' | wordcount }}"},
      {"{{ 42 | string | length }} {{ [1, [2, 3]] | string }} {{ d | string }}"},
      {"{{ 'abc' | list | join('-') }} {{ ['a', 'b'] | join }}"},
      {"{{ users | join(', ') }}"},
      {"{{ 'a' | tojson(indent='x') }}"},
      {"{{ users | map(attribute='tags') | sum(start=[]) }}"},
      {"{{ [(1, 2), (3,)] | sum(start=()) }} {{ [] | sum(start=()) }} {{ [(1, 2)] | "
       "sum(start=(0,)) "
       "}} {{ [[1], [2, (3, 4)]] | sum(start=[]) }} {{ [((1, 2),), ([3],)] | sum(start=()) }} {{ "
       "([(1, 2)] | sum(start=())) is sequence }} {{ [(1, 2), (3,)] | sum(start=()) | length }}"},
      {"{{ [(1,), [2]] | sum(start=()) }}"},
      {"{{ [[1], (2,)] | sum(start=[]) }}"},
      {"{{ {'a': 1} | dictsort | sum(start=()) }}"},
      {"{{ [{'a': 1}.items()] | sum(start=[]) }}"},
      {"{{ 1 | items }}"},

      // ---- whitespace and comments, more
      {"{% if t -%}\n\n  x\n{%- endif %}\n"},
      {"{%- for x in [1, 2] %}\n{{ x }}\n{%- endfor %}"},
      {"a\n{#- c #}\nb"},
      {"a\n  {#- c -#}  \nb"},
      {"{{ 'a' }}{# c #}{{ 'b' }}"},
      {"{% raw -%}   x   {%- endraw %}"},
      {"x {%- raw %} {{ y }} {% endraw -%} z"},
      {"{% set x -%}\n  body\n{%- endset %}[{{ x }}]"},
      {"\n\n{{ n }}\n\n"},
      {"{{ n }}\r\n{{ n }}\r"},
      {"{{ '\r\n' | length }}"},

      // ---- syntax errors
      {"{{ }}"},
      {"{{ a b }}"},
      {"{{ a = 1 }}"},
      {"{{ a. }}"},
      {"{{ 1 + }}"},
      {"{{ 'unterminated }}"},
      {"{{ $ }}"},
      {"{% if t %}no end"},
      {"{% endif %}"},
      {"{% if t %}{% endfor %}"},
      {"{% if t %}{% else %}{% elif t %}{% endif %}"},
      {"{% for x in nums %}{% break %}{% endfor %}"},
      {"{% for x in nums %}{% continue %}{% endfor %}"},
      {"{% nosuchtag %}"},
      {"{# unclosed comment"},
      {"{{ x"},
      {"{% if %}{% endif %}"},
      {"{{ (1, 2 }}"},
      {"{{ [1, 2 }}"},
      {"{{ {'a' 1} }}"},
      {"{{ f(a=1, 2) }}"},
      {"{% set %}"},
      {"{% for in x %}{% endfor %}"},
      {"{% raw %}unclosed"},
      {"{{ 1 }}}"},
      {"}} {% endset %}"},
      {"{{ x is }}"},
      {"{{ 1 is odd is true is }}"},
      {"{% for x in y %}{% endif %}"},
      {"{% set x = %}"},
      {"{{ [1,] }} {{ (1,) }} {{ {'a': 1,} }}"},
      {"{{ a.1b }}"},
      {"{{ 1.2.3 }}"},
      {"{{ a.0.1 }}"},
      {"{{ x | default( }}"},
      {"{% set ns.x = 1 %}"},
      {"{% if %}"},
      {"{{ 'a' 'b' c }}"},
      {"{% with a = 1 %}{{ a }}{% endwith %}[{{ a }}]"},
      {"{% set a = 5 %}{% with a = a + 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}"},
      {"{% filter upper | replace('A', '4') %}a {{ s }}{% endfilter %}"},
      {"{% filter upper %}x{% endfilter %}"},
      {"{{ x is defined(1) }} {{ n is divisibleby(3) }}"},
      {"{{ not }}"},
      {"{{ - }}"},
      {"{%- -%}"},

      // ---- macros and call blocks
      {"{% macro m(a, b=2) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|{{ m(b=5, a=0) "
       "}}"},
      {"{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}"},
      {"{% macro m() %}[{{ y }}]{% endmacro %}{% for y in [1] %}{{ m() }}{% endfor %}"},
      {"{% macro m() %}{{ loop }}{% endmacro %}{% for i in [1] %}{{ m() }}{% endfor %}"},
      {"{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, k=3) }}|{{ m() }}"},
      {"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}"},
      {"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(z=2) }}"},
      {"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}"},
      {"{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}"},
      {"{% macro m(a) %}[{{ a.b }}]{% endmacro %}{{ m() }}"},
      {"{% macro m(a=1, b) %}{{ a }}{% endmacro %}{{ m() }}"},
      {"{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(4) }}"},
      {"{% set t = 5 %}{% macro m() %}{% set t = 7 %}{{ t }}{% endmacro %}{{ m() }}{{ t }}"},
      {"{% macro m() %}{{ m2() }}{% endmacro %}{% macro m2() %}two{% endmacro %}{{ m() }}"},
      {"{% macro r(n) %}{{ n }}{% if n > 0 %}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(3) }}"},
      {"{{ m() }}{% macro m() %}x{% endmacro %}"},
      {"{% for i in [1, 2] %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}"},
      {"{% macro m() %}x{% endmacro %}{{ m }}|{{ m.name }}|{{ m.arguments }}|{{ m.catch_kwargs }}"},
      {"{% macro m(a, b) %}{{ caller(a) }}{% endmacro %}{{ m.arguments }} {{ m.caller }}"},
      {"{% macro m() %}x{% endmacro %}{{ m() | upper }}{{ m() ~ 1 }}{{ m() | length }}"},
      {"{% macro m() %}x{% endmacro %}{{ m is callable }} {{ m | tojson }}"},
      {"{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}inner{% endcall %}"},
      {"{% macro m(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
       "{% call(item) m([1, 2]) %}[{{ item }}]{% endcall %}"},
      {"{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}"},
      {"{% macro m() %}[{{ caller }}]{% endmacro %}{{ m() }}"},
      {"{% macro m() %}x{% endmacro %}{{ m(caller=1) }}"},
      {"{% macro m() %}{{ caller(1, 2) }}{% endmacro %}{% call(a) m() %}{{ a }}{% endcall %}"},
      {"{% macro m() %}{{ caller() }}{% endmacro %}{% call(a, b=5) m() %}{{ a }}{{ b }}"
       "{% endcall %}"},
      {"{% macro list(xs) %}<ul>{% for x in xs %}<li>{{ caller(x) }}</li>{% endfor %}</ul>"
       "{% endmacro %}{% for u in users %}{% call(tag) list(u.tags) %}{{ u.name }}:{{ tag }}"
       "{% endcall %}{% endfor %}"},
      {"{% call nope() %}x{% endcall %}"},
      {"{% call 'x' %}x{% endcall %}"},
      {"{% macro m() %}unclosed"},
      {"{% macro 1() %}{% endmacro %}"},
      {"{% macro none() %}{% endmacro %}"},
      {"{% macro m(a.b) %}{% endmacro %}"},
      {"{% macro m %}{% endmacro %}"},
      {"{% macro m() %}{{ m.x }}{% endmacro %}{{ m() }}"},
      {"{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}"},
      {"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(*[1]) }}|{{ m(**{'a': 2}) }}|{{ m(*[], a=3) }}"},
      {"{% macro m() %}{{ kwargs }}{% endmacro %}{{ m(**{'a': 1}) }}"},
      {"{% macro m() %}{{ varargs }}{% endmacro %}{{ m(*users | map(attribute='age')) }}"},
      {"{% macro m() %}{% endmacro %}{{ m(**1) }}"},
      {"{% macro m() %}{% endmacro %}{{ m(*1) }}"},
      {"{{ 'a-b'.split(*['-']) }} {{ range(*[1, 4]) | list }} {{ dict(**{'a': 1}, b=2) }}"},
      {"{{ f(*a, *b) }}"},
      {"{{ f(**a, b) }}"},
      {"{{ f(*a, b) }}"},
      {"{{ dict(a=1, **{'a': 2}) }}"},

      // ---- recursive loops and loop.changed
      {"{% for x in tree recursive %}[{{ loop.depth }}{{ x.name }}{{ loop(x.children) }}]"
       "{% endfor %}",
       "tree"},
      {"{% for x in tree recursive %}[{{ x.name }}{{ loop(x.children) }}]{% else %}E{% endfor %}",
       "tree"},
      {"{% for x in tree %}{{ loop(x.children) }}{% endfor %}", "tree"},
      {"{% for x in tree recursive %}{{ loop() }}{% endfor %}", "tree"},
      {"{% for x in tree recursive %}{{ loop(1) }}{% endfor %}", "tree"},
      {"{% for x in tree recursive %}{{ loop(x.children, 2) }}{% endfor %}", "tree"},
      {"{% for x in tree recursive %}{{ loop.depth0 }}{{ loop.length }}{{ loop.first }}"
       "{{ loop(x.children) | upper }}{% endfor %}",
       "tree"},
      {"{% for x in tree if x.name != 'edge' recursive %}{{ x.name }}({{ loop(x.children) }})"
       "{% endfor %}",
       "tree"},
      {"{% for x in tree recursive if x %}{% endfor %}", "tree"},
      {"{% for x in tree recursive %}{% set y = x.name %}{{ y }}{{ loop(x.children) }}{{ y }}"
       "{% endfor %}",
       "tree"},
      {"{% for x in tree recursive %}{{ loop }}{% endfor %}", "tree"},
      {"{% for k, v in d | dictsort recursive %}{{ k }}{% if v is mapping %}{{ loop(v | "
       "dictsort) }}{% endif %}{% endfor %}",
       "tree"},
      {"{% for x in [1, 1, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}"},
      {"{% for x in [1, 1, 2, 1] %}{{ loop.changed() }}{% endfor %}"},
      {"{% for a, b in [[1, 2], [1, 3]] %}{{ loop.changed(a, b) }}{{ loop.changed(a) }}"
       "{% endfor %}"},
      {"{% for r in rows %}{% if loop.changed(r.site) %}{{ r.site }}: {% endif %}{{ r.dev }} "
       "{% endfor %}",
       "tree"},
      {"{% for x in [1] %}{{ loop.changed(k=1) }}{% endfor %}"},

      // ---- printf-style formatting
      {"{{ '%s-%d' % ('a', 2) }} {{ '%(name)s=%(x)03d' % d }} {{ '%s' % d }}", "tree"},
      {"{{ '%5s|%-5s|%.2s|%5.1s|' % ('ab', 'ab', s, s) }}", "tree"},
      {"{{ '%d %i %u %x %X %o %#x %#o %#X' % (n, n, n, n, n, n, n, n, n) }}", "tree"},
      {"{{ '%+d % d %05d %-5d| %+05d %.3d %x' % (n, n, n, n, neg, neg, neg) }}", "tree"},
      {"{{ '%f %.2f %e %E %g %G %.3g %10.4f| %-10.2e| %+.1f %#g %#.0f' % (f, f, f, f, f, f, f, f, "
       "f, f, f, f) }}",
       "tree"},
      {"{{ '%f %e %g %F %05f %d' % (1e300, 1e-300, 1e16, 1.5, -2.5, 2.9) }}"},
      {"{{ '%d %x' % (true, false) }} {{ '%s %r %a' % (s, s, s) }}", "tree"},
      {"{{ '%c%c' % (65, 'é') }} {{ '%5c|' % 'x' }}"},
      {"{{ '%s' % none }} {{ '%s' % [1, 2] }} {{ 'x' % [1] }} {{ 'x' % {} }} {{ '%%' % () }}"},
      {"{{ '%s and %s' % (1, [2, 'three'], ) }}"},
      {"{{ '%s %s' % (1,) }}"},
      {"{{ '%s' % (1, 2) }}"},
      {"{{ 'x' % 5 }}"},
      {"{{ '%y' % 1 }}"},
      {"{{ '%' % 1 }}"},
      {"{{ '%(a' % {} }}"},
      {"{{ '%(a)s' % 1 }}"},
      {"{{ '%(zz)s' % d }}", "tree"},
      {"{{ '%(items)s' % d }}", "tree"},
      {"{{ '%(a)s' % [1] }}"},
      {"{{ '%c' % -1 }}"},
      {"{{ '%c' % 'ab' }}"},
      {"{{ '%d' % 'x' }}"},
      {"{{ '%x' % 2.0 }}"},
      {"{{ '%f' % 'x' }}"},
      {"{{ '%*d|%-*d|%.*f' % (5, 1, 4, 2, 2, 3.14159) }}"},
      {"{{ '%*d' % ('a', 1) }}"},
      {"{{ '%5%' % () }}"},
      {"{{ '%s' % missing }}|{{ '%s' % missing.attr }}"},
      {"{{ '%d' % missing }}"},
      {"{{ '%s' % big }} {{ '%d' % big }} {{ '%x' % big }}", "tree"},
      {"{{ 'é%s' % 'ü' }} {{ '%é' % 1 }}"},
      {"{{ '%ld %hd %Lf' % (1, 2, 3.5) }}"},
      {"{{ '%s' % (1, 2)[0] }} {{ ('%s' % 1) | length }} {{ '%s' % ([1, 2],) }}"},
      {"{{ '%x|%o|%c|%r|%a|%f' % (missing, missing, missing, missing, missing, missing) }}"},
      {"{{ '%x' % missing }}"},
      {"{{ '%c' % missing }}"},
      {"{{ '%r' % missing }}"},
      {"{{ 5 % 3 }} {{ -5 % 3 }} {{ 5.5 % 2 }} {{ [1] % 2 }}"},

      // ---- str.format / str.format_map (Jinja's SandboxedFormatter: string.Formatter with the
      // sandbox's lookups, format() of str, int, bool, float and None per formatter_unicode.c)
      {"{{ '{0}-{1}'.format(1, 2) }}|{{ '{}-{}'.format('a', 'b') }}|{{ '{1}{0}{1}'.format('x', "
       "'y') }}|{{ 'no fields'.format(1, k=2) }}"},
      {"{{ '{name}={value}'.format(name='n', value=n) }}|{{ '{0}:{k}:{1}'.format(s, none, k=t) }}"},
      {"{{ '{{}}|{{{0}}}|}}{{|{{0}}'.format(1) }}"},
      {"{{ '{}|{}|{}|{}|{}|{}|{}|{}'.format(n, f, t, none, s, [1, 'a', none], {'k': (1, 2)}, big) "
       "}}"},
      {"{{ '{}|{}|{}|{}|{}|{}'.format(floats[0], floats[1], floats[2], floats[4], floats[6], "
       "floats[11]) }}"},
      {"{{ '{}|{}|{}'.format(d.items() | list, 'x' ~ n, nested) }}"},
      {"{{ '{0[node_id]} {0[changelog][display_label]} {0.kind} "
       "{0[fields][1]}'.format(event.payload.data) }}"},
      {"{{ '{0[0]}|{0[1][1][0]}|{0[1][1][1]}|{0[1][1]!r:>12}'.format(nested) }}"},
      {"{{ '{0[prefect.resource.id]}|{0[infrahub.branch.name]:>6}'.format(event.resource) }}"},
      {"{{ '{a[b]}/{a[a]}/{a.C}'.format(a=d) }}|{{ '{}{0[b]}'.format(d) }}"},
      {"[{{ '{0.zz}|{0[9]}|{0[zz]}|{1[5]}|{1.0}'.format(d, words) }}]"},
      {"{{ '{0.zz.yy}'.format(d) }}"},
      {"{{ '{0[zz][yy]}'.format(d) }}"},
      {"{% for u in users %}{{ "
       "'{0[name]:<6}|{0[age]:>3}|{0[active]!s:^7}|{0[address][city]!r}'.format(u) }};{% endfor "
       "%}"},
      {"{{ 'Node {0[kind]} {0[node_id]:.8} on {1!r} ({2:,} bytes)'.format(event.payload['data'], "
       "event.resource['infrahub.branch.name'], 1234567) }}"},
      {"[{{ '{0}'.format(missing) }}][{{ '{x}'.format(x=missing) }}]"},
      {"[{{ '{0!r}|{0!a}'.format(missing) }}]"},
      {"[{{ '{!s:>3}'.format(missing) }}]"},
      {"[{{ '{:>3}'.format(missing) }}]"},
      {"{{ '{0!s}|{0!r}|{0!a}|{1!r}|{2!r}|{3!a}|{4!r}'.format(uni, quote, dq, words, ctrl) }}"},
      {"{{ '{!r:>12}|{!s:*<8}|{!r:^9}|{!a:.4}'.format('ab', 1.5, none, 'éé') }}"},
      {"{{ '[{:<8}][{:>8}][{:^8}][{:^7}][{:*^9}][{:é>6}][{:.3}][{:8.2}][{:05}][{:s}]'.format('ab', "
       "'ab', 'ab', 'ab', 'ab', 'ab', s, s, 'ab', s) }}"},
      {"{{ '[{:=^10}][{:<<5}][{:0>5}][{:00}][{:0<6s}][{:>0}][{:.0}][{:.10}]'.format('ab', 'ab', "
       "'ab', 'ab', 'ab', 'ab', 'ab', 'ab') }}"},
      {"{{ '[{:<6}][{:>6}][{:^7.2}][{:🚀^5}]'.format('東京', 'é', uni, 'x') }}"},
      {"{{ '{:d}|{:5d}|{:<5d}|{:^5d}|{:=5d}|{:05d}|{:+d}|{: d}|{:-d}|{:5}|{:n}'.format(n, n, n, n, "
       "neg, neg, n, n, neg, neg, neg) }}"},
      {"{{ "
       "'{0:b}|{0:o}|{0:x}|{0:X}|{0:#b}|{0:#o}|{0:#x}|{0:#X}|{1:x}|{1:#x}|{1:#010b}|{2:X}'.format("
       "255, neg, big) }}"},
      {"{{ '{0:,}|{0:_}|{0:,d}|{1:_x}|{1:_b}|{1:#_o}|{2:,}|{3:,}|{3:_}|{4:,}'.format(1234567, "
       "123456, big, -1234, 0) }}"},
      {"{{ "
       "'{0:010,}|{0:09,}|{0:08,}|{0:0=10,}|{0:x=10,}|{1:012,}|{1:012_}|{2:#012_x}|{2:#013_x}|{3:"
       "06,}'.format(1234, -1234567, 123456, 1) }}"},
      {"{{ '[{0:=8}][{0:08}][{0:<08}][{0:^08}][{0:>+08}][{0:+=8}][{1:=+8}][{1: "
       "08}][{1:*=+8}][{1:#=8x}]'.format(-42, 42) }}"},
      {"{{ '{:c}{:c}{:c}|{:>3c}|{:03c}|{:<3c}|{:=^5c}'.format(72, 233, 128640, 65, 66, 67, 68) }}"},
      {"{{ '{:n}|{:n}|{:n}|{:n}|{:n}'.format(1234567, 1234567.5, 0.00001, big, 1e20) }}"},
      {"{{ '{}|{:d}|{:>5}|{:x}|{:.1f}|{:%}|{!r}|{:05}|{:+}'.format(t, t, t, fa, t, fa, t, t, fa) "
       "}}"},
      {"{{ "
       "'{0:f}|{0:.2f}|{0:10.3f}|{0:<10.1f}|{0:^10.1f}|{0:+.0f}|{0:#.0f}|{0:010.2f}|{0:F}|{1:.2f}'."
       "format(f, neg) }}",
       "tree"},
      {"{{ "
       "'{0:e}|{0:.2e}|{0:E}|{0:g}|{0:.3g}|{0:G}|{0:#g}|{0:.0e}|{0:#.0e}|{0:.0g}|{0:#.0g}'.format("
       "f) }}",
       "tree"},
      {"{{ '{:.3}|{:.3}|{:.3}|{:.3}|{:.2}|{:.2}|{:.0}|{:#.3}|{:#.1}|{:.5}|{:.17}'.format(1.0, "
       "100.0, 123.0, 99.96, 0.0001, 0.00001, 1.5, 1.0, 1.0, 12.0, 0.1) }}"},
      {"{{ '{:}|{:10}|{:<10}|{:+}|{:#}|{:#}|{:,}|{:_}|{:010}|{: }|{:^9}'.format(1.0, 2.5, 1e16, "
       "0.0, 1e16, 1.5e-7, 123456.0, 1234567.0, -1e20, 1e-5, -0.0) }}"},
      {"{{ '{:%}|{:.1%}|{:.0%}|{:#.0%}|{:%}|{:,.2%}|{:>8.1%}|{:08.1%}'.format(0.25, 0.125, 0.5, "
       "1.0, 3, 1234.5, -0.5, -0.5) }}"},
      {"{{ "
       "'{0:z.2f}|{0:.2f}|{1:z}|{1:}|{1:z.1e}|{2:z.0%}|{3:z.1f}|{4:z.0f}|{4:z.1e}'.format(-0.001, "
       "-0.0, -0.001, -1.25, -1) }}"},
      {"{{ '{0:f}|{0:,.0f}|{1:f}|{2:e}|{3:g}|{4:.3e}|{5:.1f}|{6:.1f}|{7:.0f}'.format(1e22, "
       "123456789.123, 5e-324, 1e-320, 1e300, 2.675, 0.25, 0.35, 2.5) }}"},
      {"{{ "
       "'{0:,.2f}|{0:_.1e}|{0:,g}|{1:,g}|{1:,}|{2:015,.2f}|{3:012,.1f}|{3:_}|{4:,.3}'.format("
       "1234567.891, 123456.0, 123456789.0, -1234.5, 1234567.0) }}"},
      {"{{ '{0:f}|{0:e}|{0:g}|{0:.2%}|{1:f}|{1:,.1f}|{1:e}|{2:E}|{2:G}'.format(n, big, neg) }}"},
      {"{{ "
       "'{0:e}|{0:f}|{0:g}|{0:E}|{0:F}|{0:G}|{0:%}|{0:010}|{0:+}|{1:010}|{1:z}'.format(floats[10] "
       "* 1e300, -floats[10] * 1e300) }}"},
      {"{{ '{0:f}|{0:g}|{0:F}|{0:+010}|{0:%}'.format(floats[10] * 1e300 - floats[10] * 1e300) }}"},
      {"{{ '{0:{1}}|{0:{2}{1}}|{0:.{3}f}|{0:>{1}.{3}}|{4:{5}^{1}}|{0:{6}}'.format(f, 10, '<', 2, "
       "'x', '*', '.2e') }}",
       "tree"},
      {"{{ '{:{}}|{:>{}}|{}'.format('a', 5, 'b', 4, 'c') }}"},
      {"{{ '{0:1{1}}|{0:{1}{1}}'.format(7, 0) }}"},
      {"{% set fmt = '{:>8}|{:<8}|' %}{{ fmt.format(s, n) }}{% set f2 = '{}!'.format %}{{ f2('x') "
       "}}{{ f2(n) }}"},
      {"{{ '{}-{}'['format'](1, 2) }}|{{ ('{0}' ~ '-{1}').format(1, 2) }}|{{ "
       "'{}'.format(s).upper() }}|{{ '{:5}'.format(n) | length }}"},
      {"{{ s.format(1) }}|{{ event.resource['infrahub.branch.name'].format() }}|{{ '{}' "
       ".format('{}').format(3) }}"},
      {"{{ '{a}-{b}|{C:>4}|{a!r}'.format_map(d) }}|{{ "
       "'{node_id:.8}/{kind}'.format_map(event.payload.data) }}|{{ 'x'.format_map(5) }}"},
      {"{{ '{a}'.format_map(d, 1) }}"},
      {"{{ '{a}'.format_map() }}"},
      {"{{ '{a}'.format_map(d=d) }}"},
      {"{{ '{0}'.format_map(d) }}"},
      {"{{ '{a}'.format_map(words) }}"},
      {"{{ '{zz}'.format_map(d) }}"},
      {"[{{ '{a}'.format_map(missing) }}]"},
      {"{{ '{}{0}'.format(1, 2) }}"},
      {"{{ '{0}{}'.format(1, 2) }}"},
      {"{{ '{0:{}}'.format(1, 2) }}"},
      {"{{ '{:{1}}'.format(1, 2) }}"},
      {"{{ '{2}'.format(1, 2) }}"},
      {"{{ '{}{}'.format(1) }}"},
      {"{{ '{:>{}}|{}'.format(1, 4) }}"},
      {"{{ '{x}'.format(1, y=2) }}"},
      {"{{ '{[a]}'.format(d) }}"},
      {"{{ '{.a}'.format(d) }}"},
      {"{{ '{99999999999999999999}'.format() }}"},
      {"{{ '{0} {'.format() }}"},
      {"{{ '{0:y}'.format(1) }}"},
      {"{{ '{0:d}'.format(1.5) }}"},
      {"{{ '{0:d}'.format('x') }}"},
      {"{{ '{0:f}'.format('x') }}"},
      {"{{ '{0:s}'.format(1) }}"},
      {"{{ '{0:s}'.format(true) }}"},
      {"{{ '{0:%}'.format('x') }}"},
      {"{{ '{0:+}'.format('x') }}"},
      {"{{ '{0: }'.format('x') }}"},
      {"{{ '{0:=5}'.format('x') }}"},
      {"{{ '{0:#}'.format('x') }}"},
      {"{{ '{0:,}'.format('x') }}"},
      {"{{ '{0:z}'.format('x') }}"},
      {"{{ '{0:z}'.format(1) }}"},
      {"{{ '{0:.2}'.format(1) }}"},
      {"{{ '{0:,x}'.format(1) }}"},
      {"{{ '{0:,_}'.format(1) }}"},
      {"{{ '{0:_,}'.format(1) }}"},
      {"{{ '{0:,n}'.format(1.5) }}"},
      {"{{ '{0:,c}'.format(65) }}"},
      {"{{ '{0:+c}'.format(65) }}"},
      {"{{ '{0:#c}'.format(65) }}"},
      {"{{ '{0:c}'.format(-1) }}"},
      {"[{{ '{0[-1]}'.format(nested) }}][{{ '{0:{1}}'.format(1, missing) }}]"},
      {"{{ '{:.1}|{:.1}|{:#.2}|{:.3}'.format(9.5, 0.95, 9.96, 999.5) }}"},
      {"{{ '{0:c}'.format(1114112) }}"},
      {"{{ '{0:.}'.format(1.5) }}"},
      {"{{ '{:.{}f}'.format(1.5, -1) }}"},
      {"{{ '{0:>>>5}'.format(1) }}"},
      {"{{ '{0:é}'.format(1) }}"},
      {"{{ '{0:{1}}'.format(1, '{}') }}"},
      {"{{ '{0:{{}}}'.format(1) }}"},
      {"{{ '{0:{1:{2}}}'.format(1, 2, 3) }}"},
      {"{{ '{0:>6}'.format(none) }}"},
      {"{{ '{0:>6}'.format([1]) }}"},
      {"{{ '{0:>6}'.format(d) }}"},
      {"{{ '{0!x}'.format(1) }}"},
      {"{{ '{0!}'.format(1) }}"},
      {"{{ '{0!'.format(1) }}"},
      {"{{ '{0!rx}'.format(1) }}"},
      {"{{ '{'.format(1) }}"},
      {"{{ 'a}b'.format(1) }}"},
      {"{{ '{0'.format(1) }}"},
      {"{{ '{0[}'.format(1) }}"},
      {"{{ '{0[]}'.format([1]) }}"},
      {"{{ '{0.}'.format([1]) }}"},
      {"{{ '{0[0]x}'.format([1]) }}"},
      {"{{ '{0{1}}'.format(1, 2) }}"},
      {"{{ '{0:x' }}{{ '{0:>3'.format(1) }}"},
      {"{{ 'x'.formatt(1) }}"},
      {"{{ n.format(1) }}"},
      {"{{ none.format(1) }}"},
      {"{{ d.format(1) }}"},

      // ---- the globals cycler() and joiner() (jinja2.utils.Cycler, Joiner)
      {"{% set pipe = joiner('|') %}{% for x in words %}{{ pipe() }}{{ x }}{% endfor %}"},
      {"{% set j = joiner() %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %}|{{ j.sep }}|{{ "
       "j.used }}|{{ joiner().used }}"},
      {"{% set j = joiner(sep=1) %}[{{ j() }}][{{ j() }}][{{ j() + 1 }}][{{ j is callable }}]"},
      {"{% set c = cycler('odd', 'even') %}{% for x in ints %}{{ c.next() }}:{{ x }} {% endfor "
       "%}{{ c.current }}|{{ c.pos }}|{{ c.items }}"},
      {"{% set c = cycler(1, [2, (3,)], none) %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ "
       "c.next() }}|{{ c.reset() }}|{{ c.current }}|{{ c.items }}|{{ c.items | length }}"},
      {"{% set c = cycler('a', 'b') %}{% for x in range(3) %}{% for y in range(2) %}{{ c.next() "
       "}}{% endfor %}{% set c2 = c %}{{ c2.next() }},{% endfor %}{{ c.pos }}"},
      {"{% set c = cycler(missing, 1) %}[{{ c.next() }}][{{ c.next() }}][{{ c.current }}]"},
      {"{{ cycler(1, 2) is callable }}|{{ joiner() is callable }}|{{ cycler(1).nope is defined "
       "}}|{{ joiner().nope is defined }}|{% if cycler(0) %}t{% endif %}{% if joiner() %}t{% endif "
       "%}|{{ cycler(1, 2).current }}"},
      {"{{ '{}|{}|{}'.format(cycler(7, 8).next(), joiner('x').sep, cycler('a').items) }}"},
      {"{% macro row(c) %}{{ c.next() }}{% endmacro %}{% set c = cycler('x', 'y', 'z') %}{{ row(c) "
       "}}{{ row(c) }}{{ c.next() }}{{ row(c) }}"},
      {"{{ cycler() }}"},
      {"{{ joiner()(1) }}"},
      {"{{ cycler(1)() }}"},
      {"{{ cycler(1).next(2) }}"},
      {"{{ cycler(1).reset(2) }}"},
      {"{% for x in cycler(1, 2) %}{% endfor %}"},
      {"{{ cycler(1, 2) | tojson }}"},
      {"{{ joiner() | tojson }}"},
      {"{{ cycler(x=1) }}"},
      {"{{ joiner(',', 2) }}"},
      {"{{ joiner(nope=2) }}"},
      {"{{ joiner() | length }}"},

      // ---- loops over arrays walked in place, loop variables bound once per loop
      {"{% for x in ints %}{{ loop.index }}{{ loop.revindex }}[{{ loop.previtem }}|"
       "{{ loop.nextitem }}]{% endfor %}"},
      {"{% for x in users %}{% for t in x.tags %}{{ loop.depth }}{{ loop.index }}{{ t }}"
       "{% else %}-{% endfor %}{{ loop.index }}{{ x.address.city }} {% endfor %}"},
      {"{% for x in [3, 1] + ints %}{{ x }}{% endfor %} {% for x in ints | sort %}{{ x }}"
       "{% endfor %} {% for x in (1, 2) %}{{ x }}{% endfor %}"},
      {"{% for p in d.items() %}{{ p }}{{ loop.previtem }}{% endfor %} "
       "{% for p in d | dictsort %}{{ p }}{% endfor %} {% for p in d.items() | list %}"
       "{{ p[0] }}{% endfor %}"},
      {"{% for a, b in nested %}{{ a }}/{{ b }} {% endfor %}{% for a, b in d.items() %}"
       "{{ a }}{{ b }}{% endfor %}"},
      {"{% for a, b in ints %}{% endfor %}"},
      {"{% for x in ints %}{% set y = x %}{{ y }}{{ loop.index }}{% endfor %}[{{ y }}]"},
      {"{% for x in ints %}{% for x in nums %}{% endfor %}{{ x }}{% endfor %}{{ x }}"},
      {"{% for k, v in d | dictsort %}{% set k2 = k ~ v %}{{ loop.index }}{{ k2 }}"
       "{% endfor %}{{ k2 }}{{ k }}"},
      {"{% set ns = namespace(last=none, names=[]) %}{% for u in users %}{% set ns.last = "
       "u.address %}{% set ns.names = ns.names + [u.name] %}{% endfor %}{{ ns.last.city }} "
       "{{ ns.names }} {{ ns.last }}"},
      {"{% set ns = namespace(tag=none) %}{% for u in users %}{% for t in u.tags %}"
       "{% set ns.tag = t %}{% endfor %}{% endfor %}{{ ns.tag | upper }}"},
      {"{% for u in users %}{% macro m(p) %}{{ u.name }}{{ p }}{{ loop.index }}{% endmacro %}"
       "{{ m(loop.index) }} {% endfor %}"},
      {"{% macro m() %}{{ x }}{{ caller() }}{% endmacro %}{% for x in ints %}{% call m() %}"
       "{{ x }}{{ loop.index }}{% endcall %},{% endfor %}"},
      {"{% for x in ints %}{{ loop.cycle('a', 'b') }}{{ loop.changed(x % 2) }}{% endfor %}"},
      {"{% for x in empty %}{{ x }}{% else %}none{{ loop }}{% endfor %}"},
      {"{% for i in range(3) %}{% for j in range(i) %}{{ loop.revindex }}{{ j }}{% endfor %}|"
       "{% endfor %}"},
      {"{% for x in nested recursive %}[{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}"
       "{% endif %}]{% endfor %}"},
      {"{% for c in s %}{{ loop.index }}{{ c }}{% endfor %}{% for k in d %}{{ k }}{% endfor %}"},
      {"{% for x in none %}{% endfor %}"},
      {"{% for x in missing %}{{ x }}{% else %}E{% endfor %}"},
      {"{% for x in [users[0], users[1]] %}{{ x.name }}{% endfor %}{% for n in users | "
       "map(attribute='name') %}{{ n | lower }}{% endfor %}"},

      // ---- upper and lower on borrowed and computed strings, default with a constant
      {"{{ s | upper }} {{ uni | upper }} {{ uni | lower }} {{ users[0].name | upper }}"
       "{{ (s | upper) ~ (s | lower) }} {{ s | upper | length }}"},
      {"{{ 5 | upper }} {{ none | lower }} {{ [1, 'a'] | upper }} {{ d | upper }} "
       "{{ 'ǅ ß ﬁ' | upper }} {{ 'ΣΑΣ' | lower }}"},
      {"{{ missing | upper }}|{{ missing.attr | lower }}|"},
      {"{{ s | upper(1) }}"},
      {"{{ s | lower(x=1) }}"},
      {"{% for u in users %}{{ u.name | upper }}{{ u.address.city | lower }}{% endfor %}"},
      {"{{ missing | default('-') }} {{ none | default('-') }} {{ missing.x | d('z') }} "
       "{{ '' | default('e') }} {{ users[0].name | default('-') | upper }} {{ 0 | d(1) }}"},
      {"{{ missing | default('-', true) }} {{ '' | default('e', true) }} "
       "{{ missing | default() }}|{{ missing | default(x) }}|{{ n | default(1, 2, 3) }}"},
      {"{% for u in users %}{{ u.nick | default(u.name) }}{{ u.age | default('?') }} "
       "{% endfor %}"},

      // ---- filters writing straight into the output
      {"{{ words | join(', ') }}|{{ users | join(', ', attribute='name') }}|{{ nums | join }}|"
       "{{ [1, none, true, 'é'] | join('-') }}|{{ words | join(d=' ') }}|{{ s | join('.') }}"},
      {"{{ users | join(attribute='address.city') | upper }} {{ d | join }} {{ words | join(1) }}"},
      {"{{ missing | join(',') }}|{{ users | join(',', attribute='nick') }}|"},
      {"{{ 5 | join }}"},
      {"{{ words | join(x=1) }}"},
      {"{{ words | join(',', 'name', 3) }}"},
      {"{{ missing | upper(1) }}"},
      {"{{ s | upper }}{{ s | lower }}{{ s | title }}{{ s | replace('o', '0') | upper }}"},
      {"{% for k, v in keys | dictsort %}{{ k }}{{ v }}{% endfor %} {% for k, v in d | "
       "dictsort %}{{ k }}{{ v }}{% endfor %} {% for k, v in d.items() %}{{ k }}{% endfor %}"},
      {"{% for k, v in {'b': 1, 'a': 2, 'd': 3, 'c': 4, 'f': 5, 'e': 6, 'h': 7, 'g': 8, 'j': 9, "
       "'i': 10, 'l': 11, 'k': 12, 'n': 13, 'm': 14, 'p': 15, 'o': 16, 'r': 17, 'q': 18} | "
       "dictsort %}{{ k }}{{ v }}{% endfor %}"},

      // ---- outputs of attribute paths, written from the JSON in place
      {"{{ event.payload.data.count }}|{{ event.payload['data'].ratio }}|{{ event.follows }}|"
       "{{ event.payload.data.fields }}|{{ event.payload.data.missing }}|{{ data['get'] }}|"
       "{{ event.payload.data.changelog.parent }}|{{ event.payload.data.changelog['relationships'] "
       "}}"},
      {"{% for u in users %}{{ u.age }}{{ u.active }}{{ u.tags }}{{ u.address }}{{ "
       "u['address'].city }}"
       "{{ u.missing }}{% endfor %}"},
      {"{{ event.payload.data.missing.deeper }}|{{ users.name }}|{{ s.upper }}"},

      // ---- dict loops whose keys are updated in place from item to item
      {"{% set ns = namespace(keys=[], last=none) %}{% for k, v in keys | dictsort %}"
       "{% set ns.keys = ns.keys + [k] %}{% set ns.last = k %}{% set mine = k %}{% endfor %}"
       "{{ ns.keys }} {{ ns.last }} {{ mine }}"},
      {"{% for k, v in d | dictsort %}{% for k2, v2 in d | dictsort %}{{ k }}{{ k2 }} "
       "{% endfor %}{{ k }}{{ loop.changed(k) }}{{ loop.previtem }}{{ loop.nextitem }}|"
       "{% endfor %}"},
      {"{% for k, v in d.items() %}{% macro m() %}{{ k }}{% endmacro %}{% for c in k ~ k %}"
       "{{ c }}{% endfor %}{{ m() }}{{ [k, k] }}{% endfor %}"},

      // ---- equality of constants and attribute paths, compared in place
      {"{{ event.payload.data.count == 3 }} {{ event.payload.data.count == 3.0 }} "
       "{{ event.payload.data.count != true }} {{ event.payload['data'].ratio == 0.25 }} "
       "{{ event.follows == none }} {{ event.payload.data.missing == none }} {{ 'a' == 'a' }} "
       "{{ event.payload.data.fields == ['name', 'weight'] }} {{ event.payload.data.fields != "
       "('name', 'weight') }} {{ users[0].address == {'city': 'Paris'} }} {{ 1 == true }}"},
      {"{% for r in event.related %}{% if r['prefect.resource.role'] == 'infrahub.branch' %}B"
       "{% elif r['prefect.resource.role'] != 'infrahub.account' %}N{% else %}A{% endif %}"
       "{% endfor %}{{ event.payload.data.changelog.parent == none }}"
       "{{ event.payload.data.changelog.relationships == {} }}{{ d.b == d.b }}"},
      {"{{ [1] == (1,) }} {{ (1,) == (1,) }} {{ (1, 2) != [1, 2] }} {% for p in d.items() %}"
       "{{ p == (p[0], p[1]) }}{{ p == [p[0], p[1]] }}{% endfor %}"},

      // ---- v3 filters: format
      {"{{ \"%s-%d\" | format(s, n) }}|{{ '%05.2f|%x|%r' | format(f, 255, uni) }}"},
      {"{{ '%(name)s is %(age)d' | format(name='Bob', age=30) }}|{{ '%s' | format(name='x') }}"},
      {"{{ 'no args' | format }}|{{ '100%%' | format }}|{{ 42 | format }}|{{ none | format }}"},
      {"[{{ '%s' | format(missing) }}][{{ missing | format }}]"},
      {"{{ '%s|%s' | format([1, 'a'], d) }}|{{ '%-6s|%6s|' | format('é', '東京') }}|{{ '%c%c' | "
       "format(65, 'ü') }}"},
      {"{{ '%s %s' | format(1) }}"},
      {"{{ '%s' | format(1, x=2) }}"},
      {"{{ 'x' | format(1) }}"},
      {"{{ '%d' | format('x') }}"},

      // ---- v3 filters: batch
      {"{% for row in ints | batch(3) %}{{ row }};{% endfor %}"},
      {"{{ ints | batch(3, 'x') | list }}|{{ ints | batch(2, 0) | list }}|{{ ints | batch(10) | "
       "list }}|{{ ints | batch(10, none) | list }}"},
      {"{{ empty | batch(2) | list }}|{{ missing | batch(2) | list }}"},
      {"{{ 'abcdé' | batch(2) | list }}|{{ d | batch(2, '-') | list }}"},
      {"{{ ints | batch(0) | list }}|{{ ints | batch(-1) | list }}|{{ ints | batch(1) | "
       "map('first') | join(',') }}"},
      {"{{ users | batch(2) | map('length') | list }}|{{ ints | batch(linecount=3, fill_with='z') "
       "| list }}"},
      {"{{ ints | batch | list }}"},
      {"{{ ints | batch(2.0, 0) | list }}"},
      {"{{ ints | batch('a', 0) | list }}"},

      // ---- v3 filters: slice
      {"{% for col in ints | slice(3) %}{{ col }};{% endfor %}"},
      {"{{ [1, 2, 3, 4, 5, 6, 7] | slice(3, 'x') | list }}|{{ ints | slice(2, 0) | list }}"},
      {"{{ ints | slice(6) | list }}|{{ ints | slice(6, '-') | list }}|{{ empty | slice(2) | list "
       "}}|{{ missing | slice(2) | list }}"},
      {"{{ 'héllo' | slice(2) | list }}|{{ d | slice(2) | list }}|{{ ints | slice(-1) | list }}"},
      {"{% for c in users | slice(2) %}{{ c | map(attribute='name') | join(',') }};{% endfor %}"},
      {"{{ ints | slice(0) | list }}"},
      {"{{ ints | slice | list }}"},
      {"{{ ints | slice(1.5) | list }}"},

      // ---- v3 filters: groupby
      {"{% for city, items in users | groupby('address.city') %}{{ city }}:{{ items | "
       "map(attribute='name') | join(',') }};{% endfor %}"},
      {"{% for city, items in users | groupby('address.city', case_sensitive=true) %}{{ city }}:"
       "{{ items | length }};{% endfor %}"},
      {"{{ users | groupby('active') | list }}"},
      {"{% for site, devs in rows | groupby('site') %}{{ site }}={{ devs | map(attribute='dev') | "
       "join('+') }} {% endfor %}",
       "tree"},
      {"{{ [[1, 'a'], [0, 'b'], [1, 'c']] | groupby(0) | list }}|{{ [{'k': 'x'}, {}] | "
       "groupby('k', default='none') | list }}"},
      {"{{ empty | groupby('a') | list }}|{{ missing | groupby('a') | list }}"},
      {"{{ [{'n': 'Zürich'}, {'n': 'zürich'}, {'n': 'ÉTÉ'}, {'n': 'été'}] | groupby('n') | list "
       "}}"},
      {"{{ [{'v': 2}, {'v': 1.0}, {'v': true}] | groupby('v') }}"},
      {"{% for g in users | groupby('age') %}{{ g[0] }}{{ g[1] | length }} {% endfor %}"},
      {"{{ users | groupby('zz') | list }}"},
      {"{{ users | groupby }}"},
      {"{{ [{'v': 1}, {'v': 'a'}] | groupby('v') }}"},

      // ---- groupby's named tuples and tuples nested in lists
      {"{% for g in users | groupby('active') %}{{ g }}|{{ g.grouper }}={{ g.list | "
       "map(attribute='name') | join(',') }}|{{ g[0] }}|{{ g | length }}|{{ g | list }}|{{ g | "
       "tojson }};{% endfor %}"},
      {"{% for g in users | groupby('address.city') %}{{ g['grouper'] }}:{{ g.list[0].name }}"
       "{{ g[-1] | length }}{{ g is sequence }}{{ g.nope }}{{ g == (g[0], g[1]) }}{{ g == [g[0], "
       "g[1]] }};{% endfor %}"},
      {"{{ users | groupby('active') | list }}|{{ users | groupby('active') | tojson }}|{{ users "
       "| groupby('active') | length }}|{{ users | groupby('active') | first }}"},
      {"{{ users | groupby('age') | map(attribute='grouper') | list }}|{{ users | groupby('age') "
       "| map(attribute='list') | map('length') | list }}|{{ (users | groupby('age'))[0].list[0]"
       ".name }}"},
      {"{{ users | groupby('active') | sort(attribute='grouper', reverse=true) | "
       "map(attribute='grouper') | join }}|{{ users | groupby('active') | selectattr('grouper') | "
       "list }}|{{ users | groupby('active') | map(attribute='0') | list }}"},
      {"{% set g = users | groupby('active') | first %}{{ g | string }}|{{ g | join(';') }}|{{ g "
       "| reverse | list }}|{{ g[1:] }}|{{ g + (1,) }}|{{ g * 2 }}|{{ g | first }}|{{ g | last | "
       "length }}|{{ '%s-%s' | format(g.grouper, g.list | length) }}"},
      {"{{ d.items() | groupby(1) | list }}|{{ d.items() | groupby(0) | map(attribute='list') | "
       "list }}"},
      {"{{ users | groupby('active') }}", "main"},
      {"{% for key, items in users | groupby('active') %}{{ key }}{{ items | length }}{% endfor "
       "%}"},
      {"{% for g in users | groupby('active') %}{{ g.list.append }}{% endfor %}"},
      {"{{ d.items() | batch(2) | list }}|{{ d.items() | slice(2) | list }}|{{ d.items() | "
       "batch(2, ('x', 0)) | list }}|{{ d.items() | batch(2) | list | tojson }}"},
      {"{{ [(1, 2)] }}|{{ ((1, 2), (3, 4)) }}|{{ [(1,)] }}|{{ {'a': (1, 2)} }}|{{ [[(1, 2)], [3]] "
       "}}|{{ [(1, 2), {'a': 3}, 4] }}|{{ ([1], [(2, 3)]) }}"},
      {"{{ [d.items() | first] }}|{{ (d.items() | list)[0] }}|{{ d | dictsort | batch(1) | list "
       "}}|{{ [d | dictsort] }}|{{ (d.items() | list) + [(1, 2)] }}|{{ [(1, 2)] * 2 }}"},
      {"{{ [(1, 2), (3, 4)] | map('first') | list }}|{{ [(1, 2), (3, 4)] | reverse | list }}|{{ "
       "[(1, 2), (3, 4)] | sort | list }}|{{ [(1, 2), (1, 2)] | unique | list }}|{{ [(2, 1), (1, "
       "2)] | max }}|{{ [(1, 2)] | list | first }}"},
      {"{% set t = ((1, 2), (3, 4)) %}{{ t[0] }}|{{ t[1:] }}|{{ t | list }}|{% for a, b in t %}{{ "
       "(b, a) }}{% endfor %}|{{ t == ((1, 2), (3, 4)) }}|{{ [t] }}"},
      {"{% for x in [(1, (2, 3))] %}{{ x }}{{ x[1] }}{% endfor %}|{{ [((1, 2), 3)] }}"},
      {"{% for row in d.items() | batch(2) %}{{ row }}{{ row[0] }};{% endfor %}"},
      {"{% for a, b in d.items() | batch(2) %}{{ a }}{{ b }}|{% endfor %}"},
      // ---- tuples and lists mixed at one level: each item keeps its own type
      {"{{ [(1, 2), [3, 4]] }}|{{ [[1], (2,)] }}|{{ {'a': (1,), 'b': [1]} }}|{{ (1, [2, (3,)]) "
       "}}|{{ [(1,), [1], (1,)] }}|{{ ([1], (1,)) }}|{{ [[[1]], [(2,)]] }}|{{ [[(1,)], [[2]]] }}"},
      {"{{ [(1, 2), {'a': (3,)}, [4]] }}|{{ [{'a': (1,)}, {'a': [1]}] }}|{{ {'a': {'b': (1,)}, "
       "'c': {'b': [1]}} }}|{{ [(1,), 'x', [2], none] }}|{{ [(), []] }}|{{ [((1,),), ([1],)] }}"},
      {"{% set x = [(1, 2), [3, 4]] %}{{ x[0] }}{{ x[1] }}{{ x[-2] }}|{{ x | first }}{{ x | last "
       "}}|{{ x | list }}|{{ x | reverse | list }}|{{ x[1:] }}{{ x[:1] }}{{ x[::-1] }}|{{ x + "
       "[(5,)] }}|{{ x * 2 }}|{{ (x | list)[0] }}"},
      {"{% for e in [(1, 2), [3, 4], (5,)] %}{{ e }}{{ loop.previtem }}{{ loop.nextitem }};{% "
       "endfor %}|{% for a, b in [(1, 2), [3, 4]] %}{{ a }}{{ b }}{% endfor %}"},
      {"{% set d2 = {'a': (1,), 'b': [1], 'c': 2} %}{{ d2.items() }}|{{ d2.items() | list }}|{{ "
       "d2 | dictsort }}|{{ d2 | items | list }}|{{ d2.values() }}|{{ d2.get('a') }}{{ d2.a }}{{ "
       "d2['b'] }}|{{ d2.copy() }}|{% for k, v in d2.items() %}{{ k }}={{ v }};{% endfor %}"},
      {"{{ [(1, 2), [3, 4], (5,), [6]] | batch(2) | list }}|{{ [(1, 2), [3, 4], (5,)] | batch(2, "
       "[0]) | list }}|{{ [(1, 2), [3], (4,)] | slice(2) | list }}|{{ [(1, 2), [3]] | slice(3, "
       "(0,)) | list }}"},
      {"{{ [{'k': 1, 'v': (1,)}, {'k': 1, 'v': [2]}, {'k': 2, 'v': (3,)}] | groupby('k') }}|{{ "
       "[{'k': (1,), 'v': 1}, {'k': (1,), 'v': 2}] | groupby('k') }}|{{ [[1], (1,)] | map('list') "
       "| list }}|{{ [(1, 2), [3]] | select | list }}|{{ [(1,), [2], (3,)] | reject('none') | "
       "list }}"},
      {"{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m((1,), [2], a=(3,), b=[4]) }}|{% "
       "for x in [(1,), [1], (1,), (1,)] %}{{ loop.changed(x) }}{% endfor %}|{{ '%s %s' % ((1,), "
       "[2]) }}|{{ [(1,), [2]] | string }}|{{ [(1,), [2]] | join(';') }}|{{ [(1,), [2]] | tojson "
       "}}"},
      {"{% set ns = namespace(x=(1,)) %}{{ ns.x }}{% set ns.y = [(1,), [2]] %}{{ ns.y }}{{ ns "
       "}}{% set ns.x = [1] %}{{ ns.x }}|{{ namespace({'a': (1,), 'b': [2]}).a }}|{{ dict(a=(1,), "
       "b=[1]) }}|{{ dict(a=(1,)).a }}|{{ '%(a)s %(b)s' % {'a': (1,), 'b': [2]} }}"},
      {"{% set a, b = (1,), [2] %}{{ a }}{{ b }}|{% with y = [(1,), [2]] %}{{ y }}{% endwith "
       "%}|{% for x in [(1,), [2]] recursive %}{{ x }}{% endfor %}|{{ [(1,), [2]] | batch(1) | "
       "first }}|{{ [(1,), [2]] | map('first') | list }}|{{ [((1,),), ([1],)] | map('first') | "
       "list }}"},
      // ---- the renderer's in-place paths for join, upper/lower, default and loop counters
      {"{{ words | join(', ') }}|{{ [1, 'a', none, 2.5, (1,), [2], {'k': 'v'}] | join }}|{{ "
       "words | join(none) }}|{{ words | join(1) }}|{{ words | join(d=';') }}|{{ users | "
       "join(',', attribute='name') }}|{{ missing | join(',') }}|{{ s | join('-') }}"},
      {"{{ s | upper }}{{ uni | upper }}{{ uni | lower }}{{ event.payload.data.kind | lower }}{{ "
       "d.b | upper }}{{ missing | upper }}{{ none | lower }}{{ odd_space | upper }}{{ s | "
       "upper() }}{{ event.resource['infrahub.node.kind'] | upper }}"},
      {"{% for u in users %}{{ loop.index }}{{ loop.revindex0 }}{{ u.name | upper }}{{ u.nope | "
       "default('-') }}{{ u.age | default('-') }}{{ u.address.city | default(0) }}{{ u.tags | "
       "join('+') }}{% endfor %}"},
      // ---- a tuple never equals a list, at any depth
      {"{{ [(1, 2)] == [[1, 2]] }} {{ [(1, 2)] != [[1, 2]] }} {{ (1, 2) == (1, 2) }} {{ [(1, 2)] "
       "== [(1, 2)] }} {{ ((1,), [2]) == ((1,), [2]) }} {{ ((1,), [2]) == ([1], [2]) }} {{ {'a': "
       "(1,)} == {'a': [1]} }} {{ {'a': (1,)} == {'a': (1,)} }} {{ [[1], (1,)] == [[1], [1]] }}"},
      {"{{ (1, 2) in [[1, 2]] }} {{ [1, 2] in [(1, 2)] }} {{ (1, 2) in [(1, 2)] }} {{ [1, 2] in "
       "[[1, 2]] }} {{ (1,) in [[1], (1,)] }} {{ [(1,)] in [[[1]]] }} {{ (1, 2) not in [[1, 2]] "
       "}} {{ (1,) in {'a': 1} }} {{ 'a' in {'a': 1} }}"},
      {"{{ ([1],) in {'a': 1} }}"},
      {"{{ [[1], [2]] in {'a': 1} }}"},
      {"{{ [(1, 2), [1, 2]].count([1, 2]) }} {{ [(1, 2), [1, 2]].count((1, 2)) }} {{ [(1, 2), [1, "
       "2]].index([1, 2]) }} {{ [[1, 2], (1, 2)].index((1, 2)) }} {{ (1, 2) is eq([1, 2]) }} {{ "
       "(1, 2) is eq((1, 2)) }} {{ [(1,)] is ne([[1]]) }}"},
      {"{{ [(1, 2), [1, 2]].index((3,)) }}"},
      {"{{ [(1, 2), (1, 2), (2,)] | unique | list }}|{{ [((1,), 2), ((1,), 2)] | unique | list "
       "}}|{{ [{'v': (1,)}, {'v': (1,)}] | unique(attribute='v') | list }}"},
      {"{{ [(1,), [1]] | unique | list }}"},
      {"{{ [([1],), ([1],)] | unique | list }}"},
      {"{{ [(1,), [1]] | sort }}"},
      {"{{ [(2,), (1,), (1, 0)] | sort }}|{{ [[2], [1]] | sort }}|{{ [(2,), (1,)] | max }}|{{ "
       "[(2,), (1,)] | min }}|{{ (1, 2) < (1, 3) }}|{{ [(1,)] < [(2,)] }}"},
      {"{{ [(1,), [1]] | max }}"},
      {"{{ [[1], (1,)] | min }}"},
      {"{{ (1,) < [2] }}"},
      {"{{ [(1,)] < [[2]] }}"},
      {"{{ [{'v': (1,)}, {'v': [1]}] | groupby('v') }}"},
      {"{{ {'a': (1,), 'b': [1]} | dictsort(by='value') }}"},
      {"{{ [{'v': (1,)}, {'v': [1]}] | sort(attribute='v') }}"},

      // ---- the evaluator's in-place paths (conditions, variables, defaults)
      {"{% for u in users %}{% if not loop.first %},{% endif %}{{ u }}{{ u.age }}{{ u.address | "
       "default('-') }}{{ u.nope | default('-') }}{{ u.tags | default(0) }}{% if loop.last %}."
       "{% endif %}{% if u.name == 'Bob' %}B{% elif u['name'] != 'Carol' %}!{% endif %}{{ 'y' if "
       "not loop.last else 'n' }}{% endfor %}"},
      {"{% set x = [1, missing, (2, 3)] %}{{ x }}|{% for i in x %}{{ i }};{% endfor %}|{% for u in "
       "users if u.active == true %}{{ loop.index }}{{ u.name }}{% endfor %}|{% set n = -5 %}{{ n "
       "}}{{ big }}{{ neg }}{{ zero }}"},
      {"{% for i in [1, 2, 3] %}{% set i = i * 10 %}{{ i }}{% endfor %}|{% for k, v in d | "
       "dictsort %}{{ k }}{{ v }}{% if loop.first == true %}F{% endif %}{% endfor %}"},

      {"{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ "
       "loop.revindex0 }}{{ loop.length }}{% for y in [1, 2] %}[{{ loop.index }}/{{ loop.length "
       "}}]{% endfor %}{{ loop.index }};{% endfor %}{{ loop.index }}"},

      // ---- `loop` cannot be assigned inside a for (Jinja's code generator)
      {"{% for x in [1, 2] %}{% set loop = 1 %}{{ loop }}{% endfor %}"},
      {"{% for x in [1] %}{% if true %}{% set loop = 1 %}{% endif %}{% endfor %}"},
      {"{% for x in [1] %}{% set loop %}a{% endset %}{% endfor %}"},
      {"{% for x in [1] %}{% set a, loop = 1, 2 %}{% endfor %}"},
      {"{% for x in [1] %}{% for loop in [1] %}{% endfor %}{% endfor %}"},
      {"{% for loop in [1] %}{{ loop }}{% endfor %}"},
      {"{% for x, loop in [(1, 2)] %}{{ loop }}{% endfor %}"},
      {"{% for x in [] %}{% else %}{% set loop = 1 %}{% endfor %}"},
      {"{% for x in [1] %}{% macro m() %}{% set loop = 1 %}{% endmacro %}{% endfor %}"},
      {"{% for x in [1] %}{% filter upper %}{% set loop = 1 %}{% endfilter %}{% endfor %}"},
      {"{% if false %}{% for x in [1] %}{% set loop = 1 %}{% endfor %}{% endif %}"},
      {"{% set loop = 1 %}{{ loop }}|{% with loop = 2 %}{{ loop }}{% endwith %}"},
      {"{% for x in [1] %}{% with loop = 1 %}{{ loop }}{% endwith %}{% endfor %}"},
      {"{% macro m() %}{% set loop = 1 %}{{ loop }}{% endmacro %}{{ m() }}"},
      {"{% set ns = namespace(loop=1) %}{% for x in [1, 2] %}{% set ns.loop = loop.index %}{% "
       "endfor %}{{ ns.loop }}"},

      // ---- v3 filters: filesizeformat
      {"{{ 0 | filesizeformat }}|{{ 1 | filesizeformat }}|{{ 999 | filesizeformat }}|{{ 1000 | "
       "filesizeformat }}|{{ 1023 | filesizeformat(true) }}|{{ 1024 | filesizeformat(true) }}"},
      {"{{ 1500000 | filesizeformat }}|{{ 1500000 | filesizeformat(binary=true) }}|{{ big | "
       "filesizeformat }}|{{ 1e30 | filesizeformat }}|{{ 1e30 | filesizeformat(true) }}"},
      {"{{ '2048' | filesizeformat }}|{{ ' 1_000 ' | filesizeformat }}|{{ f | filesizeformat }}|"
       "{{ -5 | filesizeformat }}|{{ true | filesizeformat }}|{{ 1.0 | filesizeformat }}"},
      {"{{ 999950 | filesizeformat }}|{{ 1e23 | filesizeformat }}|{{ 1e24 | filesizeformat }}|{{ "
       "1e27 | filesizeformat }}|{{ -1e30 | filesizeformat }}|{{ 'nan' | filesizeformat }}|{{ "
       "'inf' | filesizeformat }}|{{ 1e21 | filesizeformat }}"},
      {"{{ 'abc' | filesizeformat }}"},
      {"{{ none | filesizeformat }}"},
      {"{{ missing | filesizeformat }}"},
      {"{{ '-inf' | filesizeformat }}"},

      // ---- v3 filters: xmlattr
      {"<ul{{ {'class': 'my_list', 'missing': none, 'id': 'list-%d' | format(n)} | xmlattr }}>"},
      {"{{ {'a': html, 'b': uni, 'c': 1.0, 'd': true, 'e': [1, 'x']} | xmlattr }}"},
      {"[{{ {} | xmlattr }}]|[{{ {'x': none} | xmlattr }}]|[{{ {'k': 'v'} | xmlattr(false) }}]|"
       "[{{ {'k': missing, 'j': 1} | xmlattr }}]"},
      {"{{ event.payload.data.changelog.attributes.name | xmlattr(autospace=false) }}|{{ {'é': "
       "'ü', 'data-x': ''} | xmlattr }}"},
      {"{{ {'a b': 1} | xmlattr }}"},
      {"{{ {'a=': 1} | xmlattr }}"},
      {"{{ ints | xmlattr }}"},
      {"{{ missing | xmlattr }}"},

      // ---- v3 filters: striptags
      {"{{ html | striptags }}|{{ uni | striptags }}"},
      {"{{ 'Main &raquo;\t<em>About</em>  <!-- c <b> -->x &amp; &lt;y&gt; &#65;&#x42;&#128;"
       "&#0;&#xD800;&#1114112;&#11;&#x81;&copy &ampx; &notit; &unknown; &#; &#x; & a' | striptags "
       "}}"},
      {"[{{ odd_space | striptags }}][{{ sp | striptags }}][{{ ctrl | striptags }}]"},
      {"[{{ missing | striptags }}][{{ none | striptags }}][{{ 42 | striptags }}][{{ '' | "
       "striptags }}][{{ users[0] | striptags }}]"},
      {"{{ '<b>unclosed <i' | striptags }}|{{ 'a <!-- open' | striptags }}|{{ '<!<!-- x -->-- y "
       "-->z' | striptags }}|{{ '<!-->x' | striptags }}"},
      {"{{ '<p>Zürich – 東京 🚀</p>&eacute;&Eacute&#x1F680;&NotNestedGreaterGreater;&Aacutex' | "
       "striptags }}"},
      {"{{ s | striptags(1) }}"},

      // ---- v3 filters: wordwrap
      {"{{ ('The quick brown fox jumps over the lazy dog. ' * 4) | wordwrap(30) }}"},
      {"{{ 'Look, goof-ball -- use the -b option! well-known e-mail x-ray a-b-c' | wordwrap(10) "
       "}}|{{ 'Look, goof-ball -- use the -b option!' | wordwrap(10, break_on_hyphens=false) }}"},
      {"{{ 'supercalifragilisticexpialidocious and more' | wordwrap(8) }}|{{ "
       "'supercalifragilisticexpialidocious and more' | wordwrap(8, false) }}|{{ "
       "'super-cali-fragilistic-expialidocious' | wordwrap(12) }}|{{ '----abcdef-gh' | "
       "wordwrap(5) }}"},
      {"{{ 'line one\nline two is longer\r\n\nlast\x1c"
       "end' | wordwrap(8, wrapstring='<br>') }}|{{ "
       "'' | wordwrap }}|{{ '   leading  and   trailing   ' | wordwrap(10, wrapstring='|') }}"},
      {"{{ uni | wordwrap(6) }}|{{ 'Zürich–Genève ÉTÉ-ÇA über-groß 東京-大阪 a\u3000b' | "
       "wordwrap(7) }}|{{ odd_space | wordwrap(3) }}"},
      {"{{ 'a\tb  c\vd' | wordwrap(3) }}|{{ 'hello world--again 1-2 ab--cd x--' | wordwrap(6) "
       "}}|{{ 'ab-cd' | wordwrap(3, break_on_hyphens=1) }}"},
      {"{{ 'abc' | wordwrap(0) }}"},
      {"{{ 42 | wordwrap }}"},
      {"{{ missing | wordwrap }}"},
      {"{{ s | wordwrap(5, wrapstring=1) }}"},

      // ---- render fast paths: lookup paths, case mapping 8 bytes at a time, join and
      // arithmetic on JSON in place, negated conditions
      {"{{ '@AZ[`az{ 09~\x7f' | upper }}|{{ '@AZ[`az{ 09~\x7f' | lower }}|{{ "
       "'abcdefghijklmnopqrstuvwxyz"
       "ABCDEFGHIJKLMNOPQRSTUVWXYZ' | upper }}|{{ 'abcdefghijklmnopqrstuvwxyz"
       "ABCDEFGHIJKLMNOPQRSTUVWXYZ' | lower }}|{{ 'eight ch' | upper }}|{{ 'Straße über' | upper "
       "}}|{{ 'ÄBCDEFGHIJ' | lower }}|{{ '' | upper }}"},
      {"{% for r in event.related %}{{ r['prefect.resource.id'] | upper }}/{{ r.missing | upper "
       "}}/{{ r['infrahub.resource.label'] | lower }};{% endfor %}"},
      {"{{ event.payload['data']['fields'] | join }}|{{ event.payload['data']['fields'] | join('') "
       "}}|{{ event.payload['data']['fields'] | join(', ') }}|{{ event.payload.data.fields | "
       "join(1) }}|{{ event.payload['data']['changelog']['relationships'] | join(',') }}|{{ "
       "event.payload['data']['node_id'] | join('.') }}|{{ event.payload['data']['nope'] | "
       "join(',') "
       "}}"},
      {"{{ ['a', 1, 'b'] | join(', ') }}|{{ [] | join(', ') }}|{{ ['x'] | join(', ') }}|{{ "
       "event.payload['data']['fields'] | join(d='-') }}"},
      {"{{ event.payload['data']['count'] * 2 }} {{ event.payload['data']['count'] + "
       "event.payload['data']['ratio'] }} {{ event.payload['data']['count'] // 2 }} {{ "
       "event.payload['data']['count'] % 2 }} {{ event.payload['data']['count'] ** 2 }} {{ "
       "event.payload['data']['count'] / 2 }} {{ true + event.payload['data']['count'] }} {{ "
       "event.payload['data']['ratio'] - 1 }}"},
      {"{{ event.payload['data']['count'] // 0 }}"},
      {"{{ event.payload['data']['kind'] * 2 }} {{ event.payload['data']['kind'] + '!' }}"},
      {"{{ event.payload['data']['kind'] - 1 }}"},
      {"{{ event.payload['data']['count'] + event.payload['data']['nope'] }}"},
      {"{% for r in event.related %}{% if not not loop.last %}last{% endif %}{% if not not not "
       "loop.first %}rest{% endif %}{% if not r['prefect.resource.role'] == 'infrahub.branch' "
       "%}!{% endif %}{% if not not r['prefect.resource.role'] != 'infrahub.branch' %}?{% endif "
       "%}{% if not r.missing %}-{% endif %}{% endfor %}"},
      {"{% set event = {'resource': {'x': 1}} %}{{ event.resource.x }}{{ event.resource['x'] * 3 "
       "}}{% for event in [{'resource': {'x': 2}}] %}{{ event.resource.x }}{% endfor %}"},
      {"{{ event.payload.data.items }}|{{ event.payload['data'].keys | length is defined }}|{{ "
       "event.resource['infrahub.branch.name'].upper() }}"},

      // ---- the output's short pieces collected before they reach the string: captures
      // (set blocks, filter blocks, macros, callers, recursive loops) around them, more than the
      // collecting buffer holds, errors inside a capture, writers that take the string itself
      {"{% set x %}ab{{ s | upper }}cd{{ n }}{% endset %}[{{ x }}]{{ x | length }}{% set y %}"
       "{% set z %}in{{ s | lower }}{% endset %}<{{ z }}>{% endset %}{{ y }}{{ z is defined }}"},
      {"a{% filter upper %}b{{ s }}c{% filter lower %}D{{ s }}E{% endfilter %}f{% endfilter %}g"},
      {"{% macro m(v) %}<{{ v }}|{{ caller() if caller is defined else '-' }}>{% endmacro %}"
       "x{{ m(1) }}y{% call m(2) %}c{{ s | upper }}{% endcall %}z{{ m(3) | upper }}"},
      {"{% for x in nested recursive %}({{ loop.index }}{% if x is iterable %}{{ loop(x) }}"
       "{% else %}:{{ x }}{% endif %}){% endfor %}"},
      {"{% for i in range(90) %}{{ i }},{{ s | upper }};{% endfor %}|{{ 'x' * 600 }}|"
       "{% for i in range(40) %}{{ event.resource['prefect.resource.id'] | upper }}{{ i }}"
       "{% endfor %}"},
      {"{% set x %}abc{{ 1 // 0 }}{% endset %}{{ x }}"},
      {"{% set x %}ab{{ missing.attr | upper }}cd{% endset %}[{{ x }}]"},
      {"a{{ s }}b{{ d | tojson }}c{{ n }}{{ words | join(',') }}d{{ n * 2 }}e{{ floats[0] }}f"
       "{{ event.payload['data']['changelog']['display_label'] | upper }}g{{ "
       "event.payload['data']['changelog']['display_label'] | lower }}h"},
      {"{% for r in event.related %}{{ r['prefect.resource.role'] | upper }}{{ r.missing | lower "
       "}}{{ r['infrahub.resource.label'] }}{% endfor %}{{ uni | upper }}{{ html | lower }}"},

      // ---- tojson: strings checked 16 bytes at a time (lengths around 16 and 32, the byte to
      // escape first, last or past a block), keys sorted by their first 8 bytes then in full,
      // floats in fixed notation
      {"{{ ['abcdefghijklmno', 'abcdefghijklmnop', 'abcdefghijklmnopq', '<bcdefghijklmnop', "
       "'abcdefghijklmno>', 'abcdefghijklmnop&', 'abcdefghijklmnopqrstuvwxyz01234\\'', "
       "'abcdefghijklmnopqrstuvwxyz012345\"', 'abcdefghijklmnopqrstuvwxyz0123456', "
       "'abcdefghijklmnopé', 'éabcdefghijklmnop', 'tab\there', '', 'a', '\\\\', 'a\x7f"
       "b', "
       "'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<>'] | tojson }}"},
      {"{{ {'b': 1, 'a': 2, 'ab': 3, 'abcdefgh': 4, 'abcdefgg': 5, 'abcdefghz': 6, 'abcdefgha': 7, "
       "'é': 8, 'Z': 9, '': 10, '_': 11, 'aé': 12, 'abcdefghij': 13, 'abcdefgh ': 14, 'abc': 15, "
       "'abcd': 16, 'abcde': 17, 'abcdefghijklmnopq': 18, 'abcdefghijklmnopp': 19} | tojson }}"},
      {"{{ [0.25, 1e-4, 1e-5, 0.000123, 123456.789, 1e15, 9999999999999998.0, 1e16, -0.0, 0.0, "
       "2.5, 100.0, -3.75, 1.5e-07, 0.1, 1e300] | tojson }} {{ 0.0001 }} {{ 1e-5 }} {{ 1e15 }} "
       "{{ -0.0 }} {{ 100.0 }} {{ 9999999999999998.0 }}"},
      {"{{ event.payload | tojson }}|{{ event | tojson(2) }}"},
  };
}

}  // namespace corpus
