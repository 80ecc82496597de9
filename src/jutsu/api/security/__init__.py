"""Security building blocks of the API: passwords, tokens, TOTP, passkeys, limits, client IP, events.

Each module does one job and holds no global state; the app factory builds what needs state
(keys, limiter, security log) once and stores it in the service container.
"""
