"""TFX214: no database or cache port open to the whole internet."""

from __future__ import annotations

from tffix.transforms.lib.security_groups import ALL, TCP, OpenIngressRule

# well-known ports of data stores that AWS runs (RDS, Aurora, Redshift, ElastiCache,
# DocumentDB, OpenSearch, Neptune) or that people run on EC2
DATABASE_PORTS = {
    1433: "SQL Server (1433)", 1521: "Oracle (1521)", 2483: "Oracle TLS (2483)", 3306: "MySQL/MariaDB (3306)",
    5432: "PostgreSQL (5432)", 5439: "Redshift (5439)", 6379: "Redis (6379)", 8182: "Neptune (8182)",
    9042: "Cassandra (9042)", 9200: "Elasticsearch/OpenSearch (9200)", 11211: "Memcached (11211)",
    27017: "MongoDB/DocumentDB (27017)",
}


def database_exposure(protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
    """The database ports an internet-wide TCP rule opens; None for rules TFX210 already
    reports (all ports) and for anything not provable."""
    if protocol in ALL or protocol not in TCP or from_port is None or to_port is None:
        return None
    if from_port <= 0 and to_port >= 65535:
        return None  # every TCP port: TFX210
    hits = [label for port, label in DATABASE_PORTS.items() if from_port <= port <= to_port]
    if not hits:
        return None
    where = " and ".join(hits) if len(hits) <= 3 else f"{len(hits)} database ports"
    return where if from_port == to_port else f"{where} (ports {from_port}-{to_port})"


class SecurityGroupOpenDatabasePorts(OpenIngressRule):
    """
    ## What it does
    Reports ingress rules open to the whole internet (`0.0.0.0/0` or `::/0`) on a database or
    cache port: MySQL/MariaDB 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521/2483,
    Redshift 5439, Redis 6379, Memcached 11211, MongoDB/DocumentDB 27017, Neptune 8182,
    Cassandra 9042, Elasticsearch/OpenSearch 9200 (TCP, also inside a port range). It reads
    the same resources as TFX210 (`ingress` blocks of `aws_security_group` /
    `aws_default_security_group`, `aws_security_group_rule` with `type = "ingress"`,
    `aws_vpc_security_group_ingress_rule`) and points at the open CIDR. Rules open on every
    port are left to TFX210. Rules built from expressions are not reported. Display only.

    ## Why is this bad?
    A data store reachable from the internet is found by scanners within hours and then
    brute-forced or, for Redis, Memcached and Elasticsearch without authentication, read
    outright. Databases should accept connections only from the application's security group
    (seed 000 §1 "0.0.0.0/0 for non-public resources", seed 000 §2 "Public subnets for
    private resources like databases").

    ## Example
    ```hcl
    resource "aws_security_group" "db" {
      ingress {
        from_port   = 5432
        to_port     = 5432
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "db" {
      ingress {
        from_port       = 5432
        to_port         = 5432
        protocol        = "tcp"
        security_groups = [aws_security_group.app.id]
        description     = "PostgreSQL from the application"
      }
    }
    ```

    ## Fix safety
    No fix: which clients need the database (the application's security group, a VPN range) is
    the owner's decision, and removing the rule cuts off whoever uses it today.

    ## Deployment impact
    None (display only). Changing an inline `ingress` block or an `aws_security_group_rule`
    yourself replaces that rule; `aws_vpc_security_group_ingress_rule` is updated in place.

    ## References
    - Terraform AWS provider docs, `aws_security_group`, `aws_security_group_rule`,
      `aws_vpc_security_group_ingress_rule` (as TFX210)
    - Default ports from each engine's AWS documentation (RDS, Redshift, ElastiCache,
      DocumentDB, Neptune, OpenSearch); from memory, not re-read for this rule
    - Seed 000 §1 and §2 (`../shared/seeds`)
    - No Checkov or Trivy id mapped: their checks are per single port (e.g. Checkov's
      unrestricted-ingress family), and we did not verify which database ports they cover
    """

    id = "TFX214"
    name = "security-group-open-database-ports"
    summary = "No database or cache port open to 0.0.0.0/0 or ::/0"
    checkov = ()
    trivy = ()
    advice = ("allow only the application's security group (security_groups / referenced_security_group_id) "
              "or a private CIDR range")

    def exposure(self, protocol: str | None, from_port: int | None, to_port: int | None) -> str | None:
        return database_exposure(protocol, from_port, to_port)
