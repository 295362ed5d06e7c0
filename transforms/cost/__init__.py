"""Rules on environment sizing: redundancy and instance sizes in non-production modules."""
