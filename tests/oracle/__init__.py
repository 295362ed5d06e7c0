"""A provider-schema oracle for tests and bench scripts (not part of the wheel).

``validate(dir)`` and ``init(dir)`` run terraform offline against the real
schemas of hashicorp/aws and the small hashicorp providers, served by a stub
provider; see README.md in this directory. ``deploy`` (``from tests.oracle
import deploy``) runs terraform plan, apply and show offline against the same
stub, which fakes the infrastructure.
"""

from .cache import PROVIDERS, Cache, OracleUnavailable, ensure
from .terraform import TERRAFORM, Diagnostic, Result, init, validate

__all__ = ["PROVIDERS", "TERRAFORM", "Cache", "Diagnostic", "OracleUnavailable", "Result", "ensure", "init",
           "validate"]
