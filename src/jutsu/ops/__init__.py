"""Operations: database backups and restore, readiness checks and Prometheus metrics.

Nothing here trades or computes; these are the tools an operator (or the scheduler) uses to keep
a deployment recoverable and observable.
"""
