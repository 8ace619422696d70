"""The fast loader's last two steps, done for what directive files hold: resolving plain scalars
and building the data from libyaml's nodes.

PyYAML's resolver and constructor are generic (path resolvers, anchors, merge keys, deep construction
through generators) and took 40 % of a first build's parsing. The fast loader meets only files
without anchors or aliases (store.files._needs_care sends those to the careful loader), so each node
is built once, by a plain recursive walk, for the tags a directive file uses; any other tag, or a
merge key, falls back to PyYAML's own constructor for the whole document, which gives exactly what it
gave before. tests/store/test_yamlfast.py compares both on every kind of value.
"""
from __future__ import annotations

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
FLOAT = "tag:yaml.org,2002:float"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
MERGE = "tag:yaml.org,2002:merge"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def resolver(implicit: dict, scalar, sequence):
    """A `resolve` method equal to PyYAML's for a resolver with no path resolvers (dtrack adds none):
    the implicit resolvers of each first character joined once, instead of on every scalar."""
    wildcard = tuple(implicit.get(None, ()))
    table = {first: tuple(pairs) + wildcard for first, pairs in implicit.items() if first is not None}

    def resolve(self, kind, value, implicit_flags):
        if kind is scalar:
            if implicit_flags[0]:
                for tag, pattern in table.get(value[:1], wildcard):
                    if pattern.match(value):
                        return tag
            return STR
        return SEQ if kind is sequence else MAP

    return resolve


class Fallback(Exception):
    """A node this walk does not build the way PyYAML's constructor would: let the constructor do it."""


def build(node, constructor, decimal, duplicate, nodes):
    """The document's data, as `constructor.construct_document(node)` would give it; `decimal` is the
    pattern of the integers the resolver accepts, `duplicate(pairs)` raises for a key written twice,
    `nodes` is PyYAML's (ScalarNode, SequenceNode, MappingNode)."""
    scalar, sequence, mapping = nodes

    def walk(node):
        kind, tag = type(node), node.tag
        if kind is scalar:
            if tag == STR:
                return node.value
            if tag == INT and decimal.match(node.value):
                return int(node.value)
            if tag == NULL:
                return None
            if tag == BOOL:
                return _BOOLS[node.value.lower()]
            if tag == TIMESTAMP:
                return constructor.construct_yaml_timestamp(node)
            raise Fallback
        if kind is sequence and tag == SEQ:
            return [walk(child) for child in node.value]
        if kind is mapping and tag == MAP:
            data = {}
            for key_node, value_node in node.value:
                if key_node.tag == MERGE:
                    raise Fallback
                key = walk(key_node)
                try:
                    data[key] = walk(value_node)
                except TypeError:           # an unhashable key: PyYAML's own error
                    raise Fallback from None
            if len(data) < len(node.value):
                duplicate(node.value)
            return data
        raise Fallback

    try:
        return walk(node)
    except RecursionError:          # a value nested hundreds of levels: PyYAML's constructor is iterative
        raise Fallback from None
