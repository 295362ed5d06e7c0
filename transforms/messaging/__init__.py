"""Rules for SQS and SNS: encryption and dead-letter queues."""
