"""Rules for RDS and Aurora: encryption, exposure, backups, monitoring, engine features."""
