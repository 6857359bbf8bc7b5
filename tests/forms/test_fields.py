"""Each Puppet parameter type becomes its Block Kit element, and reads back as /task takes it."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from forms import FormErrors, Submission, read_task_form, task_form
from tests.forms.helpers import NOW, Filled, custom_task


def param(type_: str, description: str = "", **extra: Any) -> dict[str, Any]:
    return {"type": type_, "description": description, **extra}


def form(**params: dict[str, Any]) -> tuple[Filled, Any]:
    info = custom_task(params)
    filled = Filled(task_form(info, environment="production"))
    filled.set("ctx:subject", info.name).set("target:nodes", "web01.example.com")
    return filled, info


def read(filled: Filled, info: Any) -> Submission | FormErrors:
    return read_task_form(filled.values, info, now=NOW, zone=UTC)


def element(filled: Filled, name: str) -> dict[str, Any]:
    return filled.block(f"param:{name}")["element"]


def raw_of(filled: Filled, info: Any) -> dict[str, str]:
    result = read(filled, info)
    assert isinstance(result, Submission), result
    return dict(result.intent.raw_params)


def test_boolean_is_one_checkbox_read_as_true_or_false() -> None:
    filled, info = form(force=param("Boolean", "Flush while serving"))

    assert element(filled, "force")["type"] == "checkboxes"
    assert filled.block("param:force")["optional"] is True  # unticked is an answer
    assert raw_of(filled, info) == {"force": "false"}
    filled.set("param:force", ["true"])
    assert raw_of(filled, info) == {"force": "true"}


def test_an_unticked_optional_boolean_is_left_out_not_false() -> None:
    filled, info = form(verbose=param("Optional[Boolean]"))

    assert raw_of(filled, info) == {}
    filled.set("param:verbose", ["true"])
    assert raw_of(filled, info) == {"verbose": "true"}


def test_a_boolean_defaulting_to_true_starts_ticked_and_unticking_sends_false() -> None:
    filled, info = form(restart=param("Boolean", default_value=True))

    assert element(filled, "restart")["initial_options"][0]["value"] == "true"
    assert raw_of(filled, info) == {}  # left at its default: the task's default applies
    filled.set("param:restart", [])
    assert raw_of(filled, info) == {"restart": "false"}


def test_enum_is_a_static_select_of_its_choices() -> None:
    filled, info = form(action=param("Enum[install, status, uninstall]", "What to do"))

    select = element(filled, "action")
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == ["install", "status", "uninstall"]
    assert filled.block("param:action")["optional"] is False
    assert filled.block("param:action")["hint"]["text"].startswith("What to do")
    filled.set("param:action", "status")
    assert raw_of(filled, info) == {"action": "status"}


def test_an_enum_too_big_for_a_select_is_text_checked_against_it() -> None:
    choices = ", ".join(f"v{i}" for i in range(101))
    filled, info = form(pick=param(f"Enum[{choices}]"))

    assert element(filled, "pick")["type"] == "plain_text_input"
    filled.set("param:pick", "v200")
    result = read(filled, info)
    assert isinstance(result, FormErrors) and "param:pick" in result.errors
    filled.set("param:pick", "v100")
    assert raw_of(filled, info) == {"pick": "v100"}


def test_integer_range_becomes_number_input_bounds() -> None:
    filled, info = form(seconds=param("Integer[0, 3600]"), count=param("Optional[Integer[1]]"))

    seconds, count = element(filled, "seconds"), element(filled, "count")
    assert (seconds["type"], seconds["is_decimal_allowed"]) == ("number_input", False)
    assert (seconds["min_value"], seconds["max_value"]) == ("0", "3600")
    assert (count["min_value"], "max_value" in count) == ("1", False)
    assert filled.block("param:count")["optional"] is True
    filled.set("param:seconds", 30)
    assert raw_of(filled, info) == {"seconds": "30"}


def test_float_allows_decimals_and_its_range_is_checked_on_submit() -> None:
    filled, info = form(ratio=param("Float[0.0, 1.0]"))

    assert element(filled, "ratio")["is_decimal_allowed"] is True
    filled.set("param:ratio", "0.25")
    assert raw_of(filled, info) == {"ratio": "0.25"}
    filled.set("param:ratio", "1.5")  # Slack's client refuses it; a forged payload meets us
    assert filled.client_errors() == {"param:ratio": "Must be 1 or less."}
    result = read(filled, info)
    assert isinstance(result, FormErrors) and "Float[0.0, 1.0]" in result.errors["param:ratio"]


def test_string_lengths_become_text_input_limits() -> None:
    filled, info = form(name=param("String[2, 20]"))

    text = element(filled, "name")
    assert (text["type"], text["min_length"], text["max_length"]) == ("plain_text_input", 2, 20)
    filled.set("param:name", "httpd")
    assert raw_of(filled, info) == {"name": "httpd"}


def test_pattern_is_checked_on_submit_with_an_inline_error() -> None:
    filled, info = form(ticket=param("Pattern[/^INC[0-9]+$/]"))
    filled.set("param:ticket", "CHG42")

    result = read(filled, info)

    assert isinstance(result, FormErrors)
    assert result.errors == {"param:ticket": "Must match /^INC[0-9]+$/."}
    filled.set("param:ticket", "INC0011211")
    assert raw_of(filled, info) == {"ticket": "INC0011211"}


def test_optional_fields_are_not_required_and_defaults_are_filled_in() -> None:
    filled, info = form(
        package=param("String", default_value="openssl"),
        version=param("Optional[String[1]]"),
        level=param("Enum[low, high]", default_value="low"),
        tries=param("Integer", default_value=3),
    )

    assert element(filled, "package")["initial_value"] == "openssl"
    assert element(filled, "level")["initial_option"]["value"] == "low"
    assert element(filled, "tries")["initial_value"] == "3"
    assert all(filled.block(f"param:{n}")["optional"] for n in ("package", "version", "level"))
    assert raw_of(filled, info) == {}  # defaults left alone are the task's defaults
    filled.set("param:package", "nginx").set("param:version", "1.2")
    assert raw_of(filled, info) == {"package": "nginx", "version": "1.2"}


@pytest.mark.parametrize(
    "type_, good, bad",
    [
        ("Array[String]", '["a", "b"]', '["a", 1]'),
        ("Hash[String, Integer]", '{"a": 1}', '{"a": "x"}'),
        ("Struct[{name => String, port => Integer}]", '{"name": "x", "port": 80}', '{"name": "x"}'),
        ("Optional[Tuple[String, Integer]]", '["a", 2]', '["a"]'),
    ],
)
def test_structured_types_are_json_text_checked_against_the_type(
    type_: str, good: str, bad: str
) -> None:
    filled, info = form(data=param(type_))

    text = element(filled, "data")
    assert (text["type"], text.get("multiline")) == ("plain_text_input", True)
    assert "(as JSON)" in filled.block("param:data")["hint"]["text"]
    filled.set("param:data", bad)
    result = read(filled, info)
    assert isinstance(result, FormErrors) and result.errors["param:data"].startswith("Expected")
    filled.set("param:data", good)
    submitted = read(filled, info)
    assert isinstance(submitted, Submission), submitted
    assert submitted.intent.json_params == {"data": __import__("json").loads(good)}


def test_json_that_does_not_parse_says_so() -> None:
    filled, info = form(data=param("Hash"))
    filled.set("param:data", "{nope")

    result = read(filled, info)

    assert isinstance(result, FormErrors) and result.errors["param:data"].startswith(
        "Not valid JSON"
    )


def test_sensitive_parameters_are_never_in_the_form() -> None:
    filled, info = form(
        user=param("String"),
        password=param("String", "The password", sensitive=True),
        token=param("Optional[Sensitive[String]]"),
    )

    assert "param:password" not in filled.blocks() and "param:token" not in filled.blocks()
    note = " ".join(str(b) for b in filled.view["blocks"] if b["type"] == "context")
    assert "`password`" in note and "`token`" in note and "Slack cannot hide" in note
    filled.set("param:user", "admin")
    result = read(filled, info)
    # password is required: this form cannot run the task, and says how to.
    assert isinstance(result, FormErrors)
    assert (
        "password" in result.errors["ctx:subject"]
        and "/task mymodule::custom" in (result.errors["ctx:subject"])
    )


def test_an_optional_sensitive_parameter_leaves_the_form_runnable() -> None:
    filled, info = form(user=param("String"), token=param("Optional[Sensitive[String]]"))
    filled.set("param:user", "admin")

    assert raw_of(filled, info) == {"user": "admin"}


def test_untyped_parameters_are_plain_text_passed_as_typed() -> None:
    filled, info = form(anything=param("Any"))

    assert element(filled, "anything")["type"] == "plain_text_input"
    filled.set("param:anything", "[1,2]")
    assert raw_of(filled, info) == {"anything": "[1,2]"}  # as /task anything=[1,2] sends it
