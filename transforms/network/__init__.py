"""Rules for networks: security groups, subnets, NAT, load balancers, CIDR plans."""
