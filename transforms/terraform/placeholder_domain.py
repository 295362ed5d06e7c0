"""TFX824: certificates, DNS records and notification addresses use real domains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tffix.engine.module import BlockRef, Module
from tffix.engine.rules import DISPLAY_ONLY, FIX_NEVER, IMPACT_NONE, Finding, Rule
from tffix.syntax import cst
from tffix.syntax.strings import HOLE, string_text

# RFC 2606 / RFC 6761 reserved names, and the usual made-up ones
RESERVED = ("example.com", "example.net", "example.org", "example", "test", "invalid", "localhost")
MADE_UP = ("yourdomain.com", "your-domain.com", "mydomain.com", "yourcompany.com")

WHY_CERT = ("ACM cannot validate it, so the certificate stays PENDING_VALIDATION and HTTPS listeners that use it "
            "fail; use your domain (a variable) or look up an issued certificate with data \"aws_acm_certificate\"")
WHY_DNS = "nobody can delegate that domain to this zone, so the records resolve nowhere; use your domain (a variable)"
WHY_LOOKUP = "no such certificate or zone exists in your account, so the lookup fails; use your domain (a variable)"
WHY_EMAIL = ("the subscription is never confirmed and notifications reach no one; use a real address (a variable)")
# (kind, type) -> {argument: why}
TARGETS: dict[tuple[str, str], dict[str, str]] = {
    ("resource", "aws_acm_certificate"): {"domain_name": WHY_CERT, "subject_alternative_names": WHY_CERT},
    ("data", "aws_acm_certificate"): {"domain": WHY_LOOKUP},
    ("resource", "aws_route53_zone"): {"name": WHY_DNS},
    ("data", "aws_route53_zone"): {"name": WHY_LOOKUP},
    ("resource", "aws_route53_record"): {"name": WHY_DNS, "records": WHY_DNS},
    ("resource", "aws_sns_topic_subscription"): {"endpoint": WHY_EMAIL},
}


def placeholder(text: str) -> str | None:
    """The placeholder domain ``text`` ends in, if any."""
    host = text.lower().rstrip(".")
    for domain in RESERVED + MADE_UP:
        if host == domain or host.endswith("." + domain) or host.endswith("@" + domain):
            return domain
    return None


def _tail(node: cst.Node) -> str | None:
    """The literal text at the end of a quoted string (after its last interpolation)."""
    if not isinstance(node, cst.Template):
        return None
    return string_text(node).value().rsplit(HOLE, 1)[-1]  # type: ignore[union-attr]


class PlaceholderDomain(Rule):
    """
    ## What it does
    Reports placeholder domains, names reserved for documentation (`example.com`, `.net`,
    `.org`, the `.example`, `.test`, `.invalid`, `.localhost` TLDs) and made-up ones
    (`yourdomain.com`, `mydomain.com`), in ACM certificates (`domain_name`,
    `subject_alternative_names`, `data "aws_acm_certificate"` `domain`), Route 53 zones and
    records (`name`, `records`) and SNS subscription endpoints (`ops-team@example.com`). A
    string that ends in such a domain after an interpolation (`"${var.env}.example.com"`)
    counts. Display only: the real domain is not in the code.

    ## Why is this bad?
    Seed 002 §1.1 (high impact): a certificate for `example.com` with DNS validation stays in
    `PENDING_VALIDATION` forever, the HTTPS listener cannot use it, and the application is not
    reachable over HTTPS. Records in a zone for a reserved name resolve nowhere, and an e-mail
    subscription to `example.com` is never confirmed, so alarms notify no one (seed 002 §4.2).

    ## Example
    ```hcl
    resource "aws_acm_certificate" "main" {
      domain_name       = "example.com"
      validation_method = "DNS"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_acm_certificate" "main" {
      domain_name       = var.domain_name
      validation_method = "DNS"
    }
    ```
    with validation records (`aws_route53_record` over `domain_validation_options`) and an
    `aws_acm_certificate_validation`, or `data "aws_acm_certificate"` for an issued certificate.

    ## Fix safety
    No fix: only the owner knows the domain.

    ## Deployment impact
    None (display only).

    ## References
    - RFC 2606 and RFC 6761 (reserved example and special-use domain names)
    - Terraform AWS provider docs, `aws_acm_certificate` (`domain_name`,
      `subject_alternative_names`, `validation_method`), `aws_acm_certificate_validation`,
      `aws_route53_record`, `aws_route53_zone`, `aws_sns_topic_subscription` (`endpoint`)
    - Seed 002 §1.1 "ACM Certificate Validation", §4.2 (`../shared/seeds`)
    - No Checkov or Trivy check targets placeholder domains
    """

    id = "TFX824"
    name = "placeholder-domain"
    summary = "Certificates, DNS records and e-mail subscriptions do not use placeholder domains"
    fix_availability = FIX_NEVER
    safety = DISPLAY_ONLY
    impact = IMPACT_NONE

    def check(self, module: Module, options: dict[str, Any]) -> Iterator[Finding]:
        # the blocks of each target type (a lookup each: the engine then knows what this rule read)
        for (kind, type_), wanted in TARGETS.items():
            for ref in module.blocks(kind, type_):
                yield from self._block(ref, wanted)

    def _block(self, ref: BlockRef, wanted: dict[str, str]) -> Iterator[Finding]:
        block = ref.block
        for name, why in wanted.items():
            attr = block.get_attribute(name)
            if attr is None:
                continue
            values = attr.value.items if isinstance(attr.value, cst.Tuple) else [attr.value]
            for value in values:
                tail = _tail(value)
                domain = placeholder(tail) if tail is not None else None
                if domain is None:
                    continue
                text = value.code.strip()
                yield self.finding(ref.file, value, f"{ref.address} {name} = {text} uses the placeholder domain "
                                   f"{domain}: {why}", block=block)
