"""The fast JSON writer gives exactly json.dumps(..., ensure_ascii=False, indent=2)."""
import json

import pytest

from dtrack.output import jsonout


@pytest.mark.parametrize("data", [
    [], {}, [{}], {"a": []}, [1, 2.5, True, False, None, "x\n\"é\u0001\u2028"],
    {"a": {"b": [{"c": 1}]}, "d": None, "e": [[], [1]], "f": ["a", "b"], "g": True, "h": [True], "i": ("x",)},
    {1: "x", 2.0: "y", True: "z", None: 1}, [float("nan"), float("inf"), -0.0, 1e100, 10**30],
    [{"ref": "1502-UBND-KGVX#2", "lead": ["Sở Tài chính"], "support": [], "due": None, "days_left": -3,
      "extensions": [{"from": None, "to": "2024-07-01"}], "cancelled": None}],
])
def test_same_text_as_json_dumps(data):
    assert jsonout.dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_list_json_is_unchanged(cli, repo):
    result = cli("--as-of", "2024-07-20", "list", "--all", "--status", "all", "--json", cwd=repo)
    data = json.loads(result.stdout)
    assert len(data) > 10
    assert result.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
