"""What is deployed: facts from a Terraform state or plan, per module directory, and how
they change what a fix is.

The app layer reads the state (``tffix.app.state``) and hands the engine a
``Deployment``: for each module directory the state covers, each managed resource's
live instances and a few of their values. Only booleans, numbers and the values of a
short list of non-secret enum arguments are kept (``KEPT_STRINGS``); everything else
in a state (passwords, keys, ARNs, tags, user data) is dropped while reading, so no
output can show it.

``classify`` turns the facts into decisions on findings: a fix that forces
replacement of a resource with no instance in the state is safe ("not deployed");
on a deployed resource it stays unsafe and names what it would replace; a finding
on an argument whose live value is known says what it is today.

A finding on an expression the rule cannot read (``Finding.live_ok`` set) on a deployed
resource says what the expression gave there. If every instance holds a value
``live_ok`` accepts, the finding is lowered to a note (``severity``), never dropped: the
state is one deployment of one root module, and the same code may be applied elsewhere
(another workspace, variable file or input) with another value. A harmful value is said
to be unsafe today. A state never decides what a fix writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tffix.engine.rules import IMPACT_IN_PLACE, IMPACT_REPLACE, SAFE, UNSAFE, Finding

__all__ = ["KEPT_STRINGS", "Deployment", "Live", "classify", "kept_value"]

# String arguments whose values are enums or versions, never secrets: the only strings
# read from a state.
KEPT_STRINGS = frozenset({
    "engine", "engine_version", "instance_class", "storage_type", "http_tokens", "http_endpoint",
    "sse_algorithm", "status", "mode", "load_balancer_type", "image_tag_mutability", "traffic_type",
    "log_destination_type", "ssl_policy", "protocol", "minimum_protocol_version", "authorization_type",
})


def kept_value(name: str, value: object) -> object | None:
    """The value as tffix may keep it from a state, or None when it must not be kept."""
    if isinstance(value, bool) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and name in KEPT_STRINGS and len(value) <= 64:
        return value
    return None


@dataclass
class Live:
    """One resource block's deployed instances (0: declared but not deployed) and the
    kept values of its first instance."""

    address: str
    instances: int = 0
    values: dict[str, object] = field(default_factory=dict)
    varies: set[str] = field(default_factory=set)  # arguments whose value differs between the instances


@dataclass
class Deployment:
    """Per module directory (an absolute path), its resources by ``(type, name)``.
    A directory not in ``modules`` is not covered: nothing is known about it."""

    modules: dict[str, dict[tuple[str, str], Live]] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)  # directory -> the state or plan file it comes from

    def live(self, directory: str, type_: str, name: str) -> Live | None:
        resources = self.modules.get(directory)
        if resources is None:
            return None
        return resources.get((type_, name)) or Live(f"{type_}.{name}")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _argument(finding: Finding) -> str | None:
    """The top-level argument a finding is about: the one it names (``Finding.argument``),
    or the one it points at or at whose value it points."""
    if finding.argument is not None or finding.block is None:
        return finding.argument
    for attr in finding.block.body.attributes:
        if finding.node is attr or finding.node is attr.value:
            return attr.name
    return None


def _expression(f: Finding, live: Live, argument: str) -> None:
    """A finding on an expression the rule cannot read, on a deployed resource: the state
    says what the expression gave in this deployment. Harmless in every instance: the
    finding stays, lowered to a note (the state is one deployment of this root; another
    workspace, variable file or a later change of the inputs may make it otherwise).
    Harmful: the message says so. Nothing is ever written from it."""
    assert f.live_ok is not None
    code = getattr(f.node, "code", "")
    expression = " ".join(code.split()) if code else argument
    if len(expression) > 60:
        expression = expression[:57] + "..."
    many = live.instances > 1
    if argument in live.varies:
        f.message += f" ({expression} differs between the {live.instances} deployed instances of {live.address})"
        return
    if argument not in live.values:
        return
    value = _show(live.values[argument])
    if f.live_ok(live.values[argument]):
        f.severity = "note"
        f.message += (f" ({expression} is {value} in {'every deployed instance of' if many else 'the deployed'} "
                      f"{live.address} in this state: a note, since other deployments of this code may differ)")
    else:
        f.message += (f" ({expression} is {value} in {'every deployed instance of' if many else 'the deployed'} "
                      f"{live.address}: unsafe in this deployment today)")


def classify(findings: list[Finding], directory: str, deployment: Deployment | None) -> None:
    """Adjust ``findings`` of the module in ``directory`` (absolute) to the deployment."""
    if deployment is None or directory not in deployment.modules:
        return
    for f in findings:
        block = f.block
        if block is None or block.type != "resource" or len(block.label_values) != 2:
            continue
        live = deployment.live(directory, *block.label_values)
        assert live is not None
        argument = _argument(f)
        if f.live_ok is not None and argument is not None and live.instances:
            _expression(f, live, argument)
        elif argument is not None and argument in live.values and live.instances:
            f.message += f" ({argument} is {_show(live.values[argument])} in the state)"
        if f.fix is None:
            continue
        if f.fix.impact == IMPACT_REPLACE:
            if live.instances == 0:
                f.deployment = f"{live.address}: not deployed"
                f.message += " (not deployed: no instance in the state, so nothing is replaced)"
                if f.fix.safety == UNSAFE:
                    f.fix.safety = SAFE
                f.fix.description += " (not deployed)"
            else:
                count = f"{live.instances} instance{'s' if live.instances != 1 else ''}"
                f.deployment = f"would replace the live {live.address}, {count}"
                f.message += f" (would replace the live {live.address}, {count})"
                f.fix.description += f" (would replace the live {live.address}, {count})"
        elif f.fix.impact == IMPACT_IN_PLACE:
            f.deployment = (f"updates the live {live.address} in place" if live.instances
                            else f"{live.address}: not deployed")
            if not live.instances:
                f.message += " (not deployed)"
