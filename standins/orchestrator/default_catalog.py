"""The default world's tasks and plans, with the parameter metadata PE would report."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def _param(type_: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "description": description, **extra}


def default_tasks() -> list[dict[str, Any]]:
    everywhere = ["production", "development", "test-env-1"]
    main = ["production", "development"]
    return [
        {
            "name": "package",
            "environments": everywhere,
            "fails_on": ["db02.example.com"],
            "metadata": {
                "description": "Manage and inspect the state of packages",
                "supports_noop": True,
                "input_method": "stdin",
                "parameters": {
                    "action": _param(
                        "Enum[install, status, uninstall, upgrade]",
                        "The operation to perform on the package",
                    ),
                    "name": _param("String[1]", "The name of the package to be manipulated"),
                    "version": _param(
                        "Optional[String[1]]", "Version numbers must match the package manager"
                    ),
                },
            },
            "result": {"status": "$action ok", "version": "2.4.57-1.el9"},
        },
        {
            "name": "service",
            "environments": main,
            "metadata": {
                "description": "Manage and inspect the state of services",
                "supports_noop": True,
                "input_method": "stdin",
                "parameters": {
                    "action": _param(
                        "Enum[start, stop, restart, status]",
                        "The operation to perform on the service",
                    ),
                    "name": _param("String[1]", "The name of the service to operate on"),
                },
            },
            "result": {
                "status": "MainPID=1234,LoadState=loaded,ActiveState=active",
                "enabled": "enabled",
            },
            # The task prints an _error and exits 0 there: PE says the node `finished`, Bolt
            # (and the bot) count it as failed.
            "errors_on": ["cache03.example.com"],
            "error": {
                "kind": "service/unknown-service",
                "msg": "Unit $name.service could not be found on $node",
                "details": {"name": "$name"},
            },
        },
        {
            "name": "facts",
            "environments": everywhere,
            "metadata": {
                "description": "Gather system facts",
                "supports_noop": False,
                "input_method": "stdin",
                "parameters": {},
            },
            "result": "$facts",
        },
        {
            "name": "puppet_conf",
            "environments": main,
            "metadata": {
                "description": "Inspect puppet agent configuration settings",
                "supports_noop": False,
                "input_method": "stdin",
                "parameters": {
                    "action": _param("Enum[get, set, delete]", "The operation to perform"),
                    "section": _param("String[1]", "The section of puppet.conf"),
                    "setting": _param("String[1]", "The name of the setting"),
                    "value": _param("Optional[String]", "The value to set (action set only)"),
                },
            },
            "result": {"status": "$setting = puppet.example.com", "section": "$section"},
        },
        {
            "name": "exec",
            "environments": main,
            "metadata": {
                "description": "Run a shell command",
                "supports_noop": False,
                "input_method": "environment",
                "parameters": {"command": _param("String[1]", "The command to run")},
            },
            "result": {"stdout": "$command: ok on $node\n", "exit_code": 0},
        },
        {
            "name": "mymodule::sleep",
            "environments": main,
            "metadata": {
                "description": "Sleep for a number of seconds",
                "supports_noop": True,
                "input_method": "environment",
                "parameters": {
                    "seconds": _param("Integer[0, 3600]", "How long to sleep"),
                    "count": _param("Optional[Integer[1]]", "How many times"),
                },
            },
            "result": {"output": "slept $seconds seconds\n"},
        },
        {
            "name": "mymodule::flush_cache",
            "environments": main,
            "metadata": {
                "description": "Flush the application cache",
                "supports_noop": True,
                "input_method": "stdin",
                "parameters": {
                    "force": _param("Boolean", "Flush even while serving traffic"),
                    "pattern": _param("Optional[String]", "Only keys matching this"),
                },
            },
            "result": {"flushed": 1342, "force": "$force"},
        },
    ]


def default_plans() -> list[dict[str, Any]]:
    main = ["production", "development"]
    targets = _param("TargetSpec", "The targets to run on")
    return [
        {
            "name": "canary",
            "environments": main,
            "metadata": {
                "description": "Run a command on a few canary nodes, then on the rest",
                "parameters": {
                    "nodes": targets,
                    "command": _param("String", "The command to run"),
                    "canary": _param("Integer", "How many canary nodes", default_value=1),
                },
            },
            "steps": [
                {"out_message": "Running '$command' on $canary canary node(s)"},
                {
                    "task": "exec",
                    "params": {"command": "$command"},
                    "targets": "nodes",
                    "first": "canary",
                },
                {"out_message": "Canary succeeded; running on the remaining nodes"},
                {
                    "task": "exec",
                    "params": {"command": "$command"},
                    "targets": "nodes",
                    "rest": "canary",
                },
            ],
            "result": {"output": "'$command' ran on every node"},
        },
        {
            "name": "example_plan",
            "environments": main,
            "metadata": {
                "description": "Output a message on the targets",
                "parameters": {
                    "message": _param("String", "The message"),
                    "example_object_param": _param("Optional[Hash]", "Any object"),
                    "targets": targets,
                    "more_targets": _param("Optional[TargetSpec]", "More targets"),
                },
            },
            "steps": [
                {"out_message": "$message"},
                {"task": "facts", "targets": "targets"},
                {"task": "facts", "targets": "more_targets"},
            ],
            "result": {"message": "$message"},
        },
        {
            "name": "profile::firewall",
            "environments": main,
            "metadata": {
                "description": "Reload the firewall rules",
                "parameters": {"targets": targets},
            },
            "steps": [
                {
                    "task": "service",
                    "params": {"action": "restart", "name": "firewalld"},
                    "targets": "targets",
                }
            ],
            "result": "firewall reloaded",
        },
        {
            "name": "profile::rolling_update",
            "environments": main,
            "metadata": {
                "description": "Upgrade a package, a canary node first",
                "parameters": {
                    "targets": targets,
                    "package": _param("String", "Package to upgrade", default_value="openssl"),
                },
            },
            "steps": [
                {
                    "task": "package",
                    "params": {"action": "upgrade", "name": "$package"},
                    "targets": "targets",
                    "first": 1,
                },
                {
                    "plan": "profile::rolling_update::rest",  # a sub-plan: plan_start/plan_end
                    "steps": [
                        {
                            "task": "package",
                            "params": {"action": "upgrade", "name": "$package"},
                            "targets": "targets",
                            "rest": 1,
                        },
                    ],
                },
            ],
            "result": {"upgraded": "$package"},
        },
        {
            "name": "canary::random",
            "environments": main,
            "permitted": False,
            "metadata": {"description": "Pick a random canary", "parameters": {"nodes": targets}},
            "steps": [{"task": "facts", "targets": "nodes", "first": 1}],
        },
        {
            "name": "package::install",
            "environments": main,
            "metadata": {
                "description": "Install a package",
                "parameters": {
                    "targets": targets,
                    "name": _param("String[1]", "Package name"),
                    "version": _param("Optional[String]", "Version"),
                },
            },
            "steps": [
                {
                    "task": "package",
                    "params": {"action": "install", "name": "$name"},
                    "targets": "targets",
                }
            ],
            "result": {"output": "$name installed\n"},
        },
        {
            "name": "profile::migrate_db",
            "environments": main,
            "fail": "Database migration failed: schema lock held by another session",
            "metadata": {
                "description": "Run database migrations",
                "parameters": {"targets": targets},
            },
            "steps": [
                {"out_message": "Migrating databases"},
                {"task": "facts", "targets": "targets"},
            ],
        },
        {
            "name": "profile::experimental",
            "environments": ["development"],
            "metadata": {"description": "Only in development", "parameters": {"targets": targets}},
            "steps": [{"task": "facts", "targets": "targets"}],
            "result": "done",
        },
    ]
