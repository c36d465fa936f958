#!/usr/bin/env python3
"""Renders jinja_cases.json: what Python Jinja renders for small templates
that probe the engine where Go ports tend to differ (white space control,
number and None printing, tojson, filters, tests, the sandbox).

The environment is transformers' apply_chat_template environment (v4.44):
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), the
tojson filter replaced by json.dumps(ensure_ascii=False, ...), a
raise_exception global, plus jinja2.ext.loopcontrols, which transformers
enables from v4.45 on. Run with Debian's python3-jinja2:

    python3 gen_jinja_cases.py > jinja_cases.json
"""
import json

import jinja2
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

VARS = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello!"},
    ],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Wéather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
    "n": 3, "f": 2.5, "s": "  padded text \n", "d": {"b": 1, "a": 2}, "none_v": None, "t": True,
    "lst": [3, 1, 2], "empty": [], "bos_token": "<s>",
    "tool_messages": [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 3, "scale": 1.5}}}]},
        {"role": "tool", "tool_call_id": "call12345", "content": "{\"temp\": 21.5}"},
        {"role": "assistant", "content": "It is 21.5°C."},
    ],
}

# (name, template): the name says what the case holds the engine to.
CASES = [
    ("trim_blocks after a block tag only, not after an expression", "{% for m in messages %}{{ m.content }}\n{% endfor %}"),
    ("lstrip_blocks only when the tag starts its line", "a\n  {{ 1 }}{% if true %}x{% endif %}"),
    ("lstrip_blocks keeps spaces between an expression and a block tag", "{% for i in range(3) %}{{ i }} {% endfor %}|{% for i in range(2) %}{{ i }}\t{% endfor %}"),
    ("minus trims only the adjacent text", "x  {{ 1 }}{{- 2 }}"),
    ("minus trims white space and newlines", "{{ 'a' }}  {{- 'b' }}|{%- if true -%}\n  trimmed  \n{%- endif -%}\n!"),
    ("plus disables lstrip_blocks", "{%+ if true %}y{% endif %}|\n  {%+ if true %}z{% endif %}"),
    ("minus at the start of a line", "  {%- if true %}y{% endif %}"),
    ("indented blocks on their own lines", "line\n    {% if true %}\n    body\n    {% endif %}\nend"),
    ("blocks and text on several lines", "{% if true %}\n  inside\n{% endif %}\n{% for i in range(2) %}\n  row {{ i }}\n{% endfor %}\ndone"),
    ("comments trim like blocks", "{# c #}\nafter|  {# c #}  x|\n   {# c #}\ny"),
    ("raw blocks", "{% raw %}{{ not }}{% endraw %}\n!"),
    ("expression trims around several tags", "{{- 'a' -}}\n\n{{- 'b' -}}  \n  {%- if true %} c{% endif %}"),
    ("exponent literals", "{{ 1e20 }} {{ 1.5e-3 }} {{ 2E3 }}"),
    ("float printing", "{{ 2.0 }} {{ 100.0 }} {{ 0.1 + 0.2 }} {{ 1.0e-7 }} {{ 1e16 }} {{ 1e15 }} {{ -0.0 }} {{ 2.5 }} {{ 1/3 }}"),
    ("integer and float arithmetic", "{{ 1/2 }} {{ 3 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ -3 // 2 }} {{ -7 % 3 }} {{ 10 / 4 }} {{ 4 / 2 }} {{ 7.5 // 2 }} {{ 2 ** -1 }} {{ 10000000000000000 }}"),
    ("None and undefined printing", "{{ none }}|{{ none_v }}|{{ undefined_thing }}|{{ [1, 'a', none, true, 2.0] }}|{{ {'k': 1, 'j': 'x'} }}|{{ d }}|{{ ('a', 'b') }}"),
    ("None in concatenation and get", "{{ 'a' ~ 1 ~ none ~ 2.0 }} {{ d.get('zz') }} {{ none_v | default('z') }} {{ none_v | string }}"),
    ("tojson keeps key order and uses Python separators", "{{ tools | tojson }}"),
    ("tojson with indent keeps key order", "{{ tools[0] | tojson(indent=4) }}"),
    ("tojson of nested values", "{{ {'a': 'é', 'b': [1, 2.5, none, true], 'c': {}} | tojson }} {{ [] | tojson }} {{ [[]] | tojson(indent=2) }}"),
    ("tojson escapes as json.dumps", "{{ 'x\"y' | tojson }} {{ \"it's\" | tojson }} {{ '</script>&' | tojson }} {{ 1.0 | tojson }} {{ 1e20 | tojson }} {{ 'a\\nb\\u00e9\\t\\u0001' | tojson }}"),
    ("tojson options", "{{ d | tojson(sort_keys=true) }} {{ d | tojson(separators=(',', ':')) }} {{ 'é' | tojson(ensure_ascii=true) }}"),
    ("tojson of scalars", "{{ d | tojson }} {{ n | tojson }} {{ none_v | tojson }} {{ t | tojson }} {{ f | tojson }}"),
    ("string methods", "{{ s | trim }}|{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'a,b'.split(',') }}|{{ 'a b  c'.split() }}|{{ 'xxhixx'.strip('x') }}|{{ 'a,b,c'.split(',', 1) }}"),
    ("more string methods", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'Hello World'.lower() }} {{ 'hello world'.title() }} {{ 'hello'.capitalize() }} {{ 'a-b'.replace('-', '+') }} {{ 'ab'.upper() }} {{ 'abcb'.count('b') }} {{ 'abc'.find('c') }}"),
    ("list access and slicing", "{{ messages | length }} {{ messages[-1].content }} {{ messages[1:] | length }} {{ (messages | last).role }} {{ (messages | first).role }} {{ messages[0].content[:2] }} {{ 'hello'[::-1] }} {{ lst[1:] }} {{ 'abc'[-1] }}"),
    ("loop variables", "{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }} {% endfor %}"),
    ("loop previtem and nextitem", "{% for m in messages %}{{ loop.previtem.role if loop.previtem is defined else 'none' }}>{{ loop.nextitem.role if loop.nextitem is defined else 'none' }} {% endfor %}"),
    ("for with a filter condition", "{% for m in messages if m.role != 'system' %}{{ m.role }} {{ loop.index0 }};{% endfor %}"),
    ("for else", "{% for m in empty %}x{% else %}none{% endfor %}"),
    ("namespace", "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}"),
    ("dict iteration", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}|{% for k in d %}{{ k }}{% endfor %}"),
    ("items as tuples", "{{ d | items | list }} {{ d.items() | list }}"),
    ("dict methods", "{{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d['b'] }} {{ 'a' in d }} {{ 'zz' not in d }}"),
    ("map, select and join", "{{ messages | map(attribute='role') | join(', ') }} {{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | list }}"),
    ("list filters", "{{ lst | sort }} {{ lst | sort(reverse=true) }} {{ lst | reverse | list }} {{ lst | sum }} {{ lst | max }} {{ lst | min }} {{ lst | unique | list }} {{ lst | first }} {{ lst | last }}"),
    ("tests", "{{ n is number }} {{ n is integer }} {{ f is float }} {{ s is string }} {{ d is mapping }} {{ lst is sequence }} {{ lst is iterable }} {{ none_v is none }} {{ nope is defined }} {{ nope is undefined }} {{ n is odd }} {{ n is even }} {{ t is boolean }}"),
    ("tests with an argument without parentheses", "{{ n is divisibleby 3 }} {{ n is divisibleby(2) }} {{ 'a' is in 'abc' }} {{ n is eq 3 }}"),
    ("select and reject with tests", "{{ [1, 2, 3] | select('odd') | list }} {{ [1, 2, 3] | reject('odd') | list }} {{ [none, 1, 0, ''] | select | list }} {{ lst | select('gt', 1) | list }}"),
    ("selectattr without a test", "{{ messages | selectattr('tool_calls', 'undefined') | list | length }} {{ messages | selectattr('content') | list | length }} {{ messages | selectattr('role', 'in', ['user', 'system']) | list | length }}"),
    ("conditional expressions and operators", "{{ messages[0]['content'] if messages[0]['role'] == 'system' else 'no' }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ 'yes' if n is defined and n is not none }} {{ 'no' if nope }}x"),
    ("boolean operators", "{{ n > 2 and n < 5 }} {{ not t or false }} {{ (n == 3) != (f == 2.5) }} {{ n in lst }} {{ 'ell' in 'hello' }} {{ none_v or 'fallback' }} {{ 0 or '' }} {{ 1 and 'x' }}"),
    ("comparisons", "{{ 'A' < 'B' }} {{ [1,2] == [1,2] }} {{ {'a':1} == {'a':1} }} {{ 1 == 1.0 }} {{ '1' == 1 }} {{ none_v == none }}"),
    ("macros with defaults and keywords", "{% macro fmt(m, sep=': ') %}{{ m.role }}{{ sep }}{{ m.content }}{% endmacro %}{% for m in messages %}{{ fmt(m) }}|{{ fmt(m, sep='=') }};{% endfor %}"),
    ("set blocks", "{% set x %}inner {{ n }}{% endset %}[{{ x }}]"),
    ("string formatting", "{{ '%s-%d' % ('a', 3) }} {{ '%s' % 'x' }} {{ '%05.2f' % 3.14159 }} {{ '{} and {}'.format('x', 'y') }} {{ '{0}{1}{0}'.format('a', 'b') }}"),
    ("conversion filters", "{{ n | string }} {{ '5' | int + 1 }} {{ '2.5' | float }} {{ f | int }} {{ 'x' | int }} {{ '3.7' | int }} {{ 7 | float }}"),
    ("round", "{{ f | round }} {{ 3.14159 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.7 | round(0, 'floor') }} {{ 2.1 | round(0, 'ceil') }} {{ 3 | round }}"),
    ("default", "{{ 'x' | default('y') }} {{ nope | default('y') }} {{ '' | default('y', true) }} {{ none_v | default('z', true) }} {{ nope | d('short') }}"),
    ("truthiness", "{% if empty %}nonempty{% else %}empty{% endif %} {% if d %}d{% endif %} {% if not none_v %}nn{% endif %} {{ empty | length == 0 }} {% if '' %}x{% else %}e{% endif %} {% if 0.0 %}x{% else %}z{% endif %}"),
    ("range", "{% for i in range(3) %}{{ i }}{% endfor %} {% for i in range(1, 7, 2) %}{{ i }}{% endfor %} {{ range(3) | list }} {{ range(5, 0, -2) | list }}"),
    ("loop controls", "{% for m in messages %}{% if m.role == 'user' %}{% continue %}{% endif %}{{ m.role }}{% if loop.index > 1 %}{% break %}{% endif %}{% endfor %}"),
    ("text filters", "{{ messages[0].content | wordcount }} {{ 'a\\nb' | indent(2) }} {{ 'a\\nb' | indent(2, true) }} {{ ['a','b'] | join }} {{ 'hello world' | replace('o', '0', 1) }} {{ 'x' | upper }}"),
    ("nested attribute access", "{{ tools | map(attribute='function') | map(attribute='name') | list }} {{ (tools | first).function.parameters.properties.city.type }}"),
    ("batch, list and length", "{{ messages | batch(2) | list | length }} {{ 'abc' | list }} {{ d | length }} {{ 'abc' | length }}"),
    ("string escapes", "{{ \"double \\\"quoted\\\" \\n esc\" }} {{ 'single \\'q\\' \\t tab' }} {{ '\\u00e9' }} {{ '<\\s>' }} {{ 'back\\\\slash' }}"),
    ("set with list concatenation", "{% set a = [1, 2] %}{% set b = a + [3] %}{{ b }} {{ a }}"),
    ("chat template shape", "{{ bos_token }}{% for m in messages %}{{ '<|' + m.role + '|>\\n' + m.content | trim + '<|end|>\\n' }}{% endfor %}"),
    ("filter blocks", "{% filter upper %}shout {{ n }}{% endfilter %}"),
    ("call blocks", "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}inside{% endcall %}"),
    # Further deviations of v1.8.0 found by rendering real chat templates
    # and random expressions with both engines.
    ("a single trailing newline of the template is dropped", "{{ 'a' }}\n\n"),
    ("a template's only trailing newline is dropped", "x {{ n }}\n"),
    ("carriage returns become newlines", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\rd"),
    ("plus at a block end keeps the newline", "{% if true +%}\nx{% endif %}|{% if true %}\ny{% endif %}"),
    ("raw text keeps tags and white space control applies around it", "  {% raw -%}  {{ x }} {%- endraw %}\n  {%- raw %} {# c #} {% endraw -%}  !"),
    ("braces inside an expression do not end the tag", "{{ {'a': {'b': {}}} }} {% set x = {'k': [1, {}]} %}{{ x.k }}"),
    ("comments trim like blocks and a minus trims across them", "{{ 'x' -}}\n   {# c #}\ny|a {#- c -#} b"),
    ("power is left-associative and times binds tighter than tilde", "{{ 'a' ~ 1 * 2 }} {{ 2 ** 3 ** 2 }} {{ 10 - 2 - 3 }} {{ 2 * 3 ~ 4 }}"),
    ("filters and tests bind to the operand", "{{ -1 | abs }} {{ -lst | length if false else 'x' }} {{ n + 1 is odd }} {{ not none_v is none }}"),
    ("comparison chains", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' <= 'b' }} {{ 1 < n in lst }}"),
    ("inline if without else and adjacent string literals", "[{{ 'x' if false }}] {{ 'a' 'b' }} {{ 1 if false else 2 if false else 3 }}"),
    ("string repr quoting and escapes", "{{ ['a\\nb', \"it's\", 'x\"y', 'x\"y\\'', '\\x00', 'é', '\\u200b', '\\\\'] }}"),
    ("tuples print as tuples", "{{ (1,) }} {{ () }} {{ (1, 'a') ~ '' }} {{ 1, 2 }} {{ d | dictsort }} {{ 'a=b=c'.partition('=') }}"),
    ("dict views print as views and list as lists", "{{ d.items() }} {{ d.keys() | list }} {{ d.values() | length }} {{ d.items() | list | tojson }}"),
    ("attribute access prefers dict methods, subscripts prefer keys", "{% set sch = {'items': {'type': 'string'}, 'get': 5} %}{{ sch['items'].type }} {{ sch['get'] }} {{ sch.get('items').type }} {{ sch.items() | list | length }}"),
    ("undefined values print empty, iterate empty and have no length", "[{{ nope }}] {% for x in nope %}x{% else %}empty{% endfor %} {{ nope | length }} {{ nope | list }} {{ nope ~ 'a' }} {{ nope is callable }} {{ nope == nope }} {{ nope | default('d') }}"),
    ("missing keys and attributes are undefined", "{{ messages[0].nope is defined }} {{ messages[0]['nope'] is undefined }} {{ lst[10] is defined }} {{ 'abc'[5] is defined }} {{ none_v.x is defined }} {{ d.get('zz') is none }}"),
    ("generator filters are always true", "{{ 'y' if lst | select('gt', 10) else 'n' }} {{ 'y' if lst | select('gt', 10) | list else 'n' }} {{ 'y' if empty | map('string') else 'n' }} {{ 'y' if d | items else 'n' }}"),
    ("sort, unique, min, max and dictsort ignore case by default", "{{ ['b', 'A', 'a', 'B'] | sort }} {{ ['b', 'A', 'a', 'B'] | sort(case_sensitive=true) }} {{ ['a', 'A', 'b'] | unique | list }} {{ ['b', 'A', 'a'] | max }} {{ ['b', 'A'] | min }} {{ {'B': 1, 'a': 2} | dictsort }}"),
    ("sort and max by attribute", "{{ messages | sort(attribute='role') | map(attribute='role') | join(',') }} {{ messages | max(attribute='content') }} {{ [{'a': 2}, {'a': 1}] | sort(attribute='a', reverse=true) }} {{ [1, 1.0, true, 'a'] | unique | list }}"),
    ("map with a filter name, attribute paths and defaults", "{{ lst | map('string') | join('-') }} {{ ['a', 'b'] | map('upper') | list }} {{ tools | map(attribute='function.name') | list }} {{ messages | map(attribute='zz', default='q') | list }} {{ [[1, 2], [3]] | map('first') | list }} {{ lst | map('round', 1) | list }}"),
    ("select, reject and selectattr with tests and dotted attributes", "{{ lst | select('==', 1) | list }} {{ lst | reject('in', [1, 2]) | list }} {{ lst | select('divisibleby', 3) | list }} {{ tools | selectattr('function.name', 'equalto', 'get_weather') | list | length }} {{ messages | rejectattr('role', 'ne', 'user') | map(attribute='content') | first }}"),
    ("join converts items with str", "{{ [1, none, 'a', 2.0, true] | join('|') }} {{ d | join(',') }} {{ 'abc' | join('.') }} {{ messages | join(', ', attribute='role') }}"),
    ("first, last and list of strings and dicts", "{{ 'abc' | first }} {{ 'abc' | last }} {{ d | first }} {{ d | list }} {{ [] | first is defined }} {{ lst | reverse | list }} {{ 'abc' | reverse }}"),
    ("indent with first, blank and a trailing newline", "[{{ 'a\\nb\\n\\nc' | indent }}] [{{ 'a\\nb\\n' | indent(2, true) }}] [{{ 'a\\n\\nb' | indent(2, blank=true) }}] [{{ '' | indent(2, true) }}] [{{ 'x\\ny' | indent('> ') }}]"),
    ("title and capitalize", "{{ 'hello WORLD-foo (bar' | title }} {{ \"don't stop\" | title }} {{ 'aBC dEF' | capitalize }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }}"),
    ("int and float filters parse as Python does", "{{ ' 12 ' | int }} {{ '0x1A' | int(base=16) }} {{ '1_000' | int }} {{ true | int }} {{ none_v | int }} {{ '-3.9' | int }} {{ 'x' | int(7) }} {{ 1 | float }} {{ 'inf' | float }} {{ 'x' | float }} {{ ' 2.5e1 ' | float }}"),
    ("round ties to even and keeps ints", "{{ 2.675 | round(2) }} {{ -2.5 | round }} {{ 1234 | round(-2) }} {{ 1250.0 | round(-2) }} {{ 3 | round(1, 'floor') }} {{ 2.5 | round(method='ceil') }} {{ 0.125 | round(2) }}"),
    ("wordcount, escape, center and truncate", "{{ 'a-b c_d é1' | wordcount }} {{ '<a href=\"x\">&\\'</a>' | escape }} [{{ 'x' | center(6) }}] {{ 'hello world foo' | truncate(9) }} {{ 'hello world' | truncate(9, true, '..', 0) }}"),
    ("more string formatting", "{{ '%5s|%-5s|%05d|%+d|% d|%x|%X|%#x|%o|%e|%g|%G|%.3g|%10.4f|%c|%r|%%|%i' % ('a', 'b', 42, 5, 5, 255, 255, 255, 8, 12345.678, 1e-5, 123456789.0, 3.14159, 3.14159, 65, 'x', 7) }} {{ '%(a)s-%(b)d' % {'a': 'x', 'b': 2} }} {{ '%s' % [1, 2] }} {{ '%.0f %.0f %g' % (0.5, 1.5, 100000) }} {{ '%s=%s' | format('a', 1) }}"),
    ("str.format with format specs", "{{ '{:>5}|{:<5}|{:^5}|{:05d}|{:,}|{:.2f}|{:e}|{:x}|{:#b}|{:%}|{!r}|{:+.1f}'.format('a', 'b', 'c', 42, 1234567, 3.14159, 1234.5, 255, 5, 0.25, 'q', 2.0) }} {{ '{name} is {age}'.format(name='x', age=3) }} {{ '{0[0]} {1.role}'.format(lst, messages[0]) }} {{ '{{}} {}'.format(1.0) }} {{ '{:.3}'.format(3.14159) }} {{ '{:*^9}'.format('mid') }}"),
    ("more string methods", "{{ 'a b  c'.split(None, 1) }} {{ '  a b  '.split() }} {{ 'a,b,c'.rsplit(',', 1) }} {{ ''.split(',') }} {{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'héllo'.find('l') }} {{ 'hello'.startswith(('x', 'he')) }} {{ ', '.join(['a', 'b']) }} {{ 'abc'.center(7, '*') }} {{ '-42'.zfill(5) }} {{ 'abc'.removeprefix('a') }} {{ 'Abc'.istitle() }} {{ 'ab' is lower }} {{ '1' is lower }}"),
    ("list and dict methods that do not modify", "{{ lst.count(1) }} {{ lst.index(2) }} {{ lst.copy() }} {{ d.copy() }} {{ d.get('a', 0) }} {{ (1, 2).count(2) }}"),
    ("slices follow Python", "{{ lst[::-1] }} {{ lst[-10:10] }} {{ lst[1:-1] }} {{ 'abcdef'[::2] }} {{ 'abc'[5:] }} {{ lst[:-10] }} {{ (1, 2, 3)[1:] }} {{ 'héllo'[1:3] }}"),
    ("arithmetic with bools and negative numbers", "{{ true + 1 }} {{ true + true }} {{ -true }} {{ 7 % -3 }} {{ -7.5 % 2 }} {{ 3.0 // 0.5 }} {{ 'ab' * -1 }}|{{ [1] * 2 }} {{ 2 * 'ab' }} {{ 2 ** -2 }} {{ (1, 2) + (3,) }}"),
    ("equality across types", "{{ [1, 2] == [1, 2.0] }} {{ (1, 2) == [1, 2] }} {{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }} {{ 1 == true }} {{ 0 == false }} {{ none_v == false }} {{ 'a' in ['a'] }} {{ 1.0 in lst }}"),
    ("is tests on odd values", "{{ 3.0 is odd }} {{ true is number }} {{ true is integer }} {{ 1 is sameas 1 }} {{ s is sequence }} {{ d is sequence }} {{ 1 is iterable }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ nope is iterable }} {{ n is divisibleby lst[0] }} {{ n is not in lst }}"),
    ("tojson edge cases", "{{ 'é\\u2028x\\x7f' | tojson }} {{ 'é😀' | tojson(ensure_ascii=true) }} {{ {'a': {}, 'b': []} | tojson(indent='\\t') }} {{ [1, [2, {}]] | tojson(indent=0) }} {{ {'a': [1, 2]} | tojson(indent=1, separators=(';', '=')) }} {{ (1, 2) | tojson }} {{ 1e300 * 1e300 }} {{ -0.0 | tojson }}"),
    ("namespace keeps its own attributes", "{% set ns = namespace(items=5, a=1) %}{{ ns.items }} {{ ns['a'] }} {% set ns.a = ns.a + 1 %}{{ ns.a }} {% set ns2 = namespace(d, c=3) %}{{ ns2.b }}{{ ns2.c }}"),
    ("dict() and namespace() keep keyword order", "{{ dict(b=1, a=2) | tojson }} {{ dict(d, c=3) }} {{ dict([('x', 1)]) }} {{ dict(y=2, **{'z': 1}) }}"),
    ("call arguments with star and double star", "{% macro m(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ m(*[1, 2]) }} {{ m(**{'b': 2, 'a': 1}) }} {{ '{}{}'.format(*lst) }}"),
    ("macros with varargs, kwargs, missing arguments and caller", "{% macro m(a, b=a) %}{{ a }}{{ b }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1) }} {{ m(1, 2, 3, x=4) }} {% macro n(a) %}[{{ a }}]{% endmacro %}{{ n() }} {% macro c(x) %}<{{ caller(x) }}>{% endmacro %}{% call(v) c(2) %}v={{ v }}{% endcall %}"),
    ("set inside a loop does not reach the next iteration", "{% for i in lst %}{% if loop.first %}{% set y = 5 %}{% endif %}{{ y }},{% endfor %}{% set x = 1 %}{% for i in lst %}{% set x = i %}{% endfor %}{{ x }}"),
    ("loop.changed, loop.cycle, loop.depth and nested loops", "{% for i in [1, 1, 2] %}{{ loop.changed(i) }}{{ loop.cycle('a', 'b') }}{{ loop.depth }} {% endfor %}{% for i in [1, 2] %}{% for j in [3, 4] %}{{ loop.index }}{{ i }}{{ j }} {% endfor %}{{ loop.index }}|{% endfor %}"),
    ("for loops unpack several targets", "{% for a, b, c in [[1, 2, 3]] %}{{ a }}{{ b }}{{ c }}{% endfor %} {% for (k, v) in d.items() %}{{ k }}{{ v }}{% endfor %} {% for k, v in d | dictsort if v > 1 %}{{ k }}{{ loop.last }}{% endfor %} {% set a, b = 1, 2 %}{{ a }}{{ b }}"),
    ("filter blocks with a filter chain and with blocks", "{% filter replace('a', 'o') | upper %}banana{% endfilter %} {% filter indent(2, true) %}a\nb{% endfilter %} {% with a = 1, b = n %}{{ a }}{{ b }}{% endwith %}[{{ a }}]"),
    ("joiner and cycler", "{% set j = joiner() %}{% for i in lst %}{{ j() }}{{ i }}{% endfor %} {% set j2 = joiner(' | ') %}{% for i in lst %}{{ j2() }}{{ i }}{% endfor %} {% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}"),
    ("pprint sorts keys", "{{ messages[0] | pprint }} {{ d | pprint }} {{ [1, 'a', none] | pprint }}"),
    ("Llama 3.1 tool calling", "{%- set messages = tool_messages %}{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}{%- endif %}\n{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message + '<|eot_id|>' }}\n{%- for t in tools %}\n    {{- t | tojson(indent=4) }}\n    {{- '\\n\\n' }}\n{%- endfor %}\n{%- for message in messages %}\n    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}\n        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n    {%- elif 'tool_calls' in message %}\n        {%- if not message.tool_calls|length == 1 %}\n            {{- raise_exception('This model only supports single tool-calls at once!') }}\n        {%- endif %}\n        {%- set tool_call = message.tool_calls[0].function %}\n        {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}\n        {{- '{\"name\": \"' + tool_call.name + '\", ' }}\n        {{- '\"parameters\": ' }}\n        {{- tool_call.arguments | tojson }}\n        {{- '}' }}\n        {{- '<|eot_id|>' }}\n    {%- elif message.role == 'tool' or message.role == 'ipython' %}\n        {{- '<|start_header_id|>ipython<|end_header_id|>\\n\\n' }}\n        {%- if message.content is mapping or message.content is iterable %}\n            {{- message.content | tojson }}\n        {%- else %}\n            {{- message.content }}\n        {%- endif %}\n        {{- '<|eot_id|>' }}\n    {%- endif %}\n{%- endfor %}\n"),
    ("Qwen2.5 tool calling", "{%- set messages = tool_messages %}{{- '<|im_start|>system\\n' + messages[0]['content'] }}\n{{- '\\n\\n# Tools\\n<tools>' }}\n{%- for tool in tools %}\n    {{- '\\n' }}\n    {{- tool | tojson }}\n{%- endfor %}\n{{- '\\n</tools><|im_end|>\\n' }}\n{%- for message in messages %}\n    {%- if (message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant' and not message.tool_calls) %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == 'assistant' %}\n        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n    {%- elif message.role == 'tool' %}\n        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != 'tool') %}\n            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n        {%- if loop.last or (messages[loop.index0 + 1].role != 'tool') %}\n            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n{{- '<|im_start|>assistant\\n' }}\n"),
    ("Mistral v0.3 tool calling", "{%- set loop_messages = tool_messages[1:] %}{%- set system_message = tool_messages[0].content %}\n{%- set user_messages = loop_messages | selectattr('role', 'equalto', 'user') | list %}\n{%- set ns = namespace() %}\n{%- set ns.index = 0 %}\n{%- for message in loop_messages %}\n    {%- if not (message.role == 'tool' or (message.tool_calls is defined and message.tool_calls is not none)) %}\n        {%- if (message['role'] == 'user') != (ns.index % 2 == 0) %}\n            {{- raise_exception('roles must alternate') }}\n        {%- endif %}\n        {%- set ns.index = ns.index + 1 %}\n    {%- endif %}\n{%- endfor %}\n{{- bos_token }}\n{%- for message in loop_messages %}\n    {%- if message['role'] == 'user' %}\n        {%- if tools is not none and (message == user_messages[-1]) %}\n            {{- '[AVAILABLE_TOOLS] [' }}\n            {%- for tool in tools %}\n                {%- set tool = tool.function %}\n                {{- '{\"type\": \"function\", \"function\": {' }}\n                {%- for key, val in tool.items() if key != 'return' %}\n                    {%- if val is string %}\n                        {{- '\"' + key + '\": \"' + val + '\"' }}\n                    {%- else %}\n                        {{- '\"' + key + '\": ' + val|tojson }}\n                    {%- endif %}\n                    {%- if not loop.last %}\n                        {{- ', ' }}\n                    {%- endif %}\n                {%- endfor %}\n                {{- '}}' }}\n                {%- if not loop.last %}\n                    {{- ', ' }}\n                {%- else %}\n                    {{- ']' }}\n                {%- endif %}\n            {%- endfor %}\n            {{- '[/AVAILABLE_TOOLS]' }}\n        {%- endif %}\n        {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}\n    {%- elif message.tool_calls is defined and message.tool_calls is not none %}\n        {{- '[TOOL_CALLS] [' }}\n        {%- for tool_call in message.tool_calls %}\n            {%- set out = tool_call.function|tojson %}\n            {{- out[:-1] }}\n            {%- if not tool_call.id is defined or tool_call.id|length != 9 %}\n                {{- raise_exception('Tool call IDs should be alphanumeric strings with length 9!') }}\n            {%- endif %}\n            {{- ', \"id\": \"' + tool_call.id + '\"}' }}\n            {%- if not loop.last %}{{- ', ' }}{%- else %}{{- ']</s>' }}{%- endif %}\n        {%- endfor %}\n    {%- elif message['role'] == 'assistant' %}\n        {{- ' ' + message['content']|trim + '</s>' }}\n    {%- elif message['role'] == 'tool' %}\n        {%- if message.content is defined and message.content.content is defined %}\n            {%- set content = message.content.content %}\n        {%- else %}\n            {%- set content = message.content %}\n        {%- endif %}\n        {{- '[TOOL_RESULTS] {\"content\": ' + content|string + ', ' }}\n        {{- '\"call_id\": \"' + message.tool_call_id + '\"}[/TOOL_RESULTS]' }}\n    {%- endif %}\n{%- endfor %}\n"),
    ("error: undefined attribute of undefined", "{{ 'x' if nope.attr is defined else 'undefined attr' }}"),
    ("error: raise_exception", "{{ raise_exception('Only user and assistant roles are supported!') }}"),
    ("error: list.append in the immutable sandbox", "{% set a = [1] %}{% set _ = a.append(2) %}{{ a }}"),
    ("error: dict.update in the immutable sandbox", "{% set x = {'a': 1} %}{% set _ = x.update({'b': 2}) %}{{ x }}"),
    ("error: unknown filter", "{{ 'x' | no_such_filter }}"),
    ("error: unclosed block", "{% if true %}x"),
    ("error: adding a string to a number", "{{ 'a' + 1 }}"),
    ("error: division by zero", "{{ 1 / 0 }}"),
    ("error: tilde binds tighter than plus", "{{ 1 + 2 ~ 3 }}"),
    ("error: calling an undefined value", "{{ nope() }}"),
    ("error: attribute of a missing key", "{{ d.zz.y }}"),
    ("error: comparing a string and a number", "{{ 1 < 'a' }}"),
    ("error: iterating None", "{% for x in none_v %}{{ x }}{% endfor %}"),
    ("error: slicing a number", "{{ n[1:] }}"),
    ("error: arithmetic with None", "{{ none_v + 1 }}"),
    ("error: unary minus of a string", "{{ -s }}"),
    ("error: string formatting with too many arguments", "{{ '%s' % (1, 2) }}"),
    ("error: length of a generator", "{{ lst | select('odd') | length }}"),
    ("error: last of a generator", "{{ messages | selectattr('role', 'equalto', 'user') | last }}"),
    ("error: tojson of an undefined value", "{{ nope | tojson }}"),
    ("error: items of a string", "{% for k, v in s | items %}{% endfor %}"),
    ("error: unpacking the wrong number of values", "{% for a, b in lst %}{% endfor %}"),
    ("error: macro with too many arguments", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}"),
    ("error: macro with an unknown keyword argument", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=2) }}"),
    ("error: setting an attribute of a plain dict", "{% set x = {'a': 1} %}{% set x.a = 2 %}{{ x }}"),
    ("error: list.pop in the immutable sandbox", "{{ lst.pop() }}"),
    ("error: dict.setdefault in the immutable sandbox", "{{ d.setdefault('x', 1) }}"),
    ("error: unknown test", "{{ n is no_such_test }}"),
    ("error: range too big for the sandbox", "{{ range(100001) | length }}"),
    ("error: empty expression", "{{ }}"),
    ("error: unknown character in an expression", "{{ 1 ! 2 }}"),
    ("error: round of a string", "{{ 'x' | round }}"),
    ("error: join of a list of numbers with str.join", "{{ ', '.join(lst) }}"),
    ("error: fromjson is not a Jinja filter", "{{ '{}' | fromjson }}"),
]


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message):
    raise TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

out = {"generator": "gen_jinja_cases.py with Jinja2 " + jinja2.__version__, "vars": VARS, "cases": []}
for name, source in CASES:
    case = {"name": name, "template": source}
    try:
        case["rendered"] = env.from_string(source).render(**VARS)
    except Exception as e:  # the case records which error Python raised
        case["error"] = type(e).__name__ + ": " + str(e)
    if name.startswith("error:") != ("error" in case):
        raise SystemExit(f"case {name!r}: expected {'an error' if name.startswith('error:') else 'a rendering'}, got {case}")
    out["cases"].append(case)
print(json.dumps(out, ensure_ascii=False, indent=1))
